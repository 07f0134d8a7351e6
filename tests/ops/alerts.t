#!/usr/bin/env bash
# alerts/portfence.rules.yml: promtool check rules accepts it, and promtool
# test rules runs alerts/portfence.test.yml: each alert fires on the sample
# series meant for it, with its labels and text, and not on the healthy ones.
. "$(dirname "$0")/../lib/testlib.sh"
command -v promtool >/dev/null || skip_all "needs promtool (make deps: prometheus)"
rules=$TOP/alerts/portfence.rules.yml
ok "promtool check rules" bash -c 'out=$(promtool check rules "$1" 2>&1) || { echo "$out" | sed "s/^/#   /"; exit 1; }' _ "$rules"
ok "every alert has a unit test" bash -c '
	for a in $(sed -n "s/^ *- alert: //p" "$1"); do
		grep -q "alertname: $a\$" "$2" || { echo "# no test for $a"; exit 1; }
	done' _ "$rules" "$TOP/alerts/portfence.test.yml"
ok "promtool test rules: fire and stay quiet as the tests say" bash -c '
	cd "$1" && out=$(promtool test rules portfence.test.yml 2>&1) || { echo "$out" | sed "s/^/#   /"; exit 1; }' \
	_ "$TOP/alerts"
done_testing
