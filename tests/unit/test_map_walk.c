// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The map walk (user/map_walk.c) over a real hash map: every entry once
 * with its value, the keys alone without one, a stop at the callback's
 * word, and the errors it hands back. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "map_walk.h"
#include "needroot.h"

#define ENTRIES 100

static int map_fd = -1;

static void make_map(void)
{
	__u32 k;
	__u64 v;

	pf_need_root();
	map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "walk_test", sizeof(k), sizeof(v), ENTRIES * 2,
				NULL);
	cr_assert_geq(map_fd, 0, "bpf_map_create: %d", map_fd);
	for (k = 0; k < ENTRIES; k++) {
		v = (__u64)k * 1000;
		cr_assert_eq(bpf_map_update_elem(map_fd, &k, &v, BPF_NOEXIST), 0);
	}
}

static void close_map(void)
{
	if (map_fd >= 0)
		close(map_fd);
	map_fd = -1;
}

TestSuite(map_walk, .init = make_map, .fini = close_map);

struct seen {
	int n, bad;
	bool key[ENTRIES];
};

static int see(const void *key, const void *value, void *arg)
{
	__u32 k = *(const __u32 *)key;
	struct seen *s = arg;

	if (k >= ENTRIES || s->key[k] || (value && *(const __u64 *)value != (__u64)k * 1000))
		s->bad++;
	else
		s->key[k] = true;
	s->n++;
	return 0;
}

Test(map_walk, every_entry_once_with_its_value)
{
	struct seen s = {};

	cr_assert_eq(pf_map_walk(map_fd, sizeof(__u32), sizeof(__u64), see, &s), 0);
	cr_assert_eq(s.n, ENTRIES);
	cr_assert_eq(s.bad, 0);
}

Test(map_walk, keys_alone)
{
	struct seen s = {};

	cr_assert_eq(pf_map_walk(map_fd, sizeof(__u32), 0, see, &s), 0);
	cr_assert_eq(s.n, ENTRIES);
	cr_assert_eq(pf_map_count(map_fd, sizeof(__u32)), ENTRIES);
}

static int stop_at_ten(const void *key, const void *value, void *arg)
{
	(void)key;
	(void)value;
	return ++*(int *)arg == 10 ? 42 : 0;
}

Test(map_walk, the_callback_stops_it)
{
	int n = 0;

	cr_assert_eq(pf_map_walk(map_fd, sizeof(__u32), sizeof(__u64), stop_at_ten, &n), 42);
	cr_assert_eq(n, 10);
}

static int delete_next(const void *key, const void *value, void *arg)
{
	__u32 k = *(const __u32 *)key, other = (k + 1) % ENTRIES;

	(void)value;
	/* deleted before the walk reaches it, or after: seen at most once */
	bpf_map_delete_elem(map_fd, &other);
	return see(key, value, arg);
}

Test(map_walk, entries_deleted_meanwhile_are_seen_at_most_once)
{
	struct seen s = {};

	cr_assert_eq(pf_map_walk(map_fd, sizeof(__u32), sizeof(__u64), delete_next, &s), 0);
	cr_assert_eq(s.bad, 0);
	cr_assert_gt(s.n, 0);
}

Test(map_walk, an_empty_map_and_a_bad_fd)
{
	struct seen s = {};
	__u32 k;

	for (k = 0; k < ENTRIES; k++)
		bpf_map_delete_elem(map_fd, &k);
	cr_assert_eq(pf_map_walk(map_fd, sizeof(__u32), sizeof(__u64), see, &s), 0);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(pf_map_count(map_fd, sizeof(__u32)), 0);
	cr_assert_eq(pf_map_walk(-ENOENT, sizeof(__u32), 0, see, &s), -ENOENT);
	cr_assert_eq(pf_map_walk(-EBADF, sizeof(__u32), 0, see, &s), -EBADF);
}

Test(map_walk, slots_grow_and_keep_what_they_hold)
{
	void *v = NULL;
	size_t cap = 0, i;
	__u64 *slot;

	for (i = 0; i < 1000; i++) {
		slot = pf_map_walk_slot(&v, &cap, i, sizeof(*slot));
		cr_assert(slot);
		*slot = i;
	}
	cr_assert_geq(cap, 1000);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(((__u64 *)v)[i], i);
	free(v);
}
