// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The store: one file per other node, "LOCAL<TAB>REMOTE" a line in the
 * tickle file format, replaced whole by rename so a reader sees the old
 * list or the new one, never a part. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "peerd.h"
#include "portal.h"

int peerd_store_open(const char *dir)
{
	char path[4096];
	struct stat st;
	size_t len = strlen(dir);

	if (!len || len >= sizeof(path))
		return -EINVAL;
	memcpy(path, dir, len + 1);
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Readers trust what is here: a directory of root's, no one else's. */
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

void peerd_store_name(const char *name, uint32_t nodeid, char *buf, size_t n)
{
	size_t len = strlen(name);
	bool ok = len > 0 && len < 64 && name[0] != '.';

	for (size_t i = 0; ok && i < len; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		     (name[i] >= '0' && name[i] <= '9') || strchr("._-", name[i]);
	if (ok)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%u", nodeid);
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* text to path by a temporary beside it and rename. The temporary's name
 * starts with a dot: readers of the store skip those, so they never take
 * a half-written file for a node's. */
static int replace_file(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0, fd, err;
	char tmp[4200];

	snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp.%d", dlen, path, path + dlen, (int)getpid());
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, text, len);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

char *peerd_store_text(const struct peerd_list *l, size_t *out_len)
{
	/* "[v6]:port\t[v6]:port\n" is under 110 bytes. */
	size_t cap = (size_t)l->n * 112 + 1, len = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	text[0] = 0;
	for (unsigned int i = 0; i < l->n; i++) {
		const struct peerd_peer *p = &l->peers[i];
		char a[64], b[64];

		pf_format_endpoint(p->family, p->laddr, ntohs(p->lport), a, sizeof(a));
		pf_format_endpoint(p->family, p->raddr, ntohs(p->rport), b, sizeof(b));
		len += (size_t)snprintf(text + len, cap - len, "%s\t%s\n", a, b);
	}
	*out_len = len;
	return text;
}

int peerd_store_write(const char *dir, const char *name, const struct peerd_list *l)
{
	char path[4200], *text;
	size_t len;
	int err;

	text = peerd_store_text(l, &len);
	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = replace_file(path, text, len);
	free(text);
	return err;
}

int peerd_state_write(const char *path, const char *text)
{
	return replace_file(path, text, strlen(text));
}
