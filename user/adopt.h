/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Adopting the maps of programs still attached whose pins were lost. */
#ifndef PF_ADOPT_H
#define PF_ADOPT_H

#include <stdio.h>
#include <linux/types.h>
#include "cli.h"

struct pf_state;

/* Our portals map's id; 0 if it is not pinned. */
__u32 pf_pinned_portals_id(const struct pf_state *st);
/* Pins in env's pin dir the maps of the portfence programs attached in
 * this namespace, where those pins are missing; says so on out (may be
 * NULL). 0 or a negative errno, reported. */
int pf_adopt_attached(const struct pf_env *env, FILE *out);

#endif
