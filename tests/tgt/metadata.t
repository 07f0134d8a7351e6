#!/usr/bin/env bash
# tgt-account's meta-data: valid against ra-api-1.dtd, the parameters and
# defaults issue 4 names, the actions, what it documents (the exit code of
# a missing target, the password on tgtadm's command line); the man page
# generated from it.
. "$(dirname "$0")/../lib/testlib.sh"
AGENT=$TOP/agents/tgt-account
export OCF_ROOT=/usr/lib/ocf
DTD=/usr/share/resource-agents/ra-api-1.dtd
[ -r "$OCF_ROOT/lib/heartbeat/ocf-shellfuncs" ] || skip_all "resource-agents is not installed"
command -v xmllint >/dev/null || skip_all "needs xmllint (libxml2-utils)"
new_tmpdir tmp

"$AGENT" meta-data >"$tmp/meta.xml"
is "meta-data exits 0" "$?" 0
ok "meta-data validates against ra-api-1.dtd" \
	bash -c 'cd "$(dirname "$2")" && xmllint --noout --dtdvalid "$2" - < "$1"' _ "$tmp/meta.xml" "$DTD"
ok "meta-data passes ocf-tester's own lint (--valid)" \
	bash -c 'cd "$(dirname "$2")" && xmllint --noout --valid - < "$1"' _ "$tmp/meta.xml" "$DTD"

x() { xmllint --xpath "$1" "$tmp/meta.xml" 2>/dev/null; }
is "resource-agent name" "$(x 'string(/resource-agent/@name)')" tgt-account
is "the parameters" "$(x '//parameters/parameter/@name' | sed 's/ name="\([^"]*\)"/\1 /g' | xargs)" \
	"username password password_file direction target_iqn control_port tgtadm"
is "only username is required" "$(x '//parameter[@required="1"]/@name' | xargs)" "name=username"
default() { x "string(//parameter[@name='$1']/content/@default)"; }
is "direction defaults to incoming" "$(default direction)" incoming
is "control_port defaults to 0" "$(default control_port)" 0
is "control_port is an integer" "$(x "string(//parameter[@name='control_port']/content/@type)")" integer
is "tgtadm defaults to the name in PATH" "$(default tgtadm)" tgtadm
for a in start stop monitor status meta-data validate-all; do
	ok "action $a advertised" bash -c 'xmllint --xpath "//actions/action[@name=\"$2\"]" "$1" >/dev/null 2>&1' _ "$tmp/meta.xml" "$a"
done
desc=$(x 'string(/resource-agent/longdesc)' | tr -s ' \n' '  ')
ok "documents that a target missing at start is a generic error (1)" grep -q "does not exist at start is a generic error (1)" <<<"$desc"
ok "documents the password on tgtadm's command line" grep -q "tgtadm takes it on its command line" <<<"$desc"
ok "documents the lock" grep -q 'tgt-account.CONTROL_PORT.lock' <<<"$desc"

"$AGENT" usage >/dev/null 2>&1
is "usage exits 0" "$?" 0
"$AGENT" frobnicate >/dev/null 2>&1
is "an unknown action exits 3" "$?" 3
"$AGENT" >/dev/null 2>&1
is "no action exits 2" "$?" 2
OCF_RESKEY_username='$(touch '"$tmp"'/marker)' "$AGENT" meta-data >/dev/null 2>&1
ok "meta-data does not evaluate parameters" test ! -e "$tmp/marker"

"$TOP/agents/ra-man.sh" "$AGENT" portfence >"$tmp/page.7"
is "ra-man.sh exits 0" "$?" 0
ok "man page is warning-free troff" bash -c '[ -z "$(groff -man -Tutf8 -ww -z "$1" 2>&1)" ]' _ "$tmp/page.7"
ok "man page names ocf_portfence_tgt-account(7)" grep -q '^\.TH "OCF_PORTFENCE_TGT\\-ACCOUNT" "7"' "$tmp/page.7"
groff -man -Tutf8 "$tmp/page.7" 2>/dev/null | sed 's/.\x08//g' >"$tmp/page.txt"
missing=$(for p in username password password_file direction target_iqn control_port tgtadm; do
	grep -qw -- "$p" "$tmp/page.txt" || echo "$p"; done | xargs)
is "man page documents every parameter" "$missing" ""

done_testing
