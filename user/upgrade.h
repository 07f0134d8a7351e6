/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Replacing the running programs with this build's, keeping every map and
 * every fence (docs/reference.md, Upgrades). */
#ifndef PF_UPGRADE_H
#define PF_UPGRADE_H

#include <stdio.h>
#include "cli.h"

/* Where the programs pinned in env's pin dir are not this build's (their
 * tags differ), load this build's on the pinned maps, pin them in their
 * place and swap them in on every interface running the old ones: tcx in
 * place of the old program, clsact at the same handle and priority, so
 * the fence never lapses. Maps of another layout or shape are refused
 * before anything changes. Prints what it replaced to out (may be NULL).
 * The caller holds the lock. 0 or a negative errno, reported. */
int pf_upgrade(const struct pf_env *env, FILE *out);

#endif
