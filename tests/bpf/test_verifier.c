// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The verifier's own cost of every program, from its statistics
 * (BPF_LOG_STATS): "processed N insns". The first fence on a fresh node
 * pays this inside a failover, and the count is what drives the time (it
 * was 860,000 per tc program, 0.7 s each, before the parser and the RST
 * writer became global functions). A budget per program, a few times
 * today's count, catches the change that multiplies states again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "needroot.h"
#include "fence.skel.h"
#include "sweep.skel.h"

#define LOG_SIZE	(64 * 1024)

struct budget {
	const char *prog;
	long max_insns;
};

/* Today: ingress about 2,850 (the drain's cut_to_ack, a global function
 * checked once), egress about 2,600, the sweep about 280 */
static const struct budget budgets[] = {
	{ "fence_ingress", 6000 },
	{ "fence_egress", 6000 },
	{ "sweep", 1500 },
};

static long budget_of(const char *prog)
{
	size_t i;

	for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
		if (!strcmp(budgets[i].prog, prog))
			return budgets[i].max_insns;
	return -1;
}

/* Loads obj with statistics on every program, maps unpinned (nothing is
 * left on any bpffs), and checks each count against its budget. */
static void check_object(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char *logs[8] = {};
	int n = 0, i = 0, err;

	cr_assert_not_null(obj, "cannot open the BPF object");
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		cr_assert_lt(n, 8);
		logs[n] = calloc(1, LOG_SIZE);
		bpf_program__set_log_level(prog, 4);	/* BPF_LOG_STATS */
		bpf_program__set_log_buf(prog, logs[n++], LOG_SIZE);
	}
	err = bpf_object__load(obj);
	cr_assert_eq(err, 0, "load failed: %d", err);
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog), *at;
		long insns = -1, budget = budget_of(name);

		at = strstr(logs[i], "processed ");
		if (at)
			insns = strtol(at + strlen("processed "), NULL, 10);
		cr_assert_gt(insns, 0, "%s: no statistics in the verifier log: %s", name, logs[i]);
		cr_assert_gt(budget, 0, "%s has no budget here: give it one", name);
		cr_assert_leq(insns, budget, "%s: the verifier processed %ld instructions, "
			      "budget %ld", name, insns, budget);
		free(logs[i++]);
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

Test(verifier, sweep_stays_within_its_budget)
{
	struct sweep_bpf *skel;

	pf_need_root();
	skel = sweep_bpf__open();
	check_object(skel ? skel->obj : NULL);
	sweep_bpf__destroy(skel);
}
