// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A portal being drained (PF_F_DRAINING, its deadline ahead): a segment
 * that carries a new request reaches the server as the bare ACK it
 * carried, exactly (same header, options and offsets, right lengths and
 * checksums, recomputed here from the bytes); what carries no payload
 * passes as it came; new connections are still held off; the server's
 * own traffic flows; and past the deadline the full fence is back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(drain, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Sets the deadline of the (one) fence entry, as block does. */
static void set_deadline(__u64 drain_until)
{
	char path[512];
	struct pf_portal_key key;
	struct pf_policy policy;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", getenv("PF_TEST_BPF_PIN_DIR"), PF_PIN_PORTALS);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(bpf_map_get_next_key(fd, NULL, &key), 0, "no fence entry");
	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &policy), 0);
	policy.drain_until = drain_until;
	policy.drain_lease = drain_until;
	policy.drain_stall_ns = 50000000;
	cr_assert_eq(bpf_map_update_elem(fd, &key, &policy, BPF_EXIST), 0, "%s", strerror(errno));
	close(fd);
}

static __u64 fence_draining(int family, uint8_t direction)
{
	__u64 id = fx_fence(IPPROTO_TCP, family == AF_INET ? V4_PORTAL : V6_PORTAL, 0, PORTAL_PORT,
			    direction, PF_METHOD_DROP, PF_F_DRAINING);

	set_deadline(now_ns() + 60ULL * 1000000000ULL);
	return id;
}

/* r.data is the input frame cut to its TCP header: the bytes before it
 * as they were but for the IP length (and IPv4 checksum), the header as
 * it was but for PSH/FIN/URG and the checksum, and both checksums right. */
static void assert_cut_to_ack(const struct pkt_spec *s)
{
	size_t l3 = r.lay.l3, l4 = r.lay.l4, hlen = PKT_TCP_HLEN + s->tcp_opt_len;
	const uint8_t *ip = r.data + l3, *th = r.data + l4;
	const uint8_t *in_th = r.in + l4;

	cr_assert_eq(r.retval, TC_ACT_UNSPEC, "verdict %d, want TC_ACT_UNSPEC", r.retval);
	cr_assert_eq(r.len, l4 + hlen, "frame is %zu bytes, want %zu (headers only)", r.len,
		     l4 + hlen);
	if (s->family == AF_INET) {
		cr_assert_eq(pkt_get16(ip + 2), l4 - l3 + hlen, "IPv4 total length %u",
			     pkt_get16(ip + 2));
		cr_assert(pkt_ipv4_csum_ok(ip), "IPv4 header checksum wrong");
		cr_assert_arr_eq(r.data, r.in, l3 + 2, "bytes before the IPv4 length changed");
		cr_assert_arr_eq(ip + 4, r.in + l3 + 4, 6, "IPv4 id/frag/ttl/proto changed");
		cr_assert_arr_eq(ip + 12, r.in + l3 + 12, l4 - l3 - 12, "addresses/options changed");
	} else {
		cr_assert_eq(pkt_get16(ip + 4), l4 - l3 - PKT_IPV6_HLEN + hlen,
			     "IPv6 payload length %u", pkt_get16(ip + 4));
		cr_assert_arr_eq(r.data, r.in, l3 + 4, "bytes before the IPv6 length changed");
		cr_assert_arr_eq(ip + 6, r.in + l3 + 6, l4 - l3 - 6, "IPv6 header/extensions changed");
	}
	cr_assert_eq(pkt_get32(th + 4), s->seq, "seq %u, want %u", pkt_get32(th + 4), s->seq);
	cr_assert_eq(pkt_get32(th + 8), s->ack, "ack %u, want %u", pkt_get32(th + 8), s->ack);
	cr_assert_arr_eq(th, in_th, 12, "ports/seq/ack changed");
	cr_assert_eq(th[12], in_th[12], "data offset changed");
	cr_assert_eq(th[13], in_th[13] & ~(PKT_TCP_PSH | PKT_TCP_FIN | 0x20),
		     "flags 0x%02x, from 0x%02x", th[13], in_th[13]);
	cr_assert_eq(th[13] & PKT_TCP_ACK, PKT_TCP_ACK, "no ACK flag");
	cr_assert_arr_eq(th + 14, in_th + 14, 2, "window changed");
	cr_assert_arr_eq(th + 20, in_th + 20, hlen - 20, "TCP options changed");
	cr_assert(pkt_l4_csum_ok(s->family, s->family == AF_INET ? ip + 12 : ip + 8,
				 s->family == AF_INET ? ip + 16 : ip + 24, IPPROTO_TCP, th, hlen),
		  "TCP checksum 0x%04x wrong", pkt_get16(th + 16));
}

