/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * packet.h - a header-only builder of test frames and checker of their
 * checksums, for BPF_PROG_TEST_RUN tests and benchmarks.
 *
 * Describe a frame in a struct pkt_spec, then pkt_build() writes it into a
 * buffer: Ethernet, up to two VLAN tags, IPv4 (with options, fragment
 * bits) or IPv6 (with extension headers), then TCP (flags, seq, ack,
 * options, payload) or UDP, all checksums correct. Numbers in the spec are
 * in host order; addresses are raw network-order bytes (pkt_addrs() fills
 * them from text). Nothing is allocated, nothing but libc is used, so a
 * benchmark can build once and replay the buffer.
 *
 *	struct pkt_spec s = pkt_spec_tcp(AF_INET, "198.18.0.1", 40000,
 *					 "198.18.0.2", 3260, PKT_TCP_ACK);
 *	struct pkt_layout lay;
 *	uint8_t frame[2048];
 *	size_t len = pkt_build(&s, frame, sizeof(frame), &lay);
 *
 * The checkers recompute checksums from the bytes alone, independently of
 * whatever produced the frame: pkt_ipv4_csum_ok(), pkt_l4_csum_ok().
 */
#ifndef PF_TEST_PACKET_H
#define PF_TEST_PACKET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define PKT_ETH_HLEN		14
#define PKT_VLAN_HLEN		4
#define PKT_IPV4_HLEN		20
#define PKT_IPV6_HLEN		40
#define PKT_TCP_HLEN		20
#define PKT_UDP_HLEN		8

#define PKT_ETH_P_IP		0x0800
#define PKT_ETH_P_IPV6		0x86DD
#define PKT_ETH_P_8021Q		0x8100
#define PKT_ETH_P_8021AD	0x88A8

#define PKT_TCP_FIN		0x01
#define PKT_TCP_SYN		0x02
#define PKT_TCP_RST		0x04
#define PKT_TCP_PSH		0x08
#define PKT_TCP_ACK		0x10

/* IPv4 frag_off bits (host order, for pkt_spec.ip_frag) */
#define PKT_IP_DF		0x4000
#define PKT_IP_MF		0x2000
#define PKT_IP_OFFSET		0x1FFF

/* IPv6 extension header types (pkt_spec.ext) */
#define PKT_EXT_HOP		0
#define PKT_EXT_ROUTING		43
#define PKT_EXT_FRAGMENT	44
#define PKT_EXT_AUTH		51
#define PKT_EXT_DEST		60

#define PKT_MAX_VLAN		2
#define PKT_MAX_EXT		64

struct pkt_spec {
	uint8_t dst_mac[6], src_mac[6];
	unsigned int nvlan;			/* 0..PKT_MAX_VLAN tags, outermost first */
	uint16_t vlan_tpid[PKT_MAX_VLAN];	/* 0 means 802.1Q (0x8100) */
	uint16_t vlan_tci[PKT_MAX_VLAN];

	int family;				/* AF_INET or AF_INET6 */
	uint8_t saddr[16], daddr[16];		/* IPv4 in the first 4 bytes */
	uint8_t ttl;				/* TTL / hop limit; 0 means 64 */
	uint16_t ip_frag;			/* IPv4 PKT_IP_* bits | offset/8 */
	unsigned int ip_opt_len;		/* IPv4 option bytes: multiple of 4, <= 40 */
	unsigned int next;			/* IPv6 extension headers used in ext[] */
	uint8_t ext[PKT_MAX_EXT];		/* PKT_EXT_*, in wire order */
	uint16_t ext_frag_off;			/* fragment header offset, 8-byte units */
	bool ext_frag_more;			/* fragment header M flag */

	uint8_t proto;				/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t sport, dport;
	uint8_t tcp_flags;			/* PKT_TCP_* */
	uint32_t seq, ack;
	uint16_t window;			/* 0 means 64240 */
	unsigned int tcp_opt_len;		/* TCP option bytes: multiple of 4, <= 40 */
	size_t payload_len;			/* bytes i & 0xff after the L4 header */
};

/* Where pkt_build() put each layer, as offsets into the frame. */
struct pkt_layout {
	size_t l3;		/* IPv4 / IPv6 header */
	size_t l4;		/* TCP / UDP header, after options and extensions */
	size_t payload;
	size_t len;		/* whole frame */
};

/* Fills family, saddr and daddr from text; false if either does not parse. */
static inline bool pkt_addrs(struct pkt_spec *s, int family, const char *src, const char *dst)
{
	s->family = family;
	return inet_pton(family, src, s->saddr) == 1 && inet_pton(family, dst, s->daddr) == 1;
}

/* A plain TCP segment between two endpoints, with made-up MACs,
 * seq 1000 and ack 2000; tweak the rest of the fields afterwards. */
