// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Only traffic to and from this host is fenced: a frame a promiscuous
 * device or a bridge port sees for another host, and traffic the node
 * routes on, are neither dropped, answered, recorded nor reset, even when
 * their portal matches a fence (a wildcard fence matches every address). */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(host, .init = fx_setup, .fini = fx_teardown);

static struct fx_result r;

static void nothing_counted(void)
{
	struct pf_counters zero = {}, got = fx_stats();

	cr_assert_arr_eq(&got, &zero, sizeof(zero), "no counter moved");
	cr_assert_eq(fx_knock_count(), 0, "no knock recorded");
}

static struct pkt_spec for_another_host(int family, uint8_t flags)
{
	struct pkt_spec s = fx_to_portal(family, flags);
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	memcpy(s.dst_mac, other, sizeof(other));
	return s;
}

Test(host, a_frame_for_another_hosts_mac_passes_a_drop_fence)
{
	struct pkt_spec s = for_another_host(AF_INET, PKT_TCP_SYN);

	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	fx_run_spec(FX_INGRESS, &s, &r);
	fx_assert_untouched(&r);
	nothing_counted();
}

Test(host, a_frame_for_another_hosts_mac_is_not_answered_by_reject)
{
	struct pkt_spec syn = for_another_host(AF_INET6, PKT_TCP_SYN);
	struct pkt_spec seg = for_another_host(AF_INET, PKT_TCP_ACK);

	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_IN, PF_METHOD_REJECT, 0);
	fx_run_spec(FX_INGRESS, &syn, &r);
	fx_assert_untouched(&r);
	fx_run_spec(FX_INGRESS, &seg, &r);
	fx_assert_untouched(&r);
	nothing_counted();
}

/* A unicast IP datagram in a broadcast or multicast frame is still this
 * host's: the stack delivers it (UDP does; only TCP refuses such frames),
 * so the fence must drop it. Only PACKET_OTHERHOST is another host's. */
static void udp_in_frame_to(const uint8_t mac[6], int family)
{
	struct pkt_spec s = fx_to_portal(family, 0);

	s.proto = IPPROTO_UDP;
	s.payload_len = 48;
	memcpy(s.dst_mac, mac, 6);
	fx_fence(IPPROTO_UDP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	fx_run_spec(FX_INGRESS, &s, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "verdict %d, want TC_ACT_SHOT", r.retval);
	cr_assert_eq(fx_stats().segs_dropped, 1, "counted as a dropped segment");
}

Test(host, udp_to_a_fenced_portal_in_a_broadcast_frame_is_dropped)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	udp_in_frame_to(bcast, AF_INET);
}

Test(host, udp_to_a_fenced_portal_in_a_multicast_frame_is_dropped)
{
	static const uint8_t v4mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	udp_in_frame_to(v4mc, AF_INET);
}

Test(host, udp6_to_a_fenced_portal_in_a_multicast_frame_is_dropped)
{
	static const uint8_t v6mc[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

	udp_in_frame_to(v6mc, AF_INET6);
}

/* The test's namespace routes the portals' prefixes on through a veth
 * device, forwarding on: the portal addresses are another host's. */
static void route_portals_on(void)
{
	cr_assert_eq(system("ip link add pf-fwd type veth peer name pf-fwd-peer && "
			    "ip link set pf-fwd up && ip link set pf-fwd-peer up && "
			    "ip addr add 198.19.0.1/24 dev pf-fwd && "
			    "ip addr add 2001:db8:1::1/64 dev pf-fwd nodad && "
			    "ip route add 198.18.0.0/24 via 198.19.0.254 && "
			    "ip route add 2001:db8::/64 via 2001:db8:1::fe && "
			    "sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.lo.forwarding=1 "
			    "net.ipv6.conf.all.forwarding=1"), 0, "a routed namespace");
}

static void routed_traffic_passes(int family)
{
	struct pkt_spec syn = fx_to_portal(family, PKT_TCP_SYN);

	route_portals_on();
	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_REJECT, 0);
	fx_run_spec(FX_INGRESS, &syn, &r);
	fx_assert_untouched(&r);
	nothing_counted();
}

Test(host, ipv4_traffic_the_node_routes_on_passes_a_fence)
{
	routed_traffic_passes(AF_INET);
}

Test(host, ipv6_traffic_the_node_routes_on_passes_a_fence)
{
	routed_traffic_passes(AF_INET6);
}

Test(host, on_a_forwarding_node_its_own_addresses_are_still_fenced)
{
	struct pkt_spec syn = fx_to_portal(AF_INET, PKT_TCP_SYN);

	route_portals_on();
	cr_assert_eq(system("ip addr add " V4_PORTAL "/32 dev lo"), 0);
	fx_fence(IPPROTO_TCP, NULL, 0, PORTAL_PORT, PF_DIR_BOTH, PF_METHOD_DROP, 0);
	fx_run_spec(FX_INGRESS, &syn, &r);
	cr_assert_eq(r.retval, TC_ACT_SHOT, "a local portal's SYN is dropped");
	cr_assert_eq(fx_stats().syns_dropped, 1);
}

/* A segment that came in on an interface and leaves on another was not
 * sent by this host: its egress is not turned into a reset. */
Test(host, a_forwarded_segment_from_a_fenced_portal_is_not_reset)
{
	struct pkt_spec s = fx_from_portal(AF_INET, PKT_TCP_ACK | PKT_TCP_PSH);
	struct __sk_buff ctx = { .ingress_ifindex = 1 };

	s.payload_len = 100;
	fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_REJECT);
	fx_run_ctx(FX_EGRESS, &s, &ctx, &r);
	fx_assert_untouched(&r);
	nothing_counted();
}
