// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "peerd.h"
#include "sockdiag.h"

static bool addr_any(const __be32 *a)
{
	return !(a[0] | a[1] | a[2] | a[3]);
}

static int portal_of(const struct peerd_portal *portals, int n, const struct pf_conn *c)
{
	for (int i = 0; i < n; i++) {
		const struct peerd_portal *p = &portals[i];

		if (p->family != c->family || htons(p->port) != c->local_port)
			continue;
		if (addr_any(p->addr) || !memcmp(p->addr, c->local_addr, sizeof(p->addr)))
			return i;
	}
	return -1;
}

static int peer_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct peerd_peer));
}

int peerd_scan(const struct peerd_portal *portals, int nportals, unsigned int max_per_portal,
	       struct peerd_list *out)
{
	unsigned int per[PEERD_PORTALS_MAX] = { 0 };
	struct pf_conn *conns = NULL;
	int n = pf_diag_list(1U << TCP_ESTABLISHED, &conns);

	memset(out, 0, sizeof(*out));
	if (n < 0)
		return n;
	out->peers = calloc(n ? n : 1, sizeof(*out->peers));
	if (!out->peers) {
		free(conns);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct pf_conn *c = &conns[i];
		struct peerd_peer *p;
		int k;

		pf_conn_unmap(c);
		k = portal_of(portals, nportals, c);
		if (k < 0)
			continue;
		if (per[k] >= max_per_portal || out->n >= PEERD_NODE_PEERS_MAX) {
			out->dropped++;
			continue;
		}
		per[k]++;
		p = &out->peers[out->n++];
		p->family = c->family;
		memcpy(p->laddr, c->local_addr, sizeof(p->laddr));
		memcpy(p->raddr, c->remote_addr, sizeof(p->raddr));
		p->lport = c->local_port;
		p->rport = c->remote_port;
	}
	free(conns);
	qsort(out->peers, out->n, sizeof(*out->peers), peer_cmp);
	return 0;
}

bool peerd_list_equal(const struct peerd_list *a, const struct peerd_list *b)
{
	return a->n == b->n && a->dropped == b->dropped &&
	       (!a->n || !memcmp(a->peers, b->peers, a->n * sizeof(*a->peers)));
}

void peerd_list_free(struct peerd_list *l)
{
	free(l->peers);
	memset(l, 0, sizeof(*l));
}
