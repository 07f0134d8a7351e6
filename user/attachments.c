// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The interfaces: which are selected, and keeping our programs attached
 * to each of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "adopt.h"
#include "attach.h"
#include "attachments.h"
#include "load.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"

int pf_select_devices(const struct pf_env *env, char **devs, int ndevs)
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
int pf_check_attach_choice(const struct pf_env *env)
{
	enum pf_hook hook;

	return attach_hook(env, NULL, 0, &hook);
}

static int open_progs(const struct pf_env *env, struct pf_progs *progs)
{
	int err = pf_progs_open(env->state, progs);

	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot open pinned programs: %s",
				strerror(-err));
	return 0;
}

/* The build for framing, loaded on first need, its pair opened into
 * progs; the other framing's is left as it is (a first load attaches
 * before it pins the Ethernet build). 0 or a negative errno, reported. */
static int load_on_demand(const struct pf_env *env, enum pf_framing framing,
			  struct pf_progs *progs)
{
	int err = pf_load_framing(env, framing);

	if (err)
		return err;
	err = pf_prog_pair_open(env->state, framing, &progs->by[framing]);
	if (err)
		return pf_error(env, pf_runtime_errno(err), "cannot open pinned programs: %s",
				strerror(-err));
	return 0;
}

/* pf_sync_attachments with the programs progs (their pairs loaded on
 * demand into it, the caller closes them). */
static int sync_progs(const struct pf_env *env, struct pf_progs *progs, bool attach, FILE *out)
{
	struct pf_iface *ifs;
	int n, i, lacking = 0, devices_fd, err;
	__u32 portals_id = pf_pinned_portals_id(env->state), their_portals_id;
	enum pf_hook hook = PF_HOOK_NONE;

	devices_fd = pf_pin_open(env->pin_dir, PF_PIN_DEVICES);
	n = pf_ifaces(&ifs);
	if (n < 0 || devices_fd < 0) {
		if (devices_fd >= 0)
			close(devices_fd);
		if (n >= 0)
			free(ifs);
		return pf_error(env, pf_runtime_errno(n < 0 ? n : devices_fd),
				"cannot list interfaces or selection");
	}
	for (i = 0; i < n; i++) {
		const struct pf_prog_pair *pair = &progs->by[ifs[i].framing];
		bool ingress, egress;

		if (!ifs[i].fenceable || !selected(devices_fd, ifs[i].name))
			continue;
		pf_progs_on(progs, &ifs[i], &ingress, &egress);
		if (ingress && egress)
			continue;
		lacking++;
		if (!attach)
			continue;
		/* another fence table's programs: never replaced, their fences
		 * would be lifted without a word */
		their_portals_id = pf_prog_portals_id(ifs[i].ingress_id ? ifs[i].ingress_id :
						      ifs[i].egress_id);
		if (their_portals_id && their_portals_id != portals_id) {
			lacking = pf_error(env, -EBUSY, "%s runs the fence programs of another "
					   "fence table (map id %u: another pin dir's, or one whose "
					   "pins were lost): not replaced; lift it with that pin dir, "
					   "or 'portfence unload' with an empty one", ifs[i].name,
					   their_portals_id);
			break;
		}
		err = hook == PF_HOOK_NONE ? attach_hook(env, ifs, n, &hook) : 0;
		if (!err && pair->ingress_fd < 0)
			err = load_on_demand(env, ifs[i].framing, progs);
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
	return lacking;
}

int pf_sync_attachments(const struct pf_env *env, bool attach, FILE *out)
{
	struct pf_progs progs = PF_PROGS_NONE;
	int lacking = open_progs(env, &progs);

	if (!lacking)
		lacking = sync_progs(env, &progs, attach, out);
	pf_progs_close(&progs);
	return lacking;
}

int pf_attach_progs(const struct pf_env *env, struct pf_progs *progs, FILE *out)
{
	return sync_progs(env, progs, true, out);
}

