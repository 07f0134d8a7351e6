// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence-peerd's wake-up: a tp_btf program on inet_sock_set_state that
 * sends one tiny ring-buffer event when a TCP socket of a published port
 * enters or leaves ESTABLISHED in the daemon's network namespace. The
 * daemon then re-reads that port's sockets through sock_diag; the event
 * carries no connection, so a lost one costs only latency (the daemon
 * also re-reads when lost moves, and resyncs every few seconds).
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
	ev->port = port;
	ev->established = newstate == TCP_ESTABLISHED_;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}
