// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "layout.h"
#include "loader.h"
#include "pins.h"
#include "portfence.h"
#include "sockdiag.h"
#include "state.h"
#include "upgrade.h"
#include "fence.skel.h"
#include "sweep.skel.h"

static const char *const pinned_maps[] = {
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
bool pf_loaded(const char *dir)
{
	size_t i;

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++)
		if (!pf_pin_exists(dir, pinned_maps[i]))
			return false;
	return pf_pin_exists(dir, prog_pins[PF_FRAMING_ETHERNET][0]) &&
	       pf_pin_exists(dir, prog_pins[PF_FRAMING_ETHERNET][1]);
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

int pf_progs_open(const char *dir, struct pf_progs *p)
{
	int f, err = 0;

	for (f = 0; f < PF_FRAMINGS; f++) {
		struct pf_prog_pair *pair = &p->by[f];

		pair->ingress_fd = pf_pin_open(dir, prog_pins[f][0]);
		pair->egress_fd = pf_pin_open(dir, prog_pins[f][1]);
		if (f == PF_FRAMING_L3 && pair->ingress_fd == -ENOENT && pair->egress_fd == -ENOENT)
			continue;	/* not loaded yet */
		if (pair->ingress_fd < 0 && !err)
			err = pair->ingress_fd;
		if (pair->egress_fd < 0 && !err)
			err = pair->egress_fd;
		pair->ingress_id = pair->ingress_fd < 0 ? 0 : prog_id(pair->ingress_fd);
		pair->egress_id = pair->egress_fd < 0 ? 0 : prog_id(pair->egress_fd);
	}
	if (err)
		pf_progs_close(p);
	return err;
}

void pf_progs_close(struct pf_progs *p)
{
	int f;

	for (f = 0; f < PF_FRAMINGS; f++) {
		struct pf_prog_pair *pair = &p->by[f];

		if (pair->ingress_fd >= 0)
			close(pair->ingress_fd);
		if (pair->egress_fd >= 0)
			close(pair->egress_fd);
		pair->ingress_fd = pair->egress_fd = -1;
		pair->ingress_id = pair->egress_id = 0;
	}
}

void pf_progs_on(const struct pf_progs *p, const struct pf_iface *iface, bool *in, bool *out)
{
	const struct pf_prog_pair *pair = &p->by[iface->framing];

	*in = pair->ingress_id && iface->ingress_id == pair->ingress_id;
	*out = pair->egress_id && iface->egress_id == pair->egress_id;
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

/* Name what the kernel lacks when the data path does not load. */
static const char *missing_feature(void)
{
	static const struct { enum bpf_func_id id; const char *name; } helpers[] = {
		{ BPF_FUNC_skb_load_bytes, "bpf_skb_load_bytes" },
		{ BPF_FUNC_skb_pull_data, "bpf_skb_pull_data" },
		{ BPF_FUNC_skb_store_bytes, "bpf_skb_store_bytes" },
		{ BPF_FUNC_skb_change_tail, "bpf_skb_change_tail" },
		{ BPF_FUNC_csum_diff, "bpf_csum_diff" },
		{ BPF_FUNC_redirect, "bpf_redirect" },
		{ BPF_FUNC_clone_redirect, "bpf_clone_redirect" },
	};
	size_t i;

	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, NULL) != 1)
		return "tc BPF programs (BPF_PROG_TYPE_SCHED_CLS)";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_LPM_TRIE, NULL) != 1)
		return "BPF LPM trie maps";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_PERCPU_HASH, NULL) != 1)
		return "BPF per-CPU hash maps";
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, helpers[i].id, NULL) != 1)
			return helpers[i].name;
	return NULL;
}

/* The sweep is optional: without bpf_sock_destroy() (kernel < 6.5) the
 * fence falls back to sock_diag, so a failure here is not an error. */
