// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The verifier's own cost of every program, from its statistics
 * (BPF_LOG_STATS): "processed N insns". The first fence on a fresh node
 * pays this inside a failover, and the count is what drives the time (it
 * was 860,000 per tc program, 0.7 s each, before the parser's rare paths
 * and the RST writer became global functions). A budget per program, about
 * twice today's count, catches the change that multiplies states again. */
#include <string.h>
#include <linux/types.h>
#include <criterion/criterion.h>

#include "needroot.h"
#include "portfence.h"
#include "verifier_stats.h"
#include "fence.skel.h"
#include "sweep.skel.h"

struct budget {
	const char *prog;
	long max_insns;
};

/* Today: ingress about 3,500 (the knock recorder, the this-host check and
 * the drain's cut_to_ack are global functions, checked once), egress about
 * 2,900, the sweep about 570 (the drain's answered check inlined) */
static const struct budget budgets[] = {
	{ PF_PROG_INGRESS, 6000 },
	{ PF_PROG_EGRESS, 6000 },
	{ PF_PROG_SWEEP, 1500 },
};

static long budget_of(const char *prog)
{
	size_t i;

	for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
		if (!strcmp(budgets[i].prog, prog))
			return budgets[i].max_insns;
	return -1;
}

static void check_object(struct bpf_object *obj)
{
	struct pf_verifier_stat stats[PF_VERIFIER_MAX_PROGS];
	int n, i;

	cr_assert_not_null(obj, "cannot open the BPF object");
	n = pf_verifier_stats(obj, stats);
	cr_assert_gt(n, 0, "load failed: %d", n);
	for (i = 0; i < n; i++) {
		long budget = budget_of(stats[i].prog);

		cr_assert_gt(stats[i].insns, 0, "%s: no statistics in the verifier log", stats[i].prog);
		cr_assert_gt(budget, 0, "%s has no budget here: give it one", stats[i].prog);
		cr_assert_leq(stats[i].insns, budget, "%s: the verifier processed %ld instructions, "
			      "budget %ld", stats[i].prog, stats[i].insns, budget);
	}
}

Test(verifier, fence_programs_stay_within_their_budget)
{
	struct fence_bpf *skel;

	pf_need_root();
	skel = fence_bpf__open();
	check_object(skel ? skel->obj : NULL);
	fence_bpf__destroy(skel);
}

/* The build for devices without a MAC header: the same budget. */
Test(verifier, l3_build_stays_within_the_budget)
{
	struct fence_bpf *skel;

	pf_need_root();
	skel = fence_bpf__open();
	if (skel)
		skel->rodata->l3_device = true;
	check_object(skel ? skel->obj : NULL);
	fence_bpf__destroy(skel);
}

Test(verifier, sweep_stays_within_its_budget)
{
	struct sweep_bpf *skel;

	pf_need_root();
	skel = sweep_bpf__open();
	check_object(skel ? skel->obj : NULL);
	sweep_bpf__destroy(skel);
}
