#!/usr/bin/env bash
# fence-portblock's meta-data: valid against ra-api-1.dtd, every portblock
# parameter (so a configuration changes only the agent name), the actions;
# and the man page generated from it.
. "$(dirname "$0")/../lib/testlib.sh"
AGENT=$TOP/agents/fence-portblock
export OCF_ROOT=/usr/lib/ocf
DTD=/usr/share/resource-agents/ra-api-1.dtd
PORTBLOCK=$OCF_ROOT/resource.d/heartbeat/portblock
[ -r "$OCF_ROOT/lib/heartbeat/ocf-shellfuncs" ] || skip_all "resource-agents is not installed"
new_tmpdir tmp

"$AGENT" meta-data > "$tmp/meta.xml"
is "meta-data exits 0" "$?" 0
ok "meta-data validates against ra-api-1.dtd" \
	bash -c 'cd "$(dirname "$2")" && xmllint --noout --dtdvalid "$2" - < "$1"' _ "$tmp/meta.xml" "$DTD"
ok "meta-data passes ocf-tester's own lint (--valid)" \
	bash -c 'cd "$(dirname "$2")" && xmllint --noout --valid - < "$1"' _ "$tmp/meta.xml" "$DTD"

has_xpath() { xmllint --xpath "$1" "$tmp/meta.xml" > /dev/null 2>&1; }
params() { xmllint --xpath '//parameters/parameter/@name' "$1" | sed 's/ name="\([^"]*\)"/\1\n/g' | sort; }
params "$tmp/meta.xml" > "$tmp/ours"
# portblock 4.12 as installed, plus what later upstream versions added.
{ "$PORTBLOCK" meta-data 2>/dev/null > "$tmp/pb.xml" && params "$tmp/pb.xml"
  printf '%s\n' protocol portno action ip direction method status_check \
	reset_local_on_unblock_stop tickle_dir sync_script firewall; } | sort -u > "$tmp/portblock"
is "every portblock parameter is accepted" "$(comm -23 "$tmp/portblock" "$tmp/ours" | xargs)" ""
for p in pin_dir keep_established drain drain_stall drain_quiet binary; do
	ok "new parameter $p" grep -qx "$p" "$tmp/ours"
done
is "default drain is 1000 ms" \
	"$(xmllint --xpath 'string(//parameter[@name="drain"]/content/@default)' "$tmp/meta.xml")" 1000
is "default drain_stall is 50 ms" \
	"$(xmllint --xpath 'string(//parameter[@name="drain_stall"]/content/@default)' "$tmp/meta.xml")" 50
is "default drain_quiet is 100 ms" \
	"$(xmllint --xpath 'string(//parameter[@name="drain_quiet"]/content/@default)' "$tmp/meta.xml")" 100
is "default direction is both" \
	"$(xmllint --xpath 'string(//parameter[@name="direction"]/content/@default)' "$tmp/meta.xml")" both
required() { xmllint --xpath '//parameter[@required="1"]/@name' "$1" | xargs -n1 | sort | xargs; }
is "protocol, portno and action are required" "$(required "$tmp/meta.xml")" "name=action name=portno name=protocol"
is "... exactly the parameters portblock requires" "$(required "$tmp/meta.xml")" "$(required "$tmp/pb.xml")"
for a in start stop monitor status promote demote meta-data validate-all; do
	ok "action $a advertised" has_xpath "//actions/action[@name='$a']"
done
ok "promoted monitor op has its own interval" \
	has_xpath "//actions/action[@name='monitor' and @role='Promoted']"

"$AGENT" usage > /dev/null 2>&1
is "usage exits 0" "$?" 0
"$AGENT" frobnicate > /dev/null 2>&1
is "an unknown action exits 3" "$?" 3
"$AGENT" > /dev/null 2>&1
is "no action exits 2" "$?" 2
OCF_RESKEY_portno='$(touch '"$tmp"'/marker)' "$AGENT" meta-data > /dev/null 2>&1
ok "meta-data does not evaluate parameters" test ! -e "$tmp/marker"

# The man page, as resource-agents makes it: from the meta-data.
"$TOP/agents/ra-man.sh" "$AGENT" portfence > "$tmp/page.7"
is "ra-man.sh exits 0" "$?" 0
ok "man page is warning-free troff" bash -c '[ -z "$(groff -man -Tutf8 -ww -z "$1" 2>&1)" ]' _ "$tmp/page.7"
ok "man page names ocf_portfence_fence-portblock(7)" \
	grep -q '^\.TH "OCF_PORTFENCE_FENCE\\-PORTBLOCK" "7"' "$tmp/page.7"
groff -man -Tutf8 "$tmp/page.7" 2>/dev/null | sed 's/.\x08//g' > "$tmp/page.txt"
missing=$(while read -r p; do grep -qw -- "$p" "$tmp/page.txt" || echo "$p"; done < "$tmp/ours" | xargs)
is "man page documents every parameter" "$missing" ""
SOURCE_DATE_EPOCH=0 "$TOP/agents/ra-man.sh" "$AGENT" > "$tmp/a.7"
SOURCE_DATE_EPOCH=0 "$TOP/agents/ra-man.sh" "$AGENT" > "$tmp/b.7"
ok "man page is reproducible" cmp -s "$tmp/a.7" "$tmp/b.7"

done_testing
