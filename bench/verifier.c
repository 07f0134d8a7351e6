// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* verifier: the verifier's own statistics for every program portfence
 * loads, RUNS times each (a fresh load every time, maps unpinned):
 *
 *   verifier RUNS
 *   prog=fence_ingress insns=2907 usec=2772
 *
 * insns: instructions the verifier processed; usec: its verification time.
 * The first fence on a fresh node pays this. */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "verifier_stats.h"
#include "fence.skel.h"
#include "sweep.skel.h"

static int report(struct bpf_object *obj)
{
	struct pf_verifier_stat stats[PF_VERIFIER_MAX_PROGS];
	int n = obj ? pf_verifier_stats(obj, stats) : -1, i;

	if (n < 0) {
		fprintf(stderr, "verifier: load failed (%d)\n", n);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("prog=%s insns=%ld usec=%ld\n", stats[i].prog, stats[i].insns, stats[i].usec);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc == 2 ? atoi(argv[1]) : 0, r, err = 0;

	if (runs < 1) {
		fprintf(stderr, "usage: verifier RUNS\n");
		return 2;
	}
	for (r = 0; r < runs && !err; r++) {
		struct fence_bpf *fence = fence_bpf__open();
		struct sweep_bpf *sweep = sweep_bpf__open();

		err = report(fence ? fence->obj : NULL) || report(sweep ? sweep->obj : NULL);
		fence_bpf__destroy(fence);
		sweep_bpf__destroy(sweep);
	}
	return err;
}
