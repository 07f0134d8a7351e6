/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The wake-up when a fence is lifted: every peer that knocked on the
 * portal while it was fenced (the "knocks" map the ingress program fills)
 * hears from this node at once, not at its next backed-off retry. */
#ifndef PF_WAKE_H
#define PF_WAKE_H

#include "portal.h"
#include "portfence.h"

struct pf_state;

enum pf_wake_how {
	PF_WAKE_CONNECT,	/* its last SYN replayed to the local stack */
	PF_WAKE_RESET,		/* an RST at exactly the sequence it expects */
	PF_WAKE_SKIPPED,	/* not sent: see the reason */
};

typedef void (*pf_wake_report)(const struct pf_knock_key *key, enum pf_wake_how how,
			       const char *reason, void *arg);

/* Wakes the peers recorded for portal that no entry fences any more (the
 * caller has just removed portal's): at most PF_WAKE_MAX, the most
 * recently seen first, one packet each. A knock older than
 * PF_KNOCK_MAX_AGE_S is dropped unanswered; a peer of a connection this
 * node holds, or with a local address, or whose portal address is not
 * local now, is left alone; one still fenced by another entry is kept,
 * untouched, for that entry's unblock.
 * Without send, the records are only forgotten. Returns how many were
 * woken (and adds them to cli_stats), or a negative errno. */
int pf_wake(struct pf_state *st, const struct pf_portal *portal, bool send, pf_wake_report report,
	    void *arg);

/* Calls fn for every recorded knock (portal NULL: all). Returns how many,
 * or a negative errno (-ENOENT: nothing loaded). */
int pf_knocks_each(struct pf_state *st, const struct pf_portal *portal,
		   void (*fn)(const struct pf_knock_key *, const struct pf_knock *, void *),
		   void *arg);

#endif
