/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Is a portal's fence in force: are the programs that enforce it attached
 * where its traffic passes? An entry in the fence table holds nothing off
 * on an interface our programs do not run on. */
#ifndef PF_IN_FORCE_H
#define PF_IN_FORCE_H

#include <stddef.h>
#include "cli.h"
#include "portal.h"

/* 0 if this build's programs are loaded and run on both hooks of every
 * interface holding an address of the portal (of at least one interface
 * for a portal on every address); 1 if not, why into why ("the portfence
 * programs are not attached on eth1, which holds 198.18.0.1"); a negative
 * errno when the interfaces could not be read. */
int pf_portal_in_force(const struct pf_env *env, const struct pf_portal *portal, char *why,
		       size_t n);

#endif
