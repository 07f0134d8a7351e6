// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The fence data path: tc ingress and egress programs (clsact,
 * direct-action) that apply the policy of docs/reference.md (Fence
 * semantics) to fenced portals and leave every other packet alone. One LPM lookup per TCP/UDP packet. */
/* Packet headers and __sk_buff have one layout on every kernel: without
 * CO-RE relocations, loading this object needs no parse of the kernel's
 * BTF (9 ms of a fresh node's first fence). */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parse.h"
#include "maps.h"

#define TC_ACT_OK		0
#define TC_ACT_SHOT		2
#define BPF_F_INGRESS_FLAG	1	/* BPF_F_INGRESS */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct pf_pseudo_tcp {
	__be32 saddr[4];
	__be32 daddr[4];
	__be32 len;
	__be32 proto;
	struct tcphdr th;
};

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/*
 * Rewrites the skb in place into a bare RST|ACK (no options, no payload):
 * Ethernet + a fresh IPv4/IPv6 header + 20-byte TCP header, with valid IP
 * and TCP checksums. With reverse, addresses, ports and MACs are swapped so
 * the RST answers pkt; without, it goes the same way pkt went. Trimming with
 * bpf_skb_change_tail() also linearises the skb and clears its GSO state,
 * which is what makes this work for TSO super-packets. A global function:
 * the verifier checks it once, not once per caller.
 */
__noinline int write_rst(struct __sk_buff *skb, const struct pf_packet *pkt, bool reverse,
			 __be32 seq, __be32 ack_seq)
{
	struct pf_pseudo_tcp ph = {};
	__u8 macs[2 * ETH_ALEN], swapped[2 * ETH_ALEN];
	__u32 l3, iphlen;
	__s64 sum;

	if (!pkt)
		return -1;
	l3 = pkt->l3_off;

	iphlen = pkt->family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (l3 > ETH_HLEN + 4 * PF_MAX_VLAN_TAGS)
		return -1;
	if (bpf_skb_change_tail(skb, l3 + iphlen + sizeof(struct tcphdr), 0))
		return -1;

	if (reverse) {
		if (bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)))
			return -1;
		__builtin_memcpy(swapped, macs + ETH_ALEN, ETH_ALEN);
		__builtin_memcpy(swapped + ETH_ALEN, macs, ETH_ALEN);
		if (bpf_skb_store_bytes(skb, 0, swapped, sizeof(swapped), 0))
			return -1;
		__builtin_memcpy(ph.saddr, pkt->daddr, 16);
		__builtin_memcpy(ph.daddr, pkt->saddr, 16);
		ph.th.source = pkt->dport;
		ph.th.dest = pkt->sport;
	} else {
		__builtin_memcpy(ph.saddr, pkt->saddr, 16);
		__builtin_memcpy(ph.daddr, pkt->daddr, 16);
		ph.th.source = pkt->sport;
		ph.th.dest = pkt->dport;
	}
	ph.th.seq = seq;
	ph.th.ack_seq = ack_seq;
	ph.th.doff = 5;
	((__u8 *)&ph.th)[13] = TCP_FL_RST | TCP_FL_ACK;
	ph.len = bpf_htonl(sizeof(struct tcphdr));
	ph.proto = bpf_htonl(IPPROTO_TCP);

	if (pkt->family == AF_INET) {
		struct iphdr iph = {
			.version = 4,
			.ihl = 5,
			.tot_len = bpf_htons(sizeof(struct iphdr) + sizeof(struct tcphdr)),
			.frag_off = bpf_htons(IP_DF),
			.ttl = 64,
			.protocol = IPPROTO_TCP,
			.saddr = ph.saddr[0],
			.daddr = ph.daddr[0],
		};
		struct { __be32 saddr, daddr, len_proto; struct tcphdr th; } ph4 = {
			.saddr = ph.saddr[0],
			.daddr = ph.daddr[0],
			.len_proto = bpf_htonl((IPPROTO_TCP << 16) | sizeof(struct tcphdr)),
			.th = ph.th,
		};

		iph.check = csum_fold(bpf_csum_diff(NULL, 0, (__be32 *)&iph, sizeof(iph), 0));
		sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph4, sizeof(ph4), 0);
		ph.th.check = csum_fold(sum);
		if (bpf_skb_store_bytes(skb, l3, &iph, sizeof(iph), 0))
			return -1;
	} else {
		struct ipv6hdr ip6 = {
			.version = 6,
			.payload_len = bpf_htons(sizeof(struct tcphdr)),
			.nexthdr = IPPROTO_TCP,
			.hop_limit = 64,
		};

		__builtin_memcpy(&ip6.saddr, ph.saddr, 16);
		__builtin_memcpy(&ip6.daddr, ph.daddr, 16);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
		ph.th.check = csum_fold(sum);
		if (bpf_skb_store_bytes(skb, l3, &ip6, sizeof(ip6), 0))
			return -1;
	}
	return bpf_skb_store_bytes(skb, l3 + iphlen, &ph.th, sizeof(ph.th), 0);
}

