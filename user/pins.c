// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/magic.h>

#include "cli.h"
#include "pins.h"
#include "portfence.h"

const char *pf_pin_dir_resolve(const char *opt)
{
	const char *env = getenv("PORTFENCE_PIN_DIR");

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return PF_DEFAULT_PIN_DIR;
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/*
 * Whoever controls the pin dir decides what the fence reports (maps of
 * their own) or stalls it (its lock, a planted entry), so it must be
 * root's: no symbolic link on the way to it (one could be swapped under
 * us), owned by root (or by whoever runs us), writable by nobody else. A
 * bpffs mounted without a mode is 1777: mount it with mode=0700, or use a
 * directory portfence creates inside it. Missing components are fine
 * (prepare creates the last one). A runtime state, not bad input: exit 1.
 */
int pf_pin_dir_check(const struct pf_env *env)
{
	const char *dir = env->pin_dir;
	char prefix[PATH_MAX];
	struct stat st;
	size_t i, n = strlen(dir);

	if (n >= PATH_MAX - 32)
		return pf_error(env, -EINVAL, "pin dir '%s' is too long", dir);
	for (i = 1; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		memcpy(prefix, dir, i);
		prefix[i] = 0;
		if (lstat(prefix, &st))
			return 0;	/* not there yet */
		if (S_ISLNK(st.st_mode))
			return pf_error(env, -ELOOP, "pin dir '%s' is reached through the symbolic "
					"link '%s': refused (give the real path)", dir, prefix);
	}
	if (!S_ISDIR(st.st_mode))
		return pf_error(env, -ENOTDIR, "pin dir '%s' is not a directory", dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return pf_error(env, -EUCLEAN, "pin dir '%s' is owned by uid %u, not root: refused",
				dir, (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return pf_error(env, -EUCLEAN, "pin dir '%s' is writable by others (mode %04o): "
				"refused (chmod 0700 it, or mount its bpffs with -o mode=0700)", dir,
				(unsigned int)(st.st_mode & 07777));
	return 0;
}

int pf_pin_dir_prepare(const struct pf_env *env)
{
	const char *dir = env->pin_dir;
	char parent[PATH_MAX];
	struct stat st;
	int err, e;

	err = pf_pin_dir_check(env);
	if (err)
		return err;
	if (stat(dir, &st) == 0) {
		if (!on_bpffs(dir))
			return pf_error(env, -EMEDIUMTYPE, "pin dir '%s' is not on a bpffs mount "
					"(mount -t bpf -o mode=0700 bpf DIR)", dir);
		return 0;
	}

	snprintf(parent, sizeof(parent), "%s", dir);
	dirname(parent);
	/* The default lives under /sys/fs/bpf; mount bpffs there if absent. */
	if (!strcmp(dir, PF_DEFAULT_PIN_DIR) && !on_bpffs("/sys/fs/bpf") &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		e = errno;
		return pf_error(env, e == EPERM ? -EPERM : pf_runtime_errno(-e),
				"cannot mount bpffs at /sys/fs/bpf: %s", strerror(e));
	}
	if (!on_bpffs(parent))
		return pf_error(env, -EMEDIUMTYPE, "pin dir '%s' is not on a bpffs mount "
				"(its parent '%s' is not bpffs; mount -t bpf -o mode=0700 bpf DIR)",
				dir, parent);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		e = errno;
		return pf_error(env, e == EACCES || e == EPERM ? -e : pf_runtime_errno(-e),
				"cannot create pin dir '%s': %s", dir, strerror(e));
	}
	return 0;
}

void pf_pin_path(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

int pf_pin_open(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	pf_pin_path(path, sizeof(path), dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* Pinned beside it, then renamed over it: readers of the pin find the old
 * object or the new one, never none. */
int pf_pin_replace(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX], next[PATH_MAX];

	pf_pin_path(path, sizeof(path), dir, name);
	if ((size_t)snprintf(next, sizeof(next), "%s" PF_PIN_NEXT, path) >= sizeof(next))
		return -ENAMETOOLONG;
	unlink(next);	/* a stale one from an interrupted load */
	if (bpf_obj_pin(fd, next))
		return -errno;
	if (!rename(next, path))
		return 0;
	unlink(next);
	unlink(path);
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

bool pf_pin_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	pf_pin_path(path, sizeof(path), dir, name);
	return access(path, F_OK) == 0;
}

int pf_lock_wait_ms(void)
{
	const char *env = getenv("PORTFENCE_LOCK_WAIT_MS");
	char *end;
	long ms;

	if (!env || !*env)
		return PF_LOCK_WAIT_MS;
	ms = strtol(env, &end, 10);
	return *end || ms < 0 || ms > 3600000 ? PF_LOCK_WAIT_MS : (int)ms;
}

int pf_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), waited;
	const struct timespec step = { 0, PF_LOCK_STEP_MS * 1000000L };
	int wait_ms = pf_lock_wait_ms();

	if (fd < 0)
		return -errno;
	/* Loading takes tens of milliseconds: a lock held for seconds is a
	 * stuck or hostile holder, and an agent must fail inside its timeout
	 * rather than hang on it. */
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += PF_LOCK_STEP_MS) {
		int e = errno;

		if (e != EWOULDBLOCK || waited >= wait_ms) {
			close(fd);
			return e == EWOULDBLOCK ? -ETIMEDOUT : -e;
		}
		nanosleep(&step, NULL);
	}
	return fd;
}

void pf_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
