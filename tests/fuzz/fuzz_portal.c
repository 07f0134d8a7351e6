// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness for the portal parsers (user/portal.c): every spec a
 * user, a script or the agent hands the CLI goes through them as root.
 * The first byte picks the parser, the rest is the text. Whatever the
 * text, under ASan and UBSan:
 *  - a refusal says why (a message in err);
 *  - ports accepted are 1-65535, at least one;
 *  - an address accepted has a prefix its family allows;
 *  - a port list accepted has a normal form ('portfence parse') no
 *    longer than itself that parses to the same ports;
 *  - an endpoint accepted prints back to text that parses to the same
 *    endpoint (what conns writes, tickle reads). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portal.h"

#define MAX_TEXT 512

static void check(int ok)
{
	if (!ok)
		abort();
}

static void ports(const char *s)
{
	static struct pf_portal p, again;
	char err[PF_ERR_LEN] = "", normal[MAX_TEXT + 1];
	int port, n = 0;

	memset(&p, 0, sizeof(p));
	if (pf_parse_ports(s, &p, err)) {
		check(err[0] != 0);
		return;
	}
	for (port = pf_portal_next_port(&p, 0); port >= 0; port = pf_portal_next_port(&p, port + 1)) {
		check(port >= 1 && port <= 65535);
		n++;
	}
	check(n >= 1);
	check(pf_normalize_ports(s, normal, err) == 0 && strlen(normal) <= strlen(s));
	check(pf_parse_ports(normal, &again, err) == 0);
	check(!memcmp(again.ports, p.ports, sizeof(p.ports)) && again.nports == p.nports);
}

static void address(const char *s)
{
	struct pf_addr a;
	char err[PF_ERR_LEN] = "";

	memset(&a, 0, sizeof(a));
	if (pf_parse_addr(s, &a, err)) {
		check(err[0] != 0);
		return;
	}
	check(a.family == 0 || a.family == AF_INET || a.family == AF_INET6);
	check(a.prefix <= (a.family == AF_INET ? 32 : 128));
}

static void endpoint(const char *s)
{
	struct pf_addr a, b;
	char err[PF_ERR_LEN] = "", text[64];
	__u16 port, port2;

	memset(&a, 0, sizeof(a));
	if (pf_parse_endpoint(s, &a, &port, err)) {
		check(err[0] != 0);
		return;
	}
	check(a.family == AF_INET || a.family == AF_INET6);
	pf_format_endpoint(a.family, a.a, port, text, sizeof(text));
	memset(&b, 0, sizeof(b));
	check(pf_parse_endpoint(text, &b, &port2, err) == 0);
	check(b.family == a.family && port2 == port);
	check(!memcmp(a.a, b.a, a.family == AF_INET ? 4 : 16));
}

static void words(const char *s)
{
	char err[PF_ERR_LEN] = "";
	__u8 v;

	if (!pf_parse_proto(s, &v, err))
		check(v == IPPROTO_TCP || v == IPPROTO_UDP);
	if (!pf_parse_direction(s, &v, err))
		check(v >= PF_DIR_IN && v <= PF_DIR_BOTH);
	if (!pf_parse_method(s, &v, err))
		check(v == PF_METHOD_DROP || v == PF_METHOD_REJECT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_TEXT + 1];
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1 < MAX_TEXT ? size - 1 : MAX_TEXT;
	memcpy(text, data + 1, n);
	text[n] = 0;
	switch (data[0] % 4) {
	case 0: ports(text); break;
	case 1: address(text); break;
	case 2: endpoint(text); break;
	default: words(text); break;
	}
	return 0;
}
