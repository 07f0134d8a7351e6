/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet parsing shared by the tc programs: Ethernet (+ up to two 802.1Q /
 * 802.1ad tags), IPv4 (options, fragments) or IPv6 (extension headers), then
 * TCP or UDP, read in place from the skb's data (direct packet access). A
 * frame we cannot read to the end of its L4 header is reported unparsed and
 * left alone. On a device without a MAC header (l3_device), the frame
 * starts at the IP header. */
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
/* Small enough that the verifier can prove "l4 + 60" still inside a
 * packet (its limit is 64 KiB for offset plus access), and past the L4
 * header of every frame a link's MTU lets through (9,000 with jumbo
 * frames), however many extension headers it carries. */
#define PF_MAX_L4_OFF		0x3FFF
/* IPv6 extension headers walked (bpf_loop): each takes 8 bytes at least,
 * so the chain of any packet whose L4 header lies within PF_MAX_L4_OFF
 * ends within this many. Linux itself sets no limit on their number. */
#define PF_MAX_IPV6_EXT		(PF_MAX_L4_OFF / 8 + 1)
/* Pulls into the linear data before giving up: one per header that may
 * start past it (Ethernet, 2 tags, IP, the extension headers, L4); a
 * short extension header pulls PF_EXT_PULL bytes more at once. */
#define PF_PARSE_PULLS		11
#define PF_EXT_PULL		512

/* Set by the loader for the build attached to devices without a MAC header
 * (ipip, sit, ip6tnl, tun, WireGuard): at tc, their skb->data is the IP
 * header. A load-time constant, so the verifier drops the other path. */
const volatile bool l3_device = false;

struct pf_packet {
	void *data;		/* skb->data of the current parse */
	__u32 need;		/* bytes of linear data the parse ran short of */
	__u32 l3_off;		/* start of the IP header */
	__u32 l4_off;		/* start of the TCP/UDP header */
	__u32 l4_hlen;		/* TCP header length, options included */
	__u32 payload_len;	/* L4 payload bytes (whole GSO super-packet) */
	__u16 eth_proto;	/* host order, after VLAN tags */
	__u8 family;		/* AF_INET / AF_INET6 */
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 tcp_flags;
	__u8 first_frag;	/* the first fragment of a fragmented datagram */
	__u8 partial;		/* such a fragment cut inside its TCP header:
				 * only the ports are known */
	__be32 seq;
	__be32 ack_seq;
};

/* A bounds check against the end of the linear data: on failure the parser
 * records how far it needed to read, so the caller can pull that much into
 * the linear area and parse again. */
#define PF_NEED(pkt, ptr, size, end)					\
	({								\
		bool __short = (void *)(ptr) + (size) > (end);		\
		if (__short)						\
			(pkt)->need = (void *)(ptr) + (size) - (pkt)->data; \
		__short;						\
	})

#define PF_PARSE_BAD	(-1)	/* not a packet a fence applies to */
#define PF_PARSE_SHORT	(-2)	/* headers run past the linear data */

struct pf_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct pf_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;	/* only in a fragment header */
};

/* Walks VLAN tags; returns the L3 offset or PF_PARSE_*. */
static __always_inline int parse_eth(struct pf_packet *pkt, void *end)
{
	struct ethhdr *eth = pkt->data;
	struct pf_vlan_hdr *vh;
	__u32 off = ETH_HLEN;
	__be16 proto;
	int i;

	if (PF_NEED(pkt, eth, sizeof(*eth), end))
		return PF_PARSE_SHORT;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < PF_MAX_VLAN_TAGS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = pkt->data + off;
		if (PF_NEED(pkt, vh, sizeof(*vh), end))
			return PF_PARSE_SHORT;
		proto = vh->proto;
		off += sizeof(*vh);
	}
	pkt->eth_proto = bpf_ntohs(proto);
	pkt->l3_off = off;
	return off;
}

/* No MAC header: the IP version says which header follows. skb->protocol
 * would say it too, but not in BPF_PROG_TEST_RUN, which reads every frame
 * as Ethernet. */
static __always_inline int parse_l3_start(struct pf_packet *pkt, void *end)
{
	__u8 *version = pkt->data;

	if (PF_NEED(pkt, version, 1, end))
		return PF_PARSE_SHORT;
	if ((*version >> 4) == 4)
		pkt->eth_proto = ETH_P_IP;
	else if ((*version >> 4) == 6)
		pkt->eth_proto = ETH_P_IPV6;
	else
		return PF_PARSE_BAD;
	pkt->l3_off = 0;
	return 0;
}

/* Returns the L4 offset, or PF_PARSE_* when there is no L4 header to read
 * (non-first fragment, unknown protocol, truncated or malformed). */
