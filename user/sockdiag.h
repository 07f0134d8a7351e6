/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* TCP sockets of the current netns through NETLINK_SOCK_DIAG: listing
 * (conns, the sweep fallback) and SOCK_DESTROY (kernel >= 4.5 with
 * CONFIG_INET_DIAG_DESTROY). */
#ifndef PF_SOCKDIAG_H
#define PF_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "portfence.h"

struct pf_conn {
	int family;		/* AF_INET, AF_INET6 (v4-mapped kept as is) */
	__u8 state;
	__be16 local_port, remote_port;
	__be32 local_addr[4], remote_addr[4];
	__u32 cookie[2];
	__u32 ifindex;
};

/* Every TCP socket of both families whose state is in state_mask
 * (1 << TCP_ESTABLISHED ...). Returns the count, or a negative errno. */
int pf_diag_list(__u32 state_mask, struct pf_conn **out);
/* A connection of a dual-stack socket ([::] listener) with IPv4 peers as
 * the IPv4 connection it is, both ends unmapped, as the fence table keys
 * it; returns (and sets) its family. */
int pf_conn_unmap(struct pf_conn *conn);
/* Is one of conns (unmapped as above) the connection with this four-tuple
 * (addresses of 16 bytes, IPv4 in [0], the rest zero)? */
bool pf_conn_held(const struct pf_conn *conns, int n, int family, const __be32 *local_addr,
		  __be16 local_port, const __be32 *remote_addr, __be16 remote_port);
/* Destroy one socket. 0, or a negative errno (-EOPNOTSUPP: not built in). */
int pf_diag_destroy(const struct pf_conn *conn);
bool pf_diag_destroy_supported(void);

#endif
