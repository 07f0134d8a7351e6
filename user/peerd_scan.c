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

int peerd_portal_of(const struct peerd_portal *portals, int n, int family, const __be32 *laddr,
		    __be16 lport)
{
	for (int i = 0; i < n; i++) {
		const struct peerd_portal *p = &portals[i];

		if (p->family != family || htons(p->port) != lport)
			continue;
		if (addr_any(p->addr) || !memcmp(p->addr, laddr, sizeof(p->addr)))
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
	out->cap = n ? (unsigned int)n : 1;
	out->peers = calloc(out->cap, sizeof(*out->peers));
	if (!out->peers) {
		free(conns);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct pf_conn *c = &conns[i];
		struct peerd_peer *p;
		int k;

		pf_conn_unmap(c);
		k = peerd_portal_of(portals, nportals, c->family, c->local_addr, c->local_port);
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

/* Where p is, or would go, in the sorted list. */
static unsigned int find(const struct peerd_list *l, const struct peerd_peer *p, bool *found)
{
	unsigned int lo = 0, hi = l->n;

	*found = false;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = peer_cmp(&l->peers[mid], p);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int peerd_list_add(struct peerd_list *l, const struct peerd_peer *p, unsigned int in_portal,
		   unsigned int max_per_portal)
{
	bool found;
	unsigned int at = find(l, p, &found);

	if (found)
		return 0;
	if (in_portal >= max_per_portal || l->n >= PEERD_NODE_PEERS_MAX) {
		l->dropped++;
		return -ENOSPC;
	}
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 64;
		struct peerd_peer *grown = realloc(l->peers, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->peers = grown;
		l->cap = cap;
	}
	memmove(&l->peers[at + 1], &l->peers[at], (l->n - at) * sizeof(*p));
	l->peers[at] = *p;
	l->n++;
	return 1;
}

int peerd_list_del(struct peerd_list *l, const struct peerd_peer *p)
{
	bool found;
	unsigned int at = find(l, p, &found);

	if (!found)
		return 0;
	memmove(&l->peers[at], &l->peers[at + 1], (l->n - at - 1) * sizeof(*p));
	l->n--;
	return 1;
}

static int append(struct peerd_list *l, const struct peerd_peer *p)
{
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 16;
		struct peerd_peer *grown = realloc(l->peers, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->peers = grown;
		l->cap = cap;
	}
	l->peers[l->n++] = *p;
	return 0;
}

int peerd_list_diff(const struct peerd_list *old, const struct peerd_list *new,
		    struct peerd_list *add, struct peerd_list *del)
{
	unsigned int i = 0, j = 0;
	int err = 0;

	memset(add, 0, sizeof(*add));
	memset(del, 0, sizeof(*del));
	while (!err && (i < old->n || j < new->n)) {
		int c = i == old->n ? 1 : j == new->n ? -1 : peer_cmp(&old->peers[i], &new->peers[j]);

		if (c < 0)
			err = append(del, &old->peers[i++]);
		else if (c > 0)
			err = append(add, &new->peers[j++]);
		else
			i++, j++;
	}
	return err;
}
