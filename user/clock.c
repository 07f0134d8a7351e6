// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <time.h>

#include "clock.h"

__u64 pf_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}
