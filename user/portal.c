// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Parsing and printing portal specs. Every error names the offending value
 * and what was expected, e.g. "bad port '70000' in '3260,70000' (1-65535)". */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal.h"

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PF_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int pf_parse_uint(const char *s, size_t len, __u32 min, __u32 max, __u32 *out)
{
	__u32 v = 0, digit;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		digit = (__u32)(s[i] - '0');
		/* checked before it is added, so nothing wraps */
		if (v > (max - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	if (v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

int pf_parse_proto(const char *s, __u8 *proto, char *err)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return fail(err, "bad protocol '%s' (tcp or udp)", s);
	return 0;
}

int pf_parse_direction(const char *s, __u8 *dir, char *err)
{
	if (!strcmp(s, "in"))
		*dir = PF_DIR_IN;
	else if (!strcmp(s, "out"))
		*dir = PF_DIR_OUT;
	else if (!strcmp(s, "both"))
		*dir = PF_DIR_BOTH;
	else
		return fail(err, "bad direction '%s' (in, out or both)", s);
	return 0;
}

int pf_parse_method(const char *s, __u8 *method, char *err)
{
	if (!strcmp(s, "drop"))
		*method = PF_METHOD_DROP;
	else if (!strcmp(s, "reject"))
		*method = PF_METHOD_REJECT;
	else
		return fail(err, "bad method '%s' (drop or reject)", s);
	return 0;
}

int pf_unmap_v4(int family, __be32 *a)
{
	if (family == AF_INET6 && a[0] == 0 && a[1] == 0 && a[2] == htonl(0xffff)) {
		a[0] = a[3];
		a[1] = a[2] = a[3] = 0;
		return AF_INET;
	}
	return family;
}

static void mask_prefix(struct pf_addr *addr)
{
	int words = addr->family == AF_INET ? 1 : 4, i;

	for (i = 0; i < words; i++) {
		int bits = addr->prefix - 32 * i;

		if (bits >= 32)
			continue;
		addr->a[i] = bits <= 0 ? 0 : addr->a[i] & htonl(~0U << (32 - bits));
	}
}

int pf_parse_addr(const char *s, struct pf_addr *addr, char *err)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	__u32 prefix;

	memset(addr, 0, sizeof(*addr));
	if (len >= sizeof(buf))
		return fail(err, "bad address '%s' (IPv4 or IPv6, optional /prefix)", s);
	memcpy(buf, s, len);
	buf[len] = 0;
	/* accept [2001:db8::1] as written in endpoints */
	if (len > 2 && buf[0] == '[' && buf[len - 1] == ']') {
		memmove(buf, buf + 1, len - 2);
		buf[len - 2] = 0;
	}

	if (inet_pton(AF_INET, buf, addr->a) == 1) {
		addr->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, addr->a) == 1) {
		addr->family = AF_INET6;
	} else {
		return fail(err, "bad address '%s' (IPv4 or IPv6, optional /prefix)", s);
	}
	addr->prefix = addr->family == AF_INET ? 32 : 128;
	if (slash) {
		if (pf_parse_uint(slash + 1, strlen(slash + 1), 0, addr->prefix, &prefix))
			return fail(err, "bad prefix length '%s' in '%s' (0-32 for IPv4, 0-128 for IPv6)",
				    slash + 1, s);
		addr->prefix = (__u8)prefix;
	}
	/* ::ffff:a.b.c.d/L is the IPv4 prefix it maps; shorter than 96 bits
	 * it would reach past the mapped range, and as IPv4 cover every
	 * IPv4 address: refused rather than widened */
	if (pf_unmap_v4(addr->family, addr->a) == AF_INET && addr->family == AF_INET6) {
		if (addr->prefix < 96)
			return fail(err, "bad prefix length '%s' in '%s' (an IPv4-mapped address "
				    "takes 96-128)", slash + 1, s);
		addr->family = AF_INET;
		addr->prefix -= 96;
	}
	mask_prefix(addr);
	return 0;
}

static void set_port(struct pf_portal *p, __u32 port)
{
	__u64 bit = 1ULL << (port % 64);

	if (!(p->ports[port / 64] & bit)) {
		p->ports[port / 64] |= bit;
		p->nports++;
	}
}

/* One item of a port list at *cursor, "P" or "FIRST:LAST" (of the list s,
 * for messages); moves *cursor past it and its comma, to NULL after the
 * last. */
static int port_item(const char **cursor, const char *s, __u32 *lo, __u32 *hi, char *err)
{
	const char *item = *cursor, *end = strchr(item, ',');
	size_t len = end ? (size_t)(end - item) : strlen(item);
	const char *colon = memchr(item, ':', len);
	char one[32];

	snprintf(one, sizeof(one), "%.*s", (int)(len < sizeof(one) - 1 ? len : sizeof(one) - 1), item);
	if (colon) {
		if (pf_parse_uint(item, (size_t)(colon - item), 1, 65535, lo) ||
		    pf_parse_uint(colon + 1, len - (size_t)(colon - item) - 1, 1, 65535, hi))
			return fail(err, "bad port range '%s' in '%s' (FIRST:LAST, 1-65535)", one, s);
		if (*lo > *hi)
			return fail(err, "bad port range '%s' in '%s' (first port above last)", one, s);
	} else {
		if (pf_parse_uint(item, len, 1, 65535, lo))
			return fail(err, "bad port '%s' in '%s' (1-65535)", one, s);
		*hi = *lo;
	}
	*cursor = end ? end + 1 : NULL;
	return 0;
}

static int empty_ports(const char *s, char *err)
{
	return fail(err, "empty port list '%s' (e.g. 3260, 3260,3261 or 860:870)", s);
}

/* portblock syntax: "3260", "3260,3261", "860:870", mixed. */
int pf_parse_ports(const char *s, struct pf_portal *p, char *err)
{
	const char *cursor = s;
	__u32 lo, hi;

	memset(p->ports, 0, sizeof(p->ports));
	p->nports = 0;
	if (!*s)
		return empty_ports(s, err);
	while (cursor) {
		if (port_item(&cursor, s, &lo, &hi, err))
			return -EINVAL;
		for (; lo <= hi; lo++)
			set_port(p, lo);
	}
	return 0;
}

int pf_normalize_ports(const char *s, char *buf, char *err)
{
	const char *cursor = s;
	size_t used = 0;
	__u32 lo, hi;

	if (!*s)
		return empty_ports(s, err);
	while (cursor) {
		if (port_item(&cursor, s, &lo, &hi, err))
			return -EINVAL;
		used += (size_t)(lo == hi ? sprintf(buf + used, "%s%u", used ? "," : "", lo)
					  : sprintf(buf + used, "%s%u:%u", used ? "," : "", lo, hi));
	}
	return 0;
}

int pf_parse_endpoint(const char *s, struct pf_addr *addr, __u16 *port, char *err)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 3];
	__u32 p;
	size_t len;

	if (!colon)
		return fail(err, "bad endpoint '%s' (ADDRESS:PORT, IPv6 as [ADDRESS]:PORT)", s);
	len = (size_t)(colon - s);
	if (len == 0 || len >= sizeof(host) ||
	    pf_parse_uint(colon + 1, strlen(colon + 1), 1, 65535, &p))
		return fail(err, "bad endpoint '%s' (ADDRESS:PORT, IPv6 as [ADDRESS]:PORT)", s);
	memcpy(host, s, len);
	host[len] = 0;
	if (strchr(host, '/') || pf_parse_addr(host, addr, err))
		return fail(err, "bad endpoint '%s' (ADDRESS:PORT, IPv6 as [ADDRESS]:PORT)", s);
	if (addr->family == AF_INET6 && host[0] != '[')
		return fail(err, "bad endpoint '%s' (write IPv6 as [ADDRESS]:PORT)", s);
	*port = (__u16)p;
	return 0;
}

