#!/usr/bin/env bash
# Tickle files live in a directory others may write to (tickle_dir, shared
# between nodes), and root reads and writes them: never through a link,
# never a FIFO or a huge file, and never written half. One peer that cannot
# be reached does not stop the others from being tickled.
. "$(dirname "$0")/netlib.sh"
net_bed

printf 'secret-first-line\n' >"$WORK/victim"
chmod 600 "$WORK/victim"

# reading
ln -s "$WORK/victim" "$WORK/link"
pf tickle --file "$WORK/link" >/dev/null 2>"$WORK/err"
is "tickle --file LINK: exit 2" "$?" 2
ok "... refused as a link" grep -q "symbolic link: refused" "$WORK/err"
ok "... and nothing of the file it points to is shown" bash -c '! grep -q secret "$1"' _ "$WORK/err"
mkfifo "$WORK/fifo"
SECONDS=0
pf tickle --file "$WORK/fifo" >/dev/null 2>"$WORK/err"
is "tickle --file FIFO: exit 2" "$?" 2
ok "... at once, not waiting for a writer" test "$SECONDS" -le 2
ok "... refused as not a regular file" grep -q "not a regular file" "$WORK/err"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' '\n' >"$WORK/big"
pf tickle --file "$WORK/big" >/dev/null 2>"$WORK/err"
is "tickle --file of 2 MiB: exit 2" "$?" 2
ok "... refused for its size" grep -q "larger than 1 MiB" "$WORK/err"

# one peer out of reach, the next one still tickled
serve "$VIP" 3260
hold "$VIP" 3260 1
printf '%s:3260\t198.19.255.1:9\n' "$VIP" >"$WORK/two"
pf conns --ip "$VIP" --port 3260 >>"$WORK/two"
pf tickle --file "$WORK/two" >"$WORK/out" 2>"$WORK/err"
is "a peer out of reach: exit 1" "$?" 1
ok "... saying which" grep -q "cannot tickle 198.19.255.1:9" "$WORK/err"
ok "... and the reachable peer after it was tickled" grep -q "^tickled $VIP:3260	$CLIENT:" "$WORK/out"

# hostile lines: every line checked before anything is sent, nothing
# unprintable echoed into the log
pf conns --ip "$VIP" --port 3260 >"$WORK/mixed"
printf '%s:3260\t[2001:db8::2]:9\n' "$VIP" >>"$WORK/mixed"
pf tickle --file "$WORK/mixed" >"$WORK/out" 2>"$WORK/err"
is "a line mixing IPv4 and IPv6: exit 2" "$?" 2
ok "... naming the line" grep -q "mixed: line 2: .* mixes IPv4 and IPv6" "$WORK/err"
is "... nothing tickled" "$(grep -c tickled "$WORK/out")" 0
printf '%s:3260 \033]0;owned\007 x\n' "$VIP" >"$WORK/escape"
pf tickle --file "$WORK/escape" >/dev/null 2>"$WORK/err"
is "a line with control bytes: exit 2" "$?" 2
ok "... none of them in the message" bash -c '! grep -q "$(printf "[\033\007]")" "$1"' _ "$WORK/err"
{ printf '%s:3260 %s:1' "$VIP" "$CLIENT"; head -c 600 /dev/zero | tr '\0' ' '; printf '%s:2\n' "$CLIENT"; } >"$WORK/long"
pf tickle --file "$WORK/long" >"$WORK/out" 2>"$WORK/err"
is "a line longer than 511 bytes: exit 2" "$?" 2
ok "... refused as such, not read as two lines" grep -q "line 1: longer than 511 bytes" "$WORK/err"

# writing
ln -s "$WORK/victim" "$WORK/saved"
pf conns --ip "$VIP" --port 3260 --output "$WORK/saved"
is "conns --output over a planted link: exit 0" "$?" 0
is "... the file it pointed to is untouched" "$(cat "$WORK/victim")" secret-first-line
ok "... the link was replaced by the list" test -f "$WORK/saved" -a ! -L "$WORK/saved"
ok "... which holds the connection" grep -q "^$VIP:3260	$CLIENT:" "$WORK/saved"
is "... no temporary file left beside it" "$(ls "$WORK" | grep -c '^saved\.')" 0
is "... readable, not writable, by others" "$(stat -c %a "$WORK/saved")" 644

done_testing
