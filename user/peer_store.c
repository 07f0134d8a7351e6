// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer_store.h"

struct peer_list {
	struct pf_stored_peer *v;
	int n, cap;
};

static bool same_tuple(const struct pf_tickle *a, const struct pf_tickle *b)
{
	return a->local.family == b->local.family && a->lport == b->lport &&
	       a->rport == b->rport && !memcmp(a->local.a, b->local.a, sizeof(a->local.a)) &&
	       !memcmp(a->remote.a, b->remote.a, sizeof(a->remote.a));
}

/* Appends t (listed by node) unless it is there already: two nodes may
 * both list a peer, one of them stale. 0 or -ENOMEM. */
static int add_peer(struct peer_list *l, const struct pf_tickle *t, const char *node)
{
	struct pf_stored_peer *grown;
	int i;

	for (i = 0; i < l->n; i++)
		if (same_tuple(&l->v[i].t, t))
			return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		grown = realloc(l->v, (size_t)l->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->v = grown;
	}
	l->v[l->n].t = *t;
	snprintf(l->v[l->n].node, sizeof(l->v[l->n].node), "%s", node);
	l->n++;
	return 0;
}

/* A file's name as it may be shown: it reaches the output and the
 * agent's log, so no control byte of it does. */
static void printable_name(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s", name);
	for (; *out; out++)
		if (!isprint((unsigned char)*out))
			*out = '?';
}

static bool on_portal(const struct pf_portal *portal, const struct pf_tickle *t)
{
	return pf_portal_has_port(portal, t->lport) &&
	       pf_addr_contains(&portal->addr, t->local.family, t->local.a);
}

/* The peers of one node's file that are on portal, into l. 0, or -ENOMEM;
 * a file that cannot be taken is warned of and contributes nothing. */
static int read_node(const struct pf_env *env, int dir_fd, const char *dir, const char *node,
		     const struct pf_portal *portal, struct peer_list *l)
{
	struct pf_tickle *peers = calloc(PF_WAKE_MAX, sizeof(*peers));
	char path[PATH_MAX], msg[PF_ERR_LEN], shown[NAME_MAX + 1], *text = NULL;
	int n, i, err = 0;
	size_t len;
	bool more;

	if (!peers)
		return -ENOMEM;
	printable_name(node, shown, sizeof(shown));
	snprintf(path, sizeof(path), "%s/%s", dir, shown);
	n = pf_tickle_file_read_at(dir_fd, node, path, &text, &len, msg);
	if (n == -ENOMEM) {
		free(peers);
		return n;
	}
	if (n) {
		pf_warn(env, "peers of node '%s' not reset: %s", shown, msg);
		free(peers);
		return 0;
	}
	n = pf_tickle_parse(text, len, peers, PF_WAKE_MAX, &more, msg);
	free(text);
	if (n < 0)
		pf_warn(env, "peers of node '%s' not reset: %s: %s", shown, path, msg);
	else if (more)
		pf_warn(env, "%s: only the first %d peers are read", path, PF_WAKE_MAX);
	for (i = 0; i < n && !err; i++)
		if (on_portal(portal, &peers[i]))
			err = add_peer(l, &peers[i], shown);
	free(peers);
	return err;
}

int pf_peer_store_read(const struct pf_env *env, const char *dir, const struct pf_portal *portal,
		       struct pf_stored_peer **out)
{
	struct peer_list l = {};
	struct dirent *d;
	struct stat st;
	int dir_fd, err = 0;
	DIR *dp;

	*out = NULL;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		/* nothing published yet (no cluster daemon, or not started) */
		if (errno != ENOENT)
			pf_warn(env, "no peers of other nodes reset: cannot read '%s': %s", dir,
				strerror(errno));
		return 0;
	}
	/* whoever may write there may name any peer: only root's store counts */
	if (fstat(dir_fd, &st) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		pf_warn(env, "no peers of other nodes reset: '%s' is not a directory only root "
			"can write to", dir);
		close(dir_fd);
		return 0;
	}
	dp = fdopendir(dir_fd);
	if (!dp) {
		close(dir_fd);
		return 0;
	}
	while (!err && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			err = read_node(env, dirfd(dp), dir, d->d_name, portal, &l);
	closedir(dp);
	if (err) {
		free(l.v);
		return pf_error(env, err, "out of memory");
	}
	*out = l.v;
	return l.n;
}