static __always_inline int parse_ipv4(struct __sk_buff *skb, struct pf_packet *pkt, void *end)
{
	struct iphdr *iph = pkt->data + pkt->l3_off;
	__u32 hlen, tot;

	if (PF_NEED(pkt, iph, sizeof(*iph), end))
		return PF_PARSE_SHORT;
	if (iph->version != 4 || iph->ihl < 5)
		return PF_PARSE_BAD;
	if (iph->frag_off & bpf_htons(IP_OFFSET))
		return PF_PARSE_BAD;
	pkt->first_frag = !!(iph->frag_off & bpf_htons(IP_MF));
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	/* tot_len is 0 for BIG TCP super-packets: take the skb's length */
	if (tot == 0)
		tot = skb->len - pkt->l3_off;
	if (tot < hlen)
		return PF_PARSE_BAD;
	pkt->family = AF_INET;
	pkt->proto = iph->protocol;
	pkt->saddr[0] = iph->saddr;
	pkt->daddr[0] = iph->daddr;
	pkt->payload_len = tot - hlen;	/* L4 header subtracted later */
	return pkt->l3_off + hlen;
}

/*
 * One IPv6 extension header at off: returns (next offset << 8 | next
 * header), or PF_PARSE_*. A global function, so the verifier checks it once
 * rather than once per unrolled step and per path into it: the variable
 * offsets of a chain walked inline gave it tens of thousands of states.
 */
__noinline int parse_ipv6_ext(struct __sk_buff *skb, struct pf_packet *pkt, __u32 off,
			      __u32 nexthdr)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct pf_ipv6_ext *ext;

	if (!pkt || off > PF_MAX_L4_OFF)
		return PF_PARSE_BAD;
	ext = data + off;
	if ((void *)(ext + 1) > end) {
		/* more headers likely follow: pull them in one go */
		pkt->need = off + PF_EXT_PULL;
		return PF_PARSE_SHORT;
	}
	if (nexthdr == NEXTHDR_FRAGMENT) {
		if (ext->frag_off & bpf_htons(0xFFF8))
			return PF_PARSE_BAD;	/* not the first fragment */
		pkt->first_frag = !!(ext->frag_off & bpf_htons(1));	/* M: more follow */
		off += 8;
	} else if (nexthdr == NEXTHDR_AUTH) {
		off += (ext->hdrlen + 2) * 4;
	} else {
		off += (ext->hdrlen + 1) * 8;
	}
	return (int)(off << 8 | ext->nexthdr);
}

static __always_inline bool is_ipv6_ext(__u8 nexthdr)
{
	return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_DEST || nexthdr == NEXTHDR_FRAGMENT ||
	       nexthdr == NEXTHDR_AUTH;
}

struct pf_ext_walk {
	struct __sk_buff *skb;
	struct pf_packet *pkt;
	__u32 off;
	__u32 nexthdr;
	int err;
};

/* One step of the extension header walk, a bpf_loop callback: returns 1
 * (stop) at the L4 header or on an error. */
static int ipv6_ext_step(__u32 i, void *ctx)
{
	struct pf_ext_walk *w = ctx;
	int step;

	if (!is_ipv6_ext(w->nexthdr))
		return 1;
	step = parse_ipv6_ext(w->skb, w->pkt, w->off, w->nexthdr);
	if (step < 0) {
		w->err = step;
		return 1;
	}
	w->off = ((__u32)step >> 8) & PF_MAX_L4_OFF;
	w->nexthdr = step & 0xFF;
	return 0;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct pf_packet *pkt, void *end)
{
	struct ipv6hdr *ip6 = pkt->data + pkt->l3_off;
	__u32 off = pkt->l3_off + sizeof(*ip6), plen;
	struct pf_ext_walk walk = {};
	__u8 nexthdr;

	if (PF_NEED(pkt, ip6, sizeof(*ip6), end))
		return PF_PARSE_SHORT;
	if (ip6->version != 6)
		return PF_PARSE_BAD;
	nexthdr = ip6->nexthdr;
	plen = bpf_ntohs(ip6->payload_len);
	/* payload_len is 0 for jumbograms / BIG TCP: take the skb's length */
	plen = plen ? plen + sizeof(*ip6) : skb->len - pkt->l3_off;
	pkt->family = AF_INET6;
	__builtin_memcpy(pkt->saddr, &ip6->saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6->daddr, 16);
	/* ip6 is not valid past a call that may have pulled the skb. The
	 * chain is walked to its end, however long: a packet whose L4 header
	 * the walk did not reach is not passed as unfenced. */
	if (is_ipv6_ext(nexthdr)) {
		walk.skb = skb;
		walk.pkt = pkt;
		walk.off = off;
		walk.nexthdr = nexthdr;
		bpf_loop(PF_MAX_IPV6_EXT, ipv6_ext_step, &walk, 0);
		if (walk.err)
			return walk.err;
		if (is_ipv6_ext(walk.nexthdr))
			return PF_PARSE_BAD;
		off = walk.off;
		nexthdr = walk.nexthdr;
	}
	if (off - pkt->l3_off > plen)
		return PF_PARSE_BAD;
	pkt->proto = nexthdr;
	pkt->payload_len = plen - (off - pkt->l3_off);
	return off;
}

