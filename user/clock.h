/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef PF_CLOCK_H
#define PF_CLOCK_H

#include <linux/types.h>

/* Now on the clock of bpf_ktime_get_ns(), in nanoseconds. */
__u64 pf_clock_ns(void);

#endif
