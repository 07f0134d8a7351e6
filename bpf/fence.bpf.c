// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The fence data path: tc ingress and egress programs (tcx, or clsact
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
#include "variant.h"

#define TC_ACT_UNSPEC		(-1)	/* TCX_NEXT: the next program, filter or the stack decides */
#define TC_ACT_SHOT		2
#define BPF_F_INGRESS_FLAG	1	/* BPF_F_INGRESS */
#define PACKET_OTHERHOST	3

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* What the TCP checksum covers besides the segment (RFC 793, RFC 8200). */
struct pf_pseudo_v4 {
	__be32 saddr, daddr;
	__be32 len_proto;
};

struct pf_pseudo_v6 {
	__be32 saddr[4], daddr[4];
	__be32 len, proto;
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
 * Ethernet (none on an L3 device) + a fresh IPv4/IPv6 header + 20-byte TCP
 * header, with valid IP and TCP checksums. With reverse, addresses, ports
 * and MACs are swapped so the RST answers pkt; without, it goes the same way
 * pkt went. Trimming with
 * bpf_skb_change_tail() also linearises the skb and clears its GSO state,
 * which is what makes this work for TSO super-packets.
 *
 * The TCP checksum goes in through bpf_l4_csum_replace(), which follows the
 * skb's checksum state: a locally sent segment is CHECKSUM_PARTIAL, and its
 * checksum field must then hold only the pseudo-header's share, which the
 * NIC (or skb_checksum_help() where the device does not offload) completes
 * over the header; a full sum stored there would be summed again and the
 * peer would drop the RST as corrupt. Any other skb gets the full sum.
 *
 * A global function: the verifier checks it once, not once per caller.
 */
__noinline int write_rst(struct __sk_buff *skb, const struct pf_packet *pkt, bool reverse,
			 __be32 seq, __be32 ack_seq)
{
	__u8 macs[2 * ETH_ALEN], swapped[2 * ETH_ALEN];
	struct tcphdr th = {};
	__be32 saddr[4], daddr[4];
	__u32 l3, iphlen, check_off;
	__s64 pseudo, header;

	if (!pkt)
		return -1;
	l3 = pkt->l3_off;

	iphlen = pkt->family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (l3 > ETH_HLEN + 4 * PF_MAX_VLAN_TAGS)
		return -1;
	if (bpf_skb_change_tail(skb, l3 + iphlen + sizeof(struct tcphdr), 0))
		return -1;

	/* on a device without a MAC header l3 is 0: the IP header stored
	 * below covers whatever the swap wrote */
	if (reverse) {
		if (bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)))
			return -1;
		__builtin_memcpy(swapped, macs + ETH_ALEN, ETH_ALEN);
		__builtin_memcpy(swapped + ETH_ALEN, macs, ETH_ALEN);
		if (bpf_skb_store_bytes(skb, 0, swapped, sizeof(swapped), 0))
			return -1;
		__builtin_memcpy(saddr, pkt->daddr, 16);
		__builtin_memcpy(daddr, pkt->saddr, 16);
		th.source = pkt->dport;
		th.dest = pkt->sport;
	} else {
		__builtin_memcpy(saddr, pkt->saddr, 16);
		__builtin_memcpy(daddr, pkt->daddr, 16);
		th.source = pkt->sport;
		th.dest = pkt->dport;
	}
	th.seq = seq;
	th.ack_seq = ack_seq;
	th.doff = 5;
	((__u8 *)&th)[13] = TCP_FL_RST | TCP_FL_ACK;
	header = bpf_csum_diff(NULL, 0, (__be32 *)&th, sizeof(th), 0);

	if (pkt->family == AF_INET) {
		struct iphdr iph = {
			.version = 4,
			.ihl = 5,
			.tot_len = bpf_htons(sizeof(struct iphdr) + sizeof(struct tcphdr)),
			.frag_off = bpf_htons(IP_DF),
			.ttl = 64,
			.protocol = IPPROTO_TCP,
			.saddr = saddr[0],
			.daddr = daddr[0],
		};
		struct pf_pseudo_v4 ph = {
			.saddr = saddr[0],
			.daddr = daddr[0],
			.len_proto = bpf_htonl((IPPROTO_TCP << 16) | sizeof(struct tcphdr)),
		};

		iph.check = csum_fold(bpf_csum_diff(NULL, 0, (__be32 *)&iph, sizeof(iph), 0));
		pseudo = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
		if (bpf_skb_store_bytes(skb, l3, &iph, sizeof(iph), 0))
			return -1;
	} else {
		struct ipv6hdr ip6 = {
			.version = 6,
			.payload_len = bpf_htons(sizeof(struct tcphdr)),
			.nexthdr = IPPROTO_TCP,
			.hop_limit = 64,
		};
		struct pf_pseudo_v6 ph = {
			.len = bpf_htonl(sizeof(struct tcphdr)),
			.proto = bpf_htonl(IPPROTO_TCP),
		};

		__builtin_memcpy(&ip6.saddr, saddr, 16);
		__builtin_memcpy(&ip6.daddr, daddr, 16);
		__builtin_memcpy(ph.saddr, saddr, 16);
		__builtin_memcpy(ph.daddr, daddr, 16);
		pseudo = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
		if (bpf_skb_store_bytes(skb, l3, &ip6, sizeof(ip6), 0))
			return -1;
	}
	if (bpf_skb_store_bytes(skb, l3 + iphlen, &th, sizeof(th), 0))
		return -1;
	check_off = l3 + iphlen + __builtin_offsetof(struct tcphdr, check);
	if (bpf_l4_csum_replace(skb, check_off, 0, pseudo, BPF_F_PSEUDO_HDR))
		return -1;
	return bpf_l4_csum_replace(skb, check_off, 0, header, 0);
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
	knock.ifindex = skb->ifindex;
	/* the tag says which VLAN device the stack would have received it
	 * on: the replay must come in there, not on the parent */
	if (skb->vlan_present)
		knock.vlan = PF_KNOCK_VLAN | (skb->vlan_tci & 0xfff);
	if (pkt->l3_off > ETH_HLEN) {
		__be16 tci;

		if (knock.vlan || pkt->l3_off > ETH_HLEN + 4 ||
		    bpf_skb_load_bytes(skb, ETH_HLEN, &tci, sizeof(tci)))
			knock.vlan = PF_KNOCK_VLANS;
		else
			knock.vlan = PF_KNOCK_VLAN | (bpf_ntohs(tci) & 0xfff);
	}
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

