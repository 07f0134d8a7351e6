/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * portfence.h - the one contract between the BPF programs and user space:
 * map keys and values, policy flags, counters and pin names.
 *
 * Included by the BPF programs (after vmlinux.h) and by user space (after
 * <linux/types.h>), so it uses only __u8/__u16/__u32/__u64/__be* types.
 */
#ifndef PORTFENCE_H
#define PORTFENCE_H

/* The tc programs' names, the functions of bpf/fence.bpf.c: the kernel
 * reports them, and an attached program by either name is portfence's. */
#define PF_PROG_INGRESS		"fence_ingress"
#define PF_PROG_EGRESS		"fence_egress"
/* The iter/tcp program of bpf/sweep.bpf.c: its maps are found by its id */
#define PF_PROG_SWEEP		"sweep"

/* Pin names below the pin dir (docs/reference.md, Pins and map
 * layouts: "portals" and "stats" are public). */
#define PF_PIN_PORTALS		"portals"
#define PF_PIN_STATS		"stats"
#define PF_PIN_PORTAL_STATS	"portal_stats"
#define PF_PIN_DEVICES		"devices"
#define PF_PIN_PROG_INGRESS	"prog_ingress"
#define PF_PIN_PROG_EGRESS	"prog_egress"
/* The same programs built for devices without a MAC header */
#define PF_PIN_PROG_L3_INGRESS	"prog_l3_ingress"
#define PF_PIN_PROG_L3_EGRESS	"prog_l3_egress"
#define PF_PIN_PROG_SWEEP	"prog_sweep"
#define PF_PIN_KNOCKS		"knocks"
#define PF_PIN_CLI_STATS	"cli_stats"
#define PF_PIN_OWNER		"owner"
#define PF_PIN_LAYOUT		"layout"
#define PF_PIN_LIFTED		"lifted"

#define PF_DEFAULT_PIN_DIR	"/sys/fs/bpf/portfence"

/* tc filter identity on every clsact hook: ours, and nothing else's (on
 * tcx, the programs are known by name). */
#define PF_TC_HANDLE		0x5046	/* "PF" */
#define PF_TC_PRIORITY		1

#define PF_MAX_PORTALS		262144
#define PF_MAX_DEVICES		1024
/* Peers remembered while their portal is fenced, for the wake-up when it
 * opens: least recently seen go first. */
#define PF_MAX_KNOCKS		16384
/* Peers one unblock wakes at most, the most recently seen first; the rest
 * stay recorded for the next. */
#define PF_WAKE_MAX		4096
/* A knock not renewed for this long is not woken: a peer retries a SYN or
 * a segment at least every 120 s (TCP_RTO_MAX) until it gives up, so it
 * has given up (or was answered elsewhere). */
#define PF_KNOCK_MAX_AGE_S	130
/* A tickle file larger than this is refused (its peers: PF_WAKE_MAX). */
#define PF_TICKLE_FILE_MAX	(1024 * 1024)

/*
 * Fence table key (LPM trie). The bits after prefixlen are matched in
 * order: port, proto, family, address. So one lookup finds
 *   prefixlen 24           port+proto, every address of both families
 *   prefixlen 32 + N       port+proto+family, address prefix of N bits
 * and the longest (most specific) entry wins.
 */
#define PF_KEY_BITS_ANY_ADDR	24
#define PF_KEY_BITS_FAMILY	32

struct pf_portal_key {
	__u32 prefixlen;
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;		/* AF_INET or AF_INET6; 0 when prefixlen is 24 */
	union {
		__be32 v4;
		__be32 v6[4];
	} addr;			/* IPv4 in v4, rest zero */
};

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define PF_AF_INET		2	/* AF_INET: vmlinux.h has no AF_* */

/* The key of one endpoint (an address of its family, whole), as the data
 * path looks it up and user space finds the entry that fenced a socket.
 * The one builder for both; the key must be zeroed first. */
static __always_inline void pf_endpoint_key_fill(struct pf_portal_key *key, __u8 proto,
						 __u8 family, const __be32 *addr, __be16 port)
{
	key->port = port;
	key->proto = proto;
	key->family = family;
	if (family == PF_AF_INET) {
		key->prefixlen = PF_KEY_BITS_FAMILY + 32;
		key->addr.v4 = addr[0];
	} else {
		key->prefixlen = PF_KEY_BITS_FAMILY + 128;
		key->addr.v6[0] = addr[0];
		key->addr.v6[1] = addr[1];
		key->addr.v6[2] = addr[2];
		key->addr.v6[3] = addr[3];
	}
}

