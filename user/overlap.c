// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <netinet/in.h>
#include <string.h>

#include "map_walk.h"
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

struct weakening {
	const struct pf_portal *portal;
	struct pf_entry own;
	pf_weakens_fn fn;
	void *arg;
	int n;
};

static int weakening_one(const void *key, const void *value, void *arg)
{
	struct weakening *w = arg;
	struct pf_entry other = { .key = *(const struct pf_portal_key *)key,
				  .policy = *(const struct pf_policy *)value };

	if (other.key.proto != w->portal->proto ||
	    !pf_portal_has_port(w->portal, ntohs(other.key.port)))
		return 0;
	pf_portal_key(w->portal, ntohs(other.key.port), &w->own.key);
	if (pf_key_covers(&w->own.key, &other.key) &&
	    pf_policy_weaker(&other.policy, &w->own.policy)) {
		w->fn(&other, &w->own, w->arg);
		w->n++;
	} else if (pf_key_covers(&other.key, &w->own.key) &&
		   pf_policy_weaker(&w->own.policy, &other.policy)) {
		w->fn(&w->own, &other, w->arg);
		w->n++;
	}
	return 0;
}

int pf_weakening_each(int portals_fd, const struct pf_portal *portal,
		      const struct pf_policy *policy, pf_weakens_fn fn, void *arg)
{
	struct weakening w = { portal, { .policy = *policy }, fn, arg, 0 };
	int err = pf_map_walk(portals_fd, sizeof(struct pf_portal_key), sizeof(struct pf_policy),
			      weakening_one, &w);

	return err ? err : w.n;
}
