// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sweep iterator and its reader (user/sweep.c, pf_sweep_read) over
 * real TCP connections in the test's own network namespace: every
 * connection of the fenced portal is destroyed and reported once, though
 * their records take more than one read(); the portal's listener and the
 * connections of a port beside it are left alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "fixture.h"
#include "state.h"
#include "sweep.h"
#include "sweep.skel.h"

/* more records than one read's buffer holds (user/sweep.c reads 256) */
#define FENCED_CONNS	300
#define OTHER_CONNS	8
#define OTHER_PORT	(PORTAL_PORT + 1)

static struct sweep_bpf *skel;
static int link_fd = -1;

static void setup(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	int err;

	fx_setup();
	cr_assert_eq(system("ip addr add " V4_PORTAL "/32 dev lo"), 0, "address the portal on lo");
	opts.pin_root_path = fx_pin_dir();	/* the fence table the fixture fills */
	skel = sweep_bpf__open_opts(&opts);
	cr_assert_not_null(skel, "open the sweep: %s", strerror(errno));
	err = sweep_bpf__load(skel);
	cr_assert_eq(err, 0, "load the sweep (the kernel needs bpf_sock_destroy): %s", strerror(-err));
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.sweep), 0, BPF_TRACE_ITER, NULL);
	cr_assert_geq(link_fd, 0, "iterator link: %s", strerror(errno));
}

static void teardown(void)
{
	if (link_fd >= 0)
		close(link_fd);
	sweep_bpf__destroy(skel);
	fx_teardown();
}

TestSuite(sweep_read, .init = setup, .fini = teardown);

static int listener(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, V4_PORTAL, &a.sin_addr);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "bind %u: %s", port, strerror(errno));
	cr_assert_eq(listen(fd, 1024), 0);
	return fd;
}

/* n connections to port, accepted: their server sides into srv. */
static void connect_n(int lfd, uint16_t port, int n, int *srv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, V4_PORTAL, &a.sin_addr);
	for (int i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		cr_assert_eq(connect(c, (struct sockaddr *)&a, sizeof(a)), 0, "connect: %s", strerror(errno));
		srv[i] = accept(lfd, NULL, NULL);
		cr_assert_geq(srv[i], 0, "accept: %s", strerror(errno));
	}
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	return ti.tcpi_state;
}

struct seen {
	int n, wrong;
	unsigned char port[65536];
};

static void record(const struct pf_sweep_record *rec, void *arg)
{
	struct seen *s = arg;

	s->n++;
	if (rec->family != AF_INET || ntohs(rec->local_port) != PORTAL_PORT ||
	    rec->outcome != PF_SWEEP_DESTROYED)
		s->wrong++;
	s->port[ntohs(rec->remote_port)]++;
}

Test(sweep_read, every_fenced_connection_is_destroyed_and_reported_once)
{
	static struct seen seen;
	int fenced[FENCED_CONNS], other[OTHER_CONNS], twice = 0, lfd = listener(PORTAL_PORT);
	__u64 counters_id;

	connect_n(lfd, PORTAL_PORT, FENCED_CONNS, fenced);
	connect_n(listener(OTHER_PORT), OTHER_PORT, OTHER_CONNS, other);
	counters_id = fx_fence_tcp(V4_PORTAL, PF_DIR_BOTH, PF_METHOD_DROP);

	cr_assert_eq(pf_sweep_read(link_fd, record, &seen), FENCED_CONNS);
	cr_assert_eq(seen.n, FENCED_CONNS, "%d records reported", seen.n);
	cr_assert_eq(seen.wrong, 0, "%d records not of the fenced portal, or not destroyed", seen.wrong);
	for (int p = 0; p < 65536; p++)
		twice += seen.port[p] > 1;
	cr_assert_eq(twice, 0, "%d connections reported more than once", twice);

	for (int i = 0; i < FENCED_CONNS; i++)
		cr_assert_eq(tcp_state(fenced[i]), TCP_CLOSE, "fenced connection %d survived", i);
	for (int i = 0; i < OTHER_CONNS; i++)
		cr_assert_eq(tcp_state(other[i]), TCP_ESTABLISHED, "port %d's connection %d was cut",
			     OTHER_PORT, i);
	cr_assert_eq(tcp_state(lfd), TCP_LISTEN, "the portal's listener was destroyed");
	cr_assert_eq(pf_sweep_read(link_fd, record, &seen), 0, "a second pass finds none left");
	cr_assert_eq(fx_portal_stats(counters_id).socks_destroyed, FENCED_CONNS);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* load finds the drain's socket storage by the sweep program's id, to
 * take it over when it replaces the program (user/load.c). */
Test(sweep_read, the_drain_state_is_found_by_the_programs_id)
{
	int fd = pf_prog_map(prog_id(bpf_program__fd(skel->progs.sweep)), "drain_state");

	cr_assert_geq(fd, 0, "drain_state not found: %d", fd);
	cr_assert_eq(pf_map_id(fd), pf_map_id(bpf_map__fd(skel->maps.drain_state)));
	close(fd);
}
