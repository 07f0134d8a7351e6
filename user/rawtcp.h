/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Hand-made TCP segments through a raw IP socket that carries our own IP
 * header, so the source may be any address: tickle ACKs, the wake-up's
 * RSTs and replayed SYNs. */
#ifndef PF_RAWTCP_H
#define PF_RAWTCP_H

#include <stddef.h>
#include <linux/types.h>

/* A raw socket for family; a negative errno on failure. */
int pf_raw_open(int family);
/* Sends tcp (its header, options included, tcp_len bytes) from src to dst
 * count times, over fd from pf_raw_open(family). The TCP checksum is
 * computed here, whatever tcp holds. 0, or a negative errno. */
int pf_raw_send(int fd, int family, const __be32 *src, const __be32 *dst, const void *tcp,
		size_t tcp_len, int count);

#endif
