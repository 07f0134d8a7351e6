/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Draining a fenced portal's connections before they are destroyed: the
 * policy carries PF_F_DRAINING, a deadline and a quiet window, the sweep
 * destroys each socket once it has answered what it received (or its
 * queue is stuck), and block runs sweep passes until none of the portal's
 * sockets is left, then ends the drain.
 * Also the tally of how each socket of block's portal ended. */
#ifndef PF_DRAIN_H
#define PF_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include "portal.h"
#include "portfence.h"

struct pf_state;

#define PF_DRAIN_MS_DEFAULT		1000
#define PF_DRAIN_STALL_MS_DEFAULT	50
#define PF_DRAIN_QUIET_MS_DEFAULT	100

/* What block says of the sockets of its own portal, and nothing of the
 * others a concurrent block's portal may have in the same pass. */
struct pf_sweep_tally {
	__u64 *ids;		/* counters ids of the portal's entries, sorted */
	size_t nids;
	bool queue_known;	/* the sweep read the send queues (iter/tcp) */
	unsigned long destroyed;
	unsigned long pending;	/* in the last pass */
	unsigned long outcomes[PF_SWEEP_PENDING];
	unsigned long long discarded;
	/* told of each socket of the portal's that the sweep ended */
	void (*ended)(const struct pf_sweep_record *rec, void *arg);
	void *ended_arg;
};

/* Sets up tally for the portal's entries, ended (may be NULL) to be told
 * with arg; false when out of memory. */
bool pf_tally_init(struct pf_sweep_tally *t, const struct pf_portal *portal,
		   void (*ended)(const struct pf_sweep_record *rec, void *arg), void *arg);
void pf_tally_free(struct pf_sweep_tally *t);
/* A pf_sweep_report: counts one record of the portal's. */
void pf_tally_record(const struct pf_sweep_record *rec, void *arg);

/* Can this node drain (the sweep program is there to watch the queues)? */
bool pf_drain_possible(struct pf_state *st);
/* The drain part of a policy: from now, drain_ms at most, stall_ms,
 * quiet_ms (0: an empty send queue is drained). */
void pf_drain_policy(struct pf_policy *policy, unsigned int drain_ms, unsigned int stall_ms,
		     unsigned int quiet_ms);
/* Runs sweep passes (a few ms apart) until no socket of the portal is
 * pending, ends the drain in the portal's entries (the full fence then
 * applies) and sweeps once more if anything was pending. Returns 0 or a
 * negative errno. */
int pf_drain(struct pf_state *st, const struct pf_portal *portal, const struct pf_policy *policy,
	     struct pf_sweep_tally *t);

#endif
