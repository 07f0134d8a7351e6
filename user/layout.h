/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The layout stamp of the pinned maps (PF_LAYOUT_VERSION). */
#ifndef PF_LAYOUT_H
#define PF_LAYOUT_H

#include <stdbool.h>
#include "cli.h"

struct pf_state;

/* The layout of the maps of st (or, pins lost, of the programs
 * attached here): PF_LAYOUT_UNSTAMPED when they carry no stamp, -ENOENT
 * when there are none, another negative errno when they cannot be read.
 * Read once: the handle keeps it, as it keeps pf_layout_differs'. */
int pf_layout_version(struct pf_state *st);
/* The first map of st whose type, key, value or size differs from
 * this build's, or NULL when none does. */
const char *pf_layout_differs(struct pf_state *st);
/* May this build write (writing) or read the maps of env's pin dir? A
 * fresh pin dir, our layout, or a pre-stamp one of the same shape may be
 * written (load stamps it); another layout of the same shape only read.
 * 0, or a negative errno having said why not (-EPROTO: another layout;
 * -EACCES, -EPERM: not permitted; any other a runtime failure, exit 1). */
int pf_layout_require(const struct pf_env *env, bool writing);
/* Can this build's programs run on the maps of env's pin dir: none, or
 * this layout's stamp (or none yet) and every map of this build's shape?
 * 0, or -EPROTO having said why not and what to do, as pf_layout_require. */
int pf_layout_require_same(const struct pf_env *env);

#endif