int pf_portal_next_port(const struct pf_portal *p, int from)
{
	int port;

	for (port = from; port < 65536; port++) {
		if (!p->ports[port / 64] && port % 64 == 0) {
			port += 63;
			continue;
		}
		if (p->ports[port / 64] & (1ULL << (port % 64)))
			return port;
	}
	return -1;
}

bool pf_portal_has_port(const struct pf_portal *p, __u16 port)
{
	return p->ports[port / 64] & (1ULL << (port % 64));
}

bool pf_addr_contains(const struct pf_addr *spec, int family, const __be32 *addr)
{
	struct pf_addr probe = { .family = (__u8)family, .prefix = spec->prefix };

	if (spec->family == 0)
		return true;
	if (spec->family != family)
		return false;
	memcpy(probe.a, addr, family == AF_INET ? 4 : 16);
	mask_prefix(&probe);
	return !memcmp(probe.a, spec->a, sizeof(probe.a));
}

void pf_portal_key(const struct pf_portal *p, __u16 port, struct pf_portal_key *key)
{
	memset(key, 0, sizeof(*key));
	key->port = htons(port);
	key->proto = p->proto;
	if (p->addr.family == 0) {
		key->prefixlen = PF_KEY_BITS_ANY_ADDR;
		return;
	}
	key->family = p->addr.family;
	key->prefixlen = PF_KEY_BITS_FAMILY + p->addr.prefix;
	memcpy(key->addr.v6, p->addr.a, sizeof(key->addr.v6));
}

bool pf_portal_next_key(const struct pf_portal *p, int *port, struct pf_portal_key *key)
{
	int next = pf_portal_next_port(p, *port + 1);

	if (next <= 0)
		return false;
	*port = next;
	pf_portal_key(p, (__u16)next, key);
	return true;
}

void pf_endpoint_key(__u8 proto, int family, const __be32 *addr, __be16 port,
		     struct pf_portal_key *key)
{
	memset(key, 0, sizeof(*key));
	pf_endpoint_key_fill(key, proto, (__u8)family, addr, port);
}

void pf_format_addr(const struct pf_addr *addr, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (!addr->family) {
		snprintf(buf, n, "*");
		return;
	}
	inet_ntop(addr->family, addr->a, a, sizeof(a));
	if (addr->prefix == (addr->family == AF_INET ? 32 : 128))
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s/%u", a, addr->prefix);
}

void pf_format_key_addr(const struct pf_portal_key *key, char *buf, size_t n)
{
	struct pf_addr addr = {};

	if (key->prefixlen > PF_KEY_BITS_ANY_ADDR) {
		addr.family = key->family;
		addr.prefix = (__u8)(key->prefixlen - PF_KEY_BITS_FAMILY);
		memcpy(addr.a, key->addr.v6, sizeof(addr.a));
	}
	pf_format_addr(&addr, buf, n);
}

void pf_format_endpoint(int family, const __be32 *addr, __u16 port, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, n, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

const char *pf_proto_name(__u8 proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

const char *pf_direction_name(__u8 dir)
{
	return dir == PF_DIR_IN ? "in" : dir == PF_DIR_OUT ? "out" : "both";
}

const char *pf_method_name(__u8 method)
{
	return method == PF_METHOD_REJECT ? "reject" : "drop";
}

__u64 pf_counters_id(const struct pf_portal_key *key)
{
	const unsigned char *b = (const unsigned char *)key;
	__u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*key); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}
