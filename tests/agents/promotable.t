#!/usr/bin/env bash
# Promotable clone (OCF_RESKEY_CRM_meta_promotable=true): the Promoted role
# holds "action", the Unpromoted role and a stopped instance its inverse;
# monitor says 7 / 0 / 8, and 9 (failed Promoted) when the kernel
# disagrees with the Promoted role.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_netns client client
tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve 198.18.0.1 3260
tb_wait 5 tcp_probe "$client" 198.18.0.1 3260 || diag "server did not come up"
P=(ip=198.18.0.1 portno=3260 CRM_meta_promotable=true)
F=(--ip 198.18.0.1 --port 3260)

# action=unblock: open only where Promoted.
U=(action=unblock "${P[@]}")
ra_is "unblock: monitor before start is 7" 7 "$node" "$pin" monitor "${U[@]}"
ra_is "unblock: start (Unpromoted)" 0 "$node" "$pin" start "${U[@]}"
ok "unblock: Unpromoted is fenced" fenced "$node" "$pin" "${F[@]}"
ra_is "unblock: Unpromoted monitor is 0" 0 "$node" "$pin" monitor "${U[@]}"
ra_is "unblock: promote" 0 "$node" "$pin" promote "${U[@]}"
ok "unblock: Promoted is open" not_fenced "$node" "$pin" "${F[@]}"
ok "unblock: Promoted serves" tcp_probe "$client" 198.18.0.1 3260
ra_is "unblock: Promoted monitor is 8" 8 "$node" "$pin" monitor "${U[@]}"
ra_is "unblock: promote again is 0" 0 "$node" "$pin" promote "${U[@]}"
pf "$node" "$pin" block "${F[@]}" > /dev/null
ra_is "unblock: Promoted fenced behind its back: monitor is 9" 9 "$node" "$pin" monitor "${U[@]}"
pf "$node" "$pin" unblock "${F[@]}" > /dev/null
ra_is "unblock: demote" 0 "$node" "$pin" demote "${U[@]}"
ok "unblock: demoted is fenced" fenced "$node" "$pin" "${F[@]}"
ok "unblock: demoted drops new connections" tcp_blocked "$client" 198.18.0.1 3260
ra_is "unblock: Unpromoted monitor is 0" 0 "$node" "$pin" monitor "${U[@]}"
pf "$node" "$pin" unblock "${F[@]}" > /dev/null
ra_is "unblock: Unpromoted opened behind its back: monitor is 1" 1 "$node" "$pin" monitor "${U[@]}"
ra_is "unblock: demote again repairs it" 0 "$node" "$pin" demote "${U[@]}"
ra_is "unblock: stop" 0 "$node" "$pin" stop "${U[@]}"
ok "unblock: stopped is fenced" fenced "$node" "$pin" "${F[@]}"
ra_is "unblock: monitor after stop is 7" 7 "$node" "$pin" monitor "${U[@]}"
pf "$node" "$pin" unblock "${F[@]}" > /dev/null

# action=block: fenced only where Promoted.
B=(action=block "${P[@]}")
ra_is "block: start (Unpromoted)" 0 "$node" "$pin" start "${B[@]}"
ok "block: Unpromoted is open" not_fenced "$node" "$pin" "${F[@]}"
ra_is "block: Unpromoted monitor is 0" 0 "$node" "$pin" monitor "${B[@]}"
ra_is "block: promote" 0 "$node" "$pin" promote "${B[@]}"
ok "block: Promoted is fenced" fenced "$node" "$pin" "${F[@]}"
ra_is "block: Promoted monitor is 8" 8 "$node" "$pin" monitor "${B[@]}"
pf "$node" "$pin" unblock "${F[@]}" > /dev/null
ra_is "block: Promoted opened behind its back: monitor is 9" 9 "$node" "$pin" monitor "${B[@]}"
ra_is "block: promote again repairs it" 0 "$node" "$pin" promote "${B[@]}"
ra_is "block: demote" 0 "$node" "$pin" demote "${B[@]}"
ok "block: demoted is open" not_fenced "$node" "$pin" "${F[@]}"
ra_is "block: stop" 0 "$node" "$pin" stop "${B[@]}"
ok "block: stopped is open" not_fenced "$node" "$pin" "${F[@]}"
ra_is "block: monitor after stop is 7" 7 "$node" "$pin" monitor "${B[@]}"

# Not a promotable clone: promote/demote are not implemented (3).
ra_is "plain resource: promote is 3" 3 "$node" "$pin" promote action=block ip=198.18.0.1 portno=3260
ra_is "plain resource: demote is 3" 3 "$node" "$pin" demote action=block ip=198.18.0.1 portno=3260
ok "no state files left" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"

done_testing
