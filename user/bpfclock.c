// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpfclock.h"

/*
 * bpf_ktime_get_ns() reads the kernel's CLOCK_MONOTONIC, which no time
 * namespace shifts; clock_gettime() in a time namespace adds that
 * namespace's offset (unshare --time --monotonic). Without taking it off,
 * a drain deadline would lie a day away for the programs and knock ages be
 * off by as much. No file (a kernel without time namespaces): no offset.
 */
static __s64 monotonic_offset_ns(void)
{
	static int known;
	static __s64 offset;
	char line[128], name[32];
	long long sec, nsec;
	FILE *f;

	if (known)
		return offset;
	known = 1;
	f = fopen("/proc/self/timens_offsets", "re");
	if (!f)
		return offset;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %lld %lld", name, &sec, &nsec) == 3 &&
		    (!strcmp(name, "monotonic") || !strcmp(name, "1")))
			offset = (__s64)sec * 1000000000LL + nsec;
	fclose(f);
	return offset;
}

__u64 pf_bpf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)((__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec - monotonic_offset_ns());
}
