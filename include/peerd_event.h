/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The event bpf/peerd.bpf.c sends portfence-peerd: a published port whose
 * socket entered or left ESTABLISHED. */
#ifndef PF_PEERD_EVENT_H
#define PF_PEERD_EVENT_H

/* Distinct ports the daemon may publish (its portals' ports). */
#define PEERD_PORTS_MAX	64

struct peerd_event {
	__u16 port;		/* host order */
	__u8 established;	/* 1: entered, 0: left */
	__u8 pad;
};

#endif
