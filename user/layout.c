// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "layout.h"
#include "portfence.h"
#include "state.h"
#include "fence.skel.h"

/* pf_layout_version, read afresh. */
static int read_version(struct pf_state *st)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct pf_layout stamp;
	__u8 value[64];	/* a later layout may grow the stamp: its version comes first */
	int fd = pf_state_map(st, PF_PIN_LAYOUT, NULL);

	if (fd == -ENOENT) {
		fd = pf_state_map(st, PF_PIN_PORTALS, NULL);
		return fd < 0 ? fd : PF_LAYOUT_UNSTAMPED;
	}
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size < sizeof(stamp) ||
	    info.value_size > sizeof(value))
		return -EINVAL;
	if (bpf_map_lookup_elem(fd, &zero, value))
		return -errno;
	memcpy(&stamp, value, sizeof(stamp));
	return (int)(stamp.version & 0x7fffffff);
}

int pf_layout_version(struct pf_state *st)
{
	if (!st->layout_read) {
		st->layout = read_version(st);
		st->layout_read = true;
	}
	return st->layout;
}

static bool same_shape(const struct bpf_map *want, const struct bpf_map_info *have)
{
	return have->type == bpf_map__type(want) && have->key_size == bpf_map__key_size(want) &&
	       have->value_size == bpf_map__value_size(want) &&
	       have->max_entries == bpf_map__max_entries(want) &&
	       have->map_flags == bpf_map__map_flags(want);
}

/* How the map that differs is pinned, and how this build has it. */
static char shapes[256];

static void describe(const struct bpf_map *want, const struct bpf_map_info *have)
{
	snprintf(shapes, sizeof(shapes), "map '%s' pinned as type %u, key %u, value %u bytes, "
		 "%u entries, flags %#x; this portfence's type %u, key %u, value %u bytes, "
		 "%u entries, flags %#x", bpf_map__name(want), have->type, have->key_size,
		 have->value_size, have->max_entries, have->map_flags, bpf_map__type(want),
		 bpf_map__key_size(want), bpf_map__value_size(want), bpf_map__max_entries(want),
		 bpf_map__map_flags(want));
}

/* pf_layout_differs, read afresh into name. */
static const char *read_differs(struct pf_state *st, char *name, size_t size)
{
	struct fence_bpf *skel = fence_bpf__open();
	struct bpf_map *map;
	const char *differs = NULL;

	if (!skel)
		return NULL;
	bpf_object__for_each_map(map, skel->obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (strchr(bpf_map__name(map), '.'))
			continue;	/* .rodata and the like: the program's own */
		fd = pf_state_map(st, bpf_map__name(map), NULL);
		if (fd < 0)
			continue;	/* not there: made afresh */
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !same_shape(map, &info)) {
			differs = bpf_map__name(map);
			describe(map, &info);
			break;
		}
	}
	if (differs)
		snprintf(name, size, "%s", differs);
	fence_bpf__destroy(skel);
	return differs ? name : NULL;
}

const char *pf_layout_differs(struct pf_state *st)
{
	static char name[BPF_OBJ_NAME_LEN];

	if (!st->differs_read) {
		st->differs = read_differs(st, name, sizeof(name));
		st->differs_read = true;
	}
	return st->differs;
}

/* A state of the node, not bad input: exit 1. Nothing has been changed,
 * and nothing is: the way out lifts the fences, so it is the operator's. */
static int refuse(const struct pf_env *env, int v, const char *differs, bool writing)
{
	char why[64] = "";

	if (differs)
		snprintf(why, sizeof(why), " (map '%s' differs)", differs);
	return pf_error(env, -EPROTO, "the maps in '%s' are of layout %d%s, this portfence's "
			"of layout %d%s: they are not %s, nor their programs replaced (that "
			"would lift every fence), and nothing was changed; when no fence is "
			"held, 'portfence unload' detaches and removes them, then load again; "
			"while fences are held, reboot the node to start on this layout%s%s",
			env->pin_dir, v, v == PF_LAYOUT_UNSTAMPED ? " (unstamped)" : "",
			PF_LAYOUT_VERSION, why, writing ? "written" : "read",
			differs ? "; " : "", differs ? shapes : "");
}

int pf_layout_require_same(const struct pf_env *env)
{
	int v = pf_layout_version(env->state);
	const char *differs;

	if (v < 0 && v != -ENOENT)
		return pf_layout_require(env, true);
	differs = v == -ENOENT ? NULL : pf_layout_differs(env->state);
	if (v == -ENOENT || (!differs && (v == PF_LAYOUT_VERSION || v == PF_LAYOUT_UNSTAMPED)))
		return 0;
	return refuse(env, v, differs, true);
}

int pf_layout_require(const struct pf_env *env, bool writing)
{
	int v = pf_layout_version(env->state);
	const char *differs;

	if (v == -ENOENT || v == PF_LAYOUT_VERSION)
		return 0;
	if (pf_is_refusal(v))
		return pf_state_refusal(env->state, v, PF_PIN_LAYOUT);
	if (v < 0)
		return pf_error(env, pf_runtime_errno(v), "cannot read the layout of '%s': %s",
				env->pin_dir, strerror(-v));
	differs = pf_layout_differs(env->state);
	/* the maps before the stamp are this layout's: loading stamps them */
	if (!differs && (v == PF_LAYOUT_UNSTAMPED || !writing)) {
		if (v != PF_LAYOUT_UNSTAMPED)
			pf_warn(env, "the maps in '%s' are of layout %d, this portfence's of layout "
				"%d: read as the same shape", env->pin_dir, v, PF_LAYOUT_VERSION);
		return 0;
	}
	return refuse(env, v, differs, writing);
}
