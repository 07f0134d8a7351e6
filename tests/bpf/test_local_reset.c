// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The egress reset (docs/reference.md, Fence semantics: "a segment from
 * the portal"): a fenced portal's outgoing segment comes back as an RST
 * addressed to the local socket, redirected to ingress, with every field
 * right so the socket accepts it at once (seq = the segment's ack, RFC 5961
 * exact match). */
#include <criterion/criterion.h>

#include "fixture.h"
#include "rst_check.h"

TestSuite(local_reset, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

/* Runs seg from a portal fenced "out"/drop and checks the RST that comes
 * back: it answers seg, so it is seg reversed. */
static void local_reset_is(struct pkt_spec *seg, uint32_t want_seq, uint32_t want_ack)
{
	struct rst_want w = {
		.reversed = true,
		.seq = want_seq,
		.ack = want_ack,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};

	fx_fence_tcp(seg->family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	fx_run_spec(FX_EGRESS, seg, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d, want TC_ACT_REDIRECT", r.retval);
	assert_rst(r.data, r.len, seg, r.in, &w);
}

static struct pkt_spec data_segment(int family, size_t payload)
{
	struct pkt_spec s = fx_from_portal(family, PKT_TCP_ACK | PKT_TCP_PSH);

	s.seq = 0x10000000;
	s.ack = 0x20000000;
	s.payload_len = payload;
	return s;
}

Test(local_reset, ipv4_data_segment_answered_with_rst)
{
	struct pkt_spec s = data_segment(AF_INET, 1000);

	local_reset_is(&s, s.ack, s.seq + 1000);
}

Test(local_reset, ipv6_data_segment_answered_with_rst)
{
	struct pkt_spec s = data_segment(AF_INET6, 1000);

	local_reset_is(&s, s.ack, s.seq + 1000);
}

Test(local_reset, pure_ack_acks_its_seq)
{
	struct pkt_spec s = data_segment(AF_INET, 0);

	local_reset_is(&s, s.ack, s.seq);
}

Test(local_reset, syn_ack_counts_one_for_syn)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_SYN | PKT_TCP_ACK);

	local_reset_is(&s, s.ack, s.seq + 1);
}

Test(local_reset, fin_counts_one_after_payload)
{
	struct pkt_spec s = data_segment(AF_INET6, 300);

	s.tcp_flags = PKT_TCP_FIN | PKT_TCP_ACK;
	local_reset_is(&s, s.ack, s.seq + 300 + 1);
}

/* RFC 793: a segment without ACK is answered with seq 0 and an ACK of
 * everything it occupied (a socket in SYN-SENT needs that to accept it). */
Test(local_reset, segment_without_ack_answered_with_seq_zero)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_SYN);

	s.ack = 0xdeadbeef;	/* meaningless without the ACK flag */
	local_reset_is(&s, 0, s.seq + 1);
}

Test(local_reset, seq_wraps_around)
{
	struct pkt_spec s = data_segment(AF_INET, 100);

	s.seq = 0xffffffc0;
	local_reset_is(&s, s.ack, 0x24);
}

Test(local_reset, ipv4_options_and_tcp_options_dropped)
{
	struct pkt_spec s = data_segment(AF_INET, 200);

	s.ip_opt_len = 12;
	s.tcp_opt_len = 12;
	local_reset_is(&s, s.ack, s.seq + 200);
}

Test(local_reset, ipv6_extension_headers_dropped)
{
	struct pkt_spec s = data_segment(AF_INET6, 200);

	s.next = 3;
	s.ext[0] = PKT_EXT_HOP;
	s.ext[1] = PKT_EXT_DEST;
	s.ext[2] = PKT_EXT_ROUTING;
	local_reset_is(&s, s.ack, s.seq + 200);
}

Test(local_reset, vlan_tag_kept)
{
	struct pkt_spec s = data_segment(AF_INET, 100);

	s.nvlan = 1;
	s.vlan_tci[0] = 42;
	local_reset_is(&s, s.ack, s.seq + 100);
}

Test(local_reset, two_vlan_tags_kept)
{
	struct pkt_spec s = data_segment(AF_INET6, 100);

	s.nvlan = 2;
	s.vlan_tpid[0] = PKT_ETH_P_8021AD;
	s.vlan_tci[0] = 100;
	s.vlan_tci[1] = 42;
	local_reset_is(&s, s.ack, s.seq + 100);
}

