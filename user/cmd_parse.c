// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence parse: a portal checked and printed in its normal form, with
 * no kernel and no pin dir, so that scripts (the agent's validate) ask the
 * parser block uses instead of keeping a second one that drifts. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

struct parse_args {
	struct pf_portal_args pa;
};

static int cmd_parse(struct pf_env *env, const void *args)
{
	const struct pf_portal_args *pa = &((const struct parse_args *)args)->pa;
	char addr[64], err[PF_ERR_LEN], *ports;

	printf("proto %s\n", pf_proto_name(pa->portal.proto));
	if (pa->ip) {
		pf_format_addr(&pa->portal.addr, addr, sizeof(addr));
		printf("ip %s\n", addr);
	}
	if (!pa->ports)
		return PF_EXIT_OK;
	ports = malloc(strlen(pa->ports) + 1);
	if (!ports)
		return pf_error(env, PF_EXIT_FAIL, "out of memory");
	/* the options parsed it already: this cannot fail */
	if (pf_normalize_ports(pa->ports, ports, err))
		strcpy(ports, pa->ports);
	printf("port %s\n", ports);
	free(ports);
	return PF_EXIT_OK;
}

static const struct pf_option parse_options[] = {
	PF_PORTAL_OPTIONS(struct parse_args, pa, 0),
	{}
};

static const struct parse_args parse_defaults = { .pa.portal.proto = IPPROTO_TCP };

const struct pf_command pf_cmd_parse = {
	.name = "parse",
	.summary = "check a portal and print it in normal form (no pins needed)",
	.description =
		"Check --proto, --ip and --port as block takes them, without the kernel or\n"
		"the pin dir, and print them in normal form, one 'proto', 'ip' and 'port'\n"
		"line (ports in the order given, without leading zeros; an address masked\n"
		"to its prefix). A bad value exits 2 naming it.\n",
	.options = parse_options,
	.args_size = sizeof(struct parse_args),
	.defaults = &parse_defaults,
	.no_pins = true,
	.run = cmd_parse,
};