static struct pkt_spec request(int family, size_t payload)
{
	struct pkt_spec s = fx_to_portal(family, PKT_TCP_ACK | PKT_TCP_PSH);

	s.payload_len = payload;
	s.seq = 123456789;
	s.ack = 987654321;
	s.window = 501;
	return s;
}

static void cut(int family)
{
	struct pkt_spec s = request(family, 48);	/* an iSCSI command PDU header */
	__u64 id = fence_draining(family, PF_DIR_BOTH);
	struct pf_counters c;

	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
	c = fx_portal_stats(id);
	cr_assert_eq(c.segs_dropped, 1, "the cut payload counts as a dropped segment: %llu",
		     c.segs_dropped);
	cr_assert_eq(fx_stats().segs_dropped, 1, "global segs_dropped");
}

Test(drain, ipv4_request_becomes_its_ack) { cut(AF_INET); }
Test(drain, ipv6_request_becomes_its_ack) { cut(AF_INET6); }

Test(drain, options_and_ip_options_kept_in_place)
{
	struct pkt_spec s = request(AF_INET, 1000);

	s.ip_opt_len = 8;
	s.tcp_opt_len = 12;	/* timestamps, as Linux sends them */
	fence_draining(AF_INET, PF_DIR_BOTH);
	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
}

/* the payload cut reaches past any number of extension headers */
Test(drain, a_request_behind_twenty_extension_headers_is_cut)
{
	struct pkt_spec s = request(AF_INET6, 300);
	unsigned int i;

	for (i = 0; i < 20; i++)
		s.ext[i] = i & 1 ? PKT_EXT_DEST : PKT_EXT_ROUTING;
	s.next = 20;
	fence_draining(AF_INET6, PF_DIR_BOTH);
	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
}

Test(drain, ipv6_extension_headers_and_40_bytes_of_options)
{
	struct pkt_spec s = request(AF_INET6, 700);

	s.next = 2;
	s.ext[0] = PKT_EXT_HOP;
	s.ext[1] = PKT_EXT_DEST;
	s.tcp_opt_len = 40;
	s.nvlan = 1;
	s.vlan_tci[0] = 7;
	fence_draining(AF_INET6, PF_DIR_BOTH);
	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
}

/* A GRO super-packet: one bare ACK, its GSO state cleared. */
static void gro_super_packet(int family)
{
	struct pkt_spec s = request(family, 3000);
	struct __sk_buff ctx = { .gso_size = 1000, .gso_segs = 3 };

	s.tcp_opt_len = 12;
	fence_draining(family, PF_DIR_BOTH);
	fx_run_ctx(FX_INGRESS, &s, &ctx, &r);
	assert_cut_to_ack(&s);
	/* (test_run reports gso_segs back, not gso_size) */
	cr_assert_eq(r.ctx_out.gso_segs, 0, "gso_segs %u left on a bare ACK", r.ctx_out.gso_segs);
}

Test(drain, ipv4_gso_sized_request_becomes_one_ack) { gro_super_packet(AF_INET); }
Test(drain, ipv6_gso_sized_request_becomes_one_ack) { gro_super_packet(AF_INET6); }

/* The peer's last data with its FIN: the ACK stays, the FIN goes with the
 * data it followed (a FIN past bytes never delivered would be a lie). */