/* The RST that answers pkt, RFC 793 style: its sequence number is the
 * segment's ACK (what the receiver expects next; 0 if there was none), and
 * it acknowledges everything the segment occupied, which a socket in
 * SYN-SENT needs before it accepts a reset. */
static __always_inline int answer_with_rst(struct __sk_buff *skb, const struct pf_packet *pkt)
{
	__u32 span = pkt->payload_len;
	__be32 seq = 0;

	if (pkt->tcp_flags & TCP_FL_SYN)
		span++;
	if (pkt->tcp_flags & TCP_FL_FIN)
		span++;
	if (pkt->tcp_flags & TCP_FL_ACK)
		seq = pkt->ack_seq;
	return write_rst(skb, pkt, true, seq, bpf_htonl(bpf_ntohl(pkt->seq) + span));
}

/* Sends the answer back out of the interface it came in on. */
static __always_inline int reject_to_peer(struct __sk_buff *skb, const struct pf_packet *pkt,
					  struct pf_policy *policy)
{
	if (answer_with_rst(skb, pkt))
		return TC_ACT_SHOT;
	PF_COUNT(policy, peer_resets);
	return bpf_redirect(skb->ifindex, 0);
}

/* Sends the peer an RST in the segment's place, same direction. The peer
 * takes it only at exactly the sequence number it expects next (RFC 5961):
 * the segment's own for data and pure ACKs, but a window probe or a
 * keepalive is sent one below that (SND.UNA - 1), and nothing in a bare
 * segment tells it from a pure ACK. So a bare segment is followed by a
 * second RST one above; whichever of the two misses falls outside the
 * peer's window and is dropped there without an answer. Counts each RST
 * the kernel sent. */
static __always_inline int reset_peer(struct __sk_buff *skb, const struct pf_packet *pkt,
				      struct pf_policy *policy, __u32 ifindex)
{
	if (write_rst(skb, pkt, false, pkt->seq, pkt->ack_seq))
		return -1;
	if (bpf_clone_redirect(skb, ifindex, 0) == 0)
		PF_COUNT(policy, peer_resets);
	if (pkt->payload_len || (pkt->tcp_flags & (TCP_FL_SYN | TCP_FL_FIN)))
		return 0;
	if (write_rst(skb, pkt, false, bpf_htonl(bpf_ntohl(pkt->seq) + 1), pkt->ack_seq))
		return -1;
	if (bpf_clone_redirect(skb, ifindex, 0) == 0)
		PF_COUNT(policy, peer_resets);
	return 0;
}

/*
 * Remembers a peer knocking on a fenced portal, for the wake-up when the
 * portal opens: a dropped SYN with its whole TCP header, so that it can be
 * replayed to the listener then; a segment of a connection this node does
 * not have, with the sequence number an RST must carry to be accepted.
 * Segments of connections the node holds are no knock: their socket
 * answers them. Returns 1 when recorded. A global function: the socket
 * lookup and the copy are verified once, and cost nothing unless fenced.
 */
__noinline int record_knock(struct __sk_buff *skb, const struct pf_packet *pkt, __u64 counters_id)
{
	struct pf_knock_key key = {};
	struct pf_knock knock = {};
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	__u32 len;

	if (!pkt || (pkt->tcp_flags & TCP_FL_RST))
		return 0;
	key.family = pkt->family;
	key.local_port = pkt->dport;
	key.remote_port = pkt->sport;
	__builtin_memcpy(key.local_addr, pkt->daddr, 16);
	__builtin_memcpy(key.remote_addr, pkt->saddr, 16);
	knock.counters_id = counters_id;
	knock.seq = pkt->seq;
	knock.ack_seq = pkt->ack_seq;

	if ((pkt->tcp_flags & (TCP_FL_SYN | TCP_FL_ACK)) == TCP_FL_SYN) {
		/* doff * 4: a multiple of 4, at most 60; the mask is what
		 * lets the verifier see the copy's bound */
		len = pkt->l4_hlen & 0x3C;
		if (len < sizeof(struct tcphdr))
			return 0;
		if (bpf_skb_load_bytes(skb, pkt->l4_off, knock.tcp, len))
			return 0;
		knock.kind = PF_KNOCK_SYN;
		knock.tcp_len = len;
	} else {
		if (pkt->family == AF_INET) {
			tuple.ipv4.saddr = pkt->saddr[0];
			tuple.ipv4.daddr = pkt->daddr[0];
			tuple.ipv4.sport = pkt->sport;
			tuple.ipv4.dport = pkt->dport;
			len = sizeof(tuple.ipv4);
		} else {
			__builtin_memcpy(tuple.ipv6.saddr, pkt->saddr, 16);
			__builtin_memcpy(tuple.ipv6.daddr, pkt->daddr, 16);
			tuple.ipv6.sport = pkt->sport;
			tuple.ipv6.dport = pkt->dport;
			len = sizeof(tuple.ipv6);
		}
		/* the lookup falls back to the listener: only that is no
		 * connection */
		sk = bpf_skc_lookup_tcp(skb, &tuple, len, BPF_F_CURRENT_NETNS, 0);
		if (sk) {
			bool held = sk->state != BPF_TCP_LISTEN;

			bpf_sk_release(sk);
			if (held)
				return 0;
		}
		knock.kind = PF_KNOCK_SEGMENT;
	}
	knock.seen = bpf_ktime_get_ns();
	return bpf_map_update_elem(&knocks, &key, &knock, BPF_ANY) == 0;
}

