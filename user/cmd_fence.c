// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence block | unblock | check: flipping fence entries
 * (fence_table.c), and what block tears down and warns of. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfclock.h"
#include "drain.h"
#include "fence_table.h"
#include "in_force.h"
#include "load.h"
#include "options.h"
#include "overlap.h"
#include "peer_reset.h"
#include "sweep.h"
#include "wake.h"

static void describe(const struct pf_portal_args *pa, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s port %s", pf_proto_name(pa->portal.proto),
		 pa->ip ? pa->ip : "*", pa->ports);
}

/* Does block destroy the portal's established sockets? */
static bool tears_down(const struct pf_policy *policy, const struct pf_portal_args *pa)
{
	return pf_policy_tears_down(policy) && pa->portal.proto == IPPROTO_TCP;
}

static const char *const outcome_names[] = {
	[PF_SWEEP_DESTROYED] = "destroyed",
	[PF_SWEEP_DRAINED] = "drained",
	[PF_SWEEP_STALLED] = "stalled",
	[PF_SWEEP_DEADLINE] = "deadline",
};

/* A line for each socket the sweep ended. */
static void print_ended(const struct pf_sweep_record *rec, void *arg)
{
	char local[64], remote[64];

	(void)arg;
	pf_format_endpoint(rec->family, rec->local_addr, ntohs(rec->local_port), local, sizeof(local));
	pf_format_endpoint(rec->family, rec->remote_addr, ntohs(rec->remote_port), remote,
			   sizeof(remote));
	/* destroyed at once: the plain "destroyed" line (scripts read it), its
	 * bytes counted in the total only */
	if (rec->outcome == PF_SWEEP_DESTROYED) {
		printf("destroyed %s\t%s\n", local, remote);
		return;
	}
	printf("%s %s\t%s\t%u bytes discarded", outcome_names[rec->outcome], local, remote,
	       rec->outcome == PF_SWEEP_DRAINED ? 0 : rec->queued);
	/* requests the server never read: never executed, never answered */
	if (rec->unread && rec->outcome != PF_SWEEP_DRAINED)
		printf(", %u unread", rec->unread);
	printf("\n");
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

	if (!pf_tally_init(&t, portal, print_ended, NULL))
		return pf_error(env, -ENOMEM, "out of memory");
	if (policy->flags & PF_F_DRAINING) {
		n = pf_drain(env->state, portal, policy, &t);
	} else {
		t.queue_known = pf_drain_possible(env->state);
		n = pf_sweep(env->state, pf_tally_record, &t, &mechanism);
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
	struct pf_fence_table m;
	char what[256];
	struct weakening_report report = { env, 0 };
	int n, err = pf_fence_table_open(env, &m, true);

	if (err == -ENOENT)
		err = pf_error(env, err, "cannot open the fence table in '%s'", env->pin_dir);
	if (!err)
		err = pf_fence_add(env, &m, &pa->portal, policy);
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
	if (!err && tears_down(policy, pa))
		err = tear_down(env, &pa->portal, policy);
	return err;
}

struct block_args {
	struct pf_portal_args pa;
	__u8 direction, method;
	bool keep_established;
	unsigned int drain_ms, stall_ms, quiet_ms;
};

static int cmd_block(struct pf_env *env, const void *args)
{
	const struct block_args *a = args;
	struct pf_policy policy = { .direction = a->direction, .method = a->method };
	int err;

	if (a->keep_established)
		policy.flags |= PF_F_KEEP_ESTABLISHED;
	err = pf_require_privileges(env);
	if (!err)
		err = pf_ensure_ready(env, NULL, 0, false, false, stdout);
	if (err)
		return pf_exit_code(err);
	policy.since = (__u64)time(NULL);
	policy.fenced_at = pf_bpf_now_ns();
	if (tears_down(&policy, &a->pa) && a->drain_ms && pf_drain_possible(env->state))
		pf_drain_policy(&policy, a->drain_ms, a->stall_ms, a->quiet_ms);
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
	PF_OPTION(struct block_args, quiet_ms, "drain-quiet", PF_OPT_MS, "MS",
		  "drained: the server read every request and wrote nothing this long (100)", 0),
	{}
};

static const struct block_args block_defaults = {
	.pa.portal.proto = IPPROTO_TCP,
	.direction = PF_DIR_BOTH,
	.method = PF_METHOD_DROP,
	.drain_ms = PF_DRAIN_MS_DEFAULT,
	.stall_ms = PF_DRAIN_STALL_MS_DEFAULT,
	.quiet_ms = PF_DRAIN_QUIET_MS_DEFAULT,
};

const struct pf_command pf_cmd_block = {
	.name = "block",
	.summary = "fence a portal",
	.description =
		"Fence a portal: load and attach if needed, add the entry, destroy the\n"
		"portal's established sockets (unless --keep-established or --direction in)\n"
		"and print what was torn down. No --ip means every local address of both\n"
		"families. Each socket is drained first: what it already sent reaches the\n"
		"peer, no new request reaches it; it is destroyed once the server has read\n"
		"every request, written nothing for --drain-quiet MS and its send queue is\n"
		"acknowledged (drained), once that queue has not moved for --drain-stall MS\n"
		"(stalled), or at --drain MS (deadline).\n",
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

static void print_reset(const struct pf_reset_peer *r, const char *error, void *arg)
{
	const struct pf_tickle *t = &r->p.t;
	char local[64], remote[64];

	(void)arg;
	pf_format_endpoint(t->local.family, t->local.a, t->lport, local, sizeof(local));
	pf_format_endpoint(t->remote.family, t->remote.a, t->rport, remote, sizeof(remote));
	if (error || r->skipped)
		printf("not reset %s\t%s (%s%s%s)\n", local, remote, r->skipped,
		       error ? ": " : "", error ? error : "");
	else
		printf("reset %s\t%s (a peer of node '%s')\n", local, remote, r->p.node);
}

/* Resets the peers other nodes held on the portal, now open here. */
static void reset_peers(const struct pf_env *env, struct pf_reset_plan *plan)
{
	int i, n;

	for (i = 0; i < plan->n; i++)
		if (plan->v[i].skipped)
			print_reset(&plan->v[i], NULL, NULL);
	n = pf_reset_send(env->state, plan, print_reset, NULL);
	if (n)
		printf("%d peer%s of other nodes reset\n", n, n == 1 ? "" : "s");
}

/* Removes the portal's entries (not loaded: nothing to remove), then
 * wakes its knocked peers and resets those other nodes held. 0 or a
 * negative errno, reported. */
static int unblock_portal(const struct pf_env *env, const struct pf_portal_args *pa, bool wake,
			  const char *peers_dir)
{
	struct pf_reset_plan plan = {};
	struct pf_fence_table m;
	char what[256];
	bool tcp = pa->portal.proto == IPPROTO_TCP;
	int woken, err = pf_fence_table_open(env, &m, false);

	if (err && err != -ENOENT)
		return err;
	/* before the lift, so that its timeline holds the count from the start */
	if (tcp && pf_reset_plan(env, peers_dir, &pa->portal, &plan))
		pf_reset_plan_free(&plan);
	if (!err)
		pf_fence_remove(&m, &pa->portal, &plan);
	describe(pa, what, sizeof(what));
	printf("unfenced %s\n", what);
	if (!err && tcp) {
		woken = pf_wake(env->state, &pa->portal, wake, print_woken, NULL);
		if (woken < 0)
			pf_warn(env, "cannot wake the peers that knocked: %s", strerror(-woken));
		else if (woken)
			printf("%d peer%s woken\n", woken, woken == 1 ? "" : "s");
	}
	/* the portal is open whether or not this node had fenced it */
	if (plan.n)
		reset_peers(env, &plan);
	pf_reset_plan_free(&plan);
	return 0;
}

struct unblock_args {
	struct pf_portal_args pa;
	bool no_wake;
	const char *peers_dir;
};

static int cmd_unblock(struct pf_env *env, const void *args)
{
	const struct unblock_args *a = args;
	int err = pf_require_privileges(env);

	return pf_exit_code(err ? err : unblock_portal(env, &a->pa, !a->no_wake, a->peers_dir));
}

static const struct pf_option unblock_options[] = {
	PF_PORTAL_OPTIONS(struct unblock_args, pa, PF_OPT_REQUIRED),
	PF_OPTION(struct unblock_args, no_wake, "no-wake", PF_OPT_FLAG, NULL,
		  "forget the peers that knocked instead of waking them", 0),
	PF_OPTION(struct unblock_args, peers_dir, "peers-dir", PF_OPT_STRING, "DIR",
		  "the peers other nodes hold, reset as the portal opens (" PF_PEERS_DIR_DEFAULT ")", 0),
	{}
};

static const struct unblock_args unblock_defaults = {
	.pa.portal.proto = IPPROTO_TCP,
	.peers_dir = PF_PEERS_DIR_DEFAULT,
};

const struct pf_command pf_cmd_unblock = {
	.name = "unblock",
	.summary = "lift a portal's fence",
	.description =
		"Remove the portal's fence entry (the same --ip and --port it was fenced\n"
		"with), then wake the peers that knocked while it was fenced (unless\n"
		"--no-wake): a dropped SYN is replayed so the pending connect completes,\n"
		"a peer holding a connection this node does not have is reset. Then reset\n"
		"the peers other nodes held on the portal (the files of --peers-dir DIR, one\n"
		"per node, 'local<TAB>remote' per line): a tickle ACK each, which this node\n"
		"answers with an RST, repeated for a second. Idempotent: a portal that is\n"
		"not fenced is not an error.\n",
	.options = unblock_options,
	.args_size = sizeof(struct unblock_args),
	.defaults = &unblock_defaults,
	.run = cmd_unblock,
};

struct check_args {
	struct pf_portal_args pa;
	bool exact;
	bool attached;
};

/* With --attached a fence counts only where it is in force: "fenced, not
 * in force: why" says what a monitor must repair. */
static int check_in_force(const struct pf_env *env, const struct pf_portal *portal,
			  const char *what)
{
	char why[PF_ERR_LEN + IF_NAMESIZE];
	int ret = pf_portal_in_force(env, portal, why, sizeof(why));

	if (ret < 0) {
		pf_error(env, ret, "cannot read the interfaces: %s", strerror(-ret));
		return PF_EXIT_UNKNOWN;
	}
	if (ret) {
		printf("%s fenced, not in force: %s\n", what, why);
		return PF_EXIT_FAIL;
	}
	printf("%s fenced\n", what);
	return PF_EXIT_OK;
}

static int cmd_check(struct pf_env *env, const void *args)
{
	const struct check_args *a = args;
	const struct pf_portal *portal = &a->pa.portal;
	struct pf_portal_key key;
	struct pf_policy policy;
	bool fenced = true;
	int fd, port;
	char what[256];

	fd = pf_fence_open_map(env, PF_PIN_PORTALS);
	/* 1 says "not fenced": a fence that cannot be read must not look open
	 * to a monitor of an open portal */
	if (fd < 0 && fd != -ENOENT)
		return pf_exit_code(fd) == PF_EXIT_FAIL ? PF_EXIT_UNKNOWN : pf_exit_code(fd);
	pf_portal_for_each_key(portal, port, &key) {
		fenced = fd >= 0 && (a->exact ? pf_fence_lookup_exact(fd, &key, &policy)
					      : !bpf_map_lookup_elem(fd, &key, &policy));
		if (!fenced)
			break;
	}
	describe(&a->pa, what, sizeof(what));
	if (fenced && a->attached)
		return check_in_force(env, portal, what);
	printf("%s %s\n", what, fenced ? "fenced" : "not fenced");
	return fenced ? PF_EXIT_OK : PF_EXIT_FAIL;
}

static const struct pf_option check_options[] = {
	PF_PORTAL_OPTIONS(struct check_args, pa, PF_OPT_REQUIRED),
	PF_OPTION(struct check_args, exact, "exact", PF_OPT_FLAG, NULL,
		  "only an entry for exactly this portal counts", 0),
	PF_OPTION(struct check_args, attached, "attached", PF_OPT_FLAG, NULL,
		  "only a fence in force counts: the programs attached on every interface "
		  "holding the portal's address", 0),
	{}
};

static const struct check_args check_defaults = { .pa.portal.proto = IPPROTO_TCP };

const struct pf_command pf_cmd_check = {
	.name = "check",
	.summary = "exit 0 if a portal is fenced, 1 if not",
	.description =
		"Exit 0 if every port of the portal is fenced (by its own entry or a wider\n"
		"one: a fence on every address covers each address), 1 if not, 5 if it\n"
		"could not tell (the fence table could not be read). With --exact only an\n"
		"entry for exactly this portal counts. With --attached only a fence in\n"
		"force counts: the programs loaded and attached on both hooks of every\n"
		"interface holding an address of the portal (of some interface for a\n"
		"portal on every address); else it says why, and exits 1.\n",
	.options = check_options,
	.args_size = sizeof(struct check_args),
	.defaults = &check_defaults,
	.run = cmd_check,
};
