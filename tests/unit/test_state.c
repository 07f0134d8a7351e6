// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The state handle (user/state.c) on a real bpffs: a map is opened once
 * and kept, the handle owns its fd, a reset forgets and closes it, and a
 * pin that is not there is found through nothing else in an empty
 * network namespace. Each test runs in its own mount and network
 * namespace (Criterion forks one process per test). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "cli.h"
#include "needroot.h"
#include "pins.h"
#include "portfence.h"
#include "state.h"

static char dir[] = "/tmp/pf-state-test.XXXXXX";
static struct pf_env env = { .pin_dir = dir, .cmd = "test" };
static struct pf_state st;

/* A map pinned as dir/name; its id. */
static __u32 pin_map(const char *name)
{
	char path[256];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 8, 1, NULL);
	__u32 id;

	cr_assert_geq(fd, 0, "bpf_map_create: %d", fd);
	pf_pin_path(path, sizeof(path), dir, name);
	cr_assert_eq(bpf_obj_pin(fd, path), 0, "pin %s: %d", path, errno);
	id = pf_map_id(fd);
	close(fd);
	return id;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void bed(void)
{
	pf_need_root();
	libbpf_set_print(NULL);	/* the scan's queries of an empty namespace's lo */
	cr_assert_eq(unshare(CLONE_NEWNS | CLONE_NEWNET), 0, "unshare: %d", errno);
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(mount("bpf", dir, "bpf", 0, "mode=0700"), 0, "mount bpffs: %d", errno);
	pf_state_init(&st, &env);
	env.state = &st;
}

static void unbed(void)
{
	pf_state_reset(&st);
	umount(dir);
	rmdir(dir);
}

TestSuite(state, .init = bed, .fini = unbed);

Test(state, a_map_is_opened_once_and_kept)
{
	__u32 id = pin_map(PF_PIN_PORTALS);
	bool orphaned = true;
	int fd = pf_state_map(&st, PF_PIN_PORTALS, &orphaned), fds, i;

	cr_assert_geq(fd, 0, "pf_state_map: %d", fd);
	cr_expect_eq(pf_map_id(fd), id, "the pinned map");
	cr_expect_not(orphaned, "found through its pin");
	fds = open_fds();
	for (i = 0; i < 50; i++)
		cr_expect_eq(pf_state_map(&st, PF_PIN_PORTALS, NULL), fd, "the same fd each time");
	cr_expect_eq(open_fds(), fds, "no fd opened by asking again");
}

Test(state, what_was_resolved_stays_until_reset)
{
	char path[256];
	int fd;

	pin_map(PF_PIN_KNOCKS);
	fd = pf_state_map(&st, PF_PIN_KNOCKS, NULL);
	cr_assert_geq(fd, 0);
	pf_pin_path(path, sizeof(path), dir, PF_PIN_KNOCKS);
	cr_assert_eq(unlink(path), 0);
	cr_expect_eq(pf_state_map(&st, PF_PIN_KNOCKS, NULL), fd, "kept while the command runs");
	pf_state_reset(&st);
	cr_expect_eq(fcntl(fd, F_GETFD), -1, "the reset closed the handle's fd");
	cr_expect_eq(errno, EBADF);
	cr_expect_eq(pf_state_map(&st, PF_PIN_KNOCKS, NULL), -ENOENT,
		     "after the reset the pin is looked up again: gone, and nothing attached");
}

Test(state, a_missing_pin_is_an_error_kept_too)
{
	cr_expect_eq(pf_state_map(&st, PF_PIN_LIFTED, NULL), -ENOENT);
	pin_map(PF_PIN_LIFTED);
	cr_expect_eq(pf_state_map(&st, PF_PIN_LIFTED, NULL), -ENOENT,
		     "resolved once: a pin made since is seen after a reset");
	pf_state_reset(&st);
	cr_expect_geq(pf_state_map(&st, PF_PIN_LIFTED, NULL), 0);
}

Test(state, every_map_has_its_own_fd)
{
	__u32 a = pin_map(PF_PIN_PORTALS), b = pin_map(PF_PIN_STATS);
	int fa = pf_state_map(&st, PF_PIN_PORTALS, NULL), fb = pf_state_map(&st, PF_PIN_STATS, NULL);

	cr_assert_geq(fa, 0);
	cr_assert_geq(fb, 0);
	cr_expect_neq(fa, fb);
	cr_expect_eq(pf_map_id(fa), a);
	cr_expect_eq(pf_map_id(fb), b);
}

Test(state, nothing_attached_in_an_empty_namespace)
{
	const struct pf_attached *att;

	cr_expect_eq(pf_state_attached(&st, &att), 0);
	cr_expect_not(pf_state_foreign(&st, NULL, NULL));
}
