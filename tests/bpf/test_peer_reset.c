// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Method reject: the RSTs sent to the peer, and the counters of every
 * verdict moving by exactly one in the right field.
 *
 * Under BPF_PROG_TEST_RUN, bpf_redirect() only sets where the frame would
 * go and the run returns TC_ACT_REDIRECT with the rewritten frame in
 * data_out. bpf_clone_redirect() really transmits its copy, on the device
 * of the test skb: lo of the test's own namespace, where a packet socket
 * reads it back. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "rst_check.h"

TestSuite(peer_reset, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static void counters_are(__u64 counters_id, struct pf_counters want)
{
	struct pf_counters global = fx_stats(), portal = fx_portal_stats(counters_id);

	cr_assert_arr_eq(&global, &want, sizeof(want),
			 "global: local_resets %llu syns %llu segs %llu peer %llu socks %llu",
			 global.local_resets, global.syns_dropped, global.segs_dropped,
			 global.peer_resets, global.socks_destroyed);
	cr_assert_arr_eq(&portal, &want, sizeof(want),
			 "portal: local_resets %llu syns %llu segs %llu peer %llu socks %llu",
			 portal.local_resets, portal.syns_dropped, portal.segs_dropped,
			 portal.peer_resets, portal.socks_destroyed);
}

/* The answer to a SYN: it had no ACK, so seq 0; it acknowledges the SYN. */
static void syn_answered(struct pkt_spec *s)
{
	struct rst_want w = {
		.reversed = true,
		.seq = 0,
		.ack = 1001,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};

	fx_fence_tcp(s->family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	s->seq = 1000;
	fx_run_spec(FX_INGRESS, s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, s, r.in, &w);
}

Test(peer_reset, ipv4_syn_answered_with_rst)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);

	syn_answered(&s);
}

Test(peer_reset, ipv6_syn_answered_with_rst)
{
	struct pkt_spec s = fx_to_portal(AF_INET6, PKT_TCP_SYN);

	syn_answered(&s);
}

Test(peer_reset, syn_answer_keeps_vlan_tags)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);

	s.nvlan = 2;
	s.vlan_tci[0] = 3;
	s.vlan_tci[1] = 300;
	syn_answered(&s);
}

Test(peer_reset, syn_with_options_answered_with_bare_rst)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);

	s.ip_opt_len = 8;
	s.tcp_opt_len = 20;	/* MSS, SACK, timestamps, window scale */
	syn_answered(&s);
}

/* "in": a data segment is answered so the peer's socket dies at once; the
 * RST's seq is the segment's ACK, what the peer sends next is expected. */
Test(peer_reset, data_to_portal_in_answered_at_its_ack)
{
	struct pkt_spec s = fx_to_portal(AF_INET6, PKT_TCP_ACK | PKT_TCP_PSH);
	struct rst_want w = {
		.reversed = true,
		.seq = 2000,
		.ack = 1000 + 512,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};

	s.payload_len = 512;
	fx_fence_tcp(V6_PORTAL, PF_DIR_IN, PF_METHOD_REJECT);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &w);
}

/* Egress with reject: the local socket's RST comes back in data_out, and
 * a copy of the segment rewritten into an RST goes on to the peer: same
 * direction, the segment's own seq (what the peer expects next, RFC 5961)
 * and ack. */
static void egress_reject(int family, size_t *captured, uint8_t *peer_rst, size_t cap,
			  struct pkt_spec *s)
{
	*s = fx_from_portal(family, PKT_TCP_ACK | PKT_TCP_PSH);
	s->payload_len = 700;
	fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	fx_capture_start();
	fx_run_spec(FX_EGRESS, s, &r);
	*captured = fx_capture_next(peer_rst, cap);
}

static void peer_rst_is_right(int family)
{
	struct pkt_spec s;
	uint8_t peer_rst[256];
	size_t n;
	struct rst_want to_peer = {
		.reversed = false,
		.seq = 1000,
		.ack = 2000,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};
	struct rst_want to_local = rst_answering(&(struct pkt_spec){
		.tcp_flags = PKT_TCP_ACK, .seq = 1000, .ack = 2000, .payload_len = 700 });

	egress_reject(family, &n, peer_rst, sizeof(peer_rst), &s);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &to_local);
	cr_assert_gt(n, 0, "no RST reached lo for the peer");
	assert_rst(peer_rst, n, &s, r.in, &to_peer);
}

Test(peer_reset, ipv4_egress_reject_sends_rst_to_peer) { peer_rst_is_right(AF_INET); }
Test(peer_reset, ipv6_egress_reject_sends_rst_to_peer) { peer_rst_is_right(AF_INET6); }

/* A bare segment (pure ACK, or a window probe or keepalive sent at
 * SND.UNA - 1) gets two RSTs, at its seq and one above, so the peer finds
 * its exact next sequence number in one of them whichever it was. */
static void bare_segment_gets_two_rsts(int family)
{
	struct pkt_spec s = fx_from_portal(family, PKT_TCP_ACK);
	uint8_t rst[256];
	size_t n;
	struct rst_want at_seq = {
		.reversed = false, .seq = 1000, .ack = 2000, .flags = PKT_TCP_RST | PKT_TCP_ACK,
	};
	struct rst_want above = at_seq;

	above.seq = 1001;
	fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	fx_capture_start();
	fx_run_spec(FX_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &(struct rst_want){
		.reversed = true, .seq = 2000, .ack = 1000, .flags = PKT_TCP_RST | PKT_TCP_ACK });
	n = fx_capture_next(rst, sizeof(rst));
	cr_assert_gt(n, 0, "no first RST reached lo for the peer");
	assert_rst(rst, n, &s, r.in, &at_seq);
	n = fx_capture_next(rst, sizeof(rst));
	cr_assert_gt(n, 0, "no second RST reached lo for the peer");
	assert_rst(rst, n, &s, r.in, &above);
	cr_assert_eq(fx_capture_next(rst, sizeof(rst)), 0, "a third frame went out");
}