Test(drain, data_with_fin_loses_both)
{
	struct pkt_spec s = request(AF_INET, 100);

	s.tcp_flags |= PKT_TCP_FIN;
	fence_draining(AF_INET, PF_DIR_BOTH);
	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
	cr_assert_eq(r.data[r.lay.l4 + 13], PKT_TCP_ACK, "flags 0x%02x", r.data[r.lay.l4 + 13]);
}

static void passes(int family, uint8_t flags)
{
	struct pkt_spec s = fx_to_portal(family, flags);
	__u64 id = fence_draining(family, PF_DIR_BOTH);

	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
	cr_assert_eq(fx_portal_stats(id).segs_dropped, 0, "counted as dropped");
}

Test(drain, pure_ack_passes) { passes(AF_INET, PKT_TCP_ACK); }
Test(drain, ipv6_pure_ack_passes) { passes(AF_INET6, PKT_TCP_ACK); }
Test(drain, fin_passes) { passes(AF_INET, PKT_TCP_ACK | PKT_TCP_FIN); }
Test(drain, rst_passes) { passes(AF_INET, PKT_TCP_RST); }

Test(drain, window_update_passes)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_ACK);

	s.window = 65000;
	s.tcp_opt_len = 12;
	fence_draining(AF_INET, PF_DIR_BOTH);
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
}

Test(drain, syn_dropped_with_both)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);
	__u64 id = fence_draining(AF_INET, PF_DIR_BOTH);

	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d, want TC_ACT_SHOT", r.retval);
	cr_assert_eq(fx_portal_stats(id).syns_dropped, 1, "syns_dropped");
	cr_assert_eq(fx_stats().syns_dropped, 1, "global syns_dropped");
}

Test(drain, syn_passes_with_out)
{
	struct pkt_spec s = fx_to_portal(AF_INET, PKT_TCP_SYN);

	fence_draining(AF_INET, PF_DIR_OUT);
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
}

Test(drain, out_cuts_requests_too)
{
	struct pkt_spec s = request(AF_INET6, 200);

	fence_draining(AF_INET6, PF_DIR_OUT);
	fx_run_spec(FX_INGRESS, &s, &r);
	assert_cut_to_ack(&s);
}

/* The server's replies, and the RST of each socket the sweep destroys. */
static void egress_passes(uint8_t flags, size_t payload)
{
	struct pkt_spec s = fx_from_portal(AF_INET, flags);
	__u64 id;

	s.payload_len = payload;
	id = fence_draining(AF_INET, PF_DIR_BOTH);
	fx_run_spec(FX_EGRESS, &s, &r);
	fx_assert_untouched(&r);
	cr_assert_eq(fx_portal_stats(id).local_resets, 0, "local_resets");
}

Test(drain, egress_data_flows) { egress_passes(PKT_TCP_ACK | PKT_TCP_PSH, 1400); }
Test(drain, egress_rst_of_a_drained_socket_flows) { egress_passes(PKT_TCP_RST | PKT_TCP_ACK, 0); }

/* A block killed half-way never ends the drain itself: at its deadline
 * the fence applies in full, the flag notwithstanding. */
Test(drain, past_the_deadline_the_fence_is_whole)
{
	struct pkt_spec in = request(AF_INET, 100), out = fx_from_portal(AF_INET, PKT_TCP_ACK);
	__u64 id = fx_fence(IPPROTO_TCP, V4_PORTAL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP,
			    PF_F_DRAINING);

	set_deadline(now_ns() - 1);
	fx_run_spec(FX_INGRESS, &in, &r);
	fx_assert_untouched(&r);	/* "both": the local reply is reset instead */
	out.payload_len = 100;
	fx_run_spec(FX_EGRESS, &out, &r);
	cr_assert_eq(r.retval, TC_ACT_REDIRECT, "egress verdict %d, want the local RST", r.retval);
	cr_assert_eq(fx_portal_stats(id).local_resets, 1, "local_resets");
	cr_assert_eq(fx_portal_stats(id).segs_dropped, 0, "segs_dropped");
}
