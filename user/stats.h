/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reading the pinned counters and fence table, for the commands that
 * report them (list, status, metrics). */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <stddef.h>
#include <linux/types.h>
#include "portfence.h"

struct pf_state;

/* A fence entry with its counters. */
struct pf_portal_sample {
	struct pf_portal_key key;
	struct pf_policy policy;
	struct pf_counters counters;
};

/* A portal unblock lifted, with its failover timeline. */
struct pf_lifted_sample {
	struct pf_portal_key key;
	struct pf_lifted lifted;
};

/* The per-CPU counters at key of map fd, summed; zeros if absent. */
void pf_read_counters(int fd, const void *key, struct pf_counters *sum);
/* The CLI's own counters in st; zeros if not loaded. */
void pf_read_cli_counters(struct pf_state *st, struct pf_cli_counters *cli);
/* Adds add to the CLI's counters in st, atomically (every process
 * shares the one mmap()ed copy); nothing if not loaded. */
void pf_cli_count(struct pf_state *st, const struct pf_cli_counters *add);
/* Every entry of the fence table fd, with its counters from the
 * portal_stats map stats_fd (zeros without it), into *out (free()d by the
 * caller), *n of them. 0, or a negative errno (fd itself when it is one). */
int pf_read_portals(int fd, int stats_fd, struct pf_portal_sample **out, size_t *n);
/* Every entry of the "lifted" map fd, as pf_read_portals. */
int pf_read_lifted(int fd, struct pf_lifted_sample **out, size_t *n);

#endif
