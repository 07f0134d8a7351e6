// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "pins.h"
#include "portal.h"
#include "sockdiag.h"
#include "state.h"
#include "sweep.h"

int pf_sweep_read(int link, pf_sweep_report report, void *arg)
{
	struct pf_sweep_record recs[256];
	size_t have = 0, i, n_recs;
	int iter, count = 0;
	ssize_t n;

	iter = bpf_iter_create(link);
	if (iter < 0)
		return -errno;
	/* each read() runs the program over the next sockets, as many as
	 * their records fill the buffer: one syscall per socket would be the
	 * cost of a drain's pass every few ms, and of a large teardown */
	for (;;) {
		n = read(iter, (char *)recs + have, sizeof(recs) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				count = -errno;
			break;
		}
		have += (size_t)n;
		n_recs = have / sizeof(recs[0]);
		for (i = 0; report && i < n_recs; i++)
			report(&recs[i], arg);
		count += (int)n_recs;
		/* a record split across reads is finished by the next one */
		have -= n_recs * sizeof(recs[0]);
		memmove(recs, (char *)recs + n_recs * sizeof(recs[0]), have);
	}
	close(iter);
	return count;
}

static int sweep_iter(int prog_fd, pf_sweep_report report, void *arg)
{
	int link = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL), count;

	if (link < 0)
		return -errno;
	count = pf_sweep_read(link, report, arg);
	close(link);
	return count;
}

static bool must_destroy(int portals_fd, const struct pf_conn *c, struct pf_sweep_record *rec)
{
	struct pf_conn u = *c;
	struct pf_portal_key key;
	struct pf_policy policy;

	memset(rec, 0, sizeof(*rec));
	rec->family = (__u16)pf_conn_unmap(&u);
	memcpy(rec->local_addr, u.local_addr, sizeof(rec->local_addr));
	memcpy(rec->remote_addr, u.remote_addr, sizeof(rec->remote_addr));
	rec->local_port = c->local_port;
	rec->remote_port = c->remote_port;

	pf_endpoint_key(IPPROTO_TCP, rec->family, rec->local_addr, rec->local_port, &key);
	if (bpf_map_lookup_elem(portals_fd, &key, &policy))
		return false;
	rec->counters_id = policy.counters_id;
	return pf_policy_tears_down(&policy);
}

static int sweep_diag(struct pf_state *st, pf_sweep_report report, void *arg)
{
	struct pf_sweep_record rec;
	struct pf_conn *conns;
	int portals_fd, n, i, count = 0;

	portals_fd = pf_state_map(st, PF_PIN_PORTALS, NULL);
	if (portals_fd < 0)
		return portals_fd;
	n = pf_diag_list(PF_CONN_STATES, &conns);
	for (i = 0; i < n; i++) {
		if (!must_destroy(portals_fd, &conns[i], &rec))
			continue;
		if (pf_diag_destroy(&conns[i]) == 0) {
			count++;
			if (report)
				report(&rec, arg);
		}
	}
	free(conns);
	return n < 0 ? n : count;
}

int pf_sweep(struct pf_state *st, pf_sweep_report report, void *arg, const char **mechanism)
{
	int prog_fd = pf_pin_open(st->pin_dir, PF_PIN_PROG_SWEEP), count;

	if (prog_fd >= 0) {
		*mechanism = "bpf_sock_destroy";
		count = sweep_iter(prog_fd, report, arg);
		close(prog_fd);
		return count;
	}
	if (pf_diag_destroy_supported()) {
		*mechanism = "sock_diag";
		return sweep_diag(st, report, arg);
	}
	*mechanism = "egress-reset";
	return 0;
}
