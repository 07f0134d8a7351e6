/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Fence entries that weaken one another. A packet meets the most specific
 * entry covering it, so a narrower entry with a weaker policy (a direction
 * fewer, or keep-established) lifts part of a broader fence for the
 * addresses it covers: legal, and said out loud. */
#ifndef PF_OVERLAP_H
#define PF_OVERLAP_H

#include <stdbool.h>
#include "portal.h"

struct pf_entry {
	struct pf_portal_key key;
	struct pf_policy policy;
};

/* Does narrow leave unfenced something broad fences? */
bool pf_policy_weaker(const struct pf_policy *narrow, const struct pf_policy *broad);
/* Same port and protocol, and broad covers every address narrow does and
 * more? */
bool pf_key_covers(const struct pf_portal_key *broad, const struct pf_portal_key *narrow);

typedef void (*pf_weakens_fn)(const struct pf_entry *narrow, const struct pf_entry *broad,
			      void *arg);
/* For each port of portal, every pair of its entry (with policy) and
 * another entry of the table where the narrower of the two weakens the
 * broader: fn(narrow, broad). Returns how many, or a negative errno. */
int pf_weakening_each(int portals_fd, const struct pf_portal *portal,
		      const struct pf_policy *policy, pf_weakens_fn fn, void *arg);

#endif