/*
 * Is a frame that matched a fence really for this host? A promiscuous
 * device or a bridge port sees frames for other hosts (PACKET_OTHERHOST), and a
 * node that forwards routes traffic to portals it does not hold: none of
 * that may be dropped, answered or recorded. Asked only once a fence
 * matched, so unfenced traffic pays nothing for it. Where the route
 * lookup cannot tell (forwarding off, as on most storage nodes, or a
 * bridge port without addresses of its own), whatever came to our MAC is
 * ours: the stack would deliver it or drop it, never pass it on.
 */
__noinline int to_this_host(struct __sk_buff *skb, const struct pf_packet *pkt)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	/* broadcast and multicast frames are ours too: the stack delivers
	 * the unicast datagrams they carry */
	if (!pkt || skb->pkt_type == PACKET_OTHERHOST)
		return 0;
	fib.family = pkt->family;
	fib.l4_protocol = pkt->proto;
	fib.sport = pkt->sport;
	fib.dport = pkt->dport;
	fib.ifindex = skb->ifindex;
	if (pkt->family == AF_INET) {
		fib.ipv4_src = pkt->saddr[0];
		fib.ipv4_dst = pkt->daddr[0];
	} else {
		__builtin_memcpy(fib.ipv6_src, pkt->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, pkt->daddr, 16);
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	return rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH &&
	       rc != BPF_FIB_LKUP_RET_FRAG_NEEDED;
}

/* A first fragment of a fenced portal cut inside its TCP header: no
 * legitimate stack sends one (iptables drops them too), and it cannot be
 * told from a SYN, so a fence it goes against fails closed. */
static __always_inline int drop_partial(struct pf_policy *policy, __u8 direction)
{
	if (!(policy->direction & direction))
		return TC_ACT_UNSPEC;
	PF_COUNT(policy, segs_dropped);
	return TC_ACT_SHOT;
}