Test(peer_reset, ipv4_bare_segment_gets_rsts_at_seq_and_above) { bare_segment_gets_two_rsts(AF_INET); }
Test(peer_reset, ipv6_bare_segment_gets_rsts_at_seq_and_above) { bare_segment_gets_two_rsts(AF_INET6); }

/* Data and FIN occupy sequence space: their seq is exact, one RST only. */
static void one_rst_only(uint8_t flags, uint32_t payload_len)
{
	struct pkt_spec s = fx_from_portal(AF_INET, flags);
	uint8_t rst[256];

	s.payload_len = payload_len;
	fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_REJECT);
	fx_capture_start();
	fx_run_spec(FX_EGRESS, &s, &r);
	cr_assert_gt(fx_capture_next(rst, sizeof(rst)), 0, "no RST reached lo for the peer");
	cr_assert_eq(fx_capture_next(rst, sizeof(rst)), 0, "a second RST went out");
}

Test(peer_reset, data_segment_gets_one_rst) { one_rst_only(PKT_TCP_ACK | PKT_TCP_PSH, 1); }
Test(peer_reset, fin_gets_one_rst) { one_rst_only(PKT_TCP_ACK | PKT_TCP_FIN, 0); }

Test(peer_reset, egress_drop_sends_nothing_to_peer)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	uint8_t buf[256];

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_capture_start();
	fx_run_spec(FX_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	cr_assert_eq(fx_capture_next(buf, sizeof(buf)), 0, "a frame went out with method drop");
}

/* counters: one verdict, one increment, in its own field only */
Test(peer_reset, egress_reject_counts_local_and_peer_reset)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_REJECT);

	s.payload_len = 100;
	fx_run_spec(FX_EGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .local_resets = 1, .peer_resets = 1 });
}

/* peer_resets counts RSTs on the wire: two for a bare segment */
Test(peer_reset, egress_reject_bare_segment_counts_two_peer_resets)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_REJECT);

	fx_run_spec(FX_EGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .local_resets = 1, .peer_resets = 2 });
}

/* A peer RST the kernel refused to send is not counted, and the local
 * socket is reset all the same. */
Test(peer_reset, egress_reject_on_down_interface_still_resets_locally)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	struct rst_want w = rst_answering(&s);

	fx_lo_down();
	fx_run_spec(FX_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &w);
	counters_are(id, (struct pf_counters){ .local_resets = 1 });
}

Test(peer_reset, syn_reject_counts_syn_and_peer_reset)
{
	struct pkt_spec s = fx_to_portal(AF_INET6, PKT_TCP_SYN);
	__u64 id = fx_fence_tcp(V6_PORTAL, PF_DIR_IN, PF_METHOD_REJECT);

	fx_run_spec(FX_INGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .syns_dropped = 1, .peer_resets = 1 });
}

/* and the silent drop leaves the peer waiting: it is a knock */
Test(peer_reset, syn_drop_counts_syn_and_knock_only)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);

	fx_run_spec(FX_INGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .syns_dropped = 1, .knocks = 1 });
}

Test(peer_reset, data_in_drop_counts_segment_and_knock)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_IN, PF_METHOD_DROP);

	fx_run_spec(FX_INGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .segs_dropped = 1, .knocks = 1 });
}

Test(peer_reset, data_in_reject_counts_segment_and_peer_reset)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_IN, PF_METHOD_REJECT);

	fx_run_spec(FX_INGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .segs_dropped = 1, .peer_resets = 1 });
}

Test(peer_reset, rst_from_portal_drop_counts_segment)
{
	struct pkt_spec s = fx_from_portal(AF_INET6, PKT_TCP_RST);
	__u64 id = fx_fence_tcp(V6_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);

	fx_run_spec(FX_EGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .segs_dropped = 1 });
}

Test(peer_reset, udp_drop_counts_segment)
{
	struct pkt_spec s = fx_to_portal(AF_INET, 0);
	__u64 id = fx_fence(IPPROTO_UDP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_BOTH,
			    PF_METHOD_REJECT, 0);

	s.proto = IPPROTO_UDP;
	fx_run_spec(FX_INGRESS, &s, &r);
	counters_are(id, (struct pf_counters){ .segs_dropped = 1 });
}

Test(peer_reset, passing_traffic_counts_nothing)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);

	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
	counters_are(id, (struct pf_counters){ 0 });
}

Test(peer_reset, other_portal_counters_untouched)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);
	__u64 hit = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	__u64 other = fx_fence(IPPROTO_TCP, V4_PORTAL, 0, PORTAL_PORT + 1, PF_DIR_BOTH,
			       PF_METHOD_DROP, 0);
	struct pf_counters zero = {}, c;

	fx_run_spec(FX_INGRESS, &s, &r);
	c = fx_portal_stats(other);
	cr_assert_arr_eq(&c, &zero, sizeof(zero), "the other portal's counters moved");
	c = fx_portal_stats(hit);
	cr_assert_eq(c.syns_dropped, 1);
}
