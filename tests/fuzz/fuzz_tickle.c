// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness for the tickle file parser (user/tickle_file.c): root
 * parses these files from a directory others may write to. The input is
 * the file's bytes, any bytes. Whatever they are, under ASan and UBSan:
 *  - a refusal names the line and shows nothing unprintable (it is logged);
 *  - no more peers than asked for, and "more" only when the limit was hit;
 *  - every peer is a pair of endpoints of one family that print back to
 *    text that parses to the same endpoints (what conns writes);
 *  - the same bytes parse the same way twice. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tickle_file.h"

#define MAX_PEERS 8	/* small, so the limit is reached too */

static void check(int ok)
{
	if (!ok)
		abort();
}

static void same_endpoint(int family, const struct pf_addr *a, __u16 port)
{
	struct pf_addr b;
	char text[64], err[PF_ERR_LEN];
	__u16 port2;

	check(a->family == family);
	pf_format_endpoint(family, a->a, port, text, sizeof(text));
	memset(&b, 0, sizeof(b));
	check(pf_parse_endpoint(text, &b, &port2, err) == 0);
	check(b.family == a->family && port2 == port);
	check(!memcmp(a->a, b.a, family == AF_INET ? 4 : 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pf_tickle peers[MAX_PEERS], again[MAX_PEERS];
	char err[PF_ERR_LEN] = "";
	bool more, more2;
	int n, n2, i;
	const char *p;

	n = pf_tickle_parse((const char *)data, size, peers, MAX_PEERS, &more, err);
	if (n < 0) {
		check(!strncmp(err, "line ", 5));
		for (p = err; *p; p++)
			check(isprint((unsigned char)*p));
		return 0;
	}
	check(n <= MAX_PEERS && (!more || n == MAX_PEERS));
	for (i = 0; i < n; i++) {
		check(peers[i].local.family == AF_INET || peers[i].local.family == AF_INET6);
		check(peers[i].lport >= 1 && peers[i].rport >= 1);
		same_endpoint(peers[i].local.family, &peers[i].local, peers[i].lport);
		same_endpoint(peers[i].local.family, &peers[i].remote, peers[i].rport);
	}
	n2 = pf_tickle_parse((const char *)data, size, again, MAX_PEERS, &more2, err);
	check(n2 == n && more2 == more && !memcmp(peers, again, (size_t)n * sizeof(*peers)));
	return 0;
}
