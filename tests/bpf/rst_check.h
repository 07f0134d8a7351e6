/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Field-by-field check of an RST the programs wrote, against the segment
 * it was made from, with checksums recomputed here from the bytes. */
#ifndef PF_TEST_BPF_RST_CHECK_H
#define PF_TEST_BPF_RST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct rst_want {
	bool reversed;		/* answers the segment: MACs, addresses, ports swapped */
	uint32_t seq, ack;
	uint8_t flags;
};

/* The RST that answers seg by RFC 793: seq = its ACK (0 without the ACK
 * flag), ack = its seq + payload (+1 for SYN, +1 for FIN), RST|ACK. */
struct rst_want rst_answering(const struct pkt_spec *seg);

/* Asserts frame (len bytes) is a bare RST made from the segment seg, kept
 * behind seg's own VLAN tags, as w describes. */
void assert_rst(const uint8_t *frame, size_t len, const struct pkt_spec *seg,
		const uint8_t *seg_frame, const struct rst_want *w);

#endif