enum pf_direction {
	PF_DIR_IN = 1,		/* toward the portal: portblock's semantics */
	PF_DIR_OUT = 2,		/* from the portal: local sockets reset */
	PF_DIR_BOTH = 3,
};

enum pf_method {
	PF_METHOD_DROP = 0,
	PF_METHOD_REJECT = 1,
};

#define PF_F_KEEP_ESTABLISHED	(1U << 0)
/* Established connections are being drained: inbound payload is cut to
 * the ACK it carries, outbound traffic flows, SYNs are held off. */
#define PF_F_DRAINING		(1U << 1)

struct pf_policy {
	__u8 direction;		/* enum pf_direction */
	__u8 method;		/* enum pf_method */
	__u8 flags;		/* PF_F_* */
	__u8 _pad;
	__u32 drain_quiet_ms;	/* a drained socket's server wrote nothing this long */
	__u64 counters_id;	/* key into portal_stats */
	__u64 since;		/* CLOCK_REALTIME seconds when fenced */
	__u64 drain_until;	/* CLOCK_MONOTONIC ns: drain deadline (PF_F_DRAINING) */
	__u64 drain_stall_ns;	/* no progress this long: stop draining a socket */
	__u64 fenced_at;	/* CLOCK_MONOTONIC ns when fenced (the failover timeline) */
	__u64 drain_lease;	/* CLOCK_MONOTONIC ns: the drain lapses here unless the
				 * block running it renews it, so a killed block's
				 * drain ends within PF_DRAIN_LEASE_NS */
};

/* Does a fence of this policy destroy its portal's established TCP
 * sockets? The one rule for block, the sweep program and the sock_diag
 * fallback. */
static __always_inline int pf_policy_tears_down(const struct pf_policy *policy)
{
	return (policy->direction & PF_DIR_OUT) && !(policy->flags & PF_F_KEEP_ESTABLISHED);
}

/* The TCP states that carry a connection, as a mask of the kernel's state
 * numbers (ESTABLISHED 1, SYN_SENT 2, SYN_RECV 3, FIN_WAIT1 4, FIN_WAIT2
 * 5, CLOSE_WAIT 8, LAST_ACK 9, CLOSING 11): what the sweep destroys and
 * conns shows. Not listeners (destroying one would stop the service
 * itself), not TIME-WAIT or request minisocks. */
#define PF_CONN_STATES	((1U << 1) | (1U << 2) | (1U << 3) | (1U << 4) | \
			 (1U << 5) | (1U << 8) | (1U << 9) | (1U << 11))

static __always_inline int pf_carries_connection(unsigned int state)
{
	return state < 32 && (PF_CONN_STATES & (1U << state));
}

#define PF_DRAIN_LEASE_NS	1000000000ULL

/*
 * Value of the "lifted" map, keyed as the fence table: the failover
 * timeline of each entry unblock removed, for the metrics. unblock writes
 * it; the egress program stamps reconnect_at on the first SYN-ACK the
 * portal sends after that (one lookup per SYN-ACK of an unfenced port).
 */
struct pf_lifted {
	__u8 direction;		/* the policy the fence had */
	__u8 method;
	__u8 _pad[2];
	__u32 peers_reset;	/* peers other nodes held, reset by that unblock */
	__u64 fence_ns;		/* how long the fence held */
	__u64 lifted_at;	/* CLOCK_MONOTONIC ns of the unblock */
	__u64 reconnect_at;	/* CLOCK_MONOTONIC ns of the first SYN-ACK since; 0: none yet */
};

/*
 * The counters, once: X(name, help). Per CPU in both "stats" (global,
 * index 0) and "portal_stats" (per portal, keyed by pf_policy.counters_id),
 * counted by the programs; user space lists them from here.
 */
#define PF_COUNTERS(X)								\
	X(local_resets, "egress segments turned into RSTs to the local socket")	\
	X(syns_dropped, "new connection attempts dropped or rejected")		\
	X(segs_dropped, "other segments and datagrams dropped")			\
	X(peer_resets, "RSTs sent to peers (method reject)")			\
	X(socks_destroyed, "established sockets destroyed by the sweep")	\
	X(knocks, "segments of peers recorded for the wake-up")		\
	X(drained, "sockets destroyed once every request they received was answered")		\
	X(discarded_bytes, "bytes still queued when a socket was destroyed")

