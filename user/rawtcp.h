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
/* A tickle ACK (seq 0, ack 0) from local:lport to remote:rport, count
 * times over fd: a peer with a connection on that tuple answers with its
 * true sequence numbers, which a stack holding no such socket resets. */
int pf_raw_tickle(int fd, int family, const __be32 *local, __u16 lport, const __be32 *remote,
		  __u16 rport, int count);

/* A program that runs a frame up the stack of a device as if it had
 * arrived there (XDP_PASS in live-frames test runs); a negative errno
 * where the kernel cannot (it needs BPF_F_TEST_XDP_LIVE_FRAMES, 5.18). */
int pf_ingress_open(void);
/* Delivers tcp from src to dst as a frame arriving on ifindex, addressed
 * to the device's own MAC: netfilter (-i ifindex, a fresh conntrack entry)
 * and rp_filter judge it as they judged the original. -EPFNOSUPPORT on a
 * device without a MAC header (an L3 tunnel). */
int pf_ingress_send(int prog_fd, int ifindex, int family, const __be32 *src, const __be32 *dst,
		    const void *tcp, size_t tcp_len);
/* 1 if the route to addr is local (RTN_LOCAL) now, 0 if not, or a
 * negative errno. */
int pf_route_local(int family, const __be32 *addr);

#endif
