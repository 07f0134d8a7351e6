// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Why a tickle, not an RST of our own making: the store names peers, not
 * sequence numbers, so an RST the peer accepts needs the sequence it
 * expects. This node's stack writes exactly that RST when the peer's
 * answer to the tickle finds no connection here, and only then: a peer
 * that has meanwhile reconnected on the same four-tuple gets its answer
 * taken by the new connection, which goes on. An RST built from a learned
 * sequence (CTDB's killtcp) would kill that new connection, and the stack
 * never says more than the host's firewall lets it.
 *
 * A peer answers an out-of-window segment at most once per
 * tcp_invalid_ratelimit (500 ms) per connection, and an answer toward the
 * dead node's MAC address (its ARP cache not yet told of the move) is
 * lost: so the tickles go on for a second, 0.1, 0.3, 0.6 and 1 s after
 * the first round, timed from its end so that the 0.6 s one comes more
 * than 500 ms after any answer the first drew.
 */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer_reset.h"
#include "rawtcp.h"
#include "sockdiag.h"
#include "stats.h"

/* When each round is sent, from the end of the first (ms). */
static const unsigned int rounds_ms[] = { 0, 100, 300, 600, 1000 };

static bool held(const struct pf_conn *conns, int n, const struct pf_tickle *t)
{
	__be16 lport = htons(t->lport), rport = htons(t->rport);

	return pf_conn_held(conns, n, t->local.family, t->local.a, lport, t->remote.a, rport);
}

int pf_reset_plan(const struct pf_env *env, const char *dir, const struct pf_portal *portal,
		  struct pf_reset_plan *plan)
{
	struct pf_stored_peer *peers;
	struct pf_conn *conns = NULL;
	int n = pf_peer_store_read(env, dir, portal, &peers), nconns, i;

	plan->v = NULL;
	plan->n = 0;
	if (n <= 0)
		return n;
	plan->v = calloc((size_t)n, sizeof(*plan->v));
	if (!plan->v) {
		free(peers);
		return pf_error(env, -ENOMEM, "out of memory");
	}
	nconns = pf_diag_list(PF_CONN_STATES, &conns);
	if (nconns < 0)
		nconns = 0;	/* cannot tell: a held peer's answer goes to its connection */
	for (i = 0; i < n; i++) {
		struct pf_reset_peer *r = &plan->v[i];
		const struct pf_tickle *t = &peers[i].t;

		r->p = peers[i];
		if (pf_route_local(t->remote.family, t->remote.a) != 0)
			r->skipped = "a local address";
		else if (pf_route_local(t->local.family, t->local.a) != 1)
			r->skipped = "its portal address is not local now";
		else if (held(conns, nconns, t))
			r->skipped = "connection held here";
	}
	plan->n = n;
	free(conns);
	free(peers);
	return 0;
}

unsigned int pf_reset_plan_count(const struct pf_reset_plan *plan, __u16 port)
{
	unsigned int n = 0;
	int i;

	for (i = 0; plan && i < plan->n; i++)
		n += !plan->v[i].skipped && plan->v[i].p.t.lport == port;
	return n;
}

void pf_reset_plan_free(struct pf_reset_plan *plan)
{
	free(plan->v);
	plan->v = NULL;
	plan->n = 0;
}

/* One round to the peers of the plan still due; fd[0] IPv4, fd[1] IPv6
 * (opened on demand). With report, the first round: each peer reported,
 * one it cannot be sent to dropped from the plan. Returns how many sent. */
static int send_round(struct pf_reset_plan *plan, int fd[2], pf_reset_report report, void *arg)
{
	struct pf_conn *conns = NULL;
	int i, sent = 0, nconns = report ? 0 : pf_diag_list(PF_CONN_STATES, &conns), err;

	for (i = 0; i < plan->n; i++) {
		struct pf_reset_peer *r = &plan->v[i];
		const struct pf_tickle *t = &r->p.t;
		int *f = &fd[t->local.family == AF_INET6];

		if (r->skipped)
			continue;
		/* later rounds: a peer that reconnected here, or an address
		 * that moved on, is left alone from now on */
		if (!report && (held(conns, nconns, t) ||
				pf_route_local(t->local.family, t->local.a) != 1)) {
			r->skipped = "reconnected here, or its address moved on";
			continue;
		}
		if (*f < 0)
			*f = pf_raw_open(t->local.family);
		err = *f < 0 ? *f : pf_raw_tickle(*f, t->local.family, t->local.a, t->lport, t->remote.a,
							 t->rport, 1);
		if (report) {
			if (err)
				r->skipped = "cannot be sent";
			report(r, err ? strerror(-err) : NULL, arg);
		}
		sent += !err;
	}
	free(conns);
	return sent;
}

static void sleep_until(const struct timespec *start, unsigned int ms)
{
	struct timespec at = *start;

	at.tv_sec += ms / 1000;
	at.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

/* The later rounds, in a child that writes nothing: a caller reading the
 * command's output (the agent's $(...)) must not wait for it. */
static void retry_in_child(struct pf_reset_plan *plan, int fd[2], const struct timespec *start)
{
	int null, i;

	fflush(stdout);
	fflush(stderr);
	if (fork() != 0)
		return;	/* the parent, or no child: the first round stands */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (i = 0; i < 3 && null >= 0; i++)
		dup2(null, i);
	for (i = 1; i < (int)(sizeof(rounds_ms) / sizeof(rounds_ms[0])); i++) {
		sleep_until(start, rounds_ms[i]);
		send_round(plan, fd, NULL, NULL);
	}
	_exit(0);
}

int pf_reset_send(struct pf_state *st, struct pf_reset_plan *plan, pf_reset_report report,
		  void *arg)
{
	int fd[2] = { -1, -1 }, sent, i;
	struct timespec start;

	sent = send_round(plan, fd, report, arg);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (sent) {
		pf_cli_count(st, &(struct pf_cli_counters){ .peers_reset = (__u64)sent });
		retry_in_child(plan, fd, &start);
	}
	for (i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return sent;
}
