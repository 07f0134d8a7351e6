// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Which fence entries catch which packets: exact addresses, prefixes,
 * the every-address wildcard, the most specific entry winning, and that
 * traffic of a portal not fenced is never touched (docs/reference.md,
 * Fence semantics). The probe is a SYN to the portal, which a "both"/drop
 * entry drops. */
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(match, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static void syn_to(const char *addr, uint16_t port, uint8_t proto, int want)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	struct pkt_spec s = fx_to_portal(family, PKT_TCP_SYN);

	cr_assert(pkt_addrs(&s, family, family == AF_INET ? V4_PEER : V6_PEER, addr));
	s.dport = port;
	s.proto = proto;
	fx_run_spec(FX_INGRESS, &s, &r);
	if (want == TC_ACT_UNSPEC)
		fx_assert_untouched(&r);
	else
		cr_assert_eq(r.retval, want, "SYN to %s port %u: verdict %d, want %d", addr, port,
			     r.retval, want);
}

static void fence(const char *addr, unsigned int prefix)
{
	fx_fence(IPPROTO_TCP, addr, prefix, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
}

Test(match, exact_ipv4_entry_fences_its_address)
{
	fence(V4_PORTAL, 0);
	syn_to(V4_PORTAL, PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, exact_ipv6_entry_fences_its_address)
{
	fence(V6_PORTAL, 0);
	syn_to(V6_PORTAL, PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, exact_entry_leaves_other_address_untouched)
{
	fence(V4_PORTAL, 0);
	syn_to("198.18.0.3", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, exact_ipv6_entry_leaves_neighbour_untouched)
{
	fence(V6_PORTAL, 0);
	syn_to("2001:db8::3", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, exact_entry_leaves_other_port_untouched)
{
	fence(V4_PORTAL, 0);
	syn_to(V4_PORTAL, PORTAL_PORT + 1, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, tcp_entry_leaves_udp_untouched)
{
	fence(V4_PORTAL, 0);
	syn_to(V4_PORTAL, PORTAL_PORT, IPPROTO_UDP, TC_ACT_UNSPEC);
}

Test(match, udp_entry_leaves_tcp_untouched)
{
	fx_fence(IPPROTO_UDP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	syn_to(V4_PORTAL, PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, ipv4_entry_leaves_ipv6_untouched)
{
	fence(V4_PORTAL, 0);
	syn_to(V6_PORTAL, PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, wildcard_entry_fences_any_ipv4_address)
{
	fence(NULL, 0);
	syn_to("198.19.255.254", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, wildcard_entry_fences_any_ipv6_address)
{
	fence(NULL, 0);
	syn_to("2001:db8:ffff::9", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, wildcard_entry_leaves_other_port_untouched)
{
	fence(NULL, 0);
	syn_to(V4_PORTAL, PORTAL_PORT + 1, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, ipv4_prefix_24_fences_addresses_inside)
{
	fence("198.18.7.0", 24);
	syn_to("198.18.7.200", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, ipv4_prefix_24_leaves_addresses_outside)
{
	fence("198.18.7.0", 24);
	syn_to("198.18.8.1", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

Test(match, ipv6_prefix_64_fences_addresses_inside)
{
	fence("2001:db8:0:7::", 64);
	syn_to("2001:db8:0:7:ffff:1:2:3", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, ipv6_prefix_64_leaves_addresses_outside)
{
	fence("2001:db8:0:7::", 64);
	syn_to("2001:db8:0:8::1", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

/* The longest entry wins: an exact "out" entry inside a fenced /24 lets
 * SYNs to its address through while its neighbours stay fenced. */
Test(match, exact_entry_overrides_prefix)
{
	fence("198.18.7.0", 24);
	fx_fence(IPPROTO_TCP, "198.18.7.5", 0, PORTAL_PORT, PF_DIR_OUT, PF_METHOD_DROP, 0);
	syn_to("198.18.7.5", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
	syn_to("198.18.7.6", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
}

Test(match, prefix_overrides_wildcard)
{
	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_OUT, PF_METHOD_DROP, 0);
	fence("2001:db8:0:7::", 64);
	syn_to("2001:db8:0:7::1", PORTAL_PORT, IPPROTO_TCP, TC_ACT_SHOT);
	syn_to("2001:db8:0:8::1", PORTAL_PORT, IPPROTO_TCP, TC_ACT_UNSPEC);
}

/* The table is keyed by the local end: ingress looks at the destination,
 * egress at the source. This node as a client of someone else's portal
 * port is not fenced by its own entry. */
Test(match, egress_to_fenced_port_elsewhere_untouched)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);

	fence(V4_PORTAL, 0);
	fx_run_spec(FX_EGRESS, &s, &r);
	fx_assert_untouched(&r);
}

Test(match, ingress_from_fenced_port_elsewhere_untouched)
{
	struct pkt_spec s = fx_from_portal(AF_INET6, PKT_TCP_SYN);

	fence(V6_PORTAL, 0);
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
}

/* Not fenced means not touched, not even the skb's GSO state. */
Test(match, unfenced_gso_super_packet_untouched)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	struct __sk_buff ctx = { .gso_size = 1000, .gso_segs = 3 };

	s.payload_len = 3000;
	fence(V4_PORTAL, 0);
	s.sport = PORTAL_PORT + 1;
	fx_run_ctx(FX_EGRESS, &s, &ctx, &r);
	fx_assert_untouched(&r);
	cr_assert_eq(r.ctx_out.gso_segs, 3, "gso_segs %u", r.ctx_out.gso_segs);
}

Test(match, empty_table_touches_nothing)
{
	struct pkt_spec s = fx_from_portal(AF_INET6, PKT_TCP_ACK | PKT_TCP_FIN);

	s.payload_len = 500;
	fx_run_spec(FX_EGRESS, &s, &r);
	fx_assert_untouched(&r);
}
