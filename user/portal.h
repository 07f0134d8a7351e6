/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Portal specs as the user writes them (docs/reference.md, Portals):
 * protocol, address or prefix (or none: every local address), and
 * portblock-style port lists. */
#ifndef PF_PORTAL_H
#define PF_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "portfence.h"

#define PF_ERR_LEN 256

struct pf_addr {
	__u8 family;		/* 0: every address of both families */
	__u8 prefix;		/* bits: 32 / 128 for a single address */
	__be32 a[4];		/* IPv4 in a[0] */
};

struct pf_portal {
	__u8 proto;
	struct pf_addr addr;
	unsigned int nports;
	__u64 ports[65536 / 64];	/* bitmap */
};

/* A decimal number in [min, max] spanning s[0..len): digits only, no sign
 * or spaces, any number of leading zeros. Bounded digit by digit, so no
 * value wraps whatever the width of long. 0, or -EINVAL. */
int pf_parse_uint(const char *s, size_t len, __u32 min, __u32 max, __u32 *out);
/* The parsers return 0, or -EINVAL with err (PF_ERR_LEN bytes) naming the
 * offending value: the caller prints it. */
int pf_parse_proto(const char *s, __u8 *proto, char *err);
int pf_parse_addr(const char *s, struct pf_addr *addr, char *err);
int pf_parse_ports(const char *s, struct pf_portal *portal, char *err);
/* The list s in its normal form into buf (at least strlen(s) + 1 bytes):
 * each item in decimal without leading zeros, "P:P" as "P", in the
 * order given ("0860:870,3260:3260" is "860:870,3260"). */
int pf_normalize_ports(const char *s, char *buf, char *err);
int pf_parse_direction(const char *s, __u8 *dir, char *err);
int pf_parse_method(const char *s, __u8 *method, char *err);
/* "A:P" or "[A6]:P" */
int pf_parse_endpoint(const char *s, struct pf_addr *addr, __u16 *port, char *err);

/* Next port set in the portal's list at or after from, or -1. */
int pf_portal_next_port(const struct pf_portal *portal, int from);
bool pf_portal_has_port(const struct pf_portal *portal, __u16 port);
/* Does the spec's address (or prefix) contain addr of family? */
bool pf_addr_contains(const struct pf_addr *spec, int family, const __be32 *addr);

void pf_portal_key(const struct pf_portal *portal, __u16 port, struct pf_portal_key *key);
/* The portal's next port after *port (0: its first), in port order, and
 * its fence table key; false past the last. */
bool pf_portal_next_key(const struct pf_portal *portal, int *port, struct pf_portal_key *key);
/* Each of the portal's ports (an int) with its key, in port order:
 *	pf_portal_for_each_key(portal, port, &key) { ... } */
#define pf_portal_for_each_key(portal, port, key) \
	for ((port) = 0; pf_portal_next_key((portal), &(port), (key));)
/* The fence table key of one endpoint, as the data path builds it. */
void pf_endpoint_key(__u8 proto, int family, const __be32 *addr, __be16 port,
		     struct pf_portal_key *key);
/* Maps ::ffff:a.b.c.d to IPv4 in place; returns the family to use. */
int pf_unmap_v4(int family, __be32 *addr);

/* "198.18.0.0/24", "2001:db8::1", "*" */
void pf_format_addr(const struct pf_addr *addr, char *buf, size_t n);
void pf_format_key_addr(const struct pf_portal_key *key, char *buf, size_t n);
/* "198.18.0.1:3260", "[2001:db8::1]:3260" */
void pf_format_endpoint(int family, const __be32 *addr, __u16 port, char *buf, size_t n);
const char *pf_proto_name(__u8 proto);
const char *pf_direction_name(__u8 dir);
const char *pf_method_name(__u8 method);
/* Stable id of a portal's counters, derived from its key. */
__u64 pf_counters_id(const struct pf_portal_key *key);

#endif
