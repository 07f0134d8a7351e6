// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One message a publication: the sender's whole list, so a receiver never
 * depends on having seen the previous one (a member that joins late needs
 * only the lists re-sent at its join). */
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "peerd.h"

#define PEERD_MAGIC	0x50465044U	/* "PFPD" */
#define PEERD_WIRE_V	1

struct peerd_hdr {
	__le32 magic;
	__le16 version;
	__le16 hdr_len;
	__le32 count;
	__le32 dropped;
	__le64 seq;
} __attribute__((packed));

int peerd_encode(const struct peerd_list *l, uint64_t seq, void **buf, size_t *len)
{
	size_t body = (size_t)l->n * sizeof(struct peerd_peer);
	struct peerd_hdr *h;

	*len = sizeof(*h) + body;
	*buf = malloc(*len);
	if (!*buf)
		return -ENOMEM;
	h = *buf;
	h->magic = htole32(PEERD_MAGIC);
	h->version = htole16(PEERD_WIRE_V);
	h->hdr_len = htole16(sizeof(*h));
	h->count = htole32(l->n);
	h->dropped = htole32(l->dropped);
	h->seq = htole64(seq);
	if (body)
		memcpy(h + 1, l->peers, body);
	return 0;
}

static bool peer_valid(const struct peerd_peer *p)
{
	if (p->family == AF_INET)
		return !(p->laddr[1] | p->laddr[2] | p->laddr[3] | p->raddr[1] | p->raddr[2] |
			 p->raddr[3]);
	return p->family == AF_INET6;
}

int peerd_decode(const void *buf, size_t len, struct peerd_list *out)
{
	struct peerd_hdr h;
	size_t hdr_len;
	__u32 count;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	hdr_len = le16toh(h.hdr_len);
	count = le32toh(h.count);
	if (le32toh(h.magic) != PEERD_MAGIC || le16toh(h.version) != PEERD_WIRE_V ||
	    hdr_len < sizeof(h) || count > PEERD_NODE_PEERS_MAX ||
	    len != hdr_len + (size_t)count * sizeof(struct peerd_peer))
		return -EINVAL;
	out->peers = calloc(count ? count : 1, sizeof(*out->peers));
	if (!out->peers)
		return -ENOMEM;
	memcpy(out->peers, (const char *)buf + hdr_len, (size_t)count * sizeof(*out->peers));
	out->n = count;
	out->dropped = le32toh(h.dropped);
	for (__u32 i = 0; i < count; i++)
		if (!peer_valid(&out->peers[i])) {
			peerd_list_free(out);
			return -EINVAL;
		}
	return 0;
}
