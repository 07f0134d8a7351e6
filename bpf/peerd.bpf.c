// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence-peerd's events: a tp_btf program on inet_sock_set_state that
 * sends one ring-buffer event (the four-tuple) when a TCP socket of a
 * published port enters or leaves ESTABLISHED in the daemon's network
 * namespace. The daemon applies it to its list: no socket dump per
 * connection. A lost event (ring buffer full) moves lost, and the daemon
 * then re-reads the sockets through sock_diag, as it does every few
 * seconds anyway.
 * Apart from the fence's tc programs and maps: the daemon does not need
 * the fence loaded, and the pinned layout is untouched. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "peerd_event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IPPROTO_TCP_	6
#define TCP_ESTABLISHED_	1
#define AF_INET_		2

/* The daemon's network namespace (its inode number), set before load. */
const volatile __u32 netns_ino = 0;

/* Lost events (ring buffer full): the daemon re-reads when this moves. */
__u64 lost = 0;

/* The published local ports (host order) -> 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PEERD_PORTS_MAX);
	__type(key, __u16);
	__type(value, __u8);
} published SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(peerd_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct peerd_event *ev;
	__u16 port;

	if (newstate != TCP_ESTABLISHED_ && oldstate != TCP_ESTABLISHED_)
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_)
		return 0;
	if (BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != netns_ino)
		return 0;
	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (!bpf_map_lookup_elem(&published, &port))
		return 0;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev->established = newstate == TCP_ESTABLISHED_;
	ev->lport = port;
	ev->rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	if (ev->family == AF_INET_) {
		ev->laddr[0] = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		ev->raddr[0] = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&ev->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
		BPF_CORE_READ_INTO(&ev->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
	}
	bpf_ringbuf_submit(ev, 0);
	return 0;
}
