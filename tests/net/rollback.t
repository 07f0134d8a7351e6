#!/usr/bin/env bash
# A block that fails part-way leaves the fence table exactly as it was: the
# entries it added are gone and the policies it overwrote are back (their
# since-time too). The failure is real: the table is filled to its last
# free slots, so a port range runs out of room mid-way. A fence table the
# caller may not write exits 3 (not permitted), not 1.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is missing"

# entry PORT: "direction method flags since" of VIP's own entry for PORT,
# read from the kernel with bpftool (by key, not by a lookup of the CLI),
# or "none".
entry() {
	local key
	key=$("$PY" -c 'import socket,struct,sys
print(" ".join("%02x" % b for b in struct.pack("<I", 64) + struct.pack(">H", int(sys.argv[1]))
      + bytes([6, 2]) + socket.inet_aton(sys.argv[2]) + bytes(12)))' "$1" "$VIP")
	bpftool -j map lookup pinned "$PIN/portals" key hex $key 2>/dev/null | "$PY" -c '
import json, sys
try:
    v = json.load(sys.stdin)["formatted"]["value"]
    print(v["direction"], v["method"], v["flags"], v["since"])
except Exception:
    print("none")'
}

pf block --ip "$VIP" --port 3260,3262 --direction in --method reject >/dev/null ||
	diag "the first block failed"
before=$(for p in 3260 3261 3262 3263 3264 3265; do echo "$p $(entry "$p")"; done)
ok "VIP 3260 has its own entry (direction in, method reject)" grep -q '^3260 1 1 ' <<<"$before"

# 262,144 entries at most: 2 are VIP's, 4 x 65,535 fill all but 2
for i in 1 2 3 4; do
	pf block --ip "198.19.0.$i" --port 1:65535 --direction in >/dev/null 2>"$WORK/fill" ||
		{ diag "fill $i: $(cat "$WORK/fill")"; break; }
done
sleep 1	# a later since-time would show a policy rewritten instead of restored

# 3260 and 3262 are overwritten, 3261 and 3263 take the last two slots,
# 3264 finds the table full
pf block --ip "$VIP" --port 3260:3265 --direction both >"$WORK/out" 2>"$WORK/err"
is "a block that runs out of room exits 1" "$?" 1
ok "it says the table is full, naming the port" grep -q 'cannot fence port 3264: the fence table is full' "$WORK/err"
is "it does not claim the portal fenced" "$(cat "$WORK/out")" ""
after=$(for p in 3260 3261 3262 3263 3264 3265; do echo "$p $(entry "$p")"; done)
is "every entry is as before: overwritten policies restored, added ones gone" "$after" "$before"
is "the ports it added are not fenced" "$(pf check --ip "$VIP" --port 3261 >/dev/null 2>&1; echo $?)" 1
pf block --ip "$VIP" --port 3261 --direction in >"$WORK/out" 2>&1
is "the slots it gave back can be used" "$?" 0

# no write permission on the fence table: root without CAP_DAC_OVERRIDE
# on a pin it may only read
chmod 0400 "$PIN/portals"
ip netns exec "$SRV" setpriv --inh-caps=-dac_override --bounding-set=-dac_override \
	"$PORTFENCE" --pin-dir "$PIN" block --ip "$VIP" --port 3270 >"$WORK/out" 2>"$WORK/err"
is "a fence table it may not write: exit 3" "$?" 3
ok "the message says not permitted" grep -q 'not permitted' "$WORK/err"
chmod 0600 "$PIN/portals"
is "and 3270 was not fenced" "$(pf check --ip "$VIP" --port 3270 >/dev/null 2>&1; echo $?)" 1

done_testing