#define PF_COUNTER_FIELD(name, help) __u64 name;
struct pf_counters {
	PF_COUNTERS(PF_COUNTER_FIELD)
};
#undef PF_COUNTER_FIELD

/* Counters kept by the CLI itself, one copy shared by every process: the
 * "cli_stats" array (one element, mmap()ed and added to atomically). */
#define PF_CLI_COUNTERS(X)							\
	X(woken, "peers woken when their portal opened")			\
	X(peers_reset, "peers another node held, reset when their portal opened here")

#define PF_COUNTER_FIELD(name, help) __u64 name;
struct pf_cli_counters {
	PF_CLI_COUNTERS(PF_COUNTER_FIELD)
};
#undef PF_COUNTER_FIELD

/* How the sweep ended a socket. */
enum pf_sweep_outcome {
	PF_SWEEP_DESTROYED = 0,	/* at once (no drain) */
	PF_SWEEP_DRAINED = 1,	/* answered: receive queue read, quiet, send queue acknowledged */
	PF_SWEEP_STALLED = 2,	/* its send queue made no progress for drain_stall_ns */
	PF_SWEEP_DEADLINE = 3,	/* drain_until passed */
	PF_SWEEP_PENDING = 4,	/* still draining: not destroyed yet */
};

/* Record the sweep iterator writes for each socket it destroys (or, while
 * draining, leaves for the next pass). */
struct pf_sweep_record {
	__u16 family;
	__be16 local_port;
	__be16 remote_port;
	__u8 outcome;		/* enum pf_sweep_outcome */
	__u8 _pad;
	__be32 local_addr[4];
	__be32 remote_addr[4];
	__u64 counters_id;	/* the portal entry that fenced it */
	__u32 queued;		/* bytes in its send queue (discarded unless drained) */
	__u32 unread;		/* bytes received the server never read */
};

/* Key of the "knocks" map: a peer's connection to a fenced portal. IPv4
 * in [0] of the addresses, the rest zero. */
struct pf_knock_key {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 _pad;
	__be16 local_port;
	__be16 remote_port;
	__u16 _pad2;
	__be32 local_addr[4];
	__be32 remote_addr[4];
};

enum pf_knock_kind {
	PF_KNOCK_SYN = 1,	/* a dropped SYN: its TCP header is kept to replay */
	PF_KNOCK_SEGMENT = 2,	/* a segment of a connection this node does not have */
};

#define PF_KNOCK_TCP_MAX	60	/* a TCP header with every option */
#define PF_KNOCK_VLAN		0x1000	/* it came in with one VLAN tag */
#define PF_KNOCK_VLANS		0xffff	/* with more than one */

struct pf_knock {
	__u64 counters_id;	/* the portal entry that fenced it */
	__u64 seen;		/* CLOCK_MONOTONIC ns of the last knock */
	__u32 ifindex;		/* the interface it came in on: a replay enters there */
	__u8 kind;		/* enum pf_knock_kind */
	__u8 tcp_len;		/* bytes of tcp[] (PF_KNOCK_SYN) */
	__u16 vlan;		/* PF_KNOCK_VLAN | its VLAN id, 0 untagged, PF_KNOCK_VLANS */
	__be32 seq;		/* the segment's own */
	__be32 ack_seq;		/* what the peer expects next from us */
	__u8 tcp[PF_KNOCK_TCP_MAX];
};

/* The "owner" map's one value: the pin dir that loaded the programs. It is
 * bound to the tc programs (BPF_PROG_BIND_MAP), as are "devices",
 * "cli_stats" and "layout", so it outlives lost pins: a later command can tell a fence
 * whose pins were lost from another pin dir's live one. */
#define PF_OWNER_PATH_MAX	512

struct pf_owner {
	char pin_dir[PF_OWNER_PATH_MAX];
};

/*
 * The layout of the pinned maps: their types, keys, values and what they
 * mean. Bump it whenever one of them changes, so a portfence of another
 * layout never writes maps it would misread (or replaces their programs,
 * lifting every fence): it refuses, and "unload" of any layout still
 * detaches and removes what it finds. The "layout" map's one value; pins
 * from before the stamp are layout 0, whose maps are layout 1's.
 */
#define PF_LAYOUT_VERSION	3
#define PF_LAYOUT_UNSTAMPED	0

struct pf_layout {
	__u32 version;
};

/* Key of the "devices" map: which interfaces load selected ("*" = all). */
struct pf_device_key {
	char name[16];
};

#endif /* PORTFENCE_H */
