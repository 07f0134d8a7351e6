// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map_walk.h"
#include "output.h"
#include "pins.h"
#include "state.h"
#include "stats.h"

void pf_read_counters(int fd, const void *key, struct pf_counters *sum)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	struct pf_counters *v = calloc((size_t)ncpus, sizeof(*v));

	memset(sum, 0, sizeof(*sum));
	if (!v || fd < 0 || bpf_map_lookup_elem(fd, key, v)) {
		free(v);
		return;
	}
	for (i = 0; i < ncpus; i++)
		pf_counters_add(sum, &v[i]);
	free(v);
}

void pf_read_cli_counters(struct pf_state *st, struct pf_cli_counters *cli)
{
	int fd = pf_state_map(st, PF_PIN_CLI_STATS, NULL);
	__u32 zero = 0;

	memset(cli, 0, sizeof(*cli));
	if (fd >= 0 && bpf_map_lookup_elem(fd, &zero, cli))
		memset(cli, 0, sizeof(*cli));
}

void pf_cli_count(struct pf_state *st, const struct pf_cli_counters *add)
{
	int fd = pf_state_map(st, PF_PIN_CLI_STATS, NULL);
	long page = sysconf(_SC_PAGESIZE);
	struct pf_cli_counters *c;

	if (fd < 0)
		return;
	c = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c != MAP_FAILED) {
#define PF_CLI_COUNTER_ADD(name, help) \
		if (add->name) \
			__atomic_fetch_add(&c->name, add->name, __ATOMIC_RELAXED);
		PF_CLI_COUNTERS(PF_CLI_COUNTER_ADD)
#undef PF_CLI_COUNTER_ADD
		munmap(c, (size_t)page);
	}
}

struct samples {
	void *v;
	size_t n, cap;
	int stats_fd;
};

static int portal_one(const void *key, const void *value, void *arg)
{
	struct samples *s = arg;
	struct pf_portal_sample *p = pf_map_walk_slot(&s->v, &s->cap, s->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->key = *(const struct pf_portal_key *)key;
	p->policy = *(const struct pf_policy *)value;
	pf_read_counters(s->stats_fd, &p->policy.counters_id, &p->counters);
	s->n++;
	return 0;
}

int pf_read_portals(int fd, int stats_fd, struct pf_portal_sample **out, size_t *n)
{
	struct samples s = { .stats_fd = stats_fd };
	int err = pf_map_walk(fd, sizeof(struct pf_portal_key), sizeof(struct pf_policy),
			      portal_one, &s);

	*out = s.v;
	*n = s.n;
	return err;
}

static int lifted_one(const void *key, const void *value, void *arg)
{
	struct samples *s = arg;
	struct pf_lifted_sample *l = pf_map_walk_slot(&s->v, &s->cap, s->n, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->key = *(const struct pf_portal_key *)key;
	l->lifted = *(const struct pf_lifted *)value;
	s->n++;
	return 0;
}

int pf_read_lifted(int fd, struct pf_lifted_sample **out, size_t *n)
{
	struct samples s = {};
	int err = pf_map_walk(fd, sizeof(struct pf_portal_key), sizeof(struct pf_lifted),
			      lifted_one, &s);

	*out = s.v;
	*n = s.n;
	return err;
}
