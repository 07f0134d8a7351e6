// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness for portfence-peerd's messages (user/peerd_wire.c):
 * they come from the other members of the CPG group, and what they hold
 * ends in the store that root's `portfence unblock` reads. Whatever the
 * bytes, under ASan and UBSan:
 *  - a message is refused, or its peers are all of one family each;
 *  - applied as a delta to the list it carries, nothing breaks and the
 *    list stays sorted without duplicates;
 *  - the store's text of the list parses with the tickle file parser
 *    into exactly its peers, in order (the format `reset` reads). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peerd.h"
#include "tickle_file.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static void same(const struct pf_addr *a, int family, const __be32 *addr)
{
	check(a->family == family);
	check(!memcmp(a->a, addr, family == AF_INET ? 4 : 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peerd_list l = { 0 };
	struct pf_tickle *t;
	struct peerd_msg m;
	char err[PF_ERR_LEN], *text;
	size_t len;
	bool more;
	int n;

	if (peerd_decode(data, size, &m) < 0)
		return 0;
	for (unsigned int i = 0; i < m.add.n; i++)
		peerd_list_add(&l, &m.add.peers[i], 0, PEERD_NODE_PEERS_MAX);
	for (unsigned int i = 0; i < m.del.n; i++)
		peerd_list_del(&l, &m.del.peers[i]);
	for (unsigned int i = 1; i < l.n; i++)
		check(memcmp(&l.peers[i - 1], &l.peers[i], sizeof(l.peers[i])) < 0);
	text = peerd_store_text(&l, &len);
	check(text != NULL);
	t = calloc(l.n + 1, sizeof(*t));
	check(t != NULL);
	n = pf_tickle_parse(text, len, t, (int)l.n + 1, &more, err);
	check(n == (int)l.n && !more);
	for (int i = 0; i < n; i++) {
		const struct peerd_peer *p = &l.peers[i];

		same(&t[i].local, p->family, p->laddr);
		same(&t[i].remote, p->family, p->raddr);
		check(t[i].lport == ntohs(p->lport) && t[i].rport == ntohs(p->rport));
	}
	free(t);
	free(text);
	peerd_list_free(&l);
	peerd_msg_free(&m);
	return 0;
}
