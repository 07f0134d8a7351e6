/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The clock of bpf_ktime_get_ns(), as user space reads it. */
#ifndef PF_BPFCLOCK_H
#define PF_BPFCLOCK_H

#include <linux/types.h>

/* Now on the BPF programs' clock, nanoseconds: CLOCK_MONOTONIC of the
 * initial time namespace. Every deadline written to a map and every age
 * read from one goes through it. */
__u64 pf_bpf_now_ns(void);

#endif
