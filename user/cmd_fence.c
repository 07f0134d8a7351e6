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
#include "layout.h"
#include "loader.h"
#include "options.h"
#include "pins.h"
#include "state.h"
#include "sweep.h"
#include "wake.h"

static void portal_defaults(struct pf_portal_args *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->portal.proto = IPPROTO_TCP;
}

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
 * still attached here (the fence they hold is in force all the same); a
 * missing map gives -ENOENT, no permission exit 3. */
static int open_map(const struct pf_env *env, const char *name, int *rc)
{
	bool orphaned;
	int fd;

	/* a fence table of another shape would be misread */
	*rc = strcmp(name, PF_PIN_PORTALS) ? PF_EXIT_OK : pf_layout_require(env, false);
	if (*rc)
		return -EINVAL;
	fd = pf_state_map(env->pin_dir, name, &orphaned);
	if (orphaned && !strcmp(name, PF_PIN_PORTALS))
		pf_warn(env, "no pins in '%s': using the fence table of the programs attached "
			"in this network namespace", env->pin_dir);
	*rc = PF_EXIT_OK;
	if (fd == -EACCES || fd == -EPERM)
		*rc = pf_fail(env, PF_EXIT_PERM, "not permitted to open '%s/%s'", env->pin_dir, name);
	else if (fd < 0 && fd != -ENOENT)
		*rc = pf_fail(env, PF_EXIT_FAIL, "cannot open '%s/%s': %s", env->pin_dir, name,
			      strerror(-fd));
	return fd;
}

static void remove_entry(int portals_fd, int stats_fd, const struct pf_portal_key *key)
{
	__u64 id = pf_counters_id(key);

	bpf_map_delete_elem(portals_fd, key);
	if (stats_fd >= 0)
		bpf_map_delete_elem(stats_fd, &id);
}

/* Adds one entry per port. On failure removes the entries this call added,
 * so a fence is never half-applied. */
