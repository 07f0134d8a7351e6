// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Loading and pinning the programs and maps, and removing them. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "adopt.h"
#include "attach.h"
#include "attachments.h"
#include "probes.h"
#include "layout.h"
#include "load.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"
#include "upgrade.h"
#include "fence.skel.h"
#include "sweep.skel.h"

const char *const pf_pinned_maps[PF_PINNED_MAPS] = {
	PF_PIN_PORTALS, PF_PIN_STATS, PF_PIN_PORTAL_STATS, PF_PIN_DEVICES, PF_PIN_KNOCKS,
	PF_PIN_CLI_STATS, PF_PIN_OWNER, PF_PIN_LAYOUT, PF_PIN_LIFTED,
};

/* The pins of the tc programs, by framing. */
static const char *const prog_pins[PF_FRAMINGS][2] = {
	[PF_FRAMING_ETHERNET] = { PF_PIN_PROG_INGRESS, PF_PIN_PROG_EGRESS },
	[PF_FRAMING_L3] = { PF_PIN_PROG_L3_INGRESS, PF_PIN_PROG_L3_EGRESS },
};

/* The L3 build is loaded with the first device that needs it: a node
 * without one pays no verifier time for it. */
bool pf_loaded(struct pf_state *st)
{
	size_t i;

	for (i = 0; i < PF_PINNED_MAPS; i++)
		if (!pf_pin_exists(st->pin_dir, pf_pinned_maps[i]))
			return false;
	return pf_pin_exists(st->pin_dir, prog_pins[PF_FRAMING_ETHERNET][0]) &&
	       pf_pin_exists(st->pin_dir, prog_pins[PF_FRAMING_ETHERNET][1]);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The id of the program fd (then closed); 0 if fd is an error. */
static __u32 prog_id_close(int fd)
{
	__u32 id = fd < 0 ? 0 : prog_id(fd);

	if (fd >= 0)
		close(fd);
	return id;
}

static void pair_close(struct pf_prog_pair *pair)
{
	if (pair->ingress_fd >= 0)
		close(pair->ingress_fd);
	if (pair->egress_fd >= 0)
		close(pair->egress_fd);
	pair->ingress_fd = pair->egress_fd = -1;
	pair->ingress_id = pair->egress_id = 0;
}

/* Each fd keeps its errno where its pin cannot be opened: pf_progs_open
 * tells an L3 build not loaded yet (both -ENOENT) from a broken one. */
static int pair_open(const char *dir, enum pf_framing framing, struct pf_prog_pair *pair)
{
	pair->ingress_fd = pf_pin_open(dir, prog_pins[framing][0]);
	pair->egress_fd = pf_pin_open(dir, prog_pins[framing][1]);
	pair->ingress_id = pair->ingress_fd < 0 ? 0 : prog_id(pair->ingress_fd);
	pair->egress_id = pair->egress_fd < 0 ? 0 : prog_id(pair->egress_fd);
	return pair->ingress_fd < 0 ? pair->ingress_fd : pair->egress_fd < 0 ? pair->egress_fd : 0;
}

int pf_prog_pair_open(struct pf_state *st, enum pf_framing framing, struct pf_prog_pair *pair)
{
	int err = pair_open(st->pin_dir, framing, pair);

	if (err)
		pair_close(pair);
	return err;
}

int pf_progs_open(struct pf_state *st, struct pf_progs *p)
{
	int f, err = 0, e;

	for (f = 0; f < PF_FRAMINGS; f++) {
		struct pf_prog_pair *pair = &p->by[f];

		e = pair_open(st->pin_dir, f, pair);
		if (f == PF_FRAMING_L3 && pair->ingress_fd == -ENOENT && pair->egress_fd == -ENOENT)
			continue;	/* not loaded yet */
		if (e && !err)
			err = e;
	}
	if (err)
		pf_progs_close(p);
	return err;
}

void pf_progs_close(struct pf_progs *p)
{
	int f;

	for (f = 0; f < PF_FRAMINGS; f++)
		pair_close(&p->by[f]);
}
void pf_progs_on(const struct pf_progs *p, const struct pf_iface *iface, bool *ingress,
		 bool *egress)
{
	const struct pf_prog_pair *pair = &p->by[iface->framing];

	*ingress = pair->ingress_id && iface->ingress_id == pair->ingress_id;
	*egress = pair->egress_id && iface->egress_id == pair->egress_id;
}

bool pf_progs_has(const struct pf_progs *p, __u32 prog_id)
{
	int f;

	for (f = 0; f < PF_FRAMINGS && prog_id; f++)
		if (prog_id == p->by[f].ingress_id || prog_id == p->by[f].egress_id)
			return true;
	return false;
}

static int pin_prog(struct bpf_program *prog, const char *dir, const char *name)
{
	return pf_pin_replace(bpf_program__fd(prog), dir, name);
}

const char *pf_prog_pin(enum pf_framing framing, bool egress)
{
	return prog_pins[framing][egress];
}


/* A drain under way keeps each socket's progress in the sweep program's
 * socket storage: a sweep loaded in the place of the pinned one takes it
 * over (where its record is of the same size), so no socket's quiet
 * window starts again. */
static void take_drain_state(const struct pf_state *st, struct sweep_bpf *skel)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = prog_id_close(pf_pin_open(st->pin_dir, PF_PIN_PROG_SWEEP));
	int fd = id ? pf_prog_map(id, "drain_state") : -ENOENT;

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.value_size == bpf_map__value_size(skel->maps.drain_state))
		bpf_map__reuse_fd(skel->maps.drain_state, fd);
	close(fd);
}

