// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The knocks the ingress program records while a portal is fenced, for
 * the wake-up when it opens: a dropped SYN with its whole TCP header, a
 * segment of a connection this node does not have with its sequence
 * numbers; nothing for unfenced portals, for connections the node holds,
 * for peers that were answered (reject) or that reset; and the map keeps
 * at most PF_MAX_KNOCKS peers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(knock, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static void counts_knocks(__u64 id, __u64 want)
{
	cr_assert_eq(fx_stats().knocks, want, "global knocks %llu, want %llu",
		     fx_stats().knocks, want);
	cr_assert_eq(fx_portal_stats(id).knocks, want, "portal knocks %llu, want %llu",
		     fx_portal_stats(id).knocks, want);
}

static void syn_is_recorded(int family)
{
	__u64 id = fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH,
				PF_METHOD_DROP);
	struct pkt_spec s = fx_to_portal(family, PKT_TCP_SYN);
	struct pf_knock k;

	s.tcp_opt_len = 20;	/* MSS, SACK, timestamps, window scale */
	s.seq = 0x11223344;
	s.ack = 0;
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "the SYN is dropped");
	cr_assert(fx_knock(&s, &k), "the SYN is recorded");
	cr_assert_eq(k.kind, PF_KNOCK_SYN);
	cr_assert_eq(k.counters_id, id, "recorded against the portal's entry");
	cr_assert_eq(k.tcp_len, PKT_TCP_HLEN + 20, "the whole TCP header, options included");
	cr_assert_arr_eq(k.tcp, r.in + r.lay.l4, k.tcp_len, "the TCP header, byte for byte");
	cr_assert_eq(ntohl(k.seq), 0x11223344u);
	cr_assert_neq(k.seen, 0, "when it was seen");
	/* a test run without a context comes in on lo */
	cr_assert_eq(k.ifindex, if_nametoindex("lo"), "the interface it came in on (%u)",
		     k.ifindex);
	counts_knocks(id, 1);
	cr_assert_eq(fx_stats().syns_dropped, 1);
}

/* The replay must come in on the VLAN device the stack would have
 * received the SYN on, so the knock keeps the tag it came with. */
static struct pf_knock syn_with_tags(int ntags)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);
	struct pf_knock k;

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	s.nvlan = (uint8_t)ntags;
	s.vlan_tci[0] = 0x2000 | 100;	/* priority 1, VLAN 100 */
	s.vlan_tci[1] = 200;
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "the SYN is dropped");
	cr_assert(fx_knock(&s, &k), "the SYN is recorded");
	return k;
}

Test(knock, untagged_syn_is_recorded_untagged)
{
	cr_assert_eq(syn_with_tags(0).vlan, 0);
}

Test(knock, vlan_tagged_syn_is_recorded_with_its_vlan_id)
{
	struct pf_knock k = syn_with_tags(1);

	cr_assert_eq(k.vlan, PF_KNOCK_VLAN | 100, "vlan 0x%x", k.vlan);
}

Test(knock, double_tagged_syn_is_recorded_as_such)
{
	cr_assert_eq(syn_with_tags(2).vlan, PF_KNOCK_VLANS);
}

Test(knock, ipv4_syn_to_fenced_portal_is_recorded_with_its_tcp_header)
{
	syn_is_recorded(AF_INET);
}

Test(knock, ipv6_syn_to_fenced_portal_is_recorded_with_its_tcp_header)
{
	syn_is_recorded(AF_INET6);
}

static void segment_is_recorded(uint8_t direction, int verdict)
{
	__u64 id = fx_fence_tcp(V4_PORTAL, direction, PF_METHOD_DROP);
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK | PKT_TCP_PSH);
	struct pf_knock k;

	s.seq = 5000;
	s.ack = 0xfffffff0;
	s.payload_len = 48;
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, verdict);
	cr_assert(fx_knock(&s, &k), "the segment is recorded");
	cr_assert_eq(k.kind, PF_KNOCK_SEGMENT);
	cr_assert_eq(k.counters_id, id);
	cr_assert_eq(ntohl(k.seq), 5000u);
	cr_assert_eq(ntohl(k.ack_seq), 0xfffffff0u, "what the peer expects next");
	counts_knocks(id, 1);
}

Test(knock, segment_of_a_connection_not_on_the_node_is_recorded_with_both)
{
	segment_is_recorded(PF_DIR_BOTH, TC_ACT_UNSPEC);	/* passes to the stack, as before */
}

Test(knock, segment_to_a_direction_in_portal_is_recorded_and_dropped)
{
	segment_is_recorded(PF_DIR_IN, TC_ACT_SHOT);
}

