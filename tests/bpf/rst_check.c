// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include <criterion/criterion.h>

#include "rst_check.h"

static void assert_l2(const uint8_t *frame, const struct pkt_spec *seg, const uint8_t *seg_frame,
		      bool reversed, size_t l3)
{
	const uint8_t *dst = reversed ? seg->src_mac : seg->dst_mac;
	const uint8_t *src = reversed ? seg->dst_mac : seg->src_mac;

	cr_assert_arr_eq(frame, dst, 6, "destination MAC");
	cr_assert_arr_eq(frame + 6, src, 6, "source MAC");
	/* VLAN tags and the inner ethertype stay as they were */
	cr_assert_arr_eq(frame + 12, seg_frame + 12, l3 - 12, "VLAN tags / ethertype");
}

static void assert_ipv4(const uint8_t *ip, const struct pkt_spec *seg, bool reversed)
{
	cr_assert_eq(ip[0], 0x45, "version/IHL 0x%02x, want 0x45 (no options)", ip[0]);
	cr_assert_eq(pkt_get16(ip + 2), PKT_IPV4_HLEN + PKT_TCP_HLEN, "IPv4 total length %u",
		     pkt_get16(ip + 2));
	cr_assert_eq(pkt_get16(ip + 6) & (PKT_IP_MF | PKT_IP_OFFSET), 0, "RST is a fragment");
	cr_assert_geq(ip[8], 32, "TTL %u", ip[8]);
	cr_assert_eq(ip[9], IPPROTO_TCP, "protocol %u", ip[9]);
	cr_assert_arr_eq(ip + 12, reversed ? seg->daddr : seg->saddr, 4, "IPv4 source");
	cr_assert_arr_eq(ip + 16, reversed ? seg->saddr : seg->daddr, 4, "IPv4 destination");
	cr_assert(pkt_ipv4_csum_ok(ip), "IPv4 header checksum 0x%04x wrong", pkt_get16(ip + 10));
}

static void assert_ipv6(const uint8_t *ip, const struct pkt_spec *seg, bool reversed)
{
	cr_assert_eq(ip[0] >> 4, 6, "IP version %u", ip[0] >> 4);
	cr_assert_eq(pkt_get16(ip + 4), PKT_TCP_HLEN, "IPv6 payload length %u", pkt_get16(ip + 4));
	cr_assert_eq(ip[6], IPPROTO_TCP, "next header %u (extension headers kept?)", ip[6]);
	cr_assert_geq(ip[7], 32, "hop limit %u", ip[7]);
	cr_assert_arr_eq(ip + 8, reversed ? seg->daddr : seg->saddr, 16, "IPv6 source");
	cr_assert_arr_eq(ip + 24, reversed ? seg->saddr : seg->daddr, 16, "IPv6 destination");
}

static void assert_tcp(const uint8_t *ip, const uint8_t *th, const struct pkt_spec *seg,
		       const struct rst_want *w)
{
	int family = seg->family;
	const uint8_t *saddr = family == AF_INET ? ip + 12 : ip + 8;
	const uint8_t *daddr = family == AF_INET ? ip + 16 : ip + 24;

	cr_assert_eq(pkt_get16(th), w->reversed ? seg->dport : seg->sport, "source port %u",
		     pkt_get16(th));
	cr_assert_eq(pkt_get16(th + 2), w->reversed ? seg->sport : seg->dport, "dest port %u",
		     pkt_get16(th + 2));
	cr_assert_eq(pkt_get32(th + 4), w->seq, "seq %u, want %u", pkt_get32(th + 4), w->seq);
	cr_assert_eq(pkt_get32(th + 8), w->ack, "ack %u, want %u", pkt_get32(th + 8), w->ack);
	cr_assert_eq(th[12] >> 4, 5, "doff %u", th[12] >> 4);
	cr_assert_eq(th[13], w->flags, "flags 0x%02x, want 0x%02x", th[13], w->flags);
	cr_assert(pkt_l4_csum_ok(family, saddr, daddr, IPPROTO_TCP, th, PKT_TCP_HLEN),
		  "TCP checksum 0x%04x wrong", pkt_get16(th + 16));
}

void assert_rst(const uint8_t *frame, size_t len, const struct pkt_spec *seg,
		const uint8_t *seg_frame, const struct rst_want *w)
{
	size_t l3 = PKT_ETH_HLEN + seg->nvlan * PKT_VLAN_HLEN;
	size_t iphlen = seg->family == AF_INET ? PKT_IPV4_HLEN : PKT_IPV6_HLEN;

	cr_assert_eq(len, l3 + iphlen + PKT_TCP_HLEN, "RST frame is %zu bytes, want %zu", len,
		     l3 + iphlen + PKT_TCP_HLEN);
	assert_l2(frame, seg, seg_frame, w->reversed, l3);
	if (seg->family == AF_INET)
		assert_ipv4(frame + l3, seg, w->reversed);
	else
		assert_ipv6(frame + l3, seg, w->reversed);
	assert_tcp(frame + l3, frame + l3 + iphlen, seg, w);
}

struct rst_want rst_answering(const struct pkt_spec *seg)
{
	uint32_t span = (uint32_t)seg->payload_len;

	if (seg->tcp_flags & PKT_TCP_SYN)
		span++;
	if (seg->tcp_flags & PKT_TCP_FIN)
		span++;
	return (struct rst_want){
		.reversed = true,
		.seq = seg->tcp_flags & PKT_TCP_ACK ? seg->ack : 0,
		.ack = seg->seq + span,
		.flags = PKT_TCP_RST | PKT_TCP_ACK,
	};
}
