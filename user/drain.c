// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "bpfclock.h"
#include "drain.h"
#include "pins.h"
#include "state.h"
#include "sweep.h"

#define NSEC_PER_MSEC	1000000ULL
/* How long block keeps sweeping past the deadline if the programs still
 * call a socket pending (they do not: past it every socket is done). */
#define PF_DRAIN_GRACE_NS	(1000 * NSEC_PER_MSEC)

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

bool pf_tally_init(struct pf_sweep_tally *t, const struct pf_portal *portal,
		   void (*ended)(const struct pf_sweep_record *rec, void *arg), void *arg)
{
	struct pf_portal_key key;
	int port;

	memset(t, 0, sizeof(*t));
	t->ended = ended;
	t->ended_arg = arg;
	t->ids = calloc(65536, sizeof(*t->ids));
	if (!t->ids)
		return false;
	pf_portal_for_each_key(portal, port, &key)
		t->ids[t->nids++] = pf_counters_id(&key);
	qsort(t->ids, t->nids, sizeof(*t->ids), cmp_u64);
	return true;
}

void pf_tally_free(struct pf_sweep_tally *t)
{
	free(t->ids);
	t->ids = NULL;
}

void pf_tally_record(const struct pf_sweep_record *rec, void *arg)
{
	struct pf_sweep_tally *t = arg;

	if (!bsearch(&rec->counters_id, t->ids, t->nids, sizeof(*t->ids), cmp_u64))
		return;
	if (rec->outcome >= PF_SWEEP_PENDING) {
		t->pending++;
		return;
	}
	t->destroyed++;
	t->outcomes[rec->outcome]++;
	if (t->queue_known && rec->outcome != PF_SWEEP_DRAINED)
		t->discarded += rec->queued;
	if (t->ended)
		t->ended(rec, t->ended_arg);
}

bool pf_drain_possible(struct pf_state *st)
{
	return pf_pin_exists(st->pin_dir, PF_PIN_PROG_SWEEP);
}

void pf_drain_policy(struct pf_policy *policy, unsigned int drain_ms, unsigned int stall_ms,
		     unsigned int quiet_ms)
{
	__u64 now = pf_bpf_now_ns();

	policy->flags |= PF_F_DRAINING;
	policy->drain_until = now + drain_ms * NSEC_PER_MSEC;
	policy->drain_lease = now + PF_DRAIN_LEASE_NS;
	policy->drain_stall_ns = stall_ms * NSEC_PER_MSEC;
	policy->drain_quiet_ms = quiet_ms;
}

/* Is key's entry (read into policy) still in the drain this block began?
 * A later block of the same portal owns its own. */
static bool in_this_drain(int fd, const struct pf_portal_key *key, __u64 drain_until,
			  struct pf_policy *policy)
{
	return !bpf_map_lookup_elem(fd, key, policy) &&
	       policy->counters_id == pf_counters_id(key) &&
	       (policy->flags & PF_F_DRAINING) && policy->drain_until == drain_until;
}

/* Ends the drain in each of the portal's entries still in this block's. */
static void end_drain(const struct pf_state *st, const struct pf_portal *portal, __u64 drain_until)
{
	struct pf_portal_key key;
	struct pf_policy policy;
	int fd = pf_pin_open(st->pin_dir, PF_PIN_PORTALS), port;

	if (fd < 0)
		return;
	pf_portal_for_each_key(portal, port, &key) {
		if (!in_this_drain(fd, &key, drain_until, &policy))
			continue;
		policy.flags &= (__u8)~PF_F_DRAINING;
		policy.drain_until = 0;
		bpf_map_update_elem(fd, &key, &policy, BPF_EXIST);
	}
	close(fd);
}

/* Renews the lease of each of the portal's entries still in this block's
 * drain, once half of it is gone; lease is when it lapses now. */
static void renew_lease(int fd, const struct pf_portal *portal, __u64 drain_until, __u64 *lease)
{
	struct pf_portal_key key;
	struct pf_policy policy;
	__u64 now = pf_bpf_now_ns();
	int port;

	if (fd < 0 || now + PF_DRAIN_LEASE_NS / 2 < *lease)
		return;
	*lease = now + PF_DRAIN_LEASE_NS;
	pf_portal_for_each_key(portal, port, &key) {
		if (!in_this_drain(fd, &key, drain_until, &policy))
			continue;
		policy.drain_lease = *lease;
		bpf_map_update_elem(fd, &key, &policy, BPF_EXIST);
	}
}

/* One pass of the drain over every TCP socket: 0 or a negative errno. */
static int drain_pass(int link, struct pf_sweep_tally *t)
{
	int n = pf_sweep_read(link, pf_tally_record, t);

	return n < 0 ? n : 0;
}

int pf_drain(struct pf_state *st, const struct pf_portal *portal, const struct pf_policy *policy,
	     struct pf_sweep_tally *t)
{
	__u64 lease = policy->drain_lease;
	int portals_fd;
	__u64 interval = policy->drain_stall_ns / 10;
	struct timespec pause;
	int prog_fd, link, err, passes = 0;

	if (interval < NSEC_PER_MSEC)
		interval = NSEC_PER_MSEC;
	if (interval > 10 * NSEC_PER_MSEC)
		interval = 10 * NSEC_PER_MSEC;
	pause.tv_sec = 0;
	pause.tv_nsec = (long)interval;

	prog_fd = pf_pin_open(st->pin_dir, PF_PIN_PROG_SWEEP);
	if (prog_fd < 0) {
		end_drain(st, portal, policy->drain_until);
		return prog_fd;
	}
	link = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL);
	err = link < 0 ? -errno : 0;
	close(prog_fd);
	t->queue_known = true;
	portals_fd = pf_pin_open(st->pin_dir, PF_PIN_PORTALS);
	while (!err) {
		t->pending = 0;
		renew_lease(portals_fd, portal, policy->drain_until, &lease);
		err = drain_pass(link, t);
		if (err || !t->pending || pf_bpf_now_ns() > policy->drain_until + PF_DRAIN_GRACE_NS)
			break;
		passes++;
		nanosleep(&pause, NULL);
	}
	if (portals_fd >= 0)
		close(portals_fd);
	end_drain(st, portal, policy->drain_until);
	/* with --direction out new connections could open while it drained */
	if (!err && passes) {
		t->pending = 0;
		err = drain_pass(link, t);
	}
	if (link >= 0)
		close(link);
	return err;
}
