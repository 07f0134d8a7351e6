#!/usr/bin/env bash
# resource-agents' own ocf-tester passes for tgt-account against a real
# tgtd: the account resource (password, password_file) and the target
# resource (incoming, outgoing); tgtd holds no account afterwards.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
command -v ocf-tester >/dev/null || skip_all "ocf-tester (resource-agents) is not installed"
tgt_target 1 || diag "cannot create target 1"
new_tmpdir dir
printf '%s\n' file-secret-1 >"$dir/secret"
chmod 600 "$dir/secret"

# tester NAME OPTION...: ocf-tester in the node namespace; passes if it
# says so, else its output becomes diagnostics.
tester() {
	local name=$1 out rc
	shift
	out=$(ip netns exec "$TGT_NODE" env HA_RSCTMP="$TGT_RSCTMP" HA_LOGFACILITY=none \
		HA_LOGFILE="$TGT_DIR/agent.log" ocf-tester -n "$name" \
		-o username="$TGT_USER" -o control_port="$TGT_PORT" "$@" "$AGENT" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q "passed all tests" <<<"$out"; then
		sed 's/^/#   /' <<<"$out"
		return 1
	fi
}

ok "ocf-tester: account resource, password" tester acct -o password="$TGT_PASS"
is "... left no account" "$(accounts | xargs)" ""
ok "ocf-tester: account resource, password_file" tester acctf -o password_file="$dir/secret"
ok "ocf-tester: target resource, incoming" \
	tester t1 -o password="$TGT_PASS" -o target_iqn="$(tgt_iqn 1)"
ok "ocf-tester: target resource, outgoing" \
	tester t1out -o password="$TGT_PASS" -o target_iqn="$(tgt_iqn 1)" -o direction=outgoing
is "tgtd holds no account afterwards" "$(accounts | xargs)" ""
is "... and target 1 no binding" "$(bindings "$TGT_USER" | xargs)" ""

done_testing
