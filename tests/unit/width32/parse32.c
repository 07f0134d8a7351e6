// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The portal parsers built for a 32-bit target (gcc -m32, by width32.t;
 * kept out of the C files of tests/unit, which make links into the Criterion
 * binary):
 * "width32 KIND TEXT" prints what the parser made of TEXT, "refused" or the
 * value, so the script can check that nothing wraps where long is 32 bits. */
#include <stdio.h>
#include <string.h>

#include "portal.h"

int main(int argc, char **argv)
{
	static struct pf_portal portal;
	char err[PF_ERR_LEN];
	struct pf_addr addr;
	__u16 port;

	if (argc == 2 && !strcmp(argv[1], "long-bits"))
		return printf("%zu\n", sizeof(long) * 8) < 0;
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "ports")) {
		if (pf_parse_ports(argv[2], &portal, err))
			return puts("refused") == EOF;
		printf("%d\n", pf_portal_next_port(&portal, 1));
	} else if (!strcmp(argv[1], "prefix")) {
		if (pf_parse_addr(argv[2], &addr, err))
			return puts("refused") == EOF;
		printf("%u\n", addr.prefix);
	} else if (!strcmp(argv[1], "endpoint")) {
		if (pf_parse_endpoint(argv[2], &addr, &port, err))
			return puts("refused") == EOF;
		printf("%u\n", port);
	} else {
		return 2;
	}
	return 0;
}
