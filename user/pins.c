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

int pf_pin_dir_prepare(const char *dir, bool create, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	struct stat st;

	if (strlen(dir) >= PATH_MAX - 32) {
		snprintf(err, errlen, "pin dir '%s' is too long", dir);
		return PF_EXIT_USAGE;
	}
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "pin dir '%s' is not a directory", dir);
			return PF_EXIT_USAGE;
		}
		if (!on_bpffs(dir)) {
			snprintf(err, errlen, "pin dir '%s' is not on a bpffs mount "
				 "(mount -t bpf bpf DIR)", dir);
			return PF_EXIT_USAGE;
		}
		return PF_EXIT_OK;
	}
	if (!create)
		return PF_EXIT_OK;

	snprintf(parent, sizeof(parent), "%s", dir);
	dirname(parent);
	/* The default lives under /sys/fs/bpf; mount bpffs there if absent. */
	if (!strcmp(dir, PF_DEFAULT_PIN_DIR) && !on_bpffs("/sys/fs/bpf") &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		snprintf(err, errlen, "cannot mount bpffs at /sys/fs/bpf: %s", strerror(errno));
		return errno == EPERM ? PF_EXIT_PERM : PF_EXIT_FAIL;
	}
	if (!on_bpffs(parent)) {
		snprintf(err, errlen, "pin dir '%s' is not on a bpffs mount "
			 "(its parent '%s' is not bpffs; mount -t bpf bpf DIR)", dir, parent);
		return PF_EXIT_USAGE;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create pin dir '%s': %s", dir, strerror(errno));
		return errno == EACCES || errno == EPERM ? PF_EXIT_PERM : PF_EXIT_FAIL;
	}
	return PF_EXIT_OK;
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

bool pf_pin_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	pf_pin_path(path, sizeof(path), dir, name);
	return access(path, F_OK) == 0;
}

int pf_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

void pf_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