static inline struct pkt_spec pkt_spec_tcp(int family, const char *src, uint16_t sport,
					   const char *dst, uint16_t dport, uint8_t flags)
{
	struct pkt_spec s = {
		.dst_mac = { 0x02, 0, 0, 0, 0, 0x02 },
		.src_mac = { 0x02, 0, 0, 0, 0, 0x01 },
		.proto = IPPROTO_TCP,
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
		.seq = 1000,
		.ack = 2000,
	};

	if (!pkt_addrs(&s, family, src, dst))
		s.family = 0;	/* pkt_build() then refuses it */
	return s;
}

/* One's complement sum of 16-bit big-endian words, not folded. */
static inline uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Folds a sum to 16 bits and complements it: the value to store (host order). */
static inline uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void pkt_put32(uint8_t *p, uint32_t v)
{
	pkt_put16(p, v >> 16);
	pkt_put16(p + 2, v & 0xffff);
}

static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pkt_get32(const uint8_t *p)
{
	return (uint32_t)pkt_get16(p) << 16 | pkt_get16(p + 2);
}

/* Sum of the TCP/UDP pseudo header (RFC 793 / RFC 8200 §8.1). */
static inline uint32_t pkt_pseudo_sum(int family, const uint8_t *saddr, const uint8_t *daddr,
				      uint8_t proto, size_t l4_len)
{
	size_t alen = family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	sum = pkt_csum_add(sum, saddr, alen);
	sum = pkt_csum_add(sum, daddr, alen);
	sum += proto;
	sum += (uint32_t)(l4_len & 0xffff) + (uint32_t)(l4_len >> 16);
	return sum;
}

/* Is the header checksum of the IPv4 header at iph (IHL taken from it) right? */
static inline bool pkt_ipv4_csum_ok(const void *iph)
{
	size_t hlen = (((const uint8_t *)iph)[0] & 0x0f) * 4;

	return pkt_csum_fold(pkt_csum_add(0, iph, hlen)) == 0;
}

/* Is the TCP/UDP checksum of the l4_len bytes at l4 right, over the pseudo
 * header of the given addresses (IPv4: 4 bytes each, IPv6: 16)? */
static inline bool pkt_l4_csum_ok(int family, const void *saddr, const void *daddr,
				  uint8_t proto, const void *l4, size_t l4_len)
{
	uint32_t sum = pkt_pseudo_sum(family, saddr, daddr, proto, l4_len);

	return pkt_csum_fold(pkt_csum_add(sum, l4, l4_len)) == 0;
}

static inline size_t pkt_ext_len(uint8_t type)
{
	return type == PKT_EXT_AUTH ? 16 : 8;
}

static inline size_t pkt_l4_hlen(const struct pkt_spec *s)
{
	return s->proto == IPPROTO_TCP ? PKT_TCP_HLEN + s->tcp_opt_len : PKT_UDP_HLEN;
}

/* Writes one IPv6 extension header of minimal size; the options area of
 * hop-by-hop and destination options is a PadN, a routing header is type
 * 0 with no segments left. */
static inline void pkt_put_ext(const struct pkt_spec *s, uint8_t type, uint8_t next, uint8_t *p)
{
	size_t len = pkt_ext_len(type);

	memset(p, 0, len);
	p[0] = next;
	switch (type) {
	case PKT_EXT_FRAGMENT:
		pkt_put16(p + 2, (uint16_t)(s->ext_frag_off << 3 | (s->ext_frag_more ? 1 : 0)));
		pkt_put32(p + 4, 0x5046);	/* identification */
		break;
	case PKT_EXT_AUTH:
		p[1] = len / 4 - 2;		/* RFC 4302: in 4-octet units, minus 2 */
		pkt_put32(p + 4, 0x100);	/* SPI */
		break;
	case PKT_EXT_ROUTING:
		p[1] = len / 8 - 1;
		break;
	default:				/* hop-by-hop, destination options */
		p[1] = len / 8 - 1;
		p[2] = 1;			/* PadN */
		p[3] = len - 4;
		break;
	}
}

static inline size_t pkt_put_ipv4(const struct pkt_spec *s, uint8_t *p, size_t l4_len)
{
	size_t hlen = PKT_IPV4_HLEN + s->ip_opt_len;

	memset(p, 0, hlen);
	p[0] = 0x40 | (uint8_t)(hlen / 4);
	pkt_put16(p + 2, (uint16_t)(hlen + l4_len));
	pkt_put16(p + 4, 0x5046);		/* identification */
	pkt_put16(p + 6, s->ip_frag);
	p[8] = s->ttl ? s->ttl : 64;
	p[9] = s->proto;
	memcpy(p + 12, s->saddr, 4);
	memcpy(p + 16, s->daddr, 4);
	/* options: NOPs, the last one an End of Options List */
	if (s->ip_opt_len) {
		memset(p + PKT_IPV4_HLEN, 1, s->ip_opt_len - 1);
		p[hlen - 1] = 0;
	}
	pkt_put16(p + 10, pkt_csum_fold(pkt_csum_add(0, p, hlen)));
	return hlen;
}

