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

/* Pin names below the pin dir (SPEC §4: "portals" and "stats" are public). */
#define PF_PIN_PORTALS		"portals"
#define PF_PIN_STATS		"stats"
#define PF_PIN_PORTAL_STATS	"portal_stats"
#define PF_PIN_DEVICES		"devices"
#define PF_PIN_PROG_INGRESS	"prog_ingress"
#define PF_PIN_PROG_EGRESS	"prog_egress"
#define PF_PIN_PROG_SWEEP	"prog_sweep"

#define PF_DEFAULT_PIN_DIR	"/sys/fs/bpf/portfence"

/* tc filter identity on every interface: ours, and nothing else's. */
#define PF_TC_HANDLE		0x5046	/* "PF" */
#define PF_TC_PRIORITY		1

#define PF_MAX_PORTALS		262144
#define PF_MAX_DEVICES		1024

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

struct pf_policy {
	__u8 direction;		/* enum pf_direction */
	__u8 method;		/* enum pf_method */
	__u8 flags;		/* PF_F_* */
	__u8 _pad[5];
	__u64 counters_id;	/* key into portal_stats */
	__u64 since;		/* CLOCK_REALTIME seconds when fenced */
};

/* One set of counters; per CPU in both "stats" (global, index 0) and
 * "portal_stats" (per portal, keyed by pf_policy.counters_id). */
struct pf_counters {
	__u64 local_resets;	/* egress segments turned into RSTs to the local socket */
	__u64 syns_dropped;	/* new connection attempts dropped or rejected */
	__u64 segs_dropped;	/* other segments and datagrams dropped */
	__u64 peer_resets;	/* RSTs sent to peers (method reject) */
	__u64 socks_destroyed;	/* established sockets destroyed by the sweep */
};

/* Record the sweep iterator writes for each socket it destroys. */
struct pf_sweep_record {
	__u16 family;
	__be16 local_port;
	__be16 remote_port;
	__u16 _pad;
	__be32 local_addr[4];
	__be32 remote_addr[4];
};

/* Key of the "devices" map: which interfaces load selected ("*" = all). */
struct pf_device_key {
	char name[16];
};

#endif /* PORTFENCE_H */
