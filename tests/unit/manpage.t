#!/usr/bin/env bash
# The man page cannot drift from the options: every option in a command's
# table (what 'portfence COMMAND --help' lists, generated from it) is named
# on that command's lines in user/portfence.8, and every option the man page
# gives a command is in its table; the same for the global options and
# SYNOPSIS.
. "$(dirname "$0")/../lib/testlib.sh"
[ -x "$PORTFENCE" ] || skip_all "$PORTFENCE is missing: run make"
MAN=$TOP/user/portfence.8

# table_options ARGS...: the options 'portfence ARGS --help' lists, sorted.
table_options() {
	"$PORTFENCE" "$@" --help | awk '/^options:/ { f = 1; next } /^$/ { f = 0 }
		f && $1 ~ /^--/ { print $1 }' | sort -u
}
# man_options COMMAND: the options on COMMAND's header lines (.TP/.TQ) in
# COMMANDS; "" for SYNOPSIS. --help is every command's, not in the tables.
man_options() {
	python3 - "$MAN" "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
want, found, section = sys.argv[2], set(), None
for i, line in enumerate(lines):
    if line.startswith(".SH "):
        section = line[4:].strip()
        continue
    if want == "" and section == "SYNOPSIS":
        found.update(re.findall(r"\\-\\-([a-z\\-]+)", line))
    elif section == "COMMANDS" and i > 0 and lines[i - 1] in (".TP", ".TQ"):
        words = line.split()
        if len(words) > 1 and words[0] in (".B", ".BR") and words[1] == want:
            found.update(re.findall(r"\\-\\-((?:[a-z]|\\-)+)", line))
for name in sorted({f.replace("\\-", "-") for f in found} - {"help"}):
    print("--" + name)
PY
}

commands=$("$PORTFENCE" --help | awk '/^commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }')
ok "portfence --help lists the commands" [ -n "$commands" ]
for c in $commands; do
	is "$c: the man page names exactly the options of its table" \
		"$(man_options "$c" | tr '\n' ' ')" "$(table_options "$c" | tr '\n' ' ')"
done
is "global: SYNOPSIS names exactly the global options" \
	"$(man_options "" | tr '\n' ' ')" "$(table_options | tr '\n' ' ')"

done_testing
