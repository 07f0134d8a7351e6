// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "in_force.h"
#include "load.h"

/* The interface an address of getifaddrs belongs to: an IPv4 address
 * comes under its label, "eth0:1" for an alias of eth0. */
static const struct pf_iface *holder(const struct pf_iface *ifs, int n, const char *label)
{
	size_t len = strcspn(label, ":");
	int i;

	for (i = 0; i < n; i++)
		if (strlen(ifs[i].name) == len && !strncmp(ifs[i].name, label, len))
			return &ifs[i];
	return NULL;
}

static bool runs_both(const struct pf_progs *progs, const struct pf_iface *iface)
{
	bool ingress, egress;

	pf_progs_on(progs, iface, &ingress, &egress);
	return ingress && egress;
}

/* The first address of the portal whose interface lacks a hook; 1 and why,
 * or 0 when each has both. */
static int find_uncovered(const struct pf_portal *portal, const struct pf_iface *ifs, int n,
			  const struct pf_progs *progs, char *why, size_t len)
{
	struct ifaddrs *addrs, *a;
	int ret = 0;

	if (getifaddrs(&addrs))
		return -errno;
	for (a = addrs; a && !ret; a = a->ifa_next) {
		int family = a->ifa_addr ? a->ifa_addr->sa_family : 0;
		const struct pf_iface *iface;
		struct pf_addr held = {};
		char text[64];

		if (family == AF_INET) {
			held.a[0] = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
			held.prefix = 32;
		} else if (family == AF_INET6) {
			memcpy(held.a, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, 16);
			held.prefix = 128;
		} else {
			continue;
		}
		if (!pf_addr_contains(&portal->addr, family, held.a))
			continue;
		iface = holder(ifs, n, a->ifa_name);
		if (iface && runs_both(progs, iface))
			continue;
		held.family = (__u8)family;
		pf_format_addr(&held, text, sizeof(text));
		snprintf(why, len, "the portfence programs are not attached on %s, which holds %s",
			 iface ? iface->name : a->ifa_name, text);
		ret = 1;
	}
	freeifaddrs(addrs);
	return ret;
}

int pf_portal_in_force(const struct pf_env *env, const struct pf_portal *portal, char *why,
		       size_t len)
{
	struct pf_progs progs = PF_PROGS_NONE;
	struct pf_iface *ifs = NULL;
	int n, i, ret = 1;

	if (!pf_loaded(env->state) || pf_progs_open(env->state, &progs)) {
		snprintf(why, len, "the portfence programs are not loaded");
		goto out;
	}
	n = pf_ifaces(&ifs);
	if (n < 0) {
		ret = n;
		goto out;
	}
	for (i = 0; i < n && !runs_both(&progs, &ifs[i]); i++)
		;
	if (i == n)
		snprintf(why, len, "the portfence programs are attached on no interface");
	else if (portal->addr.family)
		ret = find_uncovered(portal, ifs, n, &progs, why, len);
	else
		ret = 0;
out:
	free(ifs);
	pf_progs_close(&progs);
	return ret;
}
