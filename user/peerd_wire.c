// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The messages: a node's whole list (full), sent when a member joins, or
 * the changes since its previous message (a delta), so that a change of
 * one connection costs 40 bytes on the wire, not the list. CPG delivers
 * in agreed order and every member receives the fulls sent at its join,
 * so a receiver applies deltas only on a full it has from the sender. */
#include <endian.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "peerd.h"

#define PEERD_MAGIC	0x50465044U	/* "PFPD" */
#define PEERD_WIRE_V	1
#define KIND_FULL	1
#define KIND_DELTA	2

struct peerd_hdr {
	__le32 magic;
	__le16 version;
	__le16 hdr_len;
	__le16 kind;
	__le16 pad;
	__le32 nadd;		/* full: the list */
	__le32 ndel;
	__le32 dropped;
	__le64 seq;
} __attribute__((packed));

int peerd_encode(const struct peerd_list *add, const struct peerd_list *del, __u32 dropped,
		 uint64_t seq, void **buf, size_t *len)
{
	size_t na = (size_t)add->n * sizeof(struct peerd_peer);
	size_t nd = del ? (size_t)del->n * sizeof(struct peerd_peer) : 0;
	struct peerd_hdr *h;

	*len = sizeof(*h) + na + nd;
	*buf = calloc(1, *len);
	if (!*buf)
		return -ENOMEM;
	h = *buf;
	h->magic = htole32(PEERD_MAGIC);
	h->version = htole16(PEERD_WIRE_V);
	h->hdr_len = htole16(sizeof(*h));
	h->kind = htole16(del ? KIND_DELTA : KIND_FULL);
	h->nadd = htole32(add->n);
	h->ndel = htole32(del ? del->n : 0);
	h->dropped = htole32(dropped);
	h->seq = htole64(seq);
	if (na)
		memcpy(h + 1, add->peers, na);
	if (nd)
		memcpy((char *)(h + 1) + na, del->peers, nd);
	return 0;
}

static bool v4_mapped(const __be32 *a)
{
	return !a[0] && !a[1] && a[2] == htonl(0xffff);
}

/* As a sender writes them: IPv4 in the first word, IPv6 never v4-mapped
 * (the store would write it as IPv6, and readers take it for IPv4), no
 * port 0: a line readers refuse would cost them the node's whole file. */
static bool peer_valid(const struct peerd_peer *p)
{
	if (!p->lport || !p->rport)
		return false;
	if (p->family == AF_INET)
		return !(p->laddr[1] | p->laddr[2] | p->laddr[3] | p->raddr[1] | p->raddr[2] |
			 p->raddr[3]);
	return p->family == AF_INET6 && !v4_mapped(p->laddr) && !v4_mapped(p->raddr);
}

static int take(struct peerd_list *l, const char *from, __u32 n)
{
	l->cap = n ? n : 1;
	l->peers = calloc(l->cap, sizeof(*l->peers));
	if (!l->peers)
		return -ENOMEM;
	memcpy(l->peers, from, (size_t)n * sizeof(*l->peers));
	l->n = n;
	for (__u32 i = 0; i < n; i++)
		if (!peer_valid(&l->peers[i]))
			return -EINVAL;
	return 0;
}

int peerd_decode(const void *buf, size_t len, struct peerd_msg *out)
{
	struct peerd_hdr h;
	size_t hdr_len;
	__u32 nadd, ndel;
	int kind, err;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	hdr_len = le16toh(h.hdr_len);
	kind = le16toh(h.kind);
	nadd = le32toh(h.nadd);
	ndel = le32toh(h.ndel);
	if (le32toh(h.magic) != PEERD_MAGIC || le16toh(h.version) != PEERD_WIRE_V ||
	    hdr_len < sizeof(h) || (kind != KIND_FULL && kind != KIND_DELTA) ||
	    nadd > PEERD_NODE_PEERS_MAX || ndel > PEERD_NODE_PEERS_MAX ||
	    (kind == KIND_FULL && ndel) ||
	    len != hdr_len + ((size_t)nadd + ndel) * sizeof(struct peerd_peer))
		return -EINVAL;
	out->delta = kind == KIND_DELTA;
	out->dropped = le32toh(h.dropped);
	out->seq = le64toh(h.seq);
	err = take(&out->add, (const char *)buf + hdr_len, nadd);
	if (!err)
		err = take(&out->del, (const char *)buf + hdr_len + nadd * sizeof(struct peerd_peer),
			   ndel);
	if (err)
		peerd_msg_free(out);
	return err;
}

void peerd_msg_free(struct peerd_msg *m)
{
	peerd_list_free(&m->add);
	peerd_list_free(&m->del);
}