static __always_inline void knock(struct __sk_buff *skb, const struct pf_packet *pkt,
				  struct pf_policy *policy)
{
	if (record_knock(skb, pkt, policy->counters_id))
		PF_COUNT(policy, knocks);
}

/* A segment to a portal whose connections are being drained: the server
 * must see the peer acknowledge its replies, and no new command. */
static __always_inline int drain_inbound(struct __sk_buff *skb, const struct pf_packet *pkt)
{
	if (!pkt->payload_len)
		return TC_ACT_OK;	/* pure ACK, window update, FIN */
	return TC_ACT_OK;	/* TODO(drain): cut to the ACK it carries */
}

SEC("tc")
int fence_ingress(struct __sk_buff *skb)
{
	struct pf_packet pkt = {};
	struct pf_policy *policy;

	if (parse_packet(skb, &pkt))
		return TC_ACT_OK;
	policy = portal_lookup(pkt.proto, pkt.family, pkt.daddr, pkt.dport);
	if (!policy)
		return TC_ACT_OK;
	if ((policy->flags & PF_F_DRAINING) && pkt.proto == IPPROTO_TCP &&
	    (pkt.tcp_flags & (TCP_FL_SYN | TCP_FL_ACK)) != TCP_FL_SYN)
		return drain_inbound(skb, &pkt);
	if (!(policy->direction & PF_DIR_IN))
		return TC_ACT_OK;

	if (pkt.proto == IPPROTO_UDP) {
		PF_COUNT(policy, segs_dropped);
		return TC_ACT_SHOT;
	}
	if ((pkt.tcp_flags & (TCP_FL_SYN | TCP_FL_ACK)) == TCP_FL_SYN) {
		PF_COUNT(policy, syns_dropped);
		if (policy->method == PF_METHOD_REJECT)
			return reject_to_peer(skb, &pkt, policy);
		knock(skb, &pkt, policy);
		return TC_ACT_SHOT;
	}
	/* With "both" the peer's segments reach the local socket, and whatever
	 * it answers is turned into its own reset on egress: with "drop" the
	 * peer hears nothing and waits, so it is remembered. */
	if (policy->direction == PF_DIR_BOTH) {
		if (policy->method == PF_METHOD_DROP)
			knock(skb, &pkt, policy);
		return TC_ACT_OK;
	}

	PF_COUNT(policy, segs_dropped);
	if (policy->method == PF_METHOD_REJECT && !(pkt.tcp_flags & TCP_FL_RST))
		return reject_to_peer(skb, &pkt, policy);
	knock(skb, &pkt, policy);
	return TC_ACT_SHOT;
}

SEC("tc")
int fence_egress(struct __sk_buff *skb)
{
	struct pf_packet pkt = {};
	struct pf_policy *policy;
	__u32 ifindex = skb->ifindex;

	if (parse_packet(skb, &pkt))
		return TC_ACT_OK;
	policy = portal_lookup(pkt.proto, pkt.family, pkt.saddr, pkt.sport);
	if (!policy || !(policy->direction & PF_DIR_OUT))
		return TC_ACT_OK;
	/* Draining: the replies already written reach the peer, and so does
	 * the RST of each socket the sweep destroys once drained. */
	if (policy->flags & PF_F_DRAINING)
		return TC_ACT_OK;

	if (pkt.proto == IPPROTO_UDP) {
		PF_COUNT(policy, segs_dropped);
		return TC_ACT_SHOT;
	}
	if (pkt.tcp_flags & TCP_FL_RST) {
		/* "drop" keeps the peer from learning anything: it must not see
		 * the local stack's resets either. */
		if (policy->method == PF_METHOD_REJECT)
			return TC_ACT_OK;
		PF_COUNT(policy, segs_dropped);
		return TC_ACT_SHOT;
	}

	if (policy->method == PF_METHOD_REJECT && reset_peer(skb, &pkt, policy, ifindex))
		return TC_ACT_SHOT;

	/* The local socket is told its peer reset the connection: the RST's
	 * sequence number is what the socket expects next (the segment's ACK),
	 * so it is accepted at once, and the socket dies with its Send-Q. */
	if (answer_with_rst(skb, &pkt))
		return TC_ACT_SHOT;
	PF_COUNT(policy, local_resets);
	return bpf_redirect(ifindex, BPF_F_INGRESS_FLAG);
}