int pf_sweep_load(const struct pf_env *env, struct sweep_bpf **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = env->pin_dir);
	struct sweep_bpf *skel = sweep_bpf__open_opts(&opts);
	int err;

	if (skel)
		take_drain_state(env->state, skel);
	err = skel ? sweep_bpf__load(skel) : -errno;

	/* expected where the kernel lacks the kfunc; a surprise where it has it */
	if (err && pf_kernel_has_func("bpf_sock_destroy"))
		pf_warn(env, "the sweep program did not load although the kernel has "
			"bpf_sock_destroy() (%s): sockets are destroyed through sock_diag, "
			"and without the drain", strerror(-err));
	if (err) {
		sweep_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/* Pins the sweep program (then destroys skel). It is optional: without
 * bpf_sock_destroy() (kernel < 6.5) the fence falls back to sock_diag, so
 * a failure here is not an error. */
static void pin_sweep(const struct pf_env *env, struct sweep_bpf *skel)
{
	if (pin_prog(skel->progs.sweep, env->pin_dir, PF_PIN_PROG_SWEEP))
		pf_warn(env, "cannot pin the sweep program: sockets are destroyed through "
			"sock_diag, and without the drain");
	sweep_bpf__destroy(skel);
}

/* The sweep program loading on a thread of its own: the verifier's work
 * overlaps the first load's attaches, each of which waits for an RCU
 * grace period (under rtnl_lock, so they cannot overlap one another). */
struct sweep_job {
	const struct pf_env *env;
	struct sweep_bpf *skel;
	pthread_t thread;
	bool threaded;
	int err;
};

static void *sweep_job_run(void *arg)
{
	struct sweep_job *job = arg;

	job->err = pf_sweep_load(job->env, &job->skel);
	return NULL;
}

static void sweep_job_start(struct sweep_job *job, const struct pf_env *env)
{
	job->env = env;
	job->threaded = !pthread_create(&job->thread, NULL, sweep_job_run, job);
	if (!job->threaded)
		sweep_job_run(job);
}

static void sweep_job_pin(struct sweep_job *job)
{
	if (job->threaded)
		pthread_join(job->thread, NULL);
	if (!job->err)
		pin_sweep(job->env, job->skel);
}

/* Records the pin dir in "owner", the layout in "layout", and binds the maps the programs do not
 * use themselves to both of them: they live as long as the programs do,
 * pins or not. */
int pf_fence_claim(struct fence_bpf *skel, struct pf_state *st)
{
	struct bpf_map *bound[] = {
		skel->maps.owner, skel->maps.devices, skel->maps.cli_stats, skel->maps.layout,
	};
	struct bpf_program *progs[] = { skel->progs.fence_ingress, skel->progs.fence_egress };
	struct pf_layout layout = { .version = PF_LAYOUT_VERSION };
	struct pf_owner owner = {};
	__u32 zero = 0;
	size_t i, j;

	snprintf(owner.pin_dir, sizeof(owner.pin_dir), "%s", st->pin_dir);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.owner), &zero, &owner, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.layout), &zero, &layout, BPF_ANY))
		return -errno;
	/* before 5.10 there is no binding: lost pins then lose these four */
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		for (j = 0; j < sizeof(bound) / sizeof(bound[0]); j++)
			bpf_prog_bind_map(bpf_program__fd(progs[i]), bpf_map__fd(bound[j]), NULL);
	return 0;
}

int pf_fence_load(const struct pf_env *env, enum pf_framing framing, struct fence_bpf **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = env->pin_dir);
	struct fence_bpf *skel;
	const char *missing;
	int err;

	skel = fence_bpf__open_opts(&opts);
	if (!skel)
		return pf_error(env, pf_runtime_errno(-errno), "cannot open the BPF object: %s",
				strerror(errno));
	skel->rodata->l3_device = framing == PF_FRAMING_L3;
	err = fence_bpf__load(skel);
	if (err) {
		fence_bpf__destroy(skel);
		if (err == -EPERM)
			return pf_error(env, -EPERM, "loading BPF programs not permitted "
					"(needs CAP_BPF and CAP_NET_ADMIN)");
		missing = pf_missing_feature();
		if (missing)
			return pf_error(env, -EOPNOTSUPP, "the kernel lacks %s", missing);
		return pf_error(env, pf_runtime_errno(err), "cannot load the BPF programs: %s "
				"(PORTFENCE_DEBUG=1 shows the verifier log)", strerror(-err));
	}
	*out = skel;
	return 0;
}

