// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
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
	return !strcmp(info->name, PF_PROG_INGRESS) || !strcmp(info->name, PF_PROG_EGRESS) ||
	       !strcmp(info->name, PF_PROG_SWEEP);
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

bool pf_owned_elsewhere(const struct pf_state *st, __u32 prog_id, __u32 portals_id, char *owner)
{
	struct pf_owner o = {};
	int fd = pf_prog_map(prog_id, PF_PIN_OWNER);
	__u32 zero = 0;
	bool elsewhere = false;

	if (fd < 0)
		return false;
	if (!bpf_map_lookup_elem(fd, &zero, &o) && o.pin_dir[0] && strcmp(o.pin_dir, st->pin_dir)) {
		o.pin_dir[sizeof(o.pin_dir) - 1] = 0;
		elsewhere = portals_id &&
			    pf_map_id_close(pf_pin_open(o.pin_dir, PF_PIN_PORTALS)) == portals_id;
	}
	close(fd);
	if (elsewhere && owner)
		memcpy(owner, o.pin_dir, sizeof(o.pin_dir));
	return elsewhere;
}

/* Every interface of this netns running a portfence program: the count
 * (and *out, to free), or a negative errno. */
static int attached_list(struct pf_attached **out)
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

void pf_state_init(struct pf_state *st, const struct pf_env *env)
{
	memset(st, 0, sizeof(*st));
	st->env = env;
	st->pin_dir = env->pin_dir;
}

void pf_state_reset(struct pf_state *st)
{
	int i;

	for (i = 0; i < PF_STATE_MAPS; i++)
		if (st->maps[i].name[0] && st->maps[i].fd >= 0)
			close(st->maps[i].fd);
	free(st->attached);
	pf_state_init(st, st->env);
}

int pf_state_attached(struct pf_state *st, const struct pf_attached **list)
{
	if (!st->attached && st->nattached >= 0) {
		st->nattached = attached_list(&st->attached);
		if (st->nattached < 0)
			st->attached = NULL;
	}
	*list = st->attached;
	return st->nattached;
}

/* The first interface whose portfence programs belong to a pin dir other
 * than st's that still holds them pinned; -1 if none. */
static int foreign_of(struct pf_state *st, char *owner)
{
	const struct pf_attached *att;
	int n = pf_state_attached(st, &att), i;

	for (i = 0; i < n; i++)
		if (pf_owned_elsewhere(st, att[i].prog_id, att[i].portals_id, owner))
			return i;
	return -1;
}

/* name's map through the attached programs, as pf_state_map. */
static int attached_map(struct pf_state *st, const char *name)
{
	const struct pf_attached *att;
	int n = pf_state_attached(st, &att), i, fd;
	bool foreign = false;

	/* a pin dir's pins that are gone lead to its own programs only: those
	 * of a pin dir that still has its pins are never read or changed
	 * through another (a mistyped --pin-dir would lift their fence) */
	for (i = 0, fd = -ENOENT; i < n && fd < 0; i++) {
		if (pf_owned_elsewhere(st, att[i].prog_id, att[i].portals_id, NULL))
			foreign = true;
		else
			fd = pf_prog_map(att[i].prog_id, name);
	}
	return fd < 0 && foreign ? -EBUSY : fd;
}

int pf_state_map(struct pf_state *st, const char *name, bool *orphaned)
{
	struct pf_state_fd *slot = NULL;
	int i;

	for (i = 0; i < PF_STATE_MAPS && st->maps[i].name[0]; i++)
		if (!strcmp(st->maps[i].name, name))
			slot = &st->maps[i];
	if (!slot && i < PF_STATE_MAPS) {
		slot = &st->maps[i];
		slot->fd = pf_pin_open(st->pin_dir, name);
		if (slot->fd == -ENOENT) {
			slot->fd = attached_map(st, name);
			slot->orphaned = slot->fd >= 0;
		}
		snprintf(slot->name, sizeof(slot->name), "%s", name);
	}
	if (!slot)
		return -ENOMEM;	/* more names than any build has maps */
	if (orphaned)
		*orphaned = slot->orphaned;
	return slot->fd;
}

bool pf_state_foreign(struct pf_state *st, char *owner, char *ifname)
{
	const struct pf_attached *att;
	int i;

	if (pf_pin_exists(st->pin_dir, PF_PIN_PORTALS))
		return false;
	i = foreign_of(st, owner);
	if (i >= 0 && ifname && pf_state_attached(st, &att) > i)
		memcpy(ifname, att[i].name, sizeof(att[i].name));
	return i >= 0;
}

int pf_state_foreign_error(struct pf_state *st)
{
	const struct pf_env *env = st->env;
	char owner[PF_OWNER_PATH_MAX], ifname[IF_NAMESIZE];

	if (!pf_state_foreign(st, owner, ifname))
		return pf_error(env, -EBUSY, "no fence is pinned in '%s', and the portfence "
				"programs attached in this network namespace belong to another pin "
				"dir: refused, nothing changed", env->pin_dir);
	return pf_error(env, -EBUSY, "no fence is pinned in '%s', and this network namespace is "
			"fenced from the pin dir '%s' (its programs run on %s): refused, nothing "
			"changed; use --pin-dir %s (one pin dir per namespace)", env->pin_dir,
			owner, ifname, owner);
}

int pf_state_refusal(struct pf_state *st, int err, const char *name)
{
	const struct pf_env *env = st->env;

	if (err == -EBUSY)
		return pf_state_foreign_error(st);
	if (err == -EACCES || err == -EPERM)
		return pf_error(env, err, "not permitted to open '%s/%s'", env->pin_dir, name);
	return err;
}

int pf_state_open_map(struct pf_state *st, const char *name)
{
	return pf_state_refusal(st, pf_state_map(st, name, NULL), name);
}
