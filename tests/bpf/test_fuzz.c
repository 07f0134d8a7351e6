// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A packet fuzzer kept in the tree: tens of thousands of frames, valid ones
 * of every shape the builder knows, then damaged (bytes flipped, cut
 * short), through both programs. Whatever the frame, on every run:
 *  - with no fence at all it leaves exactly as it came;
 *  - a frame for another host's MAC leaves exactly as it came;
 *  - a frame the fence does not decide leaves with TC_ACT_UNSPEC (the
 *    next tc/tcx program or filter decides), never TC_ACT_OK, which would
 *    end the chain and silence the node's other programs;
 *  - a frame the program passes on (TC_ACT_UNSPEC) is unchanged, and one it
 *    redirects is a bare RST with valid lengths and checksums, as is every
 *    RST it clones onto the wire (captured on lo).
 * Deterministic: a fixed seed, so a failure names a frame that reproduces.
 * FUZZ_ROUNDS in the environment runs longer (make fuzz). */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(fuzz, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

static struct fx_result r;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t below(uint32_t n)
{
	return next() % n;
}

static unsigned int rounds(void)
{
	const char *env = getenv("FUZZ_ROUNDS");

	return env && atoi(env) > 0 ? (unsigned int)atoi(env) : 20000;
}

/* A valid frame of a random shape, toward a portal (ingress) or from one
 * (egress), on a fenced port or not, for this host's MAC or another's. */
static struct pkt_spec random_spec(bool to_portal)
{
	static const uint16_t ports[] = { PORTAL_PORT, PORTAL_PORT + 1, 22, 40000 };
	static const uint8_t exts[] = { PKT_EXT_HOP, PKT_EXT_ROUTING, PKT_EXT_FRAGMENT,
					PKT_EXT_AUTH, PKT_EXT_DEST };
	int family = below(2) ? AF_INET : AF_INET6;
	struct pkt_spec s = to_portal ? fx_to_portal(family, 0) : fx_from_portal(family, 0);
	unsigned int i;

	if (to_portal && below(4) == 0)
		s.dst_mac[5] = (uint8_t)(1 + below(255));	/* another host */
	if (to_portal)
		s.dport = ports[below(4)];
	else
		s.sport = ports[below(4)];
	s.nvlan = below(3);
	for (i = 0; i < s.nvlan; i++)
		s.vlan_tci[i] = (uint16_t)below(4096);
	if (below(8) == 0)
		s.proto = IPPROTO_UDP;
	s.tcp_flags = (uint8_t)next();
	s.seq = next();
	s.ack = next();
	if (s.proto == IPPROTO_TCP)
		s.tcp_opt_len = 4 * below(11);
	s.payload_len = below(4) ? below(200) : below(3000);
	if (family == AF_INET) {
		s.ip_opt_len = below(4) ? 0 : 4 * below(11);
		if (below(8) == 0)
			s.ip_frag = (uint16_t)(PKT_IP_MF | (below(2) ? 0 : below(300)));
	} else {
		s.next = below(4) ? 0 : below(4);
		for (i = 0; i < s.next; i++)
			s.ext[i] = exts[below(5)];
		s.ext_frag_off = (uint16_t)(below(2) ? 0 : below(300));
		s.ext_frag_more = below(2);
	}
	return s;
}

/* Builds a random frame into r->in, then maybe damages it. */
static void random_frame(bool to_portal)
{
	struct pkt_spec s;
	unsigned int flips, i;

	do {
		s = random_spec(to_portal);
		r.in_len = pkt_build(&s, r.in, sizeof(r.in), &r.lay);
	} while (!r.in_len);
	if (below(2)) {
		flips = 1 + below(4);
		for (i = 0; i < flips; i++)
			r.in[below((uint32_t)(r.lay.l4 + 20 < r.in_len ? r.lay.l4 + 20 : r.in_len))] ^=
				(uint8_t)(1 + below(255));
	}
	/* cut short, but not below what BPF_PROG_TEST_RUN itself accepts
	 * (Ethernet and a whole IPv6 header's worth) */
	if (below(5) == 0 && r.in_len > 54)
		r.in_len = 54 + below((uint32_t)r.in_len - 53);
}

/* lo's MAC, or a broadcast or multicast one (group bit set): only a
 * unicast frame for another MAC is another host's (PACKET_OTHERHOST) */
static bool for_this_hosts_mac(const uint8_t *frame)
{
	static const uint8_t zero[6];

	return !memcmp(frame, zero, 6) || (frame[0] & 1);
}

/* A bare RST, from its bytes alone: Ethernet (+ tags), IPv4 without
 * options or IPv6 without extensions, a 20-byte TCP header with RST set,
 * every length and checksum right. */
static void assert_valid_rst(const uint8_t *f, size_t len, unsigned int round)
{
	size_t l3 = 12, l4;
	uint16_t proto = pkt_get16(f + 12);

	while (proto == PKT_ETH_P_8021Q || proto == PKT_ETH_P_8021AD) {
		l3 += 4;
		cr_assert_leq(l3 + 2, len, "round %u: tags run past the frame", round);
		proto = pkt_get16(f + l3);
	}
	l3 += 2;
	if (proto == PKT_ETH_P_IP) {
		l4 = l3 + PKT_IPV4_HLEN;
		cr_assert_eq(len, l4 + PKT_TCP_HLEN, "round %u: RST length %zu", round, len);
		cr_assert_eq(f[l3], 0x45, "round %u: IPv4 version/IHL 0x%02x", round, f[l3]);
		cr_assert_eq(pkt_get16(f + l3 + 2), PKT_IPV4_HLEN + PKT_TCP_HLEN, "round %u", round);
		cr_assert_eq(f[l3 + 9], IPPROTO_TCP, "round %u", round);
		cr_assert(pkt_ipv4_csum_ok(f + l3), "round %u: IPv4 checksum", round);
		cr_assert(pkt_l4_csum_ok(AF_INET, f + l3 + 12, f + l3 + 16, IPPROTO_TCP, f + l4,
					 PKT_TCP_HLEN), "round %u: TCP checksum (IPv4)", round);
	} else {
		cr_assert_eq(proto, PKT_ETH_P_IPV6, "round %u: ethertype 0x%04x", round, proto);
		l4 = l3 + PKT_IPV6_HLEN;
		cr_assert_eq(len, l4 + PKT_TCP_HLEN, "round %u: RST length %zu", round, len);
		cr_assert_eq(f[l3] >> 4, 6, "round %u", round);
		cr_assert_eq(pkt_get16(f + l3 + 4), PKT_TCP_HLEN, "round %u", round);
		cr_assert_eq(f[l3 + 6], IPPROTO_TCP, "round %u", round);
		cr_assert(pkt_l4_csum_ok(AF_INET6, f + l3 + 8, f + l3 + 24, IPPROTO_TCP, f + l4,
					 PKT_TCP_HLEN), "round %u: TCP checksum (IPv6)", round);
	}
	cr_assert_eq(f[l4 + 12] >> 4, 5, "round %u: TCP data offset", round);
	cr_assert(f[l4 + 13] & PKT_TCP_RST, "round %u: RST flag missing", round);
}

Test(fuzz, with_no_fence_every_frame_leaves_as_it_came)
{
	unsigned int i, n = rounds();

	for (i = 0; i < n; i++) {
		bool to_portal = i & 1;

		random_frame(to_portal);
		fx_run_raw(to_portal ? FX_INGRESS : FX_EGRESS, r.in, r.in_len, &r);
		fx_assert_untouched(&r);
	}
}

Test(fuzz, fenced_frames_are_passed_whole_or_turned_into_valid_rsts)
{
	uint8_t wire[FX_OUT_MAX];
	unsigned int i, n = rounds();
	size_t len;

	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	fx_fence_tcp(V6_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);
	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT + 1, PF_DIR_IN, PF_METHOD_REJECT, 0);
	fx_fence(IPPROTO_UDP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	fx_capture_start();
	for (i = 0; i < n; i++) {
		bool to_portal = i & 1;

		random_frame(to_portal);
		fx_run_raw(to_portal ? FX_INGRESS : FX_EGRESS, r.in, r.in_len, &r);
		if (to_portal && r.in_len >= 6 && !for_this_hosts_mac(r.in)) {
			fx_assert_untouched(&r);
			continue;
		}
		if (r.retval == TC_ACT_UNSPEC) {
			cr_assert_eq(r.len, r.in_len, "round %u: passed, but its length changed", i);
			cr_assert_arr_eq(r.data, r.in, r.in_len, "round %u: passed, but changed", i);
		} else if (r.retval == TC_ACT_REDIRECT) {
			assert_valid_rst(r.data, r.len, i);
		} else {
			cr_assert_neq(r.retval, 0, "round %u: TC_ACT_OK ends the chain", i);
			cr_assert_eq(r.retval, TC_ACT_SHOT, "round %u: verdict %d", i, r.retval);
		}
		while ((len = fx_capture_next(wire, sizeof(wire))))
			assert_valid_rst(wire, len, i);
	}
}
