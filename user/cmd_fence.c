// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence block | unblock | check: flipping fence entries. Map updates
 * take no lock: each entry is one atomic update of the kernel's table. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "drain.h"
#include "loader.h"
#include "options.h"
#include "overlap.h"
#include "pins.h"
#include "state.h"
#include "sweep.h"
#include "wake.h"

static void describe(const struct pf_portal_args *pa, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s port %s", pf_proto_name(pa->portal.proto),
		 pa->ip ? pa->ip : "*", pa->ports);
}

/* LPM lookups return the most specific covering entry; the counters id is
 * derived from the key, so it tells whether that entry is this very key. */
static bool lookup_exact(int fd, const struct pf_portal_key *key, struct pf_policy *policy)
{
	return !bpf_map_lookup_elem(fd, key, policy) &&
	       policy->counters_id == pf_counters_id(key);
}

/* Opens a map of the pin dir, or, when its pins are gone, of the programs
 * still attached here (the fence they hold is in force all the same).
 * Returns the fd or a negative errno; every error but -ENOENT (not loaded:
 * the caller decides what that means) is reported here. */
static int open_map(const struct pf_env *env, const char *name)
{
	bool orphaned;
	int fd = pf_state_map(env->pin_dir, name, &orphaned);

	if (orphaned && !strcmp(name, PF_PIN_PORTALS))
		pf_warn(env, "no pins in '%s': using the fence table of the programs attached "
			"in this network namespace", env->pin_dir);
	if (fd == -EACCES || fd == -EPERM)
		pf_error(env, fd, "not permitted to open '%s/%s'", env->pin_dir, name);
	else if (fd < 0 && fd != -ENOENT)
		pf_error(env, fd, "cannot open '%s/%s': %s", env->pin_dir, name, strerror(-fd));
	return fd;
}

struct fence_maps {
	int portals_fd, stats_fd;
};

static void close_maps(struct fence_maps *m)
{
	if (m->portals_fd >= 0)
		close(m->portals_fd);
	if (m->stats_fd >= 0)
		close(m->stats_fd);
	m->portals_fd = m->stats_fd = -1;
}

/* The fence table and its counters (which only block needs); 0 or a
 * negative errno, reported unless -ENOENT. */
static int open_maps(const struct pf_env *env, struct fence_maps *m, bool need_stats)
{
	int err;

	m->stats_fd = -1;
	m->portals_fd = open_map(env, PF_PIN_PORTALS);
	if (m->portals_fd < 0)
		return m->portals_fd;
	m->stats_fd = open_map(env, PF_PIN_PORTAL_STATS);
	err = m->stats_fd < 0 && (need_stats || m->stats_fd != -ENOENT) ? m->stats_fd : 0;
	if (err)
		close_maps(m);
	return err;
}

static void remove_entry(int portals_fd, int stats_fd, const struct pf_portal_key *key)
{
	__u64 id = pf_counters_id(key);

	bpf_map_delete_elem(portals_fd, key);
	if (stats_fd >= 0)
		bpf_map_delete_elem(stats_fd, &id);
}

/* What fencing one port changed, so that it can be put back. */
struct port_change {
	__u16 port;
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
static int fence_port(const struct fence_maps *m, const struct pf_portal *portal, int port,
		      const struct pf_policy *want, const struct pf_counters *zeros,
		      struct port_change *c)
{
	struct pf_policy policy = *want;
	struct pf_portal_key key;
	int err;

