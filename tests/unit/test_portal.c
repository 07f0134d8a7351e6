// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The portal parsers: what users type in --ip, --port, --proto,
 * --direction, --method and tickle endpoints. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "drain.h"
#include "options.h"
#include "overlap.h"
#include "portal.h"

static struct pf_portal portal;
static char err[PF_ERR_LEN];

static void addr_is(const char *s, int family, int prefix, const char *want)
{
	struct pf_addr a;
	char buf[64];

	cr_assert_eq(pf_parse_addr(s, &a, err), 0, "'%s' rejected: %s", s, err);
	cr_assert_eq(a.family, family, "'%s' family", s);
	cr_assert_eq(a.prefix, prefix, "'%s' prefix", s);
	inet_ntop(family, a.a, buf, sizeof(buf));
	cr_assert_str_eq(buf, want, "'%s' address", s);
}

static void addr_bad(const char *s, const char *needle)
{
	struct pf_addr a;

	cr_assert_eq(pf_parse_addr(s, &a, err), -EINVAL, "'%s' accepted", s);
	cr_assert(strstr(err, needle), "error for '%s' is '%s', lacks '%s'", s, err, needle);
}

Test(addr, ipv4_host) { addr_is("198.18.0.1", AF_INET, 32, "198.18.0.1"); }
Test(addr, ipv4_prefix_masks_host_bits) { addr_is("198.18.3.7/24", AF_INET, 24, "198.18.3.0"); }
Test(addr, ipv4_prefix_zero) { addr_is("198.18.3.7/0", AF_INET, 0, "0.0.0.0"); }
Test(addr, ipv6_host) { addr_is("2001:db8::1", AF_INET6, 128, "2001:db8::1"); }
Test(addr, ipv6_brackets) { addr_is("[2001:db8::1]", AF_INET6, 128, "2001:db8::1"); }
Test(addr, ipv6_prefix_masks) { addr_is("2001:db8:1:2::5/33", AF_INET6, 33, "2001:db8::"); }
Test(addr, v4_mapped_is_ipv4) { addr_is("::ffff:198.18.0.9", AF_INET, 32, "198.18.0.9"); }
Test(addr, v4_mapped_prefix) { addr_is("::ffff:198.18.0.9/120", AF_INET, 24, "198.18.0.0"); }
/* shorter than the mapped range: as IPv4 it would cover every address */
Test(addr, v4_mapped_prefix_below_96_is_refused) { addr_bad("::ffff:198.18.0.9/64", "96-128"); }
Test(addr, bad_octet) { addr_bad("999.1.1.1", "'999.1.1.1'"); }
Test(addr, bad_word) { addr_bad("storage", "'storage'"); }
Test(addr, empty) { addr_bad("", "bad address"); }
Test(addr, bad_prefix_v4) { addr_bad("198.18.0.1/33", "'33'"); }
Test(addr, bad_prefix_v6) { addr_bad("2001:db8::/129", "'129'"); }
Test(addr, bad_prefix_word) { addr_bad("198.18.0.1/x", "'x'"); }
Test(addr, bad_prefix_sign) { addr_bad("198.18.0.1/-1", "'-1'"); }
Test(addr, empty_prefix) { addr_bad("198.18.0.1/", "prefix"); }

static void ports_are(const char *s, unsigned int n, int first, int last)
{
	int p, seen_last = -1;

	cr_assert_eq(pf_parse_ports(s, &portal, err), 0, "'%s' rejected: %s", s, err);
	cr_assert_eq(portal.nports, n, "'%s' gives %u ports", s, portal.nports);
	cr_assert_eq(pf_portal_next_port(&portal, 1), first, "'%s' first port", s);
	for (p = pf_portal_next_port(&portal, 1); p > 0; p = pf_portal_next_port(&portal, p + 1))
		seen_last = p;
	cr_assert_eq(seen_last, last, "'%s' last port", s);
}

static void ports_bad(const char *s, const char *needle)
{
	cr_assert_eq(pf_parse_ports(s, &portal, err), -EINVAL, "'%s' accepted", s);
	cr_assert(strstr(err, needle), "error for '%s' is '%s', lacks '%s'", s, err, needle);
}

