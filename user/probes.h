/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the running kernel offers the fence. */
#ifndef PF_PROBES_H
#define PF_PROBES_H

#include <stdbool.h>

struct pf_state;

/* Name what the kernel lacks when the data path does not load; NULL if
 * nothing the probes know of. */
const char *pf_missing_feature(void);
/* Does the running kernel's BTF have the function (a kfunc) name? */
bool pf_kernel_has_func(const char *name);
/* Which socket-destroy mechanism a sweep will use. */
const char *pf_sweep_mechanism(struct pf_state *st);

#endif
