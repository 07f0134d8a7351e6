// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sweep: an iter/tcp program that destroys the established sockets of
 * fenced portals at block time (bpf_sock_destroy(), kernel >= 6.5), and
 * writes one pf_sweep_record per socket destroyed for the CLI to print.
 * Loaded apart from the tc programs, so a kernel without the kfunc still
 * gets the data path and falls back to sock_diag. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET		2
#define AF_INET6	10

#include "maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern int bpf_sock_destroy(struct sock_common *sk) __ksym;

/* Only sockets that carry a connection: not listeners (destroying one
 * would stop the service itself), not TIME-WAIT or request minisocks. */
static __always_inline bool is_connection(__u8 state)
{
	switch (state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
		return true;
	}
	return false;
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

	if (!skc || !is_connection(skc->skc_state))
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
	if (!policy || !(policy->direction & PF_DIR_OUT) ||
	    (policy->flags & PF_F_KEEP_ESTABLISHED))
		return 0;

	if (bpf_sock_destroy(skc))
		return 0;
	PF_COUNT(policy, socks_destroyed);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