/* The Ethernet build's pins say "loaded" (pf_loaded): pinned last, so a
 * load killed before them is done again whole, the sweep included. */
static int pin_fence(const struct pf_env *env, struct fence_bpf *skel, enum pf_framing framing)
{
	int err = pin_prog(skel->progs.fence_ingress, env->pin_dir, prog_pins[framing][0]);

	if (!err)
		err = pin_prog(skel->progs.fence_egress, env->pin_dir, prog_pins[framing][1]);
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot pin programs in '%s': %s",
				env->pin_dir, strerror(-err));
	return 0;
}

/* This build's programs for framing, loaded and claimed into *skel. */
static int load_claimed(const struct pf_env *env, enum pf_framing framing, struct fence_bpf **skel)
{
	int err = pf_fence_load(env, framing, skel);

	if (err)
		return err;
	err = pf_fence_claim(*skel, env->state);
	if (err) {
		fence_bpf__destroy(*skel);
		return pf_error(env, pf_runtime_errno(err), "cannot pin programs in '%s': %s",
				env->pin_dir, strerror(-err));
	}
	return 0;
}

int pf_load_framing(const struct pf_env *env, enum pf_framing framing)
{
	struct fence_bpf *skel;
	int err = load_claimed(env, framing, &skel);

	if (err)
		return err;
	if (framing == PF_FRAMING_ETHERNET) {
		struct sweep_job sweep = { .env = env };

		sweep_job_run(&sweep);
		sweep_job_pin(&sweep);
	}
	err = pin_fence(env, skel, framing);
	fence_bpf__destroy(skel);
	return err;
}

/* Dups of the programs of skel, as pf_progs_open gives the pinned ones. */
static int take_fds(struct fence_bpf *skel, struct pf_prog_pair *pair)
{
	pair->ingress_fd = dup(bpf_program__fd(skel->progs.fence_ingress));
	pair->egress_fd = dup(bpf_program__fd(skel->progs.fence_egress));
	pair->ingress_id = pair->ingress_fd < 0 ? 0 : prog_id(pair->ingress_fd);
	pair->egress_id = pair->egress_fd < 0 ? 0 : prog_id(pair->egress_fd);
	return pair->ingress_id && pair->egress_id ? 0 : -errno;
}

/* A first load (caller holds the lock): the Ethernet build is attached to
 * devs (NULL: every interface) before it is pinned, while the sweep
 * program loads beside the attaches; the pins come last whatever the
 * attaches did, as pf_load_framing's. 0 or a negative errno, reported. */
static int first_load(const struct pf_env *env, char **devs, int ndevs, FILE *out)
{
	struct pf_progs progs = PF_PROGS_NONE;
	struct sweep_job sweep = {};
	struct fence_bpf *skel;
	int err = load_claimed(env, PF_FRAMING_ETHERNET, &skel), pinned;

	if (err)
		return err;
	sweep_job_start(&sweep, env);
	err = pf_select_devices(env, devs, ndevs);
	if (!err) {
		err = take_fds(skel, &progs.by[PF_FRAMING_ETHERNET]);
		if (err)
			err = pf_error(env, pf_runtime_errno(err), "cannot open the programs: %s",
				       strerror(-err));
	}
	if (!err) {
		err = pf_attach_progs(env, &progs, out);
		err = err < 0 ? err : 0;
	}
	pf_progs_close(&progs);
	sweep_job_pin(&sweep);
	pinned = pin_fence(env, skel, PF_FRAMING_ETHERNET);
	fence_bpf__destroy(skel);
	return err ? err : pinned;
}

static int check_devices_exist(const struct pf_env *env, char **devs, int ndevs)
{
	int i;

	for (i = 0; i < ndevs; i++) {
		if (strlen(devs[i]) >= IF_NAMESIZE || !if_nametoindex(devs[i]))
			return pf_error(env, -EINVAL, "no interface '%s' in this network namespace",
					devs[i]);
	}
	return 0;
}

static int lock_failed(const struct pf_env *env, int err)
{
	if (err == -ETIMEDOUT)
		return pf_error(env, err, "the pin dir '%s' has been locked by another "
				"process for %d ms: given up (fuser on it names the holder)",
				env->pin_dir, pf_lock_wait_ms());
	return pf_error(env, pf_runtime_errno(err), "cannot lock '%s': %s", env->pin_dir,
			strerror(-err));
}

