#!/usr/bin/env bash
# Interfaces that come and go under a live fence. One created after the
# programs were loaded is unfenced until fence-portblock's next monitor,
# which attaches the programs to it and logs so; one removed leaves
# monitor, status, the stop (unblock) and unload working, with exactly one
# program per hook on the interfaces that remain. portfence attach alone
# loads nothing.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
[ -x "$TCXPROG" ] || skip_all "$TCXPROG is missing: run make $TCXPROG"

new_netns node node
new_netns client client
tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve 0.0.0.0 3260
tb_wait 5 tcp_probe "$client" 198.18.0.1 3260 || diag "server did not come up"

pf "$node" "$pin" attach >"$RA_DIR/attach" 2>&1
is "attach with nothing loaded: exit 0" "$?" 0
ok "... says so" grep -q "^nothing loaded in $pin" "$RA_DIR/attach"
is "... and loads nothing" "$(ls "$pin" | grep -cv debug)" 0

P=(action=block portno=3260)
ra_is "block start (every address)" 0 "$node" "$pin" start "${P[@]}"
ok "fenced through the first link" tcp_blocked "$client" 198.18.0.1 3260
is "one program per hook on lo and the link" "$(fence_hooks "$node")" 4

# --- an interface created under the fence
ip link add late0 netns "$node" type veth peer name late1 netns "$client" || exit 1
ip -n "$node" addr add 198.18.3.1/24 dev late0 && ip -n "$client" addr add 198.18.3.2/24 dev late1 || exit 1
ip -n "$node" link set late0 up && ip -n "$client" link set late1 up || exit 1
ok "the new link is not fenced yet: a connection through it succeeds" tcp_probe "$client" 198.18.3.1 3260
ra_is "monitor: 0" 0 "$node" "$pin" monitor "${P[@]}"
ok "monitor logged the interface it attached" grep -q "reconciled: portfence programs attached late0" "$RA_ERR"
ok "the new link is fenced now" tcp_blocked "$client" 198.18.3.1 3260
is "one program per hook on each of the three" "$(fence_hooks "$node")" 6
ra_is "the next monitor: 0" 0 "$node" "$pin" monitor "${P[@]}"
ok "... attaches nothing more, so logs nothing" test -z "$(grep reconciled "$RA_ERR")"
pf "$node" "$pin" attach >"$RA_DIR/attach" 2>&1
is "portfence attach: exit 0" "$?" 0
is "... nothing left to attach" "$(grep -c '^attached' "$RA_DIR/attach")" 0

# --- an interface removed under the fence
ip -n "$node" link del late0
ra_is "monitor after the interface is gone: 0" 0 "$node" "$pin" monitor "${P[@]}"
ok "... logs nothing to reconcile" test -z "$(grep reconciled "$RA_ERR")"
pf "$node" "$pin" status >"$RA_DIR/status" 2>&1
is "status: exit 0" "$?" 0
ok "... without the removed interface" test -z "$(grep late0 "$RA_DIR/status")"
is "one program per hook on the two that remain" "$(fence_hooks "$node")" 4
ok "the first link is still fenced" tcp_blocked "$client" 198.18.0.1 3260
ra_is "stop (unblock): 0" 0 "$node" "$pin" stop "${P[@]}"
ok "... the portal is open" tcp_probe "$client" 198.18.0.1 3260
pf "$node" "$pin" unload >"$RA_DIR/unload" 2>&1
is "unload: exit 0" "$?" 0
is "... nothing attached anywhere" "$(fence_hooks "$node")" 0

done_testing
