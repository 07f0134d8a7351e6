/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reading the pinned counters and fence table, for the commands that
 * report them (list, status, metrics). */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <linux/types.h>
#include "portfence.h"

/* The per-CPU counters at key of map fd, summed; zeros if absent. */
void pf_read_counters(int fd, const void *key, struct pf_counters *sum);
/* The CLI's own counters in pin_dir; zeros if not loaded. */
void pf_read_cli_counters(const char *pin_dir, struct pf_cli_counters *cli);
/* Adds add to the CLI's counters in pin_dir, atomically (every process
 * shares the one mmap()ed copy); nothing if not loaded. */
void pf_cli_count(const char *pin_dir, const struct pf_cli_counters *add);
/* Entries of the fence table fd (0 if fd < 0). */
unsigned int pf_count_portals(int fd);

#endif