static int apply_fence(const struct pf_env *env, const struct pf_portal *portal,
		       const struct pf_policy *want)
{
	struct pf_portal *added = calloc(1, sizeof(*added));
	struct pf_counters *zeros = calloc((size_t)libbpf_num_possible_cpus(), sizeof(*zeros));
	int portals_fd, stats_fd, port, rc, err = 0;
	struct pf_portal_key key;

	portals_fd = open_map(env, PF_PIN_PORTALS, &rc);
	stats_fd = open_map(env, PF_PIN_PORTAL_STATS, &rc);
	if (!added || !zeros || portals_fd < 0 || stats_fd < 0) {
		rc = rc ? rc : pf_fail(env, PF_EXIT_FAIL, "cannot open the fence table");
		goto out;
	}
	for (port = pf_portal_next_port(portal, 1); port > 0; port = pf_portal_next_port(portal, port + 1)) {
		struct pf_policy policy = *want, old;

		pf_portal_key(portal, (__u16)port, &key);
		policy.counters_id = pf_counters_id(&key);
		if (lookup_exact(portals_fd, &key, &old)) {
			if (old.direction == policy.direction && old.method == policy.method &&
			    ((old.flags ^ policy.flags) & ~PF_F_DRAINING) == 0)
				policy.since = old.since;
		} else {
			added->ports[port / 64] |= 1ULL << (port % 64);
		}
		err = bpf_map_update_elem(stats_fd, &policy.counters_id, zeros, BPF_NOEXIST);
		if (err && errno != EEXIST)
			break;
		err = bpf_map_update_elem(portals_fd, &key, &policy, BPF_ANY);
		if (err)
			break;
	}
	if (err) {
		int e = errno;

		rc = pf_fail(env, PF_EXIT_FAIL, "cannot fence port %d: %s", port,
			     e == E2BIG || e == ENOMEM ? "the fence table is full" : strerror(e));
		added->proto = portal->proto;
		added->addr = portal->addr;
		for (port = pf_portal_next_port(added, 1); port > 0;
		     port = pf_portal_next_port(added, port + 1)) {
			pf_portal_key(added, (__u16)port, &key);
			remove_entry(portals_fd, stats_fd, &key);
		}
	}
out:
	if (portals_fd >= 0)
		close(portals_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	free(added);
	free(zeros);
	return rc;
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
		return pf_fail(env, PF_EXIT_FAIL, "out of memory");
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
	return PF_EXIT_OK;
}

int cmd_block(struct pf_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		PF_OPT_PORTAL,
		{ "direction", required_argument, NULL, OPT_DIRECTION },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "keep-established", no_argument, NULL, OPT_KEEP },
		{ "drain", required_argument, NULL, OPT_DRAIN },
		{ "drain-stall", required_argument, NULL, OPT_DRAIN_STALL },
		PF_OPT_HELP,
		{}
	};
	static const char usage[] =
		"[--ip A[/LEN]] --port P [--proto tcp|udp] [--direction in|out|both]\n"
		"       [--method drop|reject] [--keep-established] [--drain MS] [--drain-stall MS]\n"
		"Fence a portal: load and attach if needed, add the entry, destroy the\n"
		"portal's established sockets (unless --keep-established or --direction in)\n"
		"and print what was torn down. P is 3260, 3260,3261 or 860:870; no --ip\n"
		"means every local address of both families. Defaults: tcp, both, drop.\n"
		"Each socket is drained first: what it already sent reaches the peer, no\n"
		"new request reaches it; it is destroyed once its send queue is empty, has\n"
		"not moved for --drain-stall MS (50), or at --drain MS (1000; 0: at once).\n";
	struct pf_policy policy = { .direction = PF_DIR_BOTH, .method = PF_METHOD_DROP };
	struct pf_portal_args *pa = calloc(1, sizeof(*pa));
	unsigned int drain_ms = PF_DRAIN_MS_DEFAULT, stall_ms = PF_DRAIN_STALL_MS_DEFAULT;
	char err[PF_ERR_LEN], what[256];
	int opt, rc;

	if (!pa)
		return pf_fail(env, PF_EXIT_FAIL, "out of memory");
	portal_defaults(pa);
	pf_opts_begin();
	while ((opt = pf_opts_next(env, argc, argv, opts)) != -1) {
		rc = pf_opt_portal(env, opt, optarg, pa);
		if (rc < 0)
			goto out_rc;
		if (rc)
			continue;
		switch (opt) {
		case OPT_DIRECTION:
			if (pf_parse_direction(optarg, &policy.direction, err))
				goto bad;
			break;
		case OPT_METHOD:
			if (pf_parse_method(optarg, &policy.method, err))
				goto bad;
			break;
		case OPT_KEEP:
			policy.flags |= PF_F_KEEP_ESTABLISHED;
			break;
		case OPT_DRAIN:
			if (pf_parse_ms("--drain", optarg, &drain_ms, err))
				goto bad;
			break;
		case OPT_DRAIN_STALL:
			if (pf_parse_ms("--drain-stall", optarg, &stall_ms, err))
				goto bad;
			break;
		case OPT_HELP:
			free(pa);
			return pf_usage(env, usage, PF_EXIT_OK);
		default:
			free(pa);
			return PF_EXIT_USAGE;
		}
	}
	rc = pf_opts_end(env, argc, argv, pa, true);
	if (!rc)
		rc = pf_require_privileges(env);
	if (!rc)
		rc = pf_ensure_ready(env, NULL, 0, false, stdout);
	if (rc)
		goto out;

	policy.since = (__u64)time(NULL);
	if (tears_down(&policy, pa) && drain_ms && pf_drain_possible(env->pin_dir))
		pf_drain_policy(&policy, drain_ms, stall_ms);
	rc = apply_fence(env, &pa->portal, &policy);
	if (rc)
		goto out;
	describe(pa, what, sizeof(what));
	printf("fenced %s (direction %s, method %s%s)\n", what, pf_direction_name(policy.direction),
	       pf_method_name(policy.method),
	       policy.flags & PF_F_KEEP_ESTABLISHED ? ", keep-established" : "");
	if (tears_down(&policy, pa))
		rc = tear_down(env, &pa->portal, &policy);
	goto out;
bad:
	rc = pf_fail(env, PF_EXIT_USAGE, "%s", err);
	goto out;
out_rc:
	rc = -rc;
out:
	free(pa);
	return rc;
}

/* Shared by unblock and check: parse --ip/--port/--proto, and --exact
 * (check) or --no-wake (unblock) where the caller takes it. */
static int parse_portal_only(struct pf_env *env, int argc, char **argv, struct pf_portal_args *pa,
			     const char *usage, bool *exact, bool *no_wake)
{
	static const struct option opts[] = {
		PF_OPT_PORTAL,
		{ "exact", no_argument, NULL, OPT_EXACT },
		{ "no-wake", no_argument, NULL, OPT_NO_WAKE },
		PF_OPT_HELP,
		{}
	};
	int opt, rc;

	portal_defaults(pa);
	pf_opts_begin();
	while ((opt = pf_opts_next(env, argc, argv, opts)) != -1) {
		rc = pf_opt_portal(env, opt, optarg, pa);
		if (rc < 0)
			return -rc;
		if (rc)
			continue;
		if (opt == OPT_EXACT && exact) {
			*exact = true;
			continue;
		}
		if (opt == OPT_NO_WAKE && no_wake) {
			*no_wake = true;
			continue;
		}
		if (opt == OPT_EXACT || opt == OPT_NO_WAKE)
			return pf_fail(env, PF_EXIT_USAGE, "%s takes no %s (see 'portfence %s --help')",
				       env->cmd, opt == OPT_EXACT ? "--exact" : "--no-wake", env->cmd);
		if (opt == OPT_HELP) {
			pf_usage(env, usage, PF_EXIT_OK);
			return -1;
		}
		return PF_EXIT_USAGE;
	}
	return pf_opts_end(env, argc, argv, pa, true);
}

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