#define TCP_FL_URG	0x20
#define TCP_MAX_HLEN	60

/*
 * Cuts a segment that carries payload down to the ACK it carries: the same
 * sequence and acknowledgement numbers, window and options (the TCP header
 * stays where it was, behind the same IP header and extension headers),
 * no payload, no PSH/FIN/URG, the IP length and both checksums made right.
 * The TCP checksum is computed in full: trimming drops CHECKSUM_COMPLETE
 * (the stack then verifies it), and trimming also clears the GSO state of
 * a GRO super-packet, which leaves as one bare ACK. A global function:
 * verified once, and only fenced traffic ever calls it.
 */
__noinline int cut_to_ack(struct __sk_buff *skb, const struct pf_packet *pkt)
{
	__u32 th[TCP_MAX_HLEN / 4] = {};
	struct pf_pseudo_v6 ph6 = {};
	struct pf_pseudo_v4 ph4 = {};
	__u32 l3, l4, iplen;
	__u64 hlen;	/* 64-bit: no zero-extended copy for clang to check instead */
	__be16 old_len, new_len;
	__u8 *flags;
	__s64 sum;

	if (!pkt)
		return -1;
	l3 = pkt->l3_off;
	l4 = pkt->l4_off;
	if (l4 > PF_MAX_L4_OFF || l3 >= l4)
		return -1;
	hlen = pkt->l4_hlen & 0x3C;	/* doff * 4: a multiple of 4, at most 60 */
	/* checked on the register the helpers get, or clang checks doff
	 * instead and the verifier loses the lower bound */
	asm volatile("" : "+r"(hlen));
	if (hlen < sizeof(struct tcphdr))
		return -1;
	if (bpf_skb_change_tail(skb, l4 + hlen, 0))
		return -1;
	if (bpf_skb_load_bytes(skb, l4, th, hlen))
		return -1;

	flags = (__u8 *)th + 13;
	*flags &= ~(TCP_FL_PSH | TCP_FL_FIN | TCP_FL_URG);
	((__u16 *)th)[8] = 0;	/* check */
	((__u16 *)th)[9] = 0;	/* urg_ptr */

	iplen = l4 - l3 + hlen;
	if (pkt->family == AF_INET) {
		if (bpf_skb_load_bytes(skb, l3 + 2, &old_len, 2))
			return -1;
		new_len = bpf_htons(iplen);
		if (bpf_skb_store_bytes(skb, l3 + 2, &new_len, 2, 0) ||
		    bpf_l3_csum_replace(skb, l3 + 10, old_len, new_len, 2))
			return -1;
		ph4.saddr = pkt->saddr[0];
		ph4.daddr = pkt->daddr[0];
		ph4.len_proto = bpf_htonl((IPPROTO_TCP << 16) | hlen);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph4, sizeof(ph4), 0);
	} else {
		new_len = bpf_htons(iplen - sizeof(struct ipv6hdr));
		if (bpf_skb_store_bytes(skb, l3 + 4, &new_len, 2, 0))
			return -1;
		__builtin_memcpy(ph6.saddr, pkt->saddr, 16);
		__builtin_memcpy(ph6.daddr, pkt->daddr, 16);
		ph6.len = bpf_htonl(hlen);
		ph6.proto = bpf_htonl(IPPROTO_TCP);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph6, sizeof(ph6), 0);
	}
	if (sum < 0)
		return -1;
	sum = bpf_csum_diff(NULL, 0, th, hlen, (__wsum)sum);
	if (sum < 0)
		return -1;
	((__u16 *)th)[8] = csum_fold(sum);
	return bpf_skb_store_bytes(skb, l4, th, hlen, 0);
}

/* A segment to a portal whose connections are being drained: the server
 * must see the peer acknowledge its replies, and no new command. The
 * payload cut away counts as a dropped segment. */
static __always_inline int drain_inbound(struct __sk_buff *skb, const struct pf_packet *pkt,
					 struct pf_policy *policy)
{
	if (!pkt->payload_len)
		return TC_ACT_UNSPEC;	/* pure ACK, window update, FIN, RST */
	if (cut_to_ack(skb, pkt))
		return TC_ACT_SHOT;
	PF_COUNT(policy, segs_dropped);
	return TC_ACT_UNSPEC;
}

