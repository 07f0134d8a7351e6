// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The fence table: a portal's entries added all or nothing, removed,
 * looked up. Map updates take no lock: each entry is one atomic update of
 * the kernel's table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfclock.h"
#include "fence_table.h"
#include "layout.h"
#include "state.h"

/* LPM lookups return the most specific covering entry; the counters id is
 * derived from the key, so it tells whether that entry is this very key. */
bool pf_fence_lookup_exact(int fd, const struct pf_portal_key *key, struct pf_policy *policy)
{
	return !bpf_map_lookup_elem(fd, key, policy) &&
	       policy->counters_id == pf_counters_id(key);
}

int pf_fence_open_map(const struct pf_env *env, const char *name)
{
	bool orphaned;
	/* a fence table of another shape would be misread */
	int fd = strcmp(name, PF_PIN_PORTALS) ? 0 : pf_layout_require(env, false);

	if (fd)
		return fd;
	fd = pf_state_map(env->state, name, &orphaned);

	if (orphaned && !strcmp(name, PF_PIN_PORTALS))
		pf_warn(env, "no pins in '%s': using the fence table of the programs attached "
			"in this network namespace", env->pin_dir);
	if (pf_is_refusal(fd))
		fd = pf_state_refusal(env->state, fd, name);
	else if (fd < 0 && fd != -ENOENT)
		fd = pf_error(env, pf_runtime_errno(fd), "cannot open '%s/%s': %s", env->pin_dir,
			      name, strerror(-fd));
	return fd;
}

int pf_fence_table_open(const struct pf_env *env, struct pf_fence_table *m, bool need_stats)
{
	m->stats_fd = -1;
	m->lifted_fd = -1;
	m->portals_fd = pf_fence_open_map(env, PF_PIN_PORTALS);
	if (m->portals_fd < 0)
		return m->portals_fd;
	m->lifted_fd = pf_fence_open_map(env, PF_PIN_LIFTED);
	if (m->lifted_fd < 0)
		m->lifted_fd = -1;
	m->stats_fd = pf_fence_open_map(env, PF_PIN_PORTAL_STATS);
	return m->stats_fd < 0 && (need_stats || m->stats_fd != -ENOENT) ? m->stats_fd : 0;
}

static void remove_entry(int portals_fd, int stats_fd, const struct pf_portal_key *key)
{
	__u64 id = pf_counters_id(key);

	bpf_map_delete_elem(portals_fd, key);
	if (stats_fd >= 0)
		bpf_map_delete_elem(stats_fd, &id);
}

/* The timeline of the fence on key, about to be lifted, with the peers
 * of other nodes its unblock resets: written in one update, before any
 * reconnection the egress program stamps into it. */
static void note_lifted(const struct pf_fence_table *m, const struct pf_portal_key *key,
			unsigned int peers_reset)
{
	struct pf_policy policy;
	struct pf_lifted l = {};

	if (m->lifted_fd < 0 || !pf_fence_lookup_exact(m->portals_fd, key, &policy))
		return;
	l.direction = policy.direction;
	l.method = policy.method;
	l.peers_reset = peers_reset;
	l.lifted_at = pf_bpf_now_ns();
	l.fence_ns = policy.fenced_at && l.lifted_at > policy.fenced_at ?
		     l.lifted_at - policy.fenced_at : 0;
	bpf_map_update_elem(m->lifted_fd, key, &l, BPF_ANY);
}

/* What fencing one port changed, so that it can be put back. */
struct port_change {
	struct pf_portal_key key;
	bool replaced;		/* the port had an entry of its own: old */
	struct pf_policy old;
};

/* Same direction, method and flags (the drain deadline aside): a block
 * that repeats a fence keeps its since-time. */
static bool same_policy(const struct pf_policy *a, const struct pf_policy *b)
{
	return a->direction == b->direction && a->method == b->method &&
	       ((a->flags ^ b->flags) & ~PF_F_DRAINING) == 0;
}

/* Maps without preallocation take each new element from a per-CPU cache
 * that the kernel refills asynchronously: a long run of updates from user
 * space can find it empty for a moment (ENOMEM) while memory is plentiful.
 * Waiting briefly lets the refill run. 0 or -errno. */
static int update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	struct timespec pause = { 0, 1000000 };
	int tries;

	for (tries = 0; tries < 200; tries++) {
		if (!bpf_map_update_elem(fd, key, value, flags))
			return 0;
		if (errno != ENOMEM)
			break;
		nanosleep(&pause, NULL);
	}
	return -errno;
}

/* Sets one port's entry, noting in c what it replaced. 0 or -errno. */
static int fence_port(const struct pf_fence_table *m, const struct pf_portal_key *key,
		      const struct pf_policy *want, const struct pf_counters *zeros,
		      struct port_change *c)
{
	struct pf_policy policy = *want;
	int err;

	policy.counters_id = pf_counters_id(key);
	c->key = *key;
	c->replaced = pf_fence_lookup_exact(m->portals_fd, key, &c->old);
	if (c->replaced && same_policy(&c->old, &policy))
		policy.since = c->old.since;
	/* the initiators have been out since the first of the fences */
	if (c->replaced && c->old.fenced_at)
		policy.fenced_at = c->old.fenced_at;
	err = update_elem(m->stats_fd, &policy.counters_id, zeros, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return err;
	err = update_elem(m->portals_fd, key, &policy, BPF_ANY);
	if (!err)
		return 0;
	if (!c->replaced)
		bpf_map_delete_elem(m->stats_fd, &policy.counters_id);
	return err;
}

/* Puts back what the first n changes did: the entries they added go first,
 * which frees the room that restoring an overwritten policy may need in a
 * full table. */
static void undo_fence(const struct pf_fence_table *m, const struct port_change *changes, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!changes[i].replaced)
			remove_entry(m->portals_fd, m->stats_fd, &changes[i].key);
	}
	for (i = 0; i < n; i++) {
		if (changes[i].replaced)
			update_elem(m->portals_fd, &changes[i].key, &changes[i].old, BPF_ANY);
	}
}

int pf_fence_add(const struct pf_env *env, const struct pf_fence_table *m,
		 const struct pf_portal *portal, const struct pf_policy *want)
{
	struct port_change *changes = calloc(portal->nports ? portal->nports : 1, sizeof(*changes));
	struct pf_counters *zeros = calloc((size_t)libbpf_num_possible_cpus(), sizeof(*zeros));
	struct pf_portal_key key;
	int port, n = 0, err = 0;

	if (!changes || !zeros) {
		err = pf_error(env, -ENOMEM, "out of memory");
		goto out;
	}
	pf_portal_for_each_key(portal, port, &key) {
		err = fence_port(m, &key, want, zeros, &changes[n]);
		if (err)
			break;
		n++;
	}
	if (err) {
		undo_fence(m, changes, n);
		if (err == -EACCES || err == -EPERM)
			pf_error(env, err, "not permitted to fence port %d: %s", port, strerror(-err));
		else
			err = pf_error(env, pf_runtime_errno(err), "cannot fence port %d: %s", port,
				       err == -E2BIG || err == -ENOSPC ? "the fence table is full" :
				       strerror(-err));
	}
out:
	free(changes);
	free(zeros);
	return err;
}

void pf_fence_remove(const struct pf_fence_table *m, const struct pf_portal *portal,
		     const struct pf_reset_plan *resets)
{
	struct pf_portal_key key;
	int port;

	pf_portal_for_each_key(portal, port, &key) {
		note_lifted(m, &key, pf_reset_plan_count(resets, (__u16)port));
		remove_entry(m->portals_fd, m->stats_fd, &key);
	}
}
