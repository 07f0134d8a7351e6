// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* docs/reference.md, Fence semantics, the table row by row: for each kind
 * of traffic, each direction (in/out/both) and method (drop/reject), what
 * the ingress and egress programs do with it. The RSTs' fields are checked in full here
 * through rst_answering(); local_reset and peer_reset test the corners. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "rst_check.h"

TestSuite(policy, .init = fx_setup, .fini = fx_teardown);

enum outcome {
	PASSES,		/* TC_ACT_UNSPEC, not a byte changed */
	DROPPED,	/* TC_ACT_SHOT */
	ANSWERED,	/* TC_ACT_REDIRECT, rewritten into the RST answering it */
};

static struct fx_result r;

static void fence_portal_of(const struct pkt_spec *s, uint8_t direction, uint8_t method)
{
	fx_fence(s->proto, s->family == AF_INET ? V4_PORTAL : V6_PORTAL, 0, PORTAL_PORT,
		 direction, method, 0);
}

static void expect(enum fx_hook hook, const struct pkt_spec *s, uint8_t direction,
		   uint8_t method, enum outcome want)
{
	struct rst_want w = rst_answering(s);

	fence_portal_of(s, direction, method);
	fx_run_spec(hook, s, &r);
	switch (want) {
	case PASSES:
		fx_assert_untouched(&r);
		break;
	case DROPPED:
		cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d, want TC_ACT_SHOT", r.retval);
		break;
	case ANSWERED:
		cr_assert_eq(r.retval, TC_ACT_REDIRECT, "verdict %d, want TC_ACT_REDIRECT",
			     r.retval);
		assert_rst(r.data, r.len, s, r.in, &w);
		break;
	}
}

static struct pkt_spec to_portal(uint8_t flags)
{
	struct pkt_spec s = fx_to_portal(AF_INET, flags);

	if (flags & PKT_TCP_ACK)
		s.payload_len = 100;
	return s;
}

static struct pkt_spec from_portal(uint8_t flags)
{
	struct pkt_spec s = fx_from_portal(AF_INET, flags);

	if (flags & PKT_TCP_ACK)
		s.payload_len = 100;
	return s;
}

static struct pkt_spec udp(struct pkt_spec s)
{
	s.proto = IPPROTO_UDP;
	s.payload_len = 48;
	return s;
}

/* One row of the table: a test named for it, one frame, one verdict. */
#define ROW(name, hook, frame, direction, method, want)			\
	Test(policy, name)						\
	{								\
		struct pkt_spec s = frame;				\
									\
		expect(hook, &s, direction, method, want);		\
	}

#define SYN		PKT_TCP_SYN
#define DATA		(PKT_TCP_ACK | PKT_TCP_PSH)
#define FIN		(PKT_TCP_FIN | PKT_TCP_ACK)
#define RST		(PKT_TCP_RST | PKT_TCP_ACK)
#define DROP		PF_METHOD_DROP
#define REJECT		PF_METHOD_REJECT

/* row: new connection attempt (SYN) to the portal */
ROW(syn_to_portal_in_drop_dropped,
    FX_INGRESS, to_portal(SYN), PF_DIR_IN, DROP, DROPPED)
ROW(syn_to_portal_in_reject_answered,
    FX_INGRESS, to_portal(SYN), PF_DIR_IN, REJECT, ANSWERED)
ROW(syn_to_portal_out_drop_passes,
    FX_INGRESS, to_portal(SYN), PF_DIR_OUT, DROP, PASSES)
ROW(syn_to_portal_out_reject_passes,
    FX_INGRESS, to_portal(SYN), PF_DIR_OUT, REJECT, PASSES)
ROW(syn_to_portal_both_drop_dropped,
    FX_INGRESS, to_portal(SYN), PF_DIR_BOTH, DROP, DROPPED)
ROW(syn_to_portal_both_reject_answered,
    FX_INGRESS, to_portal(SYN), PF_DIR_BOTH, REJECT, ANSWERED)
Test(policy, ipv6_syn_to_portal_both_reject_answered)
{
	struct pkt_spec s = fx_to_portal(AF_INET6, SYN);

	expect(FX_INGRESS, &s, PF_DIR_BOTH, REJECT, ANSWERED);
}

/* row: other segments to the portal */
ROW(data_to_portal_in_drop_dropped,
    FX_INGRESS, to_portal(DATA), PF_DIR_IN, DROP, DROPPED)
ROW(data_to_portal_in_reject_answered,
    FX_INGRESS, to_portal(DATA), PF_DIR_IN, REJECT, ANSWERED)
ROW(fin_to_portal_in_drop_dropped,
    FX_INGRESS, to_portal(FIN), PF_DIR_IN, DROP, DROPPED)
ROW(fin_to_portal_in_reject_answered,
    FX_INGRESS, to_portal(FIN), PF_DIR_IN, REJECT, ANSWERED)
/* RFC 793: an RST is never answered with an RST */
ROW(rst_to_portal_in_reject_dropped_unanswered,
    FX_INGRESS, to_portal(RST), PF_DIR_IN, REJECT, DROPPED)
