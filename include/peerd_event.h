/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The event bpf/peerd.bpf.c sends portfence-peerd: a socket of a published
 * port entered or left ESTABLISHED. */
#ifndef PF_PEERD_EVENT_H
#define PF_PEERD_EVENT_H

/* Distinct ports the daemon may publish (its portals' ports). */
#define PEERD_PORTS_MAX	64

struct peerd_event {
	__u8 family;		/* AF_INET, AF_INET6 (v4-mapped as the socket has it) */
	__u8 established;	/* 1: entered, 0: left */
	__u16 lport;		/* host order */
	__be16 rport;
	__u16 pad;
	__be32 laddr[4];	/* IPv4 in [0] */
	__be32 raddr[4];
};

#endif
