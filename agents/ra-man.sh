#!/bin/sh
# ra-man.sh AGENT [PROVIDER]: the man page ocf_PROVIDER_NAME(7) of an OCF
# resource agent, in troff, generated from its meta-data the way
# resource-agents does (that package builds it with an XSL stylesheet it
# does not install; this reads the same XML with xmllint --xpath).
#
#   agents/ra-man.sh agents/fence-portblock portfence > build/ocf_portfence_fence-portblock.7
#
# The date is SOURCE_DATE_EPOCH's, else the agent file's, so the output is
# reproducible.
set -eu

agent=${1:?usage: ra-man.sh AGENT [PROVIDER]}
provider=${2:-portfence}
: "${OCF_ROOT:=/usr/lib/ocf}"
export OCF_ROOT

xml=$(mktemp)
trap 'rm -f "$xml"' EXIT
"$agent" meta-data > "$xml"
xmllint --noout "$xml"

# x XPATH: the string value of XPATH in the meta-data (xmllint adds a
# newline to it).
x() { xmllint --xpath "string($1)" "$xml" 2>/dev/null || true; }

# roff: escape text for troff; blank lines become PARA (.PP or .sp).
roff() {
	sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
	    -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^[.']/\\\\\\&&/" |
	awk -v para="$1" '
		/^$/ { if (n) blank = 1; next }
		{ if (blank) print para; blank = 0; n++; print }'
}

name=$(x /resource-agent/@name)
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$agent")}
date=$(date -u -d "@$epoch" +%Y-%m-%d)
page=ocf_${provider}_$name
nparams=$(x 'count(/resource-agent/parameters/parameter)')
nactions=$(x 'count(/resource-agent/actions/action)')

upper=$(printf '%s' "$page" | tr '[:lower:]' '[:upper:]' | sed 's/-/\\-/g')
printf '.TH "%s" "7" "%s" "%s" "OCF resource agents"\n' "$upper" "$date" "$provider"
echo '.nh'
echo '.ad l'
echo '.SH "NAME"'
printf '%s \\- %s\n' "$(printf '%s' "$page" | sed 's/-/\\-/g')" \
	"$(x /resource-agent/shortdesc | roff .PP)"

echo '.SH "SYNOPSIS"'
echo '.HP 4'
synopsis=""
i=1
while [ "$i" -le "$nparams" ]; do
	p=/resource-agent/parameters/parameter[$i]
	pn=$(x "$p/@name")
	pt=$(x "$p/content/@type")
	if [ "$(x "$p/@required")" = 1 ]; then
		synopsis="$synopsis \\fBOCF_RESKEY_${pn}\\fR=\\fI${pt}\\fR"
	else
		synopsis="$synopsis [\\fBOCF_RESKEY_${pn}\\fR=\\fI${pt}\\fR]"
	fi
	i=$((i + 1))
done
actions=$(i=1; while [ "$i" -le "$nactions" ]; do x "/resource-agent/actions/action[$i]/@name"; i=$((i + 1)); done | awk '!seen[$0]++' | paste -sd'|' | sed 's/|/ | /g')
printf '%s \\fB%s\\fR [%s]\n' "${synopsis# }" "$(printf '%s' "$name" | sed 's/-/\\-/g')" \
	"$(printf '%s' "$actions" | sed 's/-/\\-/g')"

echo '.SH "DESCRIPTION"'
x /resource-agent/longdesc | roff .PP

echo '.SH "SUPPORTED PARAMETERS"'
i=1
while [ "$i" -le "$nparams" ]; do
	p=/resource-agent/parameters/parameter[$i]
	pn=$(x "$p/@name")
	echo '.PP'
	printf '\\fB%s\\fR\n' "$pn"
	echo '.RS 4'
	x "$p/longdesc" | roff .sp
	echo '.sp'
	default=$(x "$p/content/@default")
	req=optional
	[ "$(x "$p/@required")" = 1 ] && req=required
	uniq=""
	[ "$(x "$p/@unique")" = 1 ] && uniq=", unique"
	if [ -n "$default" ]; then
		printf '(%s%s, %s, default "%s")\n' "$req" "$uniq" "$(x "$p/content/@type")" \
			"$(printf '%s' "$default" | roff .sp)"
	else
		printf '(%s%s, %s, no default)\n' "$req" "$uniq" "$(x "$p/content/@type")"
	fi
	echo '.RE'
	i=$((i + 1))
done

echo '.SH "SUPPORTED ACTIONS"'
echo '.PP'
echo 'This resource agent supports the following actions (operations):'
i=1
while [ "$i" -le "$nactions" ]; do
	a=/resource-agent/actions/action[$i]
	an=$(x "$a/@name")
	echo '.PP'
	printf '\\fB%s\\fR\n' "$(printf '%s' "$an" | sed 's/-/\\-/g')"
	echo '.RS 4'
	line=""
	t=$(x "$a/@timeout")
	[ -n "$t" ] && line="Suggested minimum timeout: $t."
	t=$(x "$a/@interval")
	[ -n "$t" ] && line="$line Suggested interval: $t."
	t=$(x "$a/@role")
	[ -n "$t" ] && line="$line In role $t."
	printf '%s\n' "${line# }"
	echo '.RE'
	i=$((i + 1))
done

echo '.SH "EXAMPLE CRM SHELL"'
echo '.PP'
echo 'The following is an example configuration for a'
printf '%s resource using the crm(8) shell:\n' "$name"
echo '.sp'
printf '%s\n' '.if n \{\'
echo '.RS 4'
printf '%s\n' '.\}'
echo '.nf'
printf 'primitive p_%s ocf:%s:%s \\e\n' "$name" "$provider" "$name"
req=""
i=1
while [ "$i" -le "$nparams" ]; do
	p=/resource-agent/parameters/parameter[$i]
	[ "$(x "$p/@required")" = 1 ] && req="$req $(x "$p/@name")=\"\\fIstring\\fR\""
	i=$((i + 1))
done
printf '  params%s \\e\n' "$req"
i=1
while [ "$i" -le "$nactions" ]; do
	a=/resource-agent/actions/action[$i]
	if [ "$(x "$a/@name")" = monitor ] && [ -z "$(x "$a/@role")" ]; then
		printf '  op monitor timeout="%s" interval="%s" depth="%s"\n' \
			"$(x "$a/@timeout")" "$(x "$a/@interval")" "$(x "$a/@depth")"
		break
	fi
	i=$((i + 1))
done
echo '.fi'
printf '%s\n' '.if n \{\'
echo '.RE'
printf '%s\n' '.\}'

echo '.SH "SEE ALSO"'
echo '.PP'
printf '%s\n' '\fBportfence\fR(8), \fBocf_heartbeat_portblock\fR(7), \fBcrm\fR(8), \fBpcs\fR(8)'