Test(ports, single) { ports_are("3260", 1, 3260, 3260); }
Test(ports, list) { ports_are("3260,3261", 2, 3260, 3261); }
Test(ports, range) { ports_are("860:870", 11, 860, 870); }
Test(ports, mixed_and_overlapping) { ports_are("3260,860:870,865,3260", 12, 860, 3260); }
Test(ports, extremes) { ports_are("1,65535", 2, 1, 65535); }
Test(ports, full_range) { ports_are("1:65535", 65535, 1, 65535); }
Test(ports, one_port_range) { ports_are("3260:3260", 1, 3260, 3260); }
Test(ports, too_big) { ports_bad("70000", "bad port '70000' in '70000' (1-65535)"); }
Test(ports, too_big_in_list) { ports_bad("3260,70000", "bad port '70000' in '3260,70000'"); }
Test(ports, zero) { ports_bad("0", "'0'"); }
Test(ports, word) { ports_bad("abc", "'abc'"); }
Test(ports, injection) { ports_bad("3260;reboot", "'3260;reboot'"); }
Test(ports, empty) { ports_bad("", "empty"); }
Test(ports, empty_item) { ports_bad("3260,", "bad port '' in '3260,'"); }
Test(ports, reversed_range) { ports_bad("870:860", "first port above last"); }
Test(ports, open_range) { ports_bad("860:", "'860:'"); }
Test(ports, space) { ports_bad("3260, 3261", "' 3261'"); }
Test(ports, sign) { ports_bad("+3260", "'+3260'"); }

Test(policy, proto)
{
	__u8 v;

	cr_assert_eq(pf_parse_proto("tcp", &v, err), 0);
	cr_assert_eq(v, IPPROTO_TCP);
	cr_assert_eq(pf_parse_proto("udp", &v, err), 0);
	cr_assert_eq(v, IPPROTO_UDP);
	cr_assert_eq(pf_parse_proto("sctp", &v, err), -EINVAL);
	cr_assert(strstr(err, "'sctp'"));
}

Test(policy, direction)
{
	__u8 v;

	cr_assert_eq(pf_parse_direction("in", &v, err), 0);
	cr_assert_eq(v, PF_DIR_IN);
	cr_assert_eq(pf_parse_direction("out", &v, err), 0);
	cr_assert_eq(v, PF_DIR_OUT);
	cr_assert_eq(pf_parse_direction("both", &v, err), 0);
	cr_assert_eq(v, PF_DIR_BOTH);
	cr_assert_eq(pf_parse_direction("sideways", &v, err), -EINVAL);
	cr_assert(strstr(err, "'sideways'"));
}

Test(policy, method)
{
	__u8 v;

	cr_assert_eq(pf_parse_method("drop", &v, err), 0);
	cr_assert_eq(v, PF_METHOD_DROP);
	cr_assert_eq(pf_parse_method("reject", &v, err), 0);
	cr_assert_eq(v, PF_METHOD_REJECT);
	cr_assert_eq(pf_parse_method("DROP", &v, err), -EINVAL);
	cr_assert(strstr(err, "'DROP'"));
}

Test(endpoint, ipv4)
{
	struct pf_addr a;
	__u16 port;

	cr_assert_eq(pf_parse_endpoint("198.18.0.2:51000", &a, &port, err), 0, "%s", err);
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(a.a[0], inet_addr("198.18.0.2"));
	cr_assert_eq(port, 51000);
}