ROW(data_to_portal_out_drop_passes,
    FX_INGRESS, to_portal(DATA), PF_DIR_OUT, DROP, PASSES)
ROW(data_to_portal_out_reject_passes,
    FX_INGRESS, to_portal(DATA), PF_DIR_OUT, REJECT, PASSES)
ROW(data_to_portal_both_drop_passes,
    FX_INGRESS, to_portal(DATA), PF_DIR_BOTH, DROP, PASSES)
ROW(data_to_portal_both_reject_passes,
    FX_INGRESS, to_portal(DATA), PF_DIR_BOTH, REJECT, PASSES)
ROW(rst_to_portal_both_passes,
    FX_INGRESS, to_portal(RST), PF_DIR_BOTH, DROP, PASSES)
/* a SYN-ACK is an answer, not a new connection attempt */
ROW(syn_ack_to_portal_both_passes,
    FX_INGRESS, to_portal(SYN | PKT_TCP_ACK), PF_DIR_BOTH, DROP, PASSES)

/* row: any segment from the portal (not RST) */
ROW(data_from_portal_in_passes,
    FX_EGRESS, from_portal(DATA), PF_DIR_IN, REJECT, PASSES)
ROW(data_from_portal_out_drop_reset_locally,
    FX_EGRESS, from_portal(DATA), PF_DIR_OUT, DROP, ANSWERED)
ROW(data_from_portal_out_reject_reset_locally,
    FX_EGRESS, from_portal(DATA), PF_DIR_OUT, REJECT, ANSWERED)
ROW(data_from_portal_both_drop_reset_locally,
    FX_EGRESS, from_portal(DATA), PF_DIR_BOTH, DROP, ANSWERED)
ROW(fin_from_portal_both_reset_locally,
    FX_EGRESS, from_portal(FIN), PF_DIR_BOTH, DROP, ANSWERED)
ROW(syn_ack_from_portal_both_reset_locally,
    FX_EGRESS, from_portal(SYN | PKT_TCP_ACK), PF_DIR_BOTH, DROP, ANSWERED)
Test(policy, ipv6_data_from_portal_both_reset_locally)
{
	struct pkt_spec s = fx_from_portal(AF_INET6, DATA);

	s.payload_len = 1400;
	expect(FX_EGRESS, &s, PF_DIR_BOTH, DROP, ANSWERED);
}

/* row: RST from the portal */
ROW(rst_from_portal_in_passes,
    FX_EGRESS, from_portal(RST), PF_DIR_IN, DROP, PASSES)
ROW(rst_from_portal_out_drop_dropped,
    FX_EGRESS, from_portal(RST), PF_DIR_OUT, DROP, DROPPED)
ROW(rst_from_portal_out_reject_passes,
    FX_EGRESS, from_portal(RST), PF_DIR_OUT, REJECT, PASSES)
ROW(rst_from_portal_both_drop_dropped,
    FX_EGRESS, from_portal(RST), PF_DIR_BOTH, DROP, DROPPED)
ROW(rst_from_portal_both_reject_passes,
    FX_EGRESS, from_portal(RST), PF_DIR_BOTH, REJECT, PASSES)
ROW(bare_rst_from_portal_both_drop_dropped,
    FX_EGRESS, from_portal(PKT_TCP_RST), PF_DIR_BOTH, DROP, DROPPED)

/* UDP portals are dropped in the fenced directions, never answered */
ROW(udp_to_portal_in_dropped,
    FX_INGRESS, udp(to_portal(0)), PF_DIR_IN, DROP, DROPPED)
ROW(udp_from_portal_in_passes,
    FX_EGRESS, udp(from_portal(0)), PF_DIR_IN, DROP, PASSES)
ROW(udp_to_portal_out_passes,
    FX_INGRESS, udp(to_portal(0)), PF_DIR_OUT, DROP, PASSES)
ROW(udp_from_portal_out_dropped,
    FX_EGRESS, udp(from_portal(0)), PF_DIR_OUT, DROP, DROPPED)
ROW(udp_to_portal_both_reject_dropped,
    FX_INGRESS, udp(to_portal(0)), PF_DIR_BOTH, REJECT, DROPPED)
ROW(udp_from_portal_both_reject_dropped,
    FX_EGRESS, udp(from_portal(0)), PF_DIR_BOTH, REJECT, DROPPED)
Test(policy, ipv6_udp_to_portal_both_dropped)
{
	struct pkt_spec s = udp(fx_to_portal(AF_INET6, 0));

	expect(FX_INGRESS, &s, PF_DIR_BOTH, DROP, DROPPED);
}

/* keep-established spares established sockets from the sweep only: new
 * connection attempts are still refused */
Test(policy, keep_established_syn_still_dropped)
{
	struct pkt_spec s = to_portal(SYN);

	fx_fence(IPPROTO_TCP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_BOTH, DROP, PF_F_KEEP_ESTABLISHED);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d", r.retval);
}
