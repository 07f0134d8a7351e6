/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet parsing shared by the tc programs: Ethernet (+ up to two 802.1Q /
 * 802.1ad tags), IPv4 (options, fragments) or IPv6 (extension headers), then
 * TCP or UDP. Everything is read with bpf_skb_load_bytes() so non-linear
 * (GSO) skbs and short frames are handled alike: a frame we cannot read to
 * the end of its L4 header is reported unparsed and left alone. */
#ifndef PF_PARSE_H
#define PF_PARSE_H

#define ETH_HLEN	14
#define ETH_ALEN	6
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define AF_INET		2
#define AF_INET6	10

#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF
#define IP_DF		0x4000

#define NEXTHDR_HOP	0
#define NEXTHDR_ROUTING	43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH	51
#define NEXTHDR_DEST	60

#define TCP_FL_FIN	0x01
#define TCP_FL_SYN	0x02
#define TCP_FL_RST	0x04
#define TCP_FL_PSH	0x08
#define TCP_FL_ACK	0x10

#define PF_MAX_VLAN_TAGS	2
#define PF_MAX_IPV6_EXT		6

struct pf_packet {
	__u32 l3_off;		/* start of the IP header */
	__u32 payload_len;	/* L4 payload bytes (whole GSO super-packet) */
	__u16 eth_proto;	/* host order, after VLAN tags */
	__u8 family;		/* AF_INET / AF_INET6 */
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 tcp_flags;
	__be32 seq;
	__be32 ack_seq;
};

/* Walks VLAN tags; returns the L3 offset or -1. */
static __always_inline int parse_eth(struct __sk_buff *skb, struct pf_packet *pkt)
{
	__u32 off = ETH_HLEN;
	__be16 proto;
	int i;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)))
		return -1;
#pragma unroll
	for (i = 0; i < PF_MAX_VLAN_TAGS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		/* TCI (2 bytes) then the encapsulated ethertype */
		if (bpf_skb_load_bytes(skb, off + 2, &proto, sizeof(proto)))
			return -1;
		off += 4;
	}
	pkt->eth_proto = bpf_ntohs(proto);
	pkt->l3_off = off;
	return off;
}

/* Returns the L4 offset, or -1 when there is no L4 header to read
 * (non-first fragment, unknown protocol, truncated or malformed). */
static __always_inline int parse_ipv4(struct __sk_buff *skb, struct pf_packet *pkt)
{
	struct iphdr iph;
	__u32 hlen, tot;

	if (bpf_skb_load_bytes(skb, pkt->l3_off, &iph, sizeof(iph)))
		return -1;
	if (iph.version != 4 || iph.ihl < 5)
		return -1;
	if (iph.frag_off & bpf_htons(IP_OFFSET))
		return -1;
	hlen = iph.ihl * 4;
	tot = bpf_ntohs(iph.tot_len);
	/* tot_len is 0 for BIG TCP super-packets: take the skb's length */
	if (tot == 0)
		tot = skb->len - pkt->l3_off;
	if (tot < hlen)
		return -1;
	pkt->family = AF_INET;
	pkt->proto = iph.protocol;
	pkt->saddr[0] = iph.saddr;
	pkt->daddr[0] = iph.daddr;
	pkt->payload_len = tot - hlen;	/* L4 header subtracted later */
	return pkt->l3_off + hlen;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct pf_packet *pkt)
{
	struct ipv6hdr ip6;
	struct { __u8 nexthdr; __u8 hdrlen; __be16 frag_off; } ext;
	__u32 off = pkt->l3_off + sizeof(ip6), plen;
	__u8 nexthdr;
	int i;

	if (bpf_skb_load_bytes(skb, pkt->l3_off, &ip6, sizeof(ip6)))
		return -1;
	if (ip6.version != 6)
		return -1;
	nexthdr = ip6.nexthdr;
#pragma unroll
	for (i = 0; i < PF_MAX_IPV6_EXT; i++) {
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING &&
		    nexthdr != NEXTHDR_DEST && nexthdr != NEXTHDR_FRAGMENT &&
		    nexthdr != NEXTHDR_AUTH)
			break;
		if (bpf_skb_load_bytes(skb, off, &ext, sizeof(ext)))
			return -1;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			if (ext.frag_off & bpf_htons(0xFFF8))
				return -1;	/* not the first fragment */
			off += 8;
		} else if (nexthdr == NEXTHDR_AUTH) {
			off += (ext.hdrlen + 2) * 4;
		} else {
			off += (ext.hdrlen + 1) * 8;
		}
		nexthdr = ext.nexthdr;
	}
	plen = bpf_ntohs(ip6.payload_len);
	/* payload_len is 0 for jumbograms / BIG TCP: take the skb's length */
	plen = plen ? plen + sizeof(ip6) : skb->len - pkt->l3_off;
	if (off - pkt->l3_off > plen)
		return -1;
	pkt->family = AF_INET6;
	pkt->proto = nexthdr;
	__builtin_memcpy(pkt->saddr, &ip6.saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6.daddr, 16);
	pkt->payload_len = plen - (off - pkt->l3_off);
	return off;
}

/* Fills pkt for a TCP or UDP packet over IPv4/IPv6; returns 0, or -1 for
 * anything else (which the programs always pass untouched). */
static __always_inline int parse_packet(struct __sk_buff *skb, struct pf_packet *pkt)
{
	int l4;

	if (parse_eth(skb, pkt) < 0)
		return -1;
	if (pkt->eth_proto == ETH_P_IP)
		l4 = parse_ipv4(skb, pkt);
	else if (pkt->eth_proto == ETH_P_IPV6)
		l4 = parse_ipv6(skb, pkt);
	else
		return -1;
	if (l4 < 0)
		return -1;

	if (pkt->proto == IPPROTO_TCP) {
		struct tcphdr th;
		__u32 doff;

		if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)))
			return -1;
		doff = th.doff * 4;
		if (doff < sizeof(th) || doff > pkt->payload_len)
			return -1;
		pkt->sport = th.source;
		pkt->dport = th.dest;
		pkt->seq = th.seq;
		pkt->ack_seq = th.ack_seq;
		pkt->tcp_flags = ((__u8 *)&th)[13];
		pkt->payload_len -= doff;
		return 0;
	}
	if (pkt->proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, l4, &uh, sizeof(uh)))
			return -1;
		pkt->sport = uh.source;
		pkt->dport = uh.dest;
		return 0;
	}
	return -1;
}

#endif /* PF_PARSE_H */
