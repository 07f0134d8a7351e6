/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * verifier_stats.h - the verifier's own statistics of each program of a BPF
 * object (log level 4, BPF_LOG_STATS: "verification time N usec",
 * "processed N insns"), for tests/bpf/test_verifier.c and bench/progrun.c.
 * The object is loaded with its maps unpinned: nothing is left on a bpffs.
 */
#ifndef PF_TEST_VERIFIER_STATS_H
#define PF_TEST_VERIFIER_STATS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#define PF_VERIFIER_LOG_SIZE	(64 * 1024)
#define PF_VERIFIER_MAX_PROGS	8

struct pf_verifier_stat {
	const char *prog;	/* valid while the object is */
	long insns;		/* processed instructions, -1 if not in the log */
	long usec;		/* verification time, -1 if not in the log */
};

static inline long pf_verifier_field(const char *log, const char *before)
{
	const char *at = strstr(log, before);

	return at ? strtol(at + strlen(before), NULL, 10) : -1;
}

/* Loads obj (opened, not loaded) and fills stats, one per program. Returns
 * how many programs, or a negative errno from the load. */
static inline int pf_verifier_stats(struct bpf_object *obj, struct pf_verifier_stat *stats)
{
	char *logs[PF_VERIFIER_MAX_PROGS] = {};
	struct bpf_program *prog;
	struct bpf_map *map;
	int n = 0, i = 0, err;

	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		if (n == PF_VERIFIER_MAX_PROGS)
			return -E2BIG;
		logs[n] = calloc(1, PF_VERIFIER_LOG_SIZE);
		if (!logs[n])
			return -ENOMEM;
		bpf_program__set_log_level(prog, 4);	/* BPF_LOG_STATS */
		bpf_program__set_log_buf(prog, logs[n++], PF_VERIFIER_LOG_SIZE);
	}
	err = bpf_object__load(obj);
	bpf_object__for_each_program(prog, obj) {
		stats[i].prog = bpf_program__name(prog);
		stats[i].insns = pf_verifier_field(logs[i], "processed ");
		stats[i].usec = pf_verifier_field(logs[i], "verification time ");
		free(logs[i++]);
	}
	return err ? err : n;
}

#endif
