#!/usr/bin/env bash
# Whoever can write to tickle_dir cannot make the agent (root) write
# through a planted link, nor read another file into its log: the
# connections are recorded whole through a random name renamed into place,
# and a tickle file that is a link is refused.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

VIP=198.18.0.100
new_netns node node
new_netns peer peer
tb_link "$node" "$VIP/24" "$peer" 198.18.0.2/24
new_bpffs pin
new_tmpdir tickle
chmod 1777 "$tickle"	# shared, as a tickle_dir often is
printf 'secret-first-line\n' >"$RA_DIR/victim"
chmod 600 "$RA_DIR/victim"
tb_bg "$node" "$PY" "$TCP_PY" serve "$VIP" 3260
listening() { [ -n "$(ip netns exec "$node" ss -Hltn "( sport = :3260 )")" ]; }
tb_wait 3 listening || diag "the server did not listen"
tb_bg "$peer" "$PY" "$TCP_PY" hold "$VIP" 3260 "$RA_DIR/hold"
tb_wait 3 grep -qs connected "$RA_DIR/hold" || diag "the client did not connect"

u() { RA_NAME=u ra "$node" "$pin" "$@" action=unblock ip="$VIP" portno=3260 tickle_dir="$tickle"; }

ln -s "$RA_DIR/victim" "$tickle/$VIP"
u start
is "start with a link as the tickle file: 0 (tickles are best effort)" "$?" 0
ok "... the link was refused" grep -q "symbolic link: refused" "$RA_ERR"
ok "... and nothing of the file it points to reached the log" bash -c '! grep -q secret "$1"' _ "$RA_ERR"

u monitor
is "monitor, the link still planted as the tickle file: 0" "$?" 0
is "the file the link pointed to is untouched" "$(cat "$RA_DIR/victim")" secret-first-line
ok "the link was replaced by the recorded connections" test -f "$tickle/$VIP" -a ! -L "$tickle/$VIP"
ok "... which hold the client's connection" grep -q "^$VIP:3260	198.18.0.2:" "$tickle/$VIP"
is "no temporary file is left" "$(ls "$tickle" | grep -vcx "$VIP")" 0
u stop
done_testing
