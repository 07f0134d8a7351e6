// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The build for devices without a MAC header (ipip, sit, tun, WireGuard):
 * the frame starts at the IP header. It fences such frames as the
 * Ethernet build fences Ethernet ones, and its RST has no MACs to swap.
 * (BPF_PROG_TEST_RUN reads every frame as Ethernet and marks a frame
 * starting 0x45 multicast, so the ingress fence, which acts only on
 * frames for this host, is proven over a real tun in tests/net/l3.t.) */
#include <linux/if_ether.h>
#include <criterion/criterion.h>

#include "fixture.h"
#include "rst_check.h"

TestSuite(l3, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static struct pkt_spec data_segment(int family)
{
	struct pkt_spec s = fx_from_portal(family, PKT_TCP_ACK | PKT_TCP_PSH);

	s.seq = 0x10000000;
	s.ack = 0x20000000;
	s.payload_len = 1000;
	return s;
}

/* The L3 RST checked as the Ethernet ones are: behind the segment's own
 * Ethernet header with its MACs swapped (which an L3 frame lacks). */
static void assert_l3_rst(const struct pkt_spec *seg)
{
	uint8_t seg_frame[FX_OUT_MAX], rst[FX_OUT_MAX];
	struct pkt_layout lay;
	struct rst_want w = rst_answering(seg);

	pkt_build(seg, seg_frame, sizeof(seg_frame), &lay);
	memcpy(rst, seg_frame + ETH_ALEN, ETH_ALEN);
	memcpy(rst + ETH_ALEN, seg_frame, ETH_ALEN);
	memcpy(rst + 2 * ETH_ALEN, seg_frame + 2 * ETH_ALEN, 2);
	cr_assert_leq(r.len + ETH_HLEN, sizeof(rst));
	memcpy(rst + ETH_HLEN, r.data, r.len);
	w.reversed = true;
	assert_rst(rst, r.len + ETH_HLEN, seg, seg_frame, &w);
}

static void egress_segment_becomes_local_rst(int family)
{
	struct pkt_spec s = data_segment(family);
	size_t iphlen = family == AF_INET ? 20 : 40;

	fx_fence_tcp(family == AF_INET ? V4_PORTAL : V6_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	fx_run_l3(FX_L3_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d, want TC_ACT_REDIRECT", r.retval);
	cr_assert_eq(r.len, iphlen + 20, "RST of %zu bytes, want %zu (IP + TCP, no MAC)",
		     r.len, iphlen + 20);
	cr_assert_eq(r.data[0] >> 4, family == AF_INET ? 4 : 6, "no IP header at offset 0");
	assert_l3_rst(&s);
	cr_assert_eq(fx_stats().local_resets, 1);
}

Test(l3, ipv4_egress_segment_becomes_local_rst)
{
	egress_segment_becomes_local_rst(AF_INET);
}

Test(l3, ipv6_egress_segment_becomes_local_rst)
{
	egress_segment_becomes_local_rst(AF_INET6);
}

Test(l3, unfenced_frames_leave_untouched)
{
	struct pkt_spec out = data_segment(AF_INET), in = fx_to_portal(AF_INET6, PKT_TCP_SYN);

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	out.sport = 3261;
	fx_run_l3(FX_L3_EGRESS, &out, &r);
	fx_assert_untouched(&r);
	fx_run_l3(FX_L3_INGRESS, &in, &r);
	fx_assert_untouched(&r);
}

Test(l3, fenced_udp_dropped_on_egress)
{
	struct pkt_spec s = fx_from_portal(AF_INET, 0);

	s.proto = IPPROTO_UDP;
	s.payload_len = 100;
	fx_fence(IPPROTO_UDP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_OUT, PF_METHOD_DROP, 0);
	fx_run_l3(FX_L3_EGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d, want TC_ACT_SHOT", r.retval);
	cr_assert_eq(fx_stats().segs_dropped, 1);
}

/* Why the second build: the Ethernet one reads the IP header as MACs and
 * lets the fenced segment through. */
Test(l3, ethernet_build_cannot_read_an_l3_frame)
{
	struct pkt_spec s = data_segment(AF_INET);

	fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	fx_run_l3(FX_EGRESS, &s, &r);
	fx_assert_untouched(&r);
}

/* And the other way round: the L3 build leaves Ethernet frames alone
 * (their first nibble is no IP version) rather than misread them. */
Test(l3, l3_build_leaves_an_ethernet_frame_alone)
{
	struct pkt_spec s = data_segment(AF_INET);

	s.dst_mac[0] = 0x02;	/* first nibble 0: no IP version */
	fx_fence_tcp(V4_PORTAL, PF_DIR_OUT, PF_METHOD_DROP);
	fx_run_spec(FX_L3_EGRESS, &s, &r);
	fx_assert_untouched(&r);
}
