/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The interfaces: which are selected, and keeping our programs attached
 * to each of them. */
#ifndef PF_ATTACHMENTS_H
#define PF_ATTACHMENTS_H

#include <stdbool.h>
#include <stdio.h>
#include "cli.h"

/* Adds devs (none: every interface, "*") to the selected interfaces. 0 or
 * a negative errno, reported. */
int pf_select_devices(const struct pf_env *env, char **devs, int ndevs);
/* A wrong $PORTFENCE_ATTACH: -EINVAL or -EOPNOTSUPP, reported; else 0. */
int pf_check_attach_choice(const struct pf_env *env);
/* Interfaces selected but lacking our current programs; with attach, fix
 * them (caller holds the lock), saying so on out (may be NULL). Returns
 * how many lacked, or a negative errno, reported. */
int pf_sync_attachments(const struct pf_env *env, bool attach, FILE *out);
struct pf_progs;
/* The same, attaching progs (not yet pinned: a first load), the pair of a
 * framing they lack loaded and pinned into them on demand; the caller
 * closes them. */
int pf_attach_progs(const struct pf_env *env, struct pf_progs *progs, FILE *out);

#endif