	pf_portal_key(portal, (__u16)port, &key);
	policy.counters_id = pf_counters_id(&key);
	c->port = (__u16)port;
	c->replaced = lookup_exact(m->portals_fd, &key, &c->old);
	if (c->replaced && same_policy(&c->old, &policy))
		policy.since = c->old.since;
	err = update_elem(m->stats_fd, &policy.counters_id, zeros, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return err;
	err = update_elem(m->portals_fd, &key, &policy, BPF_ANY);
	if (!err)
		return 0;
	if (!c->replaced)
		bpf_map_delete_elem(m->stats_fd, &policy.counters_id);
	return err;
}

/* Puts back what the first n changes did: the entries they added go first,
 * which frees the room that restoring an overwritten policy may need in a
 * full table. */
static void undo_fence(const struct fence_maps *m, const struct pf_portal *portal,
		       const struct port_change *changes, int n)
{
	struct pf_portal_key key;
	int i;

	for (i = 0; i < n; i++) {
		if (changes[i].replaced)
			continue;
		pf_portal_key(portal, changes[i].port, &key);
		remove_entry(m->portals_fd, m->stats_fd, &key);
	}
	for (i = 0; i < n; i++) {
		if (!changes[i].replaced)
			continue;
		pf_portal_key(portal, changes[i].port, &key);
		update_elem(m->portals_fd, &key, &changes[i].old, BPF_ANY);
	}
}

/* Adds one entry per port. On failure puts every entry back as it was, so
 * a fence is never half-applied. 0 or a negative errno, reported. */
static int apply_fence(const struct pf_env *env, const struct fence_maps *m,
		       const struct pf_portal *portal, const struct pf_policy *want)
{
	struct port_change *changes = calloc(portal->nports ? portal->nports : 1, sizeof(*changes));
	struct pf_counters *zeros = calloc((size_t)libbpf_num_possible_cpus(), sizeof(*zeros));
	int port, n = 0, err = 0;

	if (!changes || !zeros) {
		err = pf_error(env, -ENOMEM, "out of memory");
		goto out;
	}
	for (port = pf_portal_next_port(portal, 1); port > 0; port = pf_portal_next_port(portal, port + 1)) {
		err = fence_port(m, portal, port, want, zeros, &changes[n]);
		if (err)
			break;
		n++;
	}
	if (err) {
		undo_fence(m, portal, changes, n);
		if (err == -EACCES || err == -EPERM)
			pf_error(env, err, "not permitted to fence port %d: %s", port, strerror(-err));
		else
			pf_error(env, err, "cannot fence port %d: %s", port,
				err == -E2BIG || err == -ENOSPC ? "the fence table is full" :
				strerror(-err));
	}
out:
	free(changes);
	free(zeros);
	return err;
}

/* Does block destroy the portal's established sockets? */
static bool tears_down(const struct pf_policy *policy, const struct pf_portal_args *pa)
{
	return (policy->direction & PF_DIR_OUT) && !(policy->flags & PF_F_KEEP_ESTABLISHED) &&
	       pa->portal.proto == IPPROTO_TCP;
}

/* Destroys the portal's sockets, drained first if the policy says so, and
 * says how each ended. A sweep failure is a warning: the egress reset
 * still kills every connection. */
static int tear_down(const struct pf_env *env, const struct pf_portal *portal,
		     const struct pf_policy *policy)
{
	const char *mechanism = "bpf_sock_destroy";
	struct pf_sweep_tally t;
	int n;

	if (!pf_tally_init(&t, portal))
		return pf_error(env, -ENOMEM, "out of memory");
	if (policy->flags & PF_F_DRAINING) {
		n = pf_drain(env->pin_dir, portal, policy, &t);
	} else {
		t.queue_known = pf_drain_possible(env->pin_dir);
		n = pf_sweep(env->pin_dir, pf_tally_record, &t, &mechanism);
	}
	if (n < 0) {
		pf_warn(env, "socket sweep failed (%s): the egress reset still kills each "
			"connection on its next transmit", strerror(-n));
	} else {
		printf("%lu connection%s destroyed (%s)", t.destroyed, t.destroyed == 1 ? "" : "s",
		       mechanism);
		if (policy->flags & PF_F_DRAINING)
			printf(": %lu drained, %lu stalled, %lu at the deadline",
			       t.outcomes[PF_SWEEP_DRAINED], t.outcomes[PF_SWEEP_STALLED],
			       t.outcomes[PF_SWEEP_DEADLINE]);
		if (t.queue_known)
			printf("%s%llu bytes discarded", policy->flags & PF_F_DRAINING ? ", " : ": ",
			       t.discarded);
		printf("\n");
	}
	pf_tally_free(&t);
	return 0;
}

/* At most this many entries weakening one another are named one by one. */
#define WEAKENING_SHOWN	8

static void format_entry(const struct pf_entry *e, char *buf, size_t n)
{
	char addr[64];

	pf_format_key_addr(&e->key, addr, sizeof(addr));
	snprintf(buf, n, "%s %s port %u (direction %s%s)", pf_proto_name(e->key.proto), addr,
		 ntohs(e->key.port), pf_direction_name(e->policy.direction),
		 e->policy.flags & PF_F_KEEP_ESTABLISHED ? ", keep-established" : "");
}

struct weakening_report {
	const struct pf_env *env;
	int shown;
};

static void warn_weakening(const struct pf_entry *narrow, const struct pf_entry *broad, void *arg)
{
	struct weakening_report *r = arg;
	char n[128], b[128];

	if (r->shown++ >= WEAKENING_SHOWN)
		return;
	format_entry(narrow, n, sizeof(n));
	format_entry(broad, b, sizeof(b));
	pf_warn(r->env, "%s is more specific than %s: it weakens that fence for the addresses "
		"it covers", n, b);
}

/* Fences the portal, says which entries weaken one another, tears its
 * sockets down. 0 or a negative errno, reported. */
static int block_portal(const struct pf_env *env, const struct pf_portal_args *pa,
			const struct pf_policy *policy)
{
	struct fence_maps m;
	char what[256];
	struct weakening_report report = { env, 0 };
	int n, err = open_maps(env, &m, true);

	if (err == -ENOENT)
		err = pf_error(env, err, "cannot open the fence table in '%s'", env->pin_dir);
	if (!err)
		err = apply_fence(env, &m, &pa->portal, policy);
	if (!err) {
		describe(pa, what, sizeof(what));
		printf("fenced %s (direction %s, method %s%s)\n", what,
		       pf_direction_name(policy->direction), pf_method_name(policy->method),
		       policy->flags & PF_F_KEEP_ESTABLISHED ? ", keep-established" : "");
		fflush(stdout);
		n = pf_weakening_each(m.portals_fd, &pa->portal, policy, warn_weakening, &report);
		if (n > WEAKENING_SHOWN)
			pf_warn(env, "%d more entries weaken one another on these ports "
				"(see 'portfence list')", n - WEAKENING_SHOWN);
	}
	close_maps(&m);
	if (!err && tears_down(policy, pa))
		err = tear_down(env, &pa->portal, policy);
	return err;
}

struct block_args {
	struct pf_portal_args pa;
	__u8 direction, method;
	bool keep_established;
	unsigned int drain_ms, stall_ms;
};

static int cmd_block(struct pf_env *env, const void *args)
{
	const struct block_args *a = args;
	struct pf_policy policy = { .direction = a->direction, .method = a->method };
	int rc;

	if (a->keep_established)
		policy.flags |= PF_F_KEEP_ESTABLISHED;
	rc = pf_exit_code(pf_require_privileges(env));
	if (!rc)
		rc = pf_ensure_ready(env, NULL, 0, false, stdout);
	if (rc)
		return rc;
	policy.since = (__u64)time(NULL);
	if (tears_down(&policy, &a->pa) && a->drain_ms && pf_drain_possible(env->pin_dir))
		pf_drain_policy(&policy, a->drain_ms, a->stall_ms);
	return pf_exit_code(block_portal(env, &a->pa, &policy));
}

static const struct pf_option block_options[] = {
	PF_PORTAL_OPTIONS(struct block_args, pa, PF_OPT_REQUIRED),
	PF_OPTION(struct block_args, direction, "direction", PF_OPT_DIRECTION, "in|out|both",
		  "what is fenced (both)", 0),
	PF_OPTION(struct block_args, method, "method", PF_OPT_METHOD, "drop|reject",
		  "how it is refused (drop)", 0),
	PF_OPTION(struct block_args, keep_established, "keep-established", PF_OPT_FLAG, NULL,
		  "leave established connections alone", 0),
	PF_OPTION(struct block_args, drain_ms, "drain", PF_OPT_MS, "MS",
		  "drain deadline, milliseconds (1000; 0: destroy at once)", 0),
	PF_OPTION(struct block_args, stall_ms, "drain-stall", PF_OPT_MS, "MS",
		  "a socket whose queue has not moved this long is destroyed (50)", 0),
	{}
};

static const struct block_args block_defaults = {
	.pa.portal.proto = IPPROTO_TCP,
	.direction = PF_DIR_BOTH,
	.method = PF_METHOD_DROP,
	.drain_ms = PF_DRAIN_MS_DEFAULT,
	.stall_ms = PF_DRAIN_STALL_MS_DEFAULT,
};

const struct pf_command pf_cmd_block = {
	.name = "block",
	.summary = "fence a portal",
	.description =
		"Fence a portal: load and attach if needed, add the entry, destroy the\n"
		"portal's established sockets (unless --keep-established or --direction in)\n"
		"and print what was torn down. No --ip means every local address of both\n"
		"families. Each socket is drained first: what it already sent reaches the\n"
		"peer, no new request reaches it; it is destroyed once its send queue is\n"
		"empty, has not moved for --drain-stall MS, or at --drain MS.\n",
	.options = block_options,
	.args_size = sizeof(struct block_args),
	.defaults = &block_defaults,
	.run = cmd_block,
};

static void print_woken(const struct pf_knock_key *k, enum pf_wake_how how, const char *reason,
			void *arg)
{
	char local[64], remote[64];

	(void)arg;
	pf_format_endpoint(k->family, k->local_addr, ntohs(k->local_port), local, sizeof(local));
	pf_format_endpoint(k->family, k->remote_addr, ntohs(k->remote_port), remote, sizeof(remote));
	if (how == PF_WAKE_SKIPPED)
		printf("not woken %s\t%s (%s)\n", local, remote, reason);
	else
		printf("woke %s\t%s (%s)\n", local, remote,
		       how == PF_WAKE_CONNECT ? "SYN replayed" : "reset");
}

/* Removes the portal's entries (not loaded: nothing to remove), then
 * wakes its knocked peers. 0 or a negative errno, reported. */
static int unblock_portal(const struct pf_env *env, const struct pf_portal_args *pa, bool wake)
{
	struct fence_maps m;
	struct pf_portal_key key;
	char what[256];
	int port, woken, err = open_maps(env, &m, false);

	if (err && err != -ENOENT)
		return err;
	for (port = pf_portal_next_port(&pa->portal, 1); !err && port > 0;
	     port = pf_portal_next_port(&pa->portal, port + 1)) {
		pf_portal_key(&pa->portal, (__u16)port, &key);
		remove_entry(m.portals_fd, m.stats_fd, &key);
	}
	describe(pa, what, sizeof(what));
	printf("unfenced %s\n", what);
	if (!err && pa->portal.proto == IPPROTO_TCP) {
		woken = pf_wake(env->pin_dir, &pa->portal, wake, print_woken, NULL);
		if (woken < 0)
			pf_warn(env, "cannot wake the peers that knocked: %s", strerror(-woken));
		else if (woken)
			printf("%d peer%s woken\n", woken, woken == 1 ? "" : "s");
	}
	close_maps(&m);
	return 0;
}

struct unblock_args {
	struct pf_portal_args pa;
	bool no_wake;
};

static int cmd_unblock(struct pf_env *env, const void *args)
{
	const struct unblock_args *a = args;
	int err = pf_require_privileges(env);

	return pf_exit_code(err ? err : unblock_portal(env, &a->pa, !a->no_wake));
}

static const struct pf_option unblock_options[] = {
	PF_PORTAL_OPTIONS(struct unblock_args, pa, PF_OPT_REQUIRED),
	PF_OPTION(struct unblock_args, no_wake, "no-wake", PF_OPT_FLAG, NULL,
		  "forget the peers that knocked instead of waking them", 0),
	{}
};

static const struct unblock_args unblock_defaults = { .pa.portal.proto = IPPROTO_TCP };

const struct pf_command pf_cmd_unblock = {
	.name = "unblock",
	.summary = "lift a portal's fence",
	.description =
		"Remove the portal's fence entry (the same --ip and --port it was fenced\n"
		"with), then wake the peers that knocked while it was fenced (unless\n"
		"--no-wake): a dropped SYN is replayed so the pending connect completes,\n"
		"a peer holding a connection this node does not have is reset. Idempotent:\n"
		"a portal that is not fenced is not an error.\n",
	.options = unblock_options,
	.args_size = sizeof(struct unblock_args),
	.defaults = &unblock_defaults,
	.run = cmd_unblock,
};

struct check_args {
	struct pf_portal_args pa;
	bool exact;
};

static int cmd_check(struct pf_env *env, const void *args)
{
	const struct check_args *a = args;
	const struct pf_portal *portal = &a->pa.portal;
	struct pf_portal_key key;
	struct pf_policy policy;
	bool fenced = true;
	int fd, port;
	char what[256];

	fd = open_map(env, PF_PIN_PORTALS);
	if (fd < 0 && fd != -ENOENT)
		return pf_exit_code(fd);
	for (port = pf_portal_next_port(portal, 1); port > 0 && fenced;
	     port = pf_portal_next_port(portal, port + 1)) {
		pf_portal_key(portal, (__u16)port, &key);
		fenced = fd >= 0 && (a->exact ? lookup_exact(fd, &key, &policy)
					      : !bpf_map_lookup_elem(fd, &key, &policy));
	}
	describe(&a->pa, what, sizeof(what));
	printf("%s %s\n", what, fenced ? "fenced" : "not fenced");
	if (fd >= 0)
		close(fd);
	return fenced ? PF_EXIT_OK : PF_EXIT_FAIL;
}

static const struct pf_option check_options[] = {
	PF_PORTAL_OPTIONS(struct check_args, pa, PF_OPT_REQUIRED),
	PF_OPTION(struct check_args, exact, "exact", PF_OPT_FLAG, NULL,
		  "only an entry for exactly this portal counts", 0),
	{}
};

static const struct check_args check_defaults = { .pa.portal.proto = IPPROTO_TCP };

const struct pf_command pf_cmd_check = {
	.name = "check",
	.summary = "exit 0 if a portal is fenced, 1 if not",
	.description =
		"Exit 0 if every port of the portal is fenced (by its own entry or a wider\n"
		"one: a fence on every address covers each address), 1 if not. With --exact\n"
		"only an entry for exactly this portal counts.\n",
	.options = check_options,
	.args_size = sizeof(struct check_args),
	.defaults = &check_defaults,
	.run = cmd_check,
};
