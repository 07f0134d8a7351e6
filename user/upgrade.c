// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "adopt.h"
#include "attach.h"
#include "layout.h"
#include "load.h"
#include "map_walk.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"
#include "upgrade.h"
#include "fence.skel.h"
#include "sweep.skel.h"

/* The kernel's tag is a hash of the instructions as loaded, map
 * references left out: the same code loaded twice has the same tag, and
 * a build whose code differs has another. */
static bool tag_of(int fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return true;
}

/* Is the program pinned as name this code? A pin that cannot be read is
 * not: replacing it is what a load is for. */
static bool pinned_is(const char *dir, const char *name, int fd)
{
	__u8 have[BPF_TAG_SIZE], want[BPF_TAG_SIZE];
	int pinned = pf_pin_open(dir, name);
	bool same = tag_of(pinned, have) && tag_of(fd, want) && !memcmp(have, want, sizeof(have));

	if (pinned >= 0)
		close(pinned);
	return same;
}

/* This build's programs for each framing pinned, where they differ from
 * the pinned ones; NULL where they do not (or the framing is not loaded). */
struct builds {
	struct fence_bpf *tc[PF_FRAMINGS];
	struct sweep_bpf *sweep;
};

static void builds_free(struct builds *b)
{
	int f;

	for (f = 0; f < PF_FRAMINGS; f++)
		fence_bpf__destroy(b->tc[f]);
	sweep_bpf__destroy(b->sweep);
}

static int load_differing(const struct pf_env *env, struct builds *b)
{
	struct fence_bpf *skel;
	int f, err;

	for (f = 0; f < PF_FRAMINGS; f++) {
		if (!pf_pin_exists(env->pin_dir, pf_prog_pin(f, false)))
			continue;	/* the L3 build, not needed yet */
		err = pf_fence_load(env, f, &skel);
		if (err)
			return err;
		if (pinned_is(env->pin_dir, pf_prog_pin(f, false),
			      bpf_program__fd(skel->progs.fence_ingress)) &&
		    pinned_is(env->pin_dir, pf_prog_pin(f, true),
			      bpf_program__fd(skel->progs.fence_egress)))
			fence_bpf__destroy(skel);
		else
			b->tc[f] = skel;
	}
	/* without it (a kernel lacking bpf_sock_destroy) the old one, if any, stays */
	if (!pf_sweep_load(env, &b->sweep) &&
	    pinned_is(env->pin_dir, PF_PIN_PROG_SWEEP, bpf_program__fd(b->sweep->progs.sweep))) {
		sweep_bpf__destroy(b->sweep);
		b->sweep = NULL;
	}
	return 0;
}

/* The Ethernet build's pins last: they say "loaded" to every command. */
static int pin_builds(const struct pf_env *env, const struct builds *b)
{
	int f, err = 0;

	if (b->sweep)
		err = pf_pin_replace(bpf_program__fd(b->sweep->progs.sweep), env->pin_dir,
				     PF_PIN_PROG_SWEEP);
	for (f = PF_FRAMINGS - 1; f >= 0 && !err; f--) {
		if (!b->tc[f])
			continue;
		err = pf_fence_claim(b->tc[f], env->state);
		if (!err)
			err = pf_pin_replace(bpf_program__fd(b->tc[f]->progs.fence_ingress),
					     env->pin_dir, pf_prog_pin(f, false));
		if (!err)
			err = pf_pin_replace(bpf_program__fd(b->tc[f]->progs.fence_egress),
					     env->pin_dir, pf_prog_pin(f, true));
	}
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot pin the new programs in "
				"'%s': %s", env->pin_dir, strerror(-err));
	return 0;
}

/*
 * Every interface running programs on this fence table that are not the
 * pinned ones gets the pinned ones, on the hook it has them on: selected
 * or not (renamed since), so no interface is left on the old code. The
 * replacement is atomic on both hooks: tcx puts the new program in the
 * old one's place (BPF_F_REPLACE), clsact replaces the filter at the same
 * handle and priority. Returns how many interfaces, or a negative errno,
 * reported.
 */
static int swap_attached(const struct pf_env *env)
{
	struct pf_progs progs = PF_PROGS_NONE;
	__u32 portals_id = pf_pinned_portals_id(env->state);
	struct pf_iface *ifs;
	int n, i, count = 0, err;

	err = pf_progs_open(env->state, &progs);
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot open the new programs: %s",
				strerror(-err));
	n = pf_ifaces(&ifs);
	if (n < 0) {
		pf_progs_close(&progs);
		return pf_error(env, pf_runtime_errno(n), "cannot list interfaces: %s",
				strerror(-n));
	}
	for (i = 0; i < n && count >= 0; i++) {
		const struct pf_iface *it = &ifs[i];
		const struct pf_prog_pair *pair = &progs.by[it->framing];
		__u32 id = it->ingress_id ? it->ingress_id : it->egress_id;
		enum pf_hook hook = it->ingress_hook ? it->ingress_hook : it->egress_hook;
		bool ingress, egress;

		if (!it->fenceable || !id || pf_prog_portals_id(id) != portals_id || pair->ingress_fd < 0)
			continue;
		pf_progs_on(&progs, it, &ingress, &egress);
		if ((ingress || !it->ingress_id) && (egress || !it->egress_id))
			continue;
		err = pf_hook_attach(it, hook, pair->ingress_fd, pair->egress_fd);
		if (err)
			count = pf_error(env, pf_runtime_errno(err), "cannot replace the programs "
					 "on %s (%s): %s; it runs the old ones, which enforce the "
					 "same fences", it->name, pf_hook_name(hook), strerror(-err));
		else
			count++;
	}
	free(ifs);
	pf_progs_close(&progs);
	return count;
}

/* How many fence entries the table holds. */
static int fences(struct pf_state *st)
{
	int fd = pf_state_map(st, PF_PIN_PORTALS, NULL);

	return fd < 0 ? fd : pf_map_count(fd, sizeof(struct pf_portal_key));
}

int pf_upgrade(const struct pf_env *env, FILE *out)
{
	struct builds b = {};
	bool pinned = false;
	int err, swapped;

	err = pf_layout_require_same(env);
	if (!err)
		err = load_differing(env, &b);
	if (!err && (b.tc[PF_FRAMING_ETHERNET] || b.tc[PF_FRAMING_L3] || b.sweep)) {
		err = pin_builds(env, &b);
		pinned = !err;
	}
	builds_free(&b);
	if (err)
		return err;
	/* also after a load killed between the pins and the attachments */
	swapped = swap_attached(env);
	if (swapped < 0)
		return swapped;
	if (out && (swapped || pinned))
		fprintf(out, "replaced the programs in place (%d interface%s), fences kept: %d\n",
			swapped, swapped == 1 ? "" : "s", fences(env->state));
	return 0;
}