bool pf_kernel_has_func(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

/* A drain under way keeps each socket's progress in the sweep program's
 * socket storage: a sweep loaded in the place of the pinned one takes it
 * over (where its record is of the same size), so no socket's quiet
 * window starts again. */
static void take_drain_state(const char *pin_dir, struct sweep_bpf *skel)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = prog_id_close(pf_pin_open(pin_dir, PF_PIN_PROG_SWEEP));
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
		take_drain_state(env->pin_dir, skel);
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

static void load_sweep(const struct pf_env *env)
{
	struct sweep_bpf *skel;

	if (pf_sweep_load(env, &skel))
		return;
	if (pin_prog(skel->progs.sweep, env->pin_dir, PF_PIN_PROG_SWEEP))
		pf_warn(env, "cannot pin the sweep program: sockets are destroyed through "
			"sock_diag, and without the drain");
	sweep_bpf__destroy(skel);
}

/* Records the pin dir in "owner", the layout in "layout", and binds the maps the programs do not
 * use themselves to both of them: they live as long as the programs do,
 * pins or not. */
int pf_fence_claim(struct fence_bpf *skel, const char *pin_dir)
{
	struct bpf_map *bound[] = {
		skel->maps.owner, skel->maps.devices, skel->maps.cli_stats, skel->maps.layout,
	};
	struct bpf_program *progs[] = { skel->progs.fence_ingress, skel->progs.fence_egress };
	struct pf_layout layout = { .version = PF_LAYOUT_VERSION };
	struct pf_owner owner = {};
	__u32 zero = 0;
	size_t i, j;

	snprintf(owner.pin_dir, sizeof(owner.pin_dir), "%s", pin_dir);
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
		missing = missing_feature();
		if (missing)
			return pf_error(env, -EOPNOTSUPP, "the kernel lacks %s", missing);
		return pf_error(env, pf_runtime_errno(err), "cannot load the BPF programs: %s "
				"(PORTFENCE_DEBUG=1 shows the verifier log)", strerror(-err));
	}
	*out = skel;
	return 0;
}

/* Loads the tc programs built for one framing (the maps are the pinned
 * ones, shared by both builds) and pins them. */
static int load_framing(const struct pf_env *env, enum pf_framing framing)
{
	struct fence_bpf *skel;
	int err = pf_fence_load(env, framing, &skel);

	if (err)
		return err;
	err = pf_fence_claim(skel, env->pin_dir);
	/* The Ethernet build's pins say "loaded" (pf_loaded): pinned last, so
	 * a load killed before them is done again whole, the sweep included. */
	if (!err && framing == PF_FRAMING_ETHERNET)
		load_sweep(env);
	if (!err)
		err = pin_prog(skel->progs.fence_ingress, env->pin_dir, prog_pins[framing][0]);
	if (!err)
		err = pin_prog(skel->progs.fence_egress, env->pin_dir, prog_pins[framing][1]);
	fence_bpf__destroy(skel);
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot pin programs in '%s': %s",
				env->pin_dir, strerror(-err));
	return 0;
}

static int select_devices(const struct pf_env *env, char **devs, int ndevs)
{
	int fd = pf_pin_open(env->pin_dir, PF_PIN_DEVICES), i, err = 0;
	__u32 zero = 0;

	if (fd < 0)
		return pf_error(env, pf_runtime_errno(fd), "cannot open the devices map: %s",
				strerror(-fd));
	for (i = 0; i < (ndevs ? ndevs : 1) && !err; i++) {
		struct pf_device_key key = {};

		snprintf(key.name, sizeof(key.name), "%s", ndevs ? devs[i] : "*");
		err = bpf_map_update_elem(fd, &key, &zero, BPF_ANY) ? -errno : 0;
	}
	close(fd);
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot record the selected "
				"interfaces: %s", strerror(-err));
	return 0;
}

/* Nothing selected is a load killed before it recorded its selection:
 * every interface then, as a load without --dev would have selected, or
 * a block after it would fence nothing and say it had. */
static bool selected(int devices_fd, const char *name)
{
	struct pf_device_key key = {}, first;
	__u32 v;

	snprintf(key.name, sizeof(key.name), "*");
	if (!bpf_map_lookup_elem(devices_fd, &key, &v))
		return true;
	snprintf(key.name, sizeof(key.name), "%s", name);
	return !bpf_map_lookup_elem(devices_fd, &key, &v) ||
	       bpf_map_get_next_key(devices_fd, NULL, &first);
}

/* Our fence table's map id; 0 if it is not pinned. */
static __u32 pinned_portals_id(const char *pin_dir)
{
	return pf_map_id_close(pf_pin_open(pin_dir, PF_PIN_PORTALS));
}

/* The hook for attachments, into *hook (see pf_attach_hook); a wrong
 * $PORTFENCE_ATTACH is -EINVAL, tcx asked of a kernel without it
 * -EOPNOTSUPP (reported). */
static int attach_hook(const struct pf_env *env, const struct pf_iface *ifs, int n,
		       enum pf_hook *hook)
{
	int err = pf_attach_hook(ifs, n, hook);

	if (err == -EINVAL)
		return pf_error(env, -EINVAL, "bad PORTFENCE_ATTACH '%s' (tcx or clsact)",
				getenv("PORTFENCE_ATTACH"));
	if (err)
		return pf_error(env, -EOPNOTSUPP, "PORTFENCE_ATTACH=tcx: the kernel lacks tcx "
				"(6.6+); clsact works everywhere");
	return 0;
}