Test(endpoint, ipv6_brackets)
{
	struct pf_addr a;
	__u16 port;
	char buf[64];

	cr_assert_eq(pf_parse_endpoint("[2001:db8::2]:3260", &a, &port, err), 0, "%s", err);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(port, 3260);
	pf_format_endpoint(a.family, a.a, port, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[2001:db8::2]:3260");
}

Test(endpoint, bad)
{
	struct pf_addr a;
	__u16 port;
	const char *bad[] = { "198.18.0.2", "198.18.0.2:0", "198.18.0.2:70000", ":80",
			      "2001:db8::2:3260", "198.18.0.0/24:80", "198.18.0.2:8x" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(pf_parse_endpoint(bad[i], &a, &port, err), -EINVAL, "'%s' accepted", bad[i]);
		cr_assert(strstr(err, bad[i]), "error '%s' does not name '%s'", err, bad[i]);
	}
}

Test(key, any_address_matches_port_and_proto_only)
{
	struct pf_portal_key k;

	memset(&portal, 0, sizeof(portal));
	portal.proto = IPPROTO_TCP;
	pf_portal_key(&portal, 3260, &k);
	cr_assert_eq(k.prefixlen, PF_KEY_BITS_ANY_ADDR);
	cr_assert_eq(k.port, htons(3260));
	cr_assert_eq(k.proto, IPPROTO_TCP);
	cr_assert_eq(k.family, 0);
}

Test(key, prefix_bits_follow_family)
{
	struct pf_portal_key k;

	memset(&portal, 0, sizeof(portal));
	portal.proto = IPPROTO_UDP;
	cr_assert_eq(pf_parse_addr("198.18.0.0/15", &portal.addr, err), 0);
	pf_portal_key(&portal, 53, &k);
	cr_assert_eq(k.prefixlen, PF_KEY_BITS_FAMILY + 15);
	cr_assert_eq(k.family, AF_INET);
	cr_assert_eq(k.addr.v4, inet_addr("198.18.0.0"));
	cr_assert_eq(pf_parse_addr("2001:db8::1", &portal.addr, err), 0);
	pf_portal_key(&portal, 53, &k);
	cr_assert_eq(k.prefixlen, PF_KEY_BITS_FAMILY + 128);
	cr_assert_eq(k.family, AF_INET6);
}

Test(key, counters_id_differs_per_portal)
{
	struct pf_portal_key a, b;

	memset(&portal, 0, sizeof(portal));
	portal.proto = IPPROTO_TCP;
	pf_portal_key(&portal, 3260, &a);
	pf_portal_key(&portal, 3261, &b);
	cr_assert_neq(pf_counters_id(&a), pf_counters_id(&b));
	pf_portal_key(&portal, 3260, &b);
	cr_assert_eq(pf_counters_id(&a), pf_counters_id(&b));
}

/* Each key the iterator yields is the one pf_portal_key builds for that
 * port; returns how many, their ports in got[]. */
static int keys_of(const char *addr, const char *ports, int *got, int max)
{
	struct pf_portal_key key, want;
	int port, n = 0;

	memset(&portal, 0, sizeof(portal));
	portal.proto = IPPROTO_TCP;
	cr_assert_eq(pf_parse_addr(addr, &portal.addr, err), 0, "%s", err);
	cr_assert_eq(pf_parse_ports(ports, &portal, err), 0, "%s", err);
	pf_portal_for_each_key(&portal, port, &key) {
		cr_assert_lt(n, max, "more keys than ports in '%s'", ports);
		pf_portal_key(&portal, (__u16)port, &want);
		cr_assert_eq(memcmp(&key, &want, sizeof(key)), 0, "key of port %d", port);
		cr_assert_eq(key.port, htons(port));
		got[n++] = port;
	}
	return n;
}

Test(key, each_port_of_a_range_in_order)
{
	int got[8], n;

	n = keys_of("198.18.0.1", "3262,3260:3261,860", got, 8);
	cr_assert_eq(n, 4);
	cr_assert_eq(got[0], 860);
	cr_assert_eq(got[1], 3260);
	cr_assert_eq(got[2], 3261);
	cr_assert_eq(got[3], 3262);
}

Test(key, one_port_one_key_v4_and_v6)
{

	struct pf_portal_key key;
	int got[2], port;

	cr_assert_eq(keys_of("198.18.0.0/24", "3260", got, 2), 1);
	cr_assert_eq(got[0], 3260);
	pf_portal_for_each_key(&portal, port, &key)
		cr_assert_eq(key.family, AF_INET);
	cr_assert_eq(keys_of("2001:db8::1", "65535", got, 2), 1);
	cr_assert_eq(got[0], 65535);
	pf_portal_for_each_key(&portal, port, &key)
		cr_assert_eq(key.family, AF_INET6);
}

Test(key, the_loop_may_end_early)
{
	struct pf_portal_key key;
	int port, n = 0;

	memset(&portal, 0, sizeof(portal));
	cr_assert_eq(pf_parse_ports("1:100", &portal, err), 0);
	pf_portal_for_each_key(&portal, port, &key) {
		if (++n == 3)
			break;
	}
	cr_assert_eq(port, 3);
	cr_assert_eq(key.port, htons(3));
}

Test(format, key_address)
{
	struct pf_portal_key k;
	char buf[64];

	memset(&portal, 0, sizeof(portal));
	pf_portal_key(&portal, 3260, &k);
	pf_format_key_addr(&k, buf, sizeof(buf));
	cr_assert_str_eq(buf, "*");
	pf_parse_addr("198.18.7.1/24", &portal.addr, err);
	pf_portal_key(&portal, 3260, &k);
	pf_format_key_addr(&k, buf, sizeof(buf));
	cr_assert_str_eq(buf, "198.18.7.0/24");
	pf_parse_addr("2001:db8::7", &portal.addr, err);
	pf_portal_key(&portal, 3260, &k);
	pf_format_key_addr(&k, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2001:db8::7");
}

Test(contains, prefix_and_family)
{
	struct pf_addr spec;
	__be32 in[4] = { inet_addr("198.18.0.77") }, out[4] = { inet_addr("198.19.0.77") };

	pf_parse_addr("198.18.0.0/24", &spec, err);
	cr_assert(pf_addr_contains(&spec, AF_INET, in));
	cr_assert_not(pf_addr_contains(&spec, AF_INET, out));
	cr_assert_not(pf_addr_contains(&spec, AF_INET6, in));
	memset(&spec, 0, sizeof(spec));
	cr_assert(pf_addr_contains(&spec, AF_INET6, in), "no address means every address");
}

/* Values past 2^32 that a parser accumulating in an unsigned long would
 * wrap on a 32-bit build (4294970556 = 2^32 + 3260) are refused on every
 * build; leading zeros are only zeros, however many. */
Test(width, port_past_2_32) { ports_bad("4294970556", "'4294970556'"); }
Test(width, port_past_2_64) { ports_bad("18446744073709555876", "'18446744073709555876'"); }
Test(width, range_end_past_2_32) { ports_bad("860:4294968166", "'860:4294968166'"); }
Test(width, port_with_many_leading_zeros) { ports_are("0000000000003260", 1, 3260, 3260); }
Test(width, prefix_past_2_32) { addr_bad("198.18.0.1/4294967320", "'4294967320'"); }
Test(width, prefix_with_many_leading_zeros) { addr_is("198.18.3.7/000000000024", AF_INET, 24, "198.18.3.0"); }

Test(width, endpoint_port_past_2_32)
{
	struct pf_addr a;
	__u16 port;

	cr_assert_eq(pf_parse_endpoint("198.18.0.2:4294970556", &a, &port, err), -EINVAL,
		     "accepted as port %u", port);
}

Test(width, drain_ms_past_2_32)
{
	unsigned int ms = 7;

	cr_assert_eq(pf_parse_ms("--drain", "4294967296", &ms, err), -EINVAL, "accepted as %u", ms);
	cr_assert(strstr(err, "'4294967296'"), "%s", err);
	cr_assert_eq(pf_parse_ms("--drain", "4294967295", &ms, err), -EINVAL, "accepted as %u", ms);
	cr_assert_eq(pf_parse_ms("--drain", " 50", &ms, err), -EINVAL, "a space accepted");
	cr_assert_eq(pf_parse_ms("--drain", "0000000000050", &ms, err), 0, "%s", err);
	cr_assert_eq(ms, 50);
}

Test(width, uint_bounds)
{
	__u32 v;

	cr_assert_eq(pf_parse_uint("4294967295", 10, 0, 0xffffffffU, &v), 0);
	cr_assert_eq(v, 0xffffffffU);
	cr_assert_eq(pf_parse_uint("4294967296", 10, 0, 0xffffffffU, &v), -EINVAL);
	cr_assert_eq(pf_parse_uint("65536", 5, 1, 65535, &v), -EINVAL);
	cr_assert_eq(pf_parse_uint("65535", 5, 1, 65535, &v), 0);
	cr_assert_eq(pf_parse_uint("", 0, 0, 10, &v), -EINVAL);
}

/* Which entries weaken a broader fence (block warns of them). */
static void key_of(const char *ip, __u16 port, struct pf_portal_key *key)
{
	static struct pf_portal p;

	memset(&p, 0, sizeof(p));
	p.proto = IPPROTO_TCP;
	if (ip)
		cr_assert_eq(pf_parse_addr(ip, &p.addr, err), 0, "%s", err);
	pf_portal_key(&p, port, key);
}

Test(overlap, covers)
{
	struct pf_portal_key any, net, host, other, v6;

	key_of(NULL, 3260, &any);
	key_of("198.18.0.0/24", 3260, &net);
	key_of("198.18.0.1", 3260, &host);
	key_of("198.18.1.1", 3260, &other);
	key_of("2001:db8::1", 3260, &v6);
	cr_assert(pf_key_covers(&net, &host));
	cr_assert(pf_key_covers(&any, &host));
	cr_assert(pf_key_covers(&any, &v6));
	cr_assert(!pf_key_covers(&host, &net), "narrower covers wider");
	cr_assert(!pf_key_covers(&net, &net), "an entry covers itself");
	cr_assert(!pf_key_covers(&net, &other), "198.18.0.0/24 covers 198.18.1.1");
	cr_assert(!pf_key_covers(&net, &v6), "IPv4 covers IPv6");
	key_of("198.18.0.1", 3261, &host);
	cr_assert(!pf_key_covers(&net, &host), "another port");
}

Test(overlap, weaker)
{
	struct pf_policy both = { .direction = PF_DIR_BOTH }, in = { .direction = PF_DIR_IN };
	struct pf_policy keep = { .direction = PF_DIR_BOTH, .flags = PF_F_KEEP_ESTABLISHED };
	struct pf_policy reject = { .direction = PF_DIR_BOTH, .method = PF_METHOD_REJECT };

	cr_assert(pf_policy_weaker(&in, &both));
	cr_assert(pf_policy_weaker(&keep, &both));
	cr_assert(!pf_policy_weaker(&both, &in));
	cr_assert(!pf_policy_weaker(&reject, &both), "reject fences as much as drop");
	cr_assert(!pf_policy_weaker(&both, &keep));
}

/* portfence parse: what the agent's validate gets back. */
static void normal_ports(const char *s, const char *want)
{
	char buf[64];

	cr_assert_eq(pf_normalize_ports(s, buf, err), 0, "'%s' rejected: %s", s, err);
	cr_assert_str_eq(buf, want, "'%s'", s);
}

Test(normal, ports_keep_order_drop_zeros)
{
	normal_ports("3260", "3260");
	normal_ports("3260,3261", "3260,3261");
	normal_ports("0080", "80");
	normal_ports("3260,0860:0870", "3260,860:870");
	normal_ports("3260:3260", "3260");
	normal_ports("0000000000003260", "3260");
}

Test(normal, ports_refused_as_parse_refuses)
{
	char buf[64];

	cr_assert_eq(pf_normalize_ports("3260,70000", buf, err), -EINVAL);
	cr_assert(strstr(err, "bad port '70000' in '3260,70000'"), "%s", err);
	cr_assert_eq(pf_normalize_ports("", buf, err), -EINVAL);
	cr_assert(strstr(err, "empty"), "%s", err);
}

static void normal_addr(const char *s, const char *want)
{
	struct pf_addr a;
	char buf[64];

	cr_assert_eq(pf_parse_addr(s, &a, err), 0, "'%s' rejected: %s", s, err);
	pf_format_addr(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, want, "'%s'", s);
}

Test(normal, addresses)
{
	normal_addr("[2001:db8::1]", "2001:db8::1");
	normal_addr("198.18.3.7/08", "198.0.0.0/8");
	normal_addr("198.18.0.1", "198.18.0.1");
	normal_addr("::ffff:198.18.0.9/120", "198.18.0.0/24");
	normal_addr("2001:db8:1::/033", "2001:db8::/33");
}