int cmd_unblock(struct pf_env *env, int argc, char **argv)
{
	static const char usage[] =
		"[--ip A[/LEN]] --port P [--proto tcp|udp] [--no-wake]\n"
		"Remove the portal's fence entry (the same --ip and --port it was fenced\n"
		"with), then wake the peers that knocked while it was fenced (unless\n"
		"--no-wake): a dropped SYN is replayed so the pending connect completes,\n"
		"a peer holding a connection this node does not have is reset. Idempotent:\n"
		"a portal that is not fenced is not an error.\n";
	struct pf_portal_args *pa = calloc(1, sizeof(*pa));
	int rc, portals_fd, stats_fd, port, woken;
	struct pf_portal_key key;
	bool no_wake = false;
	char what[256];

	if (!pa)
		return pf_fail(env, PF_EXIT_FAIL, "out of memory");
	rc = parse_portal_only(env, argc, argv, pa, usage, NULL, &no_wake);
	if (rc) {
		free(pa);
		return rc < 0 ? PF_EXIT_OK : rc;
	}
	rc = pf_require_privileges(env);
	portals_fd = rc ? -1 : open_map(env, PF_PIN_PORTALS, &rc);
	stats_fd = rc ? -1 : open_map(env, PF_PIN_PORTAL_STATS, &rc);
	if (!rc && portals_fd >= 0) {
		for (port = pf_portal_next_port(&pa->portal, 1); port > 0;
		     port = pf_portal_next_port(&pa->portal, port + 1)) {
			pf_portal_key(&pa->portal, (__u16)port, &key);
			remove_entry(portals_fd, stats_fd, &key);
		}
	}
	if (!rc) {
		describe(pa, what, sizeof(what));
		printf("unfenced %s\n", what);
	}
	if (!rc && portals_fd >= 0 && pa->portal.proto == IPPROTO_TCP) {
		woken = pf_wake(env->pin_dir, &pa->portal, !no_wake, print_woken, NULL);
		if (woken < 0)
			pf_warn(env, "cannot wake the peers that knocked: %s", strerror(-woken));
		else if (woken)
			printf("%d peer%s woken\n", woken, woken == 1 ? "" : "s");
	}
	if (portals_fd >= 0)
		close(portals_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	free(pa);
	return rc;
}

int cmd_check(struct pf_env *env, int argc, char **argv)
{
	static const char usage[] =
		"[--ip A[/LEN]] --port P [--proto tcp|udp] [--exact]\n"
		"Exit 0 if every port of the portal is fenced (by its own entry or a wider\n"
		"one: a fence on every address covers each address), 1 if not. With --exact\n"
		"only an entry for exactly this portal counts.\n";
	struct pf_portal_args *pa = calloc(1, sizeof(*pa));
	struct pf_portal_key key;
	struct pf_policy policy;
	bool exact = false, fenced = true;
	int rc, fd, port;
	char what[256];

	if (!pa)
		return pf_fail(env, PF_EXIT_FAIL, "out of memory");
	rc = parse_portal_only(env, argc, argv, pa, usage, &exact, NULL);
	if (rc) {
		free(pa);
		return rc < 0 ? PF_EXIT_OK : rc;
	}
	fd = open_map(env, PF_PIN_PORTALS, &rc);
	if (rc) {
		free(pa);
		return rc;
	}
	for (port = pf_portal_next_port(&pa->portal, 1); port > 0 && fenced;
	     port = pf_portal_next_port(&pa->portal, port + 1)) {
		pf_portal_key(&pa->portal, (__u16)port, &key);
		fenced = fd >= 0 && (exact ? lookup_exact(fd, &key, &policy)
					   : !bpf_map_lookup_elem(fd, &key, &policy));
	}
	describe(pa, what, sizeof(what));
	printf("%s %s\n", what, fenced ? "fenced" : "not fenced");
	if (fd >= 0)
		close(fd);
	free(pa);
	return fenced ? PF_EXIT_OK : PF_EXIT_FAIL;
}