int pf_ensure_ready(const struct pf_env *env, char **devs, int ndevs, bool all, bool replace,
		    FILE *out)
{
	int err, lock, lacking;

	err = check_devices_exist(env, devs, ndevs);
	if (!err)
		err = pf_check_attach_choice(env);
	if (!err)
		err = pf_layout_require(env, true);
	if (err)
		return err;
	/* Fast path, no lock: everything pinned and attached already. */
	if (!devs && !all && pf_loaded(env->state) && pf_sync_attachments(env, false, NULL) == 0)
		return 0;

	err = pf_pin_dir_prepare(env);
	if (err)
		return err;
	lock = pf_lock(env->pin_dir);
	if (lock < 0)
		return lock_failed(env, lock);
	/* what was read before the lock may have changed while it was waited
	 * for, and what follows changes it */
	pf_state_reset(env->state);
	if (!pf_loaded(env->state)) {
		err = pf_adopt_attached(env, out);
		/* a first load selects every interface unless told otherwise */
		all = all || !devs;
		if (!err)
			err = first_load(env, all ? NULL : devs, all ? 0 : ndevs, out);
		pf_state_reset(env->state);
		pf_unlock(lock);
		return err;
	}
	if (replace)
		err = pf_upgrade(env, out);
	if (!err && (all || devs))
		err = pf_select_devices(env, all ? NULL : devs, all ? 0 : ndevs);
	if (!err) {
		lacking = pf_sync_attachments(env, true, out);
		err = lacking < 0 ? lacking : 0;
	}
	pf_state_reset(env->state);
	pf_unlock(lock);
	return err;
}

int pf_unload(const struct pf_env *env, FILE *out)
{
	struct pf_progs p = PF_PROGS_NONE;
	struct pf_iface *ifs;
	char path[PATH_MAX];
	int n, i, lock, err, rc = 0;
	__u32 portals_id;
	size_t k;

	/* a pin dir without pins detaches the programs whose pins were lost,
	 * never those of another pin dir that still holds them: a mistyped
	 * --pin-dir would say "unloaded" and leave the fence in force */
	if (pf_state_foreign(env->state, NULL, NULL))
		return pf_state_foreign_error(env->state);
	/* a pin dir gone with its bpffs leaves the filters behind: they are
	 * still ours to detach, without a lock to take */
	lock = access(env->pin_dir, F_OK) ? -ENOENT : pf_lock(env->pin_dir);
	if (lock < 0 && lock != -ENOENT)
		return lock_failed(env, lock);
	pf_progs_open(env->state, &p);
	portals_id = pf_pinned_portals_id(env->state);
	n = pf_ifaces(&ifs);
	for (i = 0; i < n; i++) {
		__u32 id = ifs[i].ingress_id ? ifs[i].ingress_id : ifs[i].egress_id;
		__u32 their_portals_id = id ? pf_prog_portals_id(id) : 0;
		/* our programs, or a portfence program on our fence table; with
		 * no pins, every portfence program whose pins were lost, never
		 * those of a pin dir that still has them */
		bool ours = their_portals_id &&
			    (portals_id ? their_portals_id == portals_id :
			     !pf_owned_elsewhere(env->state, id, their_portals_id, NULL));

		if (pf_progs_has(&p, ifs[i].ingress_id) || pf_progs_has(&p, ifs[i].egress_id))
			ours = true;
		if (!ours)
			continue;
		err = pf_hook_detach(&ifs[i]);
		if (err)
			rc = pf_error(env, pf_runtime_errno(err), "cannot detach from %s",
				      ifs[i].name);
		else if (out)
			fprintf(out, "detached %s\n", ifs[i].name);
	}
	if (n >= 0)
		free(ifs);
	pf_progs_close(&p);
	for (k = 0; k <= PF_FRAMINGS * 2; k++) {
		const char *name = k < PF_FRAMINGS * 2 ? prog_pins[k / 2][k % 2] :
				   PF_PIN_PROG_SWEEP;

		pf_pin_path(path, sizeof(path), env->pin_dir, name);
		unlink(path);
		/* left by a load killed while it replaced the programs */
		strncat(path, PF_PIN_NEXT, sizeof(path) - strlen(path) - 1);
		unlink(path);
	}
	for (k = 0; k < PF_PINNED_MAPS; k++) {
		pf_pin_path(path, sizeof(path), env->pin_dir, pf_pinned_maps[k]);
		unlink(path);
	}
	pf_state_reset(env->state);
	pf_unlock(lock);
	/* the default dir is ours to remove; a custom one is the caller's */
	if (!strcmp(env->pin_dir, PF_DEFAULT_PIN_DIR))
		rmdir(env->pin_dir);
	return rc;
}

