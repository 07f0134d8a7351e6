/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The fence table ("portals") and its counters ("portal_stats"), as the
 * commands change and read them. Every function returning an int returns
 * 0 (or an fd) or a negative errno, the message printed where it failed. */
#ifndef PF_FENCE_TABLE_H
#define PF_FENCE_TABLE_H

#include <stdbool.h>
#include "cli.h"
#include "peer_reset.h"
#include "portal.h"

/* The fds are the command's state handle's (state.h): never closed here. */
struct pf_fence_table {
	int portals_fd, stats_fd;
	int lifted_fd;		/* the failover timeline; -1 where absent */
};

/* A map of the pin dir or, when its pins are gone, of the programs still
 * attached here (the fence they hold is in force all the same): an fd (the
 * state handle's), or a negative errno reported unless -ENOENT (not
 * loaded: the caller decides what that means). */
int pf_fence_open_map(const struct pf_env *env, const char *name);
/* Both maps (the counters only if need_stats: block needs them). */
int pf_fence_table_open(const struct pf_env *env, struct pf_fence_table *t, bool need_stats);

/* Is there an entry for exactly key (not a wider one covering it)? */
bool pf_fence_lookup_exact(int portals_fd, const struct pf_portal_key *key,
			   struct pf_policy *policy);
/* One entry per port of portal, all or nothing: on a failure every entry
 * is put back as it was, the policies it overwrote included. A repeated
 * fence keeps its since-time. */
int pf_fence_add(const struct pf_env *env, const struct pf_fence_table *t,
		 const struct pf_portal *portal, const struct pf_policy *want);
/* Removes the portal's entries and their counters; absent ones are fine.
 * Each entry removed leaves its timeline in the "lifted" map, with how many
 * of resets are on its port (resets may be NULL; best effort: a full map
 * costs the figures, never the unblock). */
void pf_fence_remove(const struct pf_fence_table *t, const struct pf_portal *portal,
		     const struct pf_reset_plan *resets);

#endif