/* What tgtd sends under load: one TSO super-packet of several MSS. The
 * kernel's test_run takes at most one page of linear data (no frags on
 * 6.18), so the super-packet is as large as that allows, with gso_size
 * set as the stack would. The RST must be a plain 54/74-byte frame with
 * the GSO state cleared, or the stack would try to segment it. */
static void gso_segment_reset(int family)
{
	struct pkt_spec s = data_segment(family, 3000);
	struct __sk_buff ctx = { .gso_size = 1000, .gso_segs = 3 };
	struct rst_want w = {
		.reversed = true,
		.seq = s.ack,
		.ack = s.seq + 3000,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};

	fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_run_ctx(FX_EGRESS, &s, &ctx, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &w);
	cr_assert_eq(r.ctx_out.gso_segs, 0, "gso_segs %u left on a bare RST", r.ctx_out.gso_segs);
}

Test(local_reset, ipv4_gso_super_packet_becomes_54_byte_rst)
{
	gso_segment_reset(AF_INET);
	cr_assert_eq(r.len, 54);
}

Test(local_reset, ipv6_gso_super_packet_becomes_74_byte_rst)
{
	gso_segment_reset(AF_INET6);
	cr_assert_eq(r.len, 74);
}

/* keep-established only spares sockets from the sweep at block time; on
 * their next transmit they are reset all the same (docs/reference.md,
 * Fence semantics; issue 2). */
Test(local_reset, keep_established_still_resets_on_transmit)
{
	struct pkt_spec s = data_segment(AF_INET, 10);

	fx_fence(IPPROTO_TCP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_OUT, PF_METHOD_DROP,
		 PF_F_KEEP_ESTABLISHED);
	fx_run_spec(FX_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	cr_assert_eq(r.len, 54);
}

Test(local_reset, counted_once_as_local_reset)
{
	struct pkt_spec s = data_segment(AF_INET, 10);
	__u64 id = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	struct pf_counters global, portal, want = { .local_resets = 1 };

	fx_run_spec(FX_EGRESS, &s, &r);
	global = fx_stats();
	portal = fx_portal_stats(id);
	cr_assert_arr_eq(&global, &want, sizeof(want), "global counters: local_resets %llu, "
			 "syns %llu, segs %llu, peer %llu", global.local_resets,
			 global.syns_dropped, global.segs_dropped, global.peer_resets);
	cr_assert_arr_eq(&portal, &want, sizeof(want), "portal counters: local_resets %llu",
			 portal.local_resets);
}

/* BIG TCP super-packets carry 0 in the IP length field (IPv4 tot_len,
 * IPv6 payload_len): the payload is then what the skb holds. */
static void big_tcp_reset(int family)
{
	struct pkt_spec s = data_segment(family, 3000);
	struct __sk_buff ctx = { .gso_size = 1000, .gso_segs = 3 };
	struct rst_want w = rst_answering(&s);
	uint8_t frame[4096];
	struct pkt_layout lay;
	size_t len = pkt_build(&s, frame, sizeof(frame), &lay);
	uint8_t *ip = frame + lay.l3;

	cr_assert_gt(len, 0);
	fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	if (family == AF_INET) {
		pkt_put16(ip + 2, 0);
		pkt_put16(ip + 10, 0);
		pkt_put16(ip + 10, pkt_csum_fold(pkt_csum_add(0, ip, PKT_IPV4_HLEN)));
	} else {
		pkt_put16(ip + 4, 0);
	}
	memcpy(r.in, frame, len);
	r.in_len = len;
	fx_run_raw_ctx(FX_EGRESS, &ctx, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &w);
}

Test(local_reset, ipv4_big_tcp_zero_total_length_uses_skb_length) { big_tcp_reset(AF_INET); }
Test(local_reset, ipv6_big_tcp_zero_payload_length_uses_skb_length) { big_tcp_reset(AF_INET6); }

/* Frames below 60 bytes arrive padded; the padding is not payload, so
 * the reset acknowledges only what the IP length says. */
Test(local_reset, ethernet_padding_not_acknowledged)
{
	struct pkt_spec s = data_segment(AF_INET, 0);
	struct rst_want w = rst_answering(&s);

	fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	r.in_len = pkt_build(&s, r.in, sizeof(r.in), NULL);
	cr_assert_eq(r.in_len, 54);
	memset(r.in + 54, 0, 6);
	r.in_len = 60;
	fx_run_raw_ctx(FX_EGRESS, NULL, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d", r.retval);
	assert_rst(r.data, r.len, &s, r.in, &w);
}
