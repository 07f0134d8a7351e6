/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Destroying the established sockets of fenced portals (docs/reference.md,
 * Tearing down established sockets): the iter/tcp program where the kernel
 * has bpf_sock_destroy(), else sock_diag SOCK_DESTROY; else nothing here,
 * and the egress reset kills each connection on its next transmit. */
#ifndef PF_SWEEP_H
#define PF_SWEEP_H

#include <stdio.h>
#include "portfence.h"

struct pf_state;

typedef void (*pf_sweep_report)(const struct pf_sweep_record *rec, void *arg);

/* Runs link's iterator once over every TCP socket of the namespace,
 * passing each record it writes to report (if any), read in batches.
 * Returns how many records, or a negative errno. */
int pf_sweep_read(int link, pf_sweep_report report, void *arg);

/* Returns how many sockets were destroyed, or a negative errno; sets
 * *mechanism to the one used. */
int pf_sweep(struct pf_state *st, pf_sweep_report report, void *arg, const char **mechanism);

#endif