/* A wrong $PORTFENCE_ATTACH is refused before anything is loaded. */
static int check_attach_choice(const struct pf_env *env)
{
	enum pf_hook hook;

	return attach_hook(env, NULL, 0, &hook);
}

static int open_progs(const struct pf_env *env, struct pf_progs *progs)
{
	int err = pf_progs_open(env->pin_dir, progs);

	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot open pinned programs: %s",
				strerror(-err));
	return 0;
}

/* The build for framing, loaded on first need; progs opened again. 0 or a
 * negative errno, reported. */
static int load_on_demand(const struct pf_env *env, enum pf_framing framing,
			  struct pf_progs *progs)
{
	int err = load_framing(env, framing);

	if (err)
		return err;
	pf_progs_close(progs);
	return open_progs(env, progs);
}

/* Interfaces selected but lacking our current programs; with attach, fix
 * them (caller holds the lock). Returns how many lacked, or a negative
 * errno, reported. */
static int sync_attachments(const struct pf_env *env, bool attach, FILE *out)
{
	struct pf_progs progs = PF_PROGS_NONE;
	struct pf_iface *ifs;
	int n, i, lacking = 0, devices_fd, err;
	__u32 table = pinned_portals_id(env->pin_dir), theirs;
	enum pf_hook hook = PF_HOOK_NONE;

	err = open_progs(env, &progs);
	if (err)
		return err;
	devices_fd = pf_pin_open(env->pin_dir, PF_PIN_DEVICES);
	n = pf_ifaces(&ifs);
	if (n < 0 || devices_fd < 0) {
		pf_progs_close(&progs);
		if (devices_fd >= 0)
			close(devices_fd);
		if (n >= 0)
			free(ifs);
		return pf_error(env, pf_runtime_errno(n < 0 ? n : devices_fd),
				"cannot list interfaces or selection");
	}
	for (i = 0; i < n; i++) {
		const struct pf_prog_pair *pair = &progs.by[ifs[i].framing];
		bool in, eg;

		if (!ifs[i].fenceable || !selected(devices_fd, ifs[i].name))
			continue;
		pf_progs_on(&progs, &ifs[i], &in, &eg);
		if (in && eg)
			continue;
		lacking++;
		if (!attach)
			continue;
		/* another fence table's programs: never replaced, their fences
		 * would be lifted without a word */
		theirs = pf_prog_portals_id(ifs[i].ingress_id ? ifs[i].ingress_id : ifs[i].egress_id);
		if (theirs && theirs != table) {
			lacking = pf_error(env, -EBUSY, "%s runs the fence programs of another "
					   "fence table (map id %u: another pin dir's, or one whose "
					   "pins were lost): not replaced; lift it with that pin dir, "
					   "or 'portfence unload' with an empty one", ifs[i].name, theirs);
			break;
		}
		err = hook == PF_HOOK_NONE ? attach_hook(env, ifs, n, &hook) : 0;
		if (!err && pair->ingress_fd < 0)
			err = load_on_demand(env, ifs[i].framing, &progs);
		if (err) {
			lacking = err;
			break;
		}
		err = pf_hook_attach(&ifs[i], hook, pair->ingress_fd, pair->egress_fd);
		if (err) {
			lacking = pf_error(env, pf_runtime_errno(err), "cannot attach to %s (%s): %s",
					   ifs[i].name, pf_hook_name(hook), strerror(-err));
			break;
		}
		if (out)
			fprintf(out, "attached %s\n", ifs[i].name);
	}
	free(ifs);
	close(devices_fd);
	pf_progs_close(&progs);
	return lacking;
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

/*
 * A pin dir without pins, in a namespace where portfence programs are
 * still attached: their pins were lost (bpffs unmounted, files removed),
 * and the fence they hold is in force. Loading afresh would replace them
 * and silently lift every fence; instead their maps are pinned here again,
 * so the load that follows reuses them, fences and counters included.
 */
static int adopt_attached(const struct pf_env *env, FILE *out)
{
	struct pf_attached *att;
	char path[PATH_MAX];
	int n = pf_attached_list(&att), fd, err = 0;
	size_t k;

	if (n == 0)
		free(att);
	if (n <= 0)
		return 0;
	if (pf_owned_elsewhere(att[0].prog_id, att[0].portals_id, env->pin_dir, NULL)) {
		free(att);
		return pf_state_foreign_error(env);
	}
	for (k = 0; k < sizeof(pinned_maps) / sizeof(pinned_maps[0]) && !err; k++) {
		if (pf_pin_exists(env->pin_dir, pinned_maps[k]))
			continue;
		fd = pf_prog_map(att[0].prog_id, pinned_maps[k]);
		if (fd < 0)
			continue;	/* not used by that program: made afresh */
		pf_pin_path(path, sizeof(path), env->pin_dir, pinned_maps[k]);
		err = bpf_obj_pin(fd, path) ? -errno : 0;
		close(fd);
	}
	if (err)
		err = pf_error(env, pf_runtime_errno(err), "cannot pin the fence table of the "
			       "programs attached on %s in '%s': %s", att[0].name, env->pin_dir,
			       strerror(-err));
	else if (out)
		fprintf(out, "adopted the fence table (map id %u) of the programs attached on %s: "
			"their pins were lost\n", att[0].portals_id, att[0].name);
	free(att);
	return err;
}

int pf_ensure_ready(const struct pf_env *env, char **devs, int ndevs, bool all, bool replace,
		    FILE *out)
{
	int err, lock, lacking;

	err = check_devices_exist(env, devs, ndevs);
	if (!err)
		err = check_attach_choice(env);
	if (!err)
		err = pf_layout_require(env, true);
	if (err)
		return err;
	/* Fast path, no lock: everything pinned and attached already. */
	if (!devs && !all && pf_loaded(env->pin_dir) && sync_attachments(env, false, NULL) == 0)
		return 0;

	err = pf_pin_dir_prepare(env);
	if (err)
		return err;
	lock = pf_lock(env->pin_dir);
	if (lock < 0)
		return lock_failed(env, lock);
	if (!pf_loaded(env->pin_dir)) {
		err = adopt_attached(env, out);
		if (!err)
			err = load_framing(env, PF_FRAMING_ETHERNET);
		/* a first load selects every interface unless told otherwise */
		all = all || !devs;
	} else if (replace) {
		err = pf_upgrade(env, out);
	}
	if (!err && (all || devs))
		err = select_devices(env, all ? NULL : devs, all ? 0 : ndevs);
	if (!err) {
		lacking = sync_attachments(env, true, out);
		err = lacking < 0 ? lacking : 0;
	}
	pf_unlock(lock);
	return err;
}

int pf_unload(const struct pf_env *env, FILE *out)
{
	struct pf_progs p = PF_PROGS_NONE;
	struct pf_iface *ifs;
	char path[PATH_MAX];
	int n, i, lock, err, rc = 0;
	__u32 table;
	size_t k;

	/* a pin dir without pins detaches the programs whose pins were lost,
	 * never those of another pin dir that still holds them: a mistyped
	 * --pin-dir would say "unloaded" and leave the fence in force */
	if (pf_state_foreign(env->pin_dir, NULL, NULL))
		return pf_state_foreign_error(env);
	/* a pin dir gone with its bpffs leaves the filters behind: they are
	 * still ours to detach, without a lock to take */
	lock = access(env->pin_dir, F_OK) ? -ENOENT : pf_lock(env->pin_dir);
	if (lock < 0 && lock != -ENOENT)
		return lock_failed(env, lock);
	pf_progs_open(env->pin_dir, &p);
	table = pinned_portals_id(env->pin_dir);
	n = pf_ifaces(&ifs);
	for (i = 0; i < n; i++) {
		__u32 id = ifs[i].ingress_id ? ifs[i].ingress_id : ifs[i].egress_id;
		__u32 theirs = id ? pf_prog_portals_id(id) : 0;
		/* our programs, or a portfence program on our fence table; with
		 * no pins, every portfence program whose pins were lost, never
		 * those of a pin dir that still has them */
		bool ours = theirs && (table ? theirs == table :
				       !pf_owned_elsewhere(id, theirs, env->pin_dir, NULL));

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
	for (k = 0; k < sizeof(pinned_maps) / sizeof(pinned_maps[0]); k++) {
		pf_pin_path(path, sizeof(path), env->pin_dir, pinned_maps[k]);
		unlink(path);
	}
	pf_unlock(lock);
	/* the default dir is ours to remove; a custom one is the caller's */
	if (!strcmp(env->pin_dir, PF_DEFAULT_PIN_DIR))
		rmdir(env->pin_dir);
	return rc;
}

const char *pf_sweep_mechanism(const char *pin_dir)
{
	if (pf_pin_exists(pin_dir, PF_PIN_PROG_SWEEP))
		return "bpf_sock_destroy";
	if (pf_diag_destroy_supported())
		return "sock_diag";
	return "egress-reset";
}
