// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>

#include "overlap.h"

bool pf_policy_weaker(const struct pf_policy *narrow, const struct pf_policy *broad)
{
	return (broad->direction & ~narrow->direction) ||
	       ((narrow->flags & PF_F_KEEP_ESTABLISHED) && !(broad->flags & PF_F_KEEP_ESTABLISHED));
}

bool pf_key_covers(const struct pf_portal_key *broad, const struct pf_portal_key *narrow)
{
	struct pf_addr spec = { .family = broad->family };

	if (broad->port != narrow->port || broad->proto != narrow->proto ||
	    broad->prefixlen >= narrow->prefixlen)
		return false;
	if (broad->prefixlen <= PF_KEY_BITS_ANY_ADDR)
		return true;
	spec.prefix = (__u8)(broad->prefixlen - PF_KEY_BITS_FAMILY);
	memcpy(spec.a, broad->addr.v6, sizeof(spec.a));
	return pf_addr_contains(&spec, narrow->family, narrow->addr.v6);
}

int pf_weakening_each(int portals_fd, const struct pf_portal *portal,
		      const struct pf_policy *policy, pf_weakens_fn fn, void *arg)
{
	struct pf_portal_key next, *prev = NULL;
	struct pf_entry other, own = { .policy = *policy };
	int n = 0;

	while (!bpf_map_get_next_key(portals_fd, prev, &next)) {
		other.key = next;
		prev = &other.key;
		if (other.key.proto != portal->proto ||
		    !pf_portal_has_port(portal, ntohs(other.key.port)) ||
		    bpf_map_lookup_elem(portals_fd, &other.key, &other.policy))
			continue;
		pf_portal_key(portal, ntohs(other.key.port), &own.key);
		if (pf_key_covers(&own.key, &other.key) &&
		    pf_policy_weaker(&other.policy, &own.policy)) {
			fn(&other, &own, arg);
			n++;
		} else if (pf_key_covers(&other.key, &own.key) &&
			   pf_policy_weaker(&own.policy, &other.policy)) {
			fn(&own, &other, arg);
			n++;
		}
	}
	return errno == ENOENT ? n : -errno;
}
