// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sweep: an iter/tcp program that destroys the established sockets of
 * fenced portals at block time (bpf_sock_destroy(), kernel >= 6.5), and
 * writes one pf_sweep_record per socket destroyed for the CLI to print.
 * While a portal drains, each pass destroys the sockets that are done
 * (answered, stalled, deadline) and reports the others as pending; the
 * CLI runs passes until none is left.
 * Loaded apart from the tc programs, so a kernel without the kfunc still
 * gets the data path and falls back to sock_diag. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET		2
#define AF_INET6	10

#include "maps.h"
#include "variant.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern int bpf_sock_destroy(struct sock_common *sk) __ksym;

/* The kernel's tick, for the jiffies of lsndtime and lrcvtime; 0 where
 * the kernel's configuration cannot be read (a socket first seen is then
 * taken as active just now: it waits one quiet window more). */
extern unsigned int CONFIG_HZ __kconfig __weak;

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* A draining socket's progress, kept with the socket itself (so nothing
 * outlives it), and valid for one drain only: drain_until tells which. */
struct pf_drain_state {
	__u64 drain_until;
	__u64 progress_ns;	/* when snd_una last moved (or was first seen) */
	__u64 active_ns;	/* when the server last wrote, read or was sent data */
	__u32 snd_una;
	__u32 write_seq;
	__u32 copied_seq;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pf_drain_state);
} drain_state SEC(".maps");

/* When the connection last carried data either way, before this drain
 * first saw it: a request that arrived just before the cut may be in a
 * worker now, its answer not written yet, and an idle connection need not
 * wait a whole quiet window. */
static __always_inline __u64 last_data_ns(struct tcp_sock *tp, __u64 now)
{
	__u32 sent = tp->lsndtime, got = tp->inet_conn.icsk_ack.lrcvtime, last, age;
	__u64 age_ns;

	if (!CONFIG_HZ)
		return now;
	last = (__s32)(sent - got) > 0 ? sent : got;
	age = (__u32)bpf_jiffies64() - last;
	/* a jiffy counts from its start: the event may be up to one older */
	age_ns = (__u64)age * (NSEC_PER_SEC / CONFIG_HZ);
	return age_ns < now ? now - age_ns : 0;
}

/* Where a draining socket stands: done or still pending. Done means
 * answered (drained): the server read every request it received before the
 * cut, has written nothing for the quiet window, and the peer acknowledged
 * all of it. Or the peer stopped reading (stalled: the send queue did not
 * move for drain_stall_ns), or the deadline passed. Without a quiet window
 * an empty send queue is enough. */
static __always_inline int drain_outcome(struct tcp_sock *tp, const struct pf_policy *policy)
{
	__u64 quiet_ns = (__u64)policy->drain_quiet_ms * NSEC_PER_MSEC;
	__u64 now = bpf_ktime_get_ns();
	struct pf_drain_state *st;
	__u32 una, wseq, copied;

	una = tp->snd_una;
	wseq = tp->write_seq;
	copied = tp->copied_seq;
	if (wseq == una && !quiet_ns)
		return PF_SWEEP_DRAINED;
	if (now >= policy->drain_until)
		return PF_SWEEP_DEADLINE;
	st = bpf_sk_storage_get(&drain_state, tp, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return PF_SWEEP_PENDING;	/* out of memory: the deadline still holds */
	if (st->drain_until != policy->drain_until) {
		/* First seen in this drain: the queue last moved when the peer
		 * last acknowledged data (tcp_mstamp clock: CLOCK_MONOTONIC in
		 * us), so a peer that stopped reading long before the fence is
		 * stalled at once rather than drain_stall_ns later. */
		__u64 delivered = tp->delivered_mstamp * 1000;

		st->drain_until = policy->drain_until;
		st->snd_una = una;
		st->progress_ns = delivered && delivered < now ? delivered : now;
		st->write_seq = wseq;
		st->copied_seq = copied;
		st->active_ns = last_data_ns(tp, now);
	} else {
		if (st->snd_una != una) {
			st->snd_una = una;
			st->progress_ns = now;
		}
		/* the server wrote an answer, or read a request it will answer */
		if (st->write_seq != wseq || st->copied_seq != copied) {
			st->write_seq = wseq;
			st->copied_seq = copied;
			st->active_ns = now;
		}
	}
	if (wseq == una) {
		/* nothing queued is nothing stalled: an answer written later
		 * has drain_stall_ns from now to be acknowledged, however long
		 * ago the peer last acknowledged data */
		st->progress_ns = now;
		if (copied == tp->rcv_nxt && now - st->active_ns >= quiet_ns)
			return PF_SWEEP_DRAINED;
		return PF_SWEEP_PENDING;
	}
	if (now - st->progress_ns >= policy->drain_stall_ns)
		return PF_SWEEP_STALLED;
	return PF_SWEEP_PENDING;
}

static __always_inline bool is_v4_mapped(const __be32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

SEC("iter/tcp")
int sweep(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct pf_sweep_record rec = {};
	struct pf_policy *policy;
	struct tcp_sock *tp;

	PF_VARIANT();
	if (!skc || !pf_carries_connection(skc->skc_state))
		return 0;

	rec.local_port = bpf_htons(skc->skc_num);
	rec.remote_port = skc->skc_dport;
	if (skc->skc_family == AF_INET) {
		rec.family = AF_INET;
		rec.local_addr[0] = skc->skc_rcv_saddr;
		rec.remote_addr[0] = skc->skc_daddr;
	} else if (skc->skc_family == AF_INET6) {
		__builtin_memcpy(rec.local_addr, &skc->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(rec.remote_addr, &skc->skc_v6_daddr, 16);
		rec.family = AF_INET6;
		/* tgtd listens on [::]: its IPv4 peers come as mapped addresses,
		 * and the fence table keys them as IPv4 like the data path does */
		if (is_v4_mapped(rec.local_addr)) {
			rec.family = AF_INET;
			rec.local_addr[0] = rec.local_addr[3];
			rec.remote_addr[0] = rec.remote_addr[3];
			rec.local_addr[3] = rec.remote_addr[3] = 0;
			rec.local_addr[2] = rec.remote_addr[2] = 0;
		}
	} else {
		return 0;
	}

	policy = portal_lookup(IPPROTO_TCP, rec.family, rec.local_addr, rec.local_port);
	if (!policy || !pf_policy_tears_down(policy))
		return 0;

	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		rec.queued = tp->write_seq - tp->snd_una;
		rec.unread = tp->rcv_nxt - tp->copied_seq;
	}
	rec.counters_id = policy->counters_id;
	rec.outcome = PF_SWEEP_DESTROYED;
	if (tp && (policy->flags & PF_F_DRAINING))
		rec.outcome = drain_outcome(tp, policy);
	if (rec.outcome != PF_SWEEP_PENDING) {
		if (bpf_sock_destroy(skc))
			return 0;
		PF_COUNT(policy, socks_destroyed);
		if (rec.outcome == PF_SWEEP_DRAINED)
			PF_COUNT(policy, drained);
		else
			PF_COUNT_ADD(policy, discarded_bytes, rec.queued);
	}
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
