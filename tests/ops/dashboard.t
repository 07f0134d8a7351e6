#!/usr/bin/env bash
# dashboards/portfence.json: valid JSON, every query names a portfence
# metric, and every portfence_ name any query uses is one that portfence
# metrics really prints on a loaded node with a fence (a test namespace).
# node_exporter's own node_textfile_mtime_seconds is the one other name.
. "$(dirname "$0")/../lib/testlib.sh"
need_root
command -v python3 >/dev/null || skip_all "needs python3"
[ -x "$PORTFENCE" ] || skip_all "$PORTFENCE is not built (make)"
dash=$TOP/dashboards/portfence.json
new_tmpdir WORK

exprs=$WORK/exprs
ok "the dashboard is JSON with queries" python3 - "$dash" "$exprs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "expr" and isinstance(v, str):
                out.append(v)
            elif k == "query" and isinstance(v, dict) and "query" in v:
                out.append(v["query"])
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)
open(sys.argv[2], "w").write("".join(e.replace("\n", " ") + "\n" for e in out))
sys.exit(0 if out else 1)
PY
diag "$(wc -l <"$exprs") queries"
ok "every query names a portfence metric or its textfile" bash -c '! grep -vE "portfence_[a-z_]+|node_textfile_mtime_seconds[{][^}]*portfence" "$1"' _ "$exprs"
ok "no query names a metric outside portfence and node_textfile_mtime_seconds" bash -c '
	! grep -oE "\b(node|process|go|up)_[a-z_]*" "$1" | grep -vx node_textfile_mtime_seconds' _ "$exprs"

new_netns ns a
new_bpffs pin
pf() { ip netns exec "$ns" "$PORTFENCE" --pin-dir "$pin/pf" "$@"; }
ip -n "$ns" link set lo up
pf block --ip 198.18.0.1 --port 3260 >/dev/null || exit 1
pf metrics >"$WORK/metrics.prom" || exit 1
pf unload >/dev/null
exported=$(sed -n 's/^\(portfence_[a-z_]*\).*/\1/p' "$WORK/metrics.prom" | sort -u)
used=$(grep -oE 'portfence_[a-z_]+' "$exprs" | sort -u)
for m in $used; do
	ok "the dashboard's $m is in portfence metrics" grep -qx "$m" <<<"$exported"
done
ok "the alert rules' names are in portfence metrics too" bash -c '
	for m in $(grep -oE "portfence_[a-z_]+" "$1" | sort -u); do
		grep -qx "$m" <<<"$2" || { echo "# not exported: $m"; exit 1; }
	done' _ "$TOP/alerts/portfence.rules.yml" "$exported"
done_testing