Test(knock, the_latest_knock_of_a_peer_replaces_the_earlier)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);
	struct pf_knock k;

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	s.ack = 100;
	fx_run_spec(FX_INGRESS, &s, &r);
	s.ack = 200;
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(fx_knock_count(), 1);
	cr_assert(fx_knock(&s, &k));
	cr_assert_eq(ntohl(k.ack_seq), 200u);
}

Test(knock, traffic_of_unfenced_portals_is_not_recorded)
{
	struct pkt_spec syn = fx_to_portal(AF_INET, PKT_TCP_SYN);
	struct pkt_spec seg = fx_to_portal(AF_INET6, PKT_TCP_ACK);

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	syn.dport = PORTAL_PORT + 1;
	fx_run_spec(FX_INGRESS, &syn, &r);
	fx_assert_untouched(&r);
	fx_run_spec(FX_INGRESS, &seg, &r);
	fx_assert_untouched(&r);
	cr_assert_eq(fx_knock_count(), 0);
	cr_assert_eq(fx_stats().knocks, 0);
}

Test(knock, direction_out_records_nothing)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);

	fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
	cr_assert_eq(fx_knock_count(), 0);
}

Test(knock, a_rejected_peer_was_answered_and_is_not_recorded)
{
	struct pkt_spec syn = fx_to_portal(AF_INET, PKT_TCP_SYN);
	struct pkt_spec seg = fx_to_portal(AF_INET, PKT_TCP_ACK);

	fx_fence_tcp(V4_PORTAL, PF_DIR_IN, PF_METHOD_REJECT);
	fx_run_spec(FX_INGRESS, &syn, &r);
	fx_run_spec(FX_INGRESS, &seg, &r);
	cr_assert_eq(fx_knock_count(), 0);
}

Test(knock, a_peer_reset_is_not_recorded)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_RST | PKT_TCP_ACK);

	fx_fence_tcp(V4_PORTAL, PF_DIR_IN, PF_METHOD_DROP);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(fx_knock_count(), 0);
}

/* A real connection peer -> portal on this test's lo, so that the
 * program's socket lookup finds it (or only the listener). */
static int listener, client;

static void addresses_on_lo(void)
{
	cr_assert_eq(system("ip addr add " V4_PEER "/32 dev lo && "
			    "ip addr add " V4_PORTAL "/32 dev lo"), 0, "addresses on lo");
}

static void listen_on_portal(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORTAL_PORT) };
	int one = 1;

	inet_pton(AF_INET, V4_PORTAL, &a.sin_addr);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(listener, (struct sockaddr *)&a, sizeof(a)), 0, "bind: %s",
		     strerror(errno));
	cr_assert_eq(listen(listener, 4), 0);
}

static void connect_from_peer(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(PORTAL_PORT) };

	inet_pton(AF_INET, V4_PEER, &a.sin_addr);
	inet_pton(AF_INET, V4_PORTAL, &b.sin_addr);
	client = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(bind(client, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(connect(client, (struct sockaddr *)&b, sizeof(b)), 0, "connect: %s",
		     strerror(errno));
}

Test(knock, a_segment_of_a_connection_the_node_holds_is_not_recorded)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);

	addresses_on_lo();
	listen_on_portal();
	connect_from_peer();
	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_UNSPEC);
	cr_assert_eq(fx_knock_count(), 0, "the socket answers it; no wake-up is due");
	cr_assert_eq(fx_stats().knocks, 0);
}

Test(knock, a_listener_alone_is_no_connection)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);
	struct pf_knock k;

	addresses_on_lo();
	listen_on_portal();
	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert(fx_knock(&s, &k), "recorded: only the listener matched");
	cr_assert_eq(k.kind, PF_KNOCK_SEGMENT);
}

/* A flood of spoofed SYNs cannot grow the map past its bound; the
 * least recently seen peers make room for the newest. */
Test(knock, the_map_holds_at_most_its_bound, .timeout = 60)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);
	struct pf_knock k;
	unsigned int i, n = PF_MAX_KNOCKS + PF_MAX_KNOCKS / 4;

	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	for (i = 0; i < n; i++) {
		s.sport = (uint16_t)(1024 + i % 60000);
		s.saddr[3] = (uint8_t)(1 + i / 60000);
		fx_run_spec(FX_INGRESS, &s, &r);
	}
	cr_assert_leq(fx_knock_count(), PF_MAX_KNOCKS, "%u knocks kept, bound %u",
		      fx_knock_count(), PF_MAX_KNOCKS);
	cr_assert_gt(fx_knock_count(), PF_MAX_KNOCKS / 2);
	cr_assert(fx_knock(&s, &k), "the newest peer is kept");
	cr_assert_eq(fx_stats().knocks, n, "every knock counted");
}
