/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Loading and pinning the programs and maps, and removing them. */
#ifndef PF_LOAD_H
#define PF_LOAD_H

#include <linux/types.h>
#include "attach.h"
#include "cli.h"

struct pf_state;

/* The tc programs for one framing of device. */
struct pf_prog_pair {
	int ingress_fd, egress_fd;
	__u32 ingress_id, egress_id;
};

struct pf_progs {
	struct pf_prog_pair by[PF_FRAMINGS];	/* by enum pf_framing */
};

#define PF_PROGS_NONE { .by = { { -1, -1, 0, 0 }, { -1, -1, 0, 0 } } }

/* The pins of the maps, each made by the first load. */
#define PF_PINNED_MAPS	9
extern const char *const pf_pinned_maps[PF_PINNED_MAPS];

/* Is everything pinned (maps and tc programs)? */
bool pf_loaded(struct pf_state *st);
/* Open the pinned tc programs; 0 or negative errno. */
int pf_progs_open(struct pf_state *st, struct pf_progs *progs);
void pf_progs_close(struct pf_progs *progs);
/* Open the pinned tc programs of framing into pair; 0 or negative errno
 * (then pair holds none). */
int pf_prog_pair_open(struct pf_state *st, enum pf_framing framing, struct pf_prog_pair *pair);
/* Is prog_id one of progs (of either framing)? */
bool pf_progs_has(const struct pf_progs *progs, __u32 prog_id);
/* Which hooks of iface run the programs of progs meant for it. */
void pf_progs_on(const struct pf_progs *progs, const struct pf_iface *iface, bool *ingress,
		 bool *egress);

/* Load and pin if needed (with replace, programs pinned that are not this
 * build's are replaced in place: pf_upgrade), add devs to the selected interfaces (all: select
 * every interface; a first load without devs does too), attach to every
 * selected interface not yet attached. Takes the lock only when something
 * must change. Prints what it attached to out (may be NULL). 0 or a
 * negative errno, reported. */
int pf_ensure_ready(const struct pf_env *env, char **devs, int ndevs, bool all, bool replace,
		    FILE *out);

/* Loads the tc programs built for framing (on the pinned maps, shared by
 * both builds) and pins them. 0 or a negative errno, reported. */
int pf_load_framing(const struct pf_env *env, enum pf_framing framing);
/* This build's tc programs for framing, loaded on the pinned maps, not yet
 * pinned, into *skel (the caller destroys it); 0 or a negative errno,
 * reported. */
struct fence_bpf;
struct sweep_bpf;
int pf_fence_load(const struct pf_env *env, enum pf_framing framing, struct fence_bpf **skel);
/* Stamps the owner and the layout, and binds the maps the programs do not
 * use themselves to them. 0 or a negative errno. */
int pf_fence_claim(struct fence_bpf *skel, struct pf_state *st);
/* This build's sweep program, loaded on the pinned maps, not yet pinned; 0
 * or a negative errno (warned about only where the kernel could run it). */
int pf_sweep_load(const struct pf_env *env, struct sweep_bpf **skel);
/* The pin name of the tc program for framing and direction. */
const char *pf_prog_pin(enum pf_framing framing, bool egress);

/* Detach everywhere and remove every pin. 0 or a negative errno, reported. */
int pf_unload(const struct pf_env *env, FILE *out);

#endif
