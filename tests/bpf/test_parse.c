// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the parser sees through and what it leaves alone. Every frame here
 * is addressed to a portal fenced "both"/drop, so a frame the programs
 * parse is dropped (a SYN) and a frame they cannot parse to the end of its
 * L4 header passes with not a byte changed. */
#include <criterion/criterion.h>

#include "fixture.h"

static void fence_both_families(void)
{
	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_fence_tcp(V6_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_fence(IPPROTO_UDP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
}

static void setup(void)
{
	fx_setup();
	fence_both_families();
}

TestSuite(parse, .init = setup, .fini = fx_teardown);

static struct fx_result r;

static void dropped(const struct pkt_spec *s)
{
	fx_run_spec(FX_INGRESS, s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d: the fenced SYN was not recognised",
		     r.retval);
}

static struct pkt_spec syn(int family)
{
	return fx_to_portal(family, PKT_TCP_SYN);
}

/* A frame built from s, then damaged by the caller, then cut to len
 * bytes (0: whole frame). */
struct raw {
	uint8_t b[2048];
	size_t len;
	struct pkt_layout lay;
};

static struct raw build(const struct pkt_spec *s)
{
	struct raw f;

	f.len = pkt_build(s, f.b, sizeof(f.b), &f.lay);
	cr_assert_gt(f.len, 0);
	return f;
}

static void refresh_ipv4_csum(struct raw *f)
{
	uint8_t *ip = f->b + f->lay.l3;
	size_t hlen = (ip[0] & 0x0f) * 4;

	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, pkt_csum_fold(pkt_csum_add(0, ip, hlen < 20 ? 20 : hlen)));
}

static void passes(const struct raw *f, size_t len)
{
	fx_run_raw(FX_INGRESS, f->b, len ? len : f->len, &r);
	fx_assert_untouched(&r);
}

/* parsed: the frames a fence must recognise */
Test(parse, ipv4_syn_parsed) { struct pkt_spec s = syn(AF_INET); dropped(&s); }
Test(parse, ipv6_syn_parsed) { struct pkt_spec s = syn(AF_INET6); dropped(&s); }

Test(parse, one_vlan_tag_parsed)
{
	struct pkt_spec s = syn(AF_INET);

	s.nvlan = 1;
	s.vlan_tci[0] = 42;
	dropped(&s);
}

Test(parse, two_vlan_tags_qinq_parsed)
{
	struct pkt_spec s = syn(AF_INET6);

	s.nvlan = 2;
	s.vlan_tpid[0] = PKT_ETH_P_8021AD;
	s.vlan_tci[0] = 7;
	s.vlan_tci[1] = 42;
	dropped(&s);
}

Test(parse, two_8021q_tags_parsed)
{
	struct pkt_spec s = syn(AF_INET);

	s.nvlan = 2;
	dropped(&s);
}

Test(parse, ipv4_options_parsed)
{
	struct pkt_spec s = syn(AF_INET);

	s.ip_opt_len = 40;	/* the most an IHL of 15 allows */
	dropped(&s);
}

Test(parse, tcp_options_parsed)
{
	struct pkt_spec s = syn(AF_INET6);

	s.tcp_opt_len = 40;
	dropped(&s);
}

Test(parse, ipv4_first_fragment_parsed)
{
	struct pkt_spec s = syn(AF_INET);

	s.ip_frag = PKT_IP_MF;
	dropped(&s);
}

static void ipv6_ext_parsed(const uint8_t *ext, unsigned int n)
{
	struct pkt_spec s = syn(AF_INET6);

	memcpy(s.ext, ext, n);
	s.next = n;
	s.ext_frag_more = true;
	dropped(&s);
}

Test(parse, ipv6_hop_by_hop_parsed) { ipv6_ext_parsed((uint8_t[]){ PKT_EXT_HOP }, 1); }
Test(parse, ipv6_routing_parsed) { ipv6_ext_parsed((uint8_t[]){ PKT_EXT_ROUTING }, 1); }
Test(parse, ipv6_dest_opts_parsed) { ipv6_ext_parsed((uint8_t[]){ PKT_EXT_DEST }, 1); }
Test(parse, ipv6_first_fragment_parsed) { ipv6_ext_parsed((uint8_t[]){ PKT_EXT_FRAGMENT }, 1); }
Test(parse, ipv6_auth_header_parsed) { ipv6_ext_parsed((uint8_t[]){ PKT_EXT_AUTH }, 1); }
Test(parse, ipv6_six_extension_headers_parsed)
{
	ipv6_ext_parsed((uint8_t[]){ PKT_EXT_HOP, PKT_EXT_DEST, PKT_EXT_ROUTING,
				     PKT_EXT_FRAGMENT, PKT_EXT_AUTH, PKT_EXT_DEST }, 6);
}

/* Linux sets no limit on the number of extension headers (a SYN behind
 * seven Destination Options headers gets its SYN-ACK): the whole chain is
 * walked, however long. */
static void dest_opts_chain(unsigned int n, bool to_fenced)
{
	struct pkt_spec s = syn(AF_INET6);
	unsigned int i;

	for (i = 0; i < n; i++)
		s.ext[i] = PKT_EXT_DEST;
	s.next = n;
	if (to_fenced) {
		dropped(&s);
		return;
	}
	s.dport = PORTAL_PORT + 1;
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
}

Test(parse, ipv6_seven_extension_headers_to_fenced_portal_dropped) { dest_opts_chain(7, true); }
Test(parse, ipv6_sixty_four_extension_headers_to_fenced_portal_dropped)
{
	dest_opts_chain(64, true);
}
Test(parse, ipv6_sixty_four_extension_headers_to_another_port_pass) { dest_opts_chain(64, false); }

/* A first fragment cut inside its TCP header (RFC 1858's tiny fragment):
 * the ports are there (a fragment carries 8 bytes at least), nothing a
 * fence could judge it by: a fence it goes against fails closed. */
static struct raw tiny_first_fragment(int family, size_t l4_bytes, uint16_t dport)
{
	struct pkt_spec s = syn(family);
	struct raw f;
	uint8_t *ip;

	s.dport = dport;
	s.tcp_opt_len = 20;
	if (family == AF_INET) {
		s.ip_frag = PKT_IP_MF;
	} else {
		s.next = 1;
		s.ext[0] = PKT_EXT_FRAGMENT;
		s.ext_frag_more = true;
	}
	f = build(&s);
	ip = f.b + f.lay.l3;
	f.len = f.lay.l4 + l4_bytes;
	if (family == AF_INET) {
		pkt_put16(ip + 2, (uint16_t)(f.len - f.lay.l3));
		refresh_ipv4_csum(&f);
	} else {
		pkt_put16(ip + 4, (uint16_t)(f.len - f.lay.l3 - PKT_IPV6_HLEN));
	}
	return f;
}

static void tiny_fragment_dropped(int family, size_t l4_bytes)
{
	struct raw f = tiny_first_fragment(family, l4_bytes, PORTAL_PORT);

	fx_run_raw(FX_INGRESS, f.b, f.len, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "a tiny first fragment to a fenced portal: verdict %d",
		     r.retval);
	cr_assert_eq(fx_stats().segs_dropped, 1);
	cr_assert_eq(fx_knock_count(), 0, "no knock: it cannot be answered");
}

Test(parse, ipv4_tiny_first_fragment_to_fenced_portal_is_dropped) { tiny_fragment_dropped(AF_INET, 8); }
Test(parse, ipv6_tiny_first_fragment_to_fenced_portal_is_dropped) { tiny_fragment_dropped(AF_INET6, 8); }
/* 24 of 40 header bytes: the options spill into the next fragment */
Test(parse, ipv4_first_fragment_with_split_options_is_dropped) { tiny_fragment_dropped(AF_INET, 24); }
Test(parse, ipv6_first_fragment_with_split_options_is_dropped) { tiny_fragment_dropped(AF_INET6, 32); }

Test(parse, tiny_first_fragment_to_another_port_passes)
{
	struct raw f = tiny_first_fragment(AF_INET, 8, PORTAL_PORT + 1);

	passes(&f, 0);
}

Test(parse, truncated_tcp_header_outside_a_fragment_passes)
{
	/* not a fragment: a malformed segment the stack drops itself */
	struct raw f = tiny_first_fragment(AF_INET, 8, PORTAL_PORT);
	uint8_t *ip = f.b + f.lay.l3;

	pkt_put16(ip + 6, 0);
	refresh_ipv4_csum(&f);
	passes(&f, 0);
}

/* left alone: no L4 header to read, or a malformed one */
Test(parse, ipv4_later_fragment_passes)
{
	struct pkt_spec s = syn(AF_INET);

	s.ip_frag = PKT_IP_MF | 185;	/* offset 1480: no TCP header here */
	struct raw f = build(&s);

	passes(&f, 0);
}

Test(parse, ipv6_later_fragment_passes)
{
	struct pkt_spec s = syn(AF_INET6);

	s.next = 1;
	s.ext[0] = PKT_EXT_FRAGMENT;
	s.ext_frag_off = 185;
	struct raw f = build(&s);

	passes(&f, 0);
}

static struct raw syn_frame(int family)
{
	struct pkt_spec s = syn(family);

	return build(&s);
}

/* BPF_PROG_TEST_RUN itself refuses frames whose Ethernet type is IPv4 or
 * IPv6 but which are too short for the IP header (EINVAL), and a bare
 * Ethernet header. Behind a VLAN tag the kernel does not look, so that is
 * how short L2 and L3 headers reach the program here. */
static struct raw tagged_syn_frame(int family)
{
	struct pkt_spec s = syn(family);

	s.nvlan = 1;
	return build(&s);
}

Test(parse, truncated_vlan_tag_passes)
{
	struct raw f = tagged_syn_frame(AF_INET);

	passes(&f, PKT_ETH_HLEN + 2);	/* the TCI, not the inner ethertype */
}

Test(parse, short_ipv4_header_passes)
{
	struct raw f = tagged_syn_frame(AF_INET);

	passes(&f, f.lay.l3 + 12);
}

Test(parse, short_ipv6_header_passes)
{
	struct raw f = tagged_syn_frame(AF_INET6);

	passes(&f, f.lay.l3 + 30);
}

/* Aimed so that a parser taking IHL 4 at its word would see a SYN to a
 * fenced portal: the "TCP header" 16 bytes in starts at the destination
 * address, whose low half is port 3260, and its doff/flags bytes are the
 * real header's ack (0x5002....: doff 5, SYN). */
Test(parse, ipv4_ihl_below_5_passes)
{
	struct pkt_spec s = syn(AF_INET);

	cr_assert(pkt_addrs(&s, AF_INET, V4_PEER, "198.18.12.188"));	/* .12.188 = 3260 */
	s.ack = 0x50020000;
	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	struct raw f = build(&s);

	f.b[f.lay.l3] = 0x44;
	refresh_ipv4_csum(&f);
	passes(&f, 0);
}

Test(parse, ipv4_ihl_beyond_total_length_passes)
{
	struct raw f = syn_frame(AF_INET);

	f.b[f.lay.l3] = 0x4f;	/* 60-byte header in a 40-byte packet */
	refresh_ipv4_csum(&f);
	passes(&f, 0);
}

Test(parse, ipv4_header_with_version_6_passes)
{
	struct raw f = syn_frame(AF_INET);

	f.b[f.lay.l3] = 0x65;
	passes(&f, 0);
}

Test(parse, ipv6_truncated_extension_header_passes)
{
	struct pkt_spec s = syn(AF_INET6);

	s.next = 1;
	s.ext[0] = PKT_EXT_HOP;
	struct raw f = build(&s);

	passes(&f, f.lay.l3 + PKT_IPV6_HLEN + 2);
}

Test(parse, ipv6_extensions_beyond_payload_length_passes)
{
	struct pkt_spec s = syn(AF_INET6);

	s.next = 2;
	s.ext[0] = PKT_EXT_HOP;
	s.ext[1] = PKT_EXT_DEST;
	struct raw f = build(&s);

	pkt_put16(f.b + f.lay.l3 + 4, 12);	/* payload length ends inside them */
	passes(&f, 0);
}

Test(parse, short_tcp_header_passes)
{
	struct raw f = syn_frame(AF_INET);

	passes(&f, f.lay.l4 + 10);
}

static void tcp_doff_passes(int family, uint8_t doff)
{
	struct raw f = syn_frame(family);

	f.b[f.lay.l4 + 12] = (uint8_t)(doff << 4);
	passes(&f, 0);
}

Test(parse, tcp_doff_below_5_passes) { tcp_doff_passes(AF_INET, 4); }
Test(parse, tcp_doff_zero_passes) { tcp_doff_passes(AF_INET6, 0); }
Test(parse, tcp_doff_beyond_segment_passes) { tcp_doff_passes(AF_INET, 15); }

Test(parse, short_udp_header_passes)
{
	struct pkt_spec s = syn(AF_INET);

	s.proto = IPPROTO_UDP;
	struct raw f = build(&s);

	passes(&f, f.lay.l4 + 4);
}

Test(parse, other_ip_protocol_passes)
{
	struct raw f = syn_frame(AF_INET);

	f.b[f.lay.l3 + 9] = IPPROTO_ICMP;
	refresh_ipv4_csum(&f);
	passes(&f, 0);
}

Test(parse, non_ip_ethertype_passes)
{
	struct raw f = syn_frame(AF_INET);

	pkt_put16(f.b + 12, 0x0806);	/* ARP */
	passes(&f, 0);
}

/* The egress program parses with the same code: a damaged segment from
 * the portal is not turned into a reset. */
Test(parse, egress_bad_doff_from_portal_passes)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK);
	struct raw f = build(&s);

	f.b[f.lay.l4 + 12] = 3 << 4;
	fx_run_raw(FX_EGRESS, f.b, f.len, &r);
	fx_assert_untouched(&r);
}