/* The drain lasts until the CLI ends it, at the latest until its
 * deadline, and only while the block running it renews its lease: a
 * block killed half-way leaves the full fence behind it within a second. */
static __always_inline bool draining(const struct pf_policy *policy)
{
	__u64 now;

	if (!(policy->flags & PF_F_DRAINING))
		return false;
	now = bpf_ktime_get_ns();
	return now < policy->drain_until && now < policy->drain_lease;
}

SEC("tc")
int fence_ingress(struct __sk_buff *skb)
{
	struct pf_packet pkt = {};
	struct pf_policy *policy;

	PF_VARIANT();
	if (parse_packet(skb, &pkt))
		return TC_ACT_UNSPEC;
	policy = portal_lookup(pkt.proto, pkt.family, pkt.daddr, pkt.dport);
	if (!policy || !to_this_host(skb, &pkt))
		return TC_ACT_UNSPEC;
	if (pkt.partial)
		return drop_partial(policy, PF_DIR_IN);
	if ((policy->flags & PF_F_DRAINING) && pkt.proto == IPPROTO_TCP &&
	    (pkt.tcp_flags & (TCP_FL_SYN | TCP_FL_ACK)) != TCP_FL_SYN && draining(policy))
		return drain_inbound(skb, &pkt, policy);
	if (!(policy->direction & PF_DIR_IN))
		return TC_ACT_UNSPEC;

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
		return TC_ACT_UNSPEC;
	}

	PF_COUNT(policy, segs_dropped);
	if (policy->method == PF_METHOD_REJECT && !(pkt.tcp_flags & TCP_FL_RST))
		return reject_to_peer(skb, &pkt, policy);
	knock(skb, &pkt, policy);
	return TC_ACT_SHOT;
}

/* The first SYN-ACK a lifted portal sends: its initiators are back. Only
 * SYN-ACKs of unfenced ports look, once each; the first one wins. */
static __always_inline void note_reconnect(const struct pf_packet *pkt)
{
	struct pf_portal_key key = {};
	struct pf_lifted *l;

	if (pkt->proto != IPPROTO_TCP ||
	    (pkt->tcp_flags & (TCP_FL_SYN | TCP_FL_ACK | TCP_FL_RST)) != (TCP_FL_SYN | TCP_FL_ACK))
		return;
	pf_endpoint_key_fill(&key, pkt->proto, pkt->family, pkt->saddr, pkt->sport);
	l = bpf_map_lookup_elem(&lifted, &key);
	if (l && !l->reconnect_at)
		__sync_val_compare_and_swap(&l->reconnect_at, 0, bpf_ktime_get_ns());
}

SEC("tc")
int fence_egress(struct __sk_buff *skb)
{
	struct pf_packet pkt = {};
	struct pf_policy *policy;
	__u32 ifindex = skb->ifindex;

	PF_VARIANT();
	if (parse_packet(skb, &pkt))
		return TC_ACT_UNSPEC;
	policy = portal_lookup(pkt.proto, pkt.family, pkt.saddr, pkt.sport);
	/* Received on some interface, so not sent by this host: traffic it
	 * forwards or bridges is another host's to fence. */
	if (skb->ingress_ifindex)
		return TC_ACT_UNSPEC;
	if (!policy) {
		note_reconnect(&pkt);
		return TC_ACT_UNSPEC;
	}
	if (!(policy->direction & PF_DIR_OUT))
		return TC_ACT_UNSPEC;
	if (pkt.partial)
		return drop_partial(policy, PF_DIR_OUT);
	/* Draining: the replies already written reach the peer, and so does
	 * the RST of each socket the sweep destroys once drained. */
	if (draining(policy))
		return TC_ACT_UNSPEC;

	if (pkt.proto == IPPROTO_UDP) {
		PF_COUNT(policy, segs_dropped);
		return TC_ACT_SHOT;
	}
	if (pkt.tcp_flags & TCP_FL_RST) {
		/* "drop" keeps the peer from learning anything: it must not see
		 * the local stack's resets either. */
		if (policy->method == PF_METHOD_REJECT)
			return TC_ACT_UNSPEC;
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
