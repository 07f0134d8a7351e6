// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "cli.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"

#define MAX_PROG_MAPS	16

static bool is_portfence_prog(const struct bpf_prog_info *info)
{
	return !strcmp(info->name, "fence_ingress") || !strcmp(info->name, "fence_egress");
}

/* The map ids of a portfence program; 0 and no ids for any other. */
static int prog_map_ids(__u32 prog_id, __u32 *ids)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id), err;

	if (fd < 0)
		return -errno;
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	if (!is_portfence_prog(&info))
		return 0;
	return (int)(info.nr_map_ids < MAX_PROG_MAPS ? info.nr_map_ids : MAX_PROG_MAPS);
}

__u32 pf_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* An fd on the map among ids called name, or -ENOENT. */
static int map_named(const __u32 *ids, int n, const char *name)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int pf_prog_map(__u32 prog_id, const char *name)
{
	__u32 ids[MAX_PROG_MAPS];
	int n = prog_map_ids(prog_id, ids);

	return n < 0 ? n : map_named(ids, n, name);
}

__u32 pf_map_id_close(int fd)
{
	__u32 id;

	if (fd < 0)
		return 0;
	id = pf_map_id(fd);
	close(fd);
	return id;
}

__u32 pf_prog_portals_id(__u32 prog_id)
{
	return pf_map_id_close(pf_prog_map(prog_id, PF_PIN_PORTALS));
}

bool pf_owned_elsewhere(__u32 prog_id, __u32 portals_id, const char *pin_dir, char *owner)
{
	struct pf_owner o = {};
	int fd = pf_prog_map(prog_id, PF_PIN_OWNER);
	__u32 zero = 0;
	bool elsewhere = false;

	if (fd < 0)
		return false;
	if (!bpf_map_lookup_elem(fd, &zero, &o) && o.pin_dir[0] && strcmp(o.pin_dir, pin_dir)) {
		o.pin_dir[sizeof(o.pin_dir) - 1] = 0;
		elsewhere = portals_id &&
			    pf_map_id_close(pf_pin_open(o.pin_dir, PF_PIN_PORTALS)) == portals_id;
	}
	close(fd);
	if (elsewhere && owner)
		memcpy(owner, o.pin_dir, sizeof(o.pin_dir));
	return elsewhere;
}

int pf_attached_list(struct pf_attached **out)
{
	struct pf_attached *list;
	struct pf_iface *ifs;
	int n = pf_ifaces(&ifs), i, count = 0;

	if (n < 0)
		return n;
	list = calloc((size_t)n + 1, sizeof(*list));
	if (!list) {
		free(ifs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		__u32 prog = ifs[i].ingress_id ? ifs[i].ingress_id : ifs[i].egress_id;
		__u32 portals = prog ? pf_prog_portals_id(prog) : 0;

		if (!portals)
			continue;
		list[count].ifindex = ifs[i].ifindex;
		memcpy(list[count].name, ifs[i].name, sizeof(list[count].name));
		list[count].prog_id = prog;
		list[count++].portals_id = portals;
	}
	free(ifs);
	*out = list;
	return count;
}

/* The first interface whose portfence programs belong to a pin dir other
 * than pin_dir that still holds them pinned; -1 if none. */
static int foreign_of(const struct pf_attached *att, int n, const char *pin_dir, char *owner)
{
	int i;

	for (i = 0; i < n; i++)
		if (pf_owned_elsewhere(att[i].prog_id, att[i].portals_id, pin_dir, owner))
			return i;
	return -1;
}

int pf_state_map(const char *pin_dir, const char *name, bool *orphaned)
{
	struct pf_attached *att;
	int fd = pf_pin_open(pin_dir, name), n, i;
	bool foreign = false;

	if (orphaned)
		*orphaned = false;
	if (fd != -ENOENT)
		return fd;
	n = pf_attached_list(&att);
	/* a pin dir's pins that are gone lead to its own programs only: those
	 * of a pin dir that still has its pins are never read or changed
	 * through another (a mistyped --pin-dir would lift their fence) */
	for (i = 0, fd = -ENOENT; i < n && fd < 0; i++) {
		if (pf_owned_elsewhere(att[i].prog_id, att[i].portals_id, pin_dir, NULL))
			foreign = true;
		else
			fd = pf_prog_map(att[i].prog_id, name);
	}
	if (n >= 0)
		free(att);
	if (fd < 0 && foreign)
		return -EBUSY;
	if (fd >= 0 && orphaned)
		*orphaned = true;
	return fd;
}

bool pf_state_foreign(const char *pin_dir, char *owner, char *ifname)
{
	struct pf_attached *att;
	int n, i;

	if (pf_pin_exists(pin_dir, PF_PIN_PORTALS))
		return false;
	n = pf_attached_list(&att);
	if (n < 0)
		return false;
	i = foreign_of(att, n, pin_dir, owner);
	if (i >= 0 && ifname)
		memcpy(ifname, att[i].name, sizeof(att[i].name));
	free(att);
	return i >= 0;
}

int pf_state_foreign_error(const struct pf_env *env)
{
	char owner[PF_OWNER_PATH_MAX], ifname[IF_NAMESIZE];

	if (!pf_state_foreign(env->pin_dir, owner, ifname))
		return pf_error(env, -EBUSY, "no fence is pinned in '%s', and the portfence "
				"programs attached in this network namespace belong to another pin "
				"dir: refused, nothing changed", env->pin_dir);
	return pf_error(env, -EBUSY, "no fence is pinned in '%s', and this network namespace is "
			"fenced from the pin dir '%s' (its programs run on %s): refused, nothing "
			"changed; use --pin-dir %s (one pin dir per namespace)", env->pin_dir,
			owner, ifname, owner);
}

int pf_state_refusal(const struct pf_env *env, int err, const char *name)
{
	if (err == -EBUSY)
		return pf_state_foreign_error(env);
	if (err == -EACCES || err == -EPERM)
		return pf_error(env, err, "not permitted to open '%s/%s'", env->pin_dir, name);
	return err;
}