static inline size_t pkt_put_ipv6(const struct pkt_spec *s, uint8_t *p, size_t l4_len)
{
	size_t off = PKT_IPV6_HLEN, ext_len = 0;
	unsigned int i;

	for (i = 0; i < s->next; i++)
		ext_len += pkt_ext_len(s->ext[i]);
	memset(p, 0, PKT_IPV6_HLEN);
	p[0] = 0x60;
	pkt_put16(p + 4, (uint16_t)(ext_len + l4_len));
	p[6] = s->next ? s->ext[0] : s->proto;
	p[7] = s->ttl ? s->ttl : 64;
	memcpy(p + 8, s->saddr, 16);
	memcpy(p + 24, s->daddr, 16);
	for (i = 0; i < s->next; i++) {
		uint8_t next = i + 1 < s->next ? s->ext[i + 1] : s->proto;

		pkt_put_ext(s, s->ext[i], next, p + off);
		off += pkt_ext_len(s->ext[i]);
	}
	return off;
}

/* Writes the L4 header (payload already in place after it), checksum last. */
static inline void pkt_put_l4(const struct pkt_spec *s, uint8_t *p, size_t l4_len)
{
	uint32_t sum;

	if (s->proto == IPPROTO_TCP) {
		size_t hlen = pkt_l4_hlen(s);

		memset(p, 0, hlen);
		pkt_put16(p, s->sport);
		pkt_put16(p + 2, s->dport);
		pkt_put32(p + 4, s->seq);
		pkt_put32(p + 8, s->ack);
		p[12] = (uint8_t)(hlen / 4) << 4;
		p[13] = s->tcp_flags;
		pkt_put16(p + 14, s->window ? s->window : 64240);
		memset(p + PKT_TCP_HLEN, 1, s->tcp_opt_len);	/* NOPs */
	} else {
		memset(p, 0, PKT_UDP_HLEN);
		pkt_put16(p, s->sport);
		pkt_put16(p + 2, s->dport);
		pkt_put16(p + 4, (uint16_t)l4_len);
	}
	sum = pkt_pseudo_sum(s->family, s->saddr, s->daddr, s->proto, l4_len);
	sum = pkt_csum_fold(pkt_csum_add(sum, p, l4_len));
	if (s->proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff;	/* RFC 768: zero means "no checksum" */
	pkt_put16(p + (s->proto == IPPROTO_TCP ? 16 : 6), (uint16_t)sum);
}

static inline bool pkt_spec_valid(const struct pkt_spec *s)
{
	if (s->family != AF_INET && s->family != AF_INET6)
		return false;
	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)
		return false;
	if (s->nvlan > PKT_MAX_VLAN || s->next > PKT_MAX_EXT)
		return false;
	if (s->ip_opt_len % 4 || s->ip_opt_len > 40 || s->tcp_opt_len % 4 || s->tcp_opt_len > 40)
		return false;
	return s->family == AF_INET ? s->next == 0 : s->ip_opt_len == 0;
}

/* Builds the frame s describes into buf. Returns its length (also in
 * lay->len when lay is not NULL), or 0 when s is invalid or cap too small.
 * Lengths that do not fit the 16-bit IP length fields wrap, as on a GSO
 * super-packet whose headers the stack would rewrite per segment. */
static inline size_t pkt_build(const struct pkt_spec *s, void *buf, size_t cap,
			       struct pkt_layout *lay)
{
	uint8_t *p = buf;
	size_t l3, l4, l4_len, ext_len = 0, len, i;

	if (!pkt_spec_valid(s))
		return 0;
	for (i = 0; i < s->next; i++)
		ext_len += pkt_ext_len(s->ext[i]);
	l3 = PKT_ETH_HLEN + s->nvlan * PKT_VLAN_HLEN;
	l4 = l3 + (s->family == AF_INET ? PKT_IPV4_HLEN + s->ip_opt_len : PKT_IPV6_HLEN + ext_len);
	l4_len = pkt_l4_hlen(s) + s->payload_len;
	len = l4 + l4_len;
	if (len > cap)
		return 0;

	memcpy(p, s->dst_mac, 6);
	memcpy(p + 6, s->src_mac, 6);
	for (i = 0; i < s->nvlan; i++) {
		uint8_t *tag = p + 12 + i * PKT_VLAN_HLEN;

		pkt_put16(tag, s->vlan_tpid[i] ? s->vlan_tpid[i] : PKT_ETH_P_8021Q);
		pkt_put16(tag + 2, s->vlan_tci[i]);
	}
	pkt_put16(p + l3 - 2, s->family == AF_INET ? PKT_ETH_P_IP : PKT_ETH_P_IPV6);

	if (s->family == AF_INET)
		pkt_put_ipv4(s, p + l3, l4_len);
	else
		pkt_put_ipv6(s, p + l3, l4_len);
	for (i = 0; i < s->payload_len; i++)
		p[l4 + pkt_l4_hlen(s) + i] = (uint8_t)i;
	pkt_put_l4(s, p + l4, l4_len);

	if (lay) {
		lay->l3 = l3;
		lay->l4 = l4;
		lay->payload = l4 + pkt_l4_hlen(s);
		lay->len = len;
	}
	return len;
}

#endif /* PF_TEST_PACKET_H */