static __always_inline int parse_ports_only(struct pf_packet *pkt, struct tcphdr *th, void *end)
{
	if (PF_NEED(pkt, th, 4, end))
		return PF_PARSE_SHORT;
	pkt->sport = th->source;
	pkt->dport = th->dest;
	pkt->partial = 1;
	pkt->payload_len = 0;
	return 0;
}

static __always_inline int parse_l4(struct pf_packet *pkt, __u32 l4, void *end)
{
	pkt->l4_off = l4;
	if (pkt->proto == IPPROTO_TCP) {
		struct tcphdr *th = pkt->data + l4;
		__u32 doff;

		/* A first fragment cut inside the TCP header (RFC 1858's tiny
		 * fragment, or options spilling into the next fragment) still
		 * holds the ports, a fragment carrying 8 bytes at least, but
		 * not what a fence would judge it by: partial. */
		if (pkt->first_frag && pkt->payload_len < sizeof(*th))
			return parse_ports_only(pkt, th, end);
		if (PF_NEED(pkt, th, sizeof(*th), end))
			return PF_PARSE_SHORT;
		doff = th->doff * 4;
		if (doff < sizeof(*th))
			return PF_PARSE_BAD;
		if (doff > pkt->payload_len)
			return pkt->first_frag ? parse_ports_only(pkt, th, end) : PF_PARSE_BAD;
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->seq = th->seq;
		pkt->ack_seq = th->ack_seq;
		pkt->tcp_flags = ((__u8 *)th)[13];
		pkt->l4_hlen = doff;
		pkt->payload_len -= doff;
		return 0;
	}
	if (pkt->proto == IPPROTO_UDP) {
		struct udphdr *uh = pkt->data + l4;

		if (PF_NEED(pkt, uh, sizeof(*uh), end))
			return PF_PARSE_SHORT;
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
		return 0;
	}
	return PF_PARSE_BAD;
}

/* One pass over the headers in the skb's linear data. */
static __always_inline int parse_linear(struct __sk_buff *skb, struct pf_packet *pkt)
{
	void *end = (void *)(long)skb->data_end;
	int l4;

	pkt->data = (void *)(long)skb->data;
	pkt->first_frag = 0;
	pkt->partial = 0;
	l4 = l3_device ? parse_l3_start(pkt, end) : parse_eth(pkt, end);
	if (l4 < 0)
		return l4;
	if (pkt->eth_proto == ETH_P_IP)
		l4 = parse_ipv4(skb, pkt, end);
	else if (pkt->eth_proto == ETH_P_IPV6)
		l4 = parse_ipv6(skb, pkt, end);
	else
		return PF_PARSE_BAD;
	if (l4 < 0)
		return l4;
	/* parse_ipv6_ext() is a call: the data pointers must be read again.
	 * The barrier keeps clang from reusing skb + offset computed for the
	 * first read, which the verifier rejects as a modified ctx pointer. */
	asm volatile("" : "+r"(skb));
	pkt->data = (void *)(long)skb->data;
	return parse_l4(pkt, l4, (void *)(long)skb->data_end);
}

/* parse_linear() as a global function, for the rare frames whose headers
 * a driver left outside the linear data: verified once, however many
 * times the loop below calls it. */
__noinline int parse_linear_again(struct __sk_buff *skb, struct pf_packet *pkt)
{
	if (!pkt)
		return PF_PARSE_BAD;
	return parse_linear(skb, pkt);
}

/* Fills pkt for a TCP or UDP packet over IPv4/IPv6; returns 0, or -1 for
 * anything else (which the programs always pass untouched). Headers are
 * read in place, without a helper call, from the linear data, where the
 * stack keeps them for its own segments, GSO super-packets included: that
 * first pass is inlined, so the common frame costs no call at all. When
 * the headers run past the linear data (a driver that left them in page
 * fragments), the skb is made linear that far and parsed again; only a
 * frame that truly ends before its L4 header is still short then. Pulling
 * moves no byte of the frame, so a packet the fence passes leaves exactly
 * as it came. */
static __always_inline int parse_packet(struct __sk_buff *skb, struct pf_packet *pkt)
{
	int rc = parse_linear(skb, pkt), i;

	for (i = 0; i < PF_PARSE_PULLS && rc == PF_PARSE_SHORT; i++) {
		/* a frame that ends before its headers do, once whole */
		if (pkt->need > skb->len && skb->data_end - skb->data >= skb->len)
			return -1;
		if (pkt->need > skb->len)
			pkt->need = skb->len;
		if (bpf_skb_pull_data(skb, pkt->need))
			return -1;
		rc = parse_linear_again(skb, pkt);
	}
	return rc ? -1 : 0;
}

#endif /* PF_PARSE_H */
