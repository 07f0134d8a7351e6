// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "fixture.h"
#include "needroot.h"
#include "fence.skel.h"

static struct fence_bpf *skel;
static __u64 next_counters_id = 1;
static int capture_fd = -1;

static void set_lo_up(bool up)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	strcpy(ifr.ifr_name, "lo");
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0, "SIOCGIFFLAGS lo: %s", strerror(errno));
	ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0, "SIOCSIFFLAGS lo: %s", strerror(errno));
	close(fd);
}

void fx_lo_down(void)
{
	set_lo_up(false);
}

/* Pinning off: the maps live only as long as this test process, so no
 * test can see another's entries or leave pins behind. */
static void unpin_all(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		cr_assert_eq(bpf_map__set_pin_path(map, NULL), 0, "unpin %s", bpf_map__name(map));
}

void fx_setup(void)
{
	int err;

	pf_need_root();
	/* Criterion runs each test in its own process: the namespace is the
	 * test's alone, and clone_redirect's copies land on its private lo. */
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	set_lo_up(true);

	skel = fence_bpf__open();
	cr_assert_not_null(skel, "open the fence object: %s", strerror(errno));
	unpin_all(skel->obj);
	err = fence_bpf__load(skel);
	cr_assert_eq(err, 0, "load the fence programs: %s", strerror(-err));
	cr_assert_not(bpf_map__is_pinned(skel->maps.portals), "portals map got pinned");
}

void fx_teardown(void)
{
	if (capture_fd >= 0)
		close(capture_fd);
	capture_fd = -1;
	fence_bpf__destroy(skel);
	skel = NULL;
}

__u64 fx_fence(uint8_t proto, const char *addr, unsigned int prefix, uint16_t port,
	       uint8_t direction, uint8_t method, uint8_t flags)
{
	struct pf_portal_key key = { .port = htons(port), .proto = proto };
	struct pf_policy policy = {
		.direction = direction,
		.method = method,
		.flags = flags,
		.counters_id = next_counters_id++,
		.since = 1,
	};
	struct pf_counters zeros[libbpf_num_possible_cpus()];
	int err;

	if (!addr) {
		key.prefixlen = PF_KEY_BITS_ANY_ADDR;
	} else {
		key.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
		cr_assert_eq(inet_pton(key.family, addr, &key.addr), 1, "bad address '%s'", addr);
		if (!prefix)
			prefix = key.family == AF_INET ? 32 : 128;
		key.prefixlen = PF_KEY_BITS_FAMILY + prefix;
	}
	err = bpf_map__update_elem(skel->maps.portals, &key, sizeof(key), &policy,
				   sizeof(policy), BPF_NOEXIST);
	cr_assert_eq(err, 0, "add portal %s/%u:%u: %s", addr ? addr : "*", prefix, port,
		     strerror(-err));
	memset(zeros, 0, sizeof(zeros));
	err = bpf_map__update_elem(skel->maps.portal_stats, &policy.counters_id,
				   sizeof(policy.counters_id), zeros, sizeof(zeros), BPF_NOEXIST);
	cr_assert_eq(err, 0, "add portal counters: %s", strerror(-err));
	return policy.counters_id;
}

__u64 fx_fence_tcp(const char *addr, uint8_t direction, uint8_t method)
{
	return fx_fence(IPPROTO_TCP, addr, 0, PORTAL_PORT, direction, method, 0);
}

static void run(enum fx_hook hook, const struct __sk_buff *ctx, struct fx_result *r)
{
	struct bpf_program *prog = hook == FX_INGRESS ? skel->progs.fence_ingress
						      : skel->progs.fence_egress;
	struct __sk_buff ctx_copy;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = r->in,
		.data_size_in = (__u32)r->in_len,
		.data_out = r->data,
		.data_size_out = sizeof(r->data),
		.repeat = 1,
	);
	int err;

	memset(&r->ctx_out, 0, sizeof(r->ctx_out));
	if (ctx) {
		ctx_copy = *ctx;
		opts.ctx_in = &ctx_copy;
		opts.ctx_size_in = sizeof(ctx_copy);
		opts.ctx_out = &r->ctx_out;
		opts.ctx_size_out = sizeof(r->ctx_out);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	cr_assert_eq(err, 0, "BPF_PROG_TEST_RUN of a %zu-byte frame: %s", r->in_len,
		     strerror(errno));
	r->retval = (int)opts.retval;
	r->len = opts.data_size_out;
}

void fx_run_ctx(enum fx_hook hook, const struct pkt_spec *s, const struct __sk_buff *ctx,
		struct fx_result *r)
{
	r->in_len = pkt_build(s, r->in, sizeof(r->in), &r->lay);
	cr_assert_gt(r->in_len, 0, "the packet spec does not build");
	run(hook, ctx, r);
}

void fx_run_spec(enum fx_hook hook, const struct pkt_spec *s, struct fx_result *r)
{
	fx_run_ctx(hook, s, NULL, r);
}

void fx_run_raw(enum fx_hook hook, const void *frame, size_t len, struct fx_result *r)
{
	cr_assert_leq(len, sizeof(r->in));
	memcpy(r->in, frame, len);
	r->in_len = len;
	memset(&r->lay, 0, sizeof(r->lay));
	run(hook, NULL, r);
}

static struct pkt_spec endpoints(int family, bool to_portal, uint8_t flags)
{
	const char *portal = family == AF_INET ? V4_PORTAL : V6_PORTAL;
	const char *peer = family == AF_INET ? V4_PEER : V6_PEER;

	if (to_portal)
		return pkt_spec_tcp(family, peer, PEER_PORT, portal, PORTAL_PORT, flags);
	return pkt_spec_tcp(family, portal, PORTAL_PORT, peer, PEER_PORT, flags);
}

struct pkt_spec fx_to_portal(int family, uint8_t flags)
{
	return endpoints(family, true, flags);
}

struct pkt_spec fx_from_portal(int family, uint8_t flags)
{
	return endpoints(family, false, flags);
}

static struct pf_counters sum_counters(struct bpf_map *map, const void *key, size_t key_size)
{
	int ncpus = libbpf_num_possible_cpus(), i, err;
	struct pf_counters per_cpu[ncpus], sum = {};

	err = bpf_map__lookup_elem(map, key, key_size, per_cpu, sizeof(per_cpu), 0);
	cr_assert_eq(err, 0, "read counters of %s: %s", bpf_map__name(map), strerror(-err));
	for (i = 0; i < ncpus; i++) {
		sum.local_resets += per_cpu[i].local_resets;
		sum.syns_dropped += per_cpu[i].syns_dropped;
		sum.segs_dropped += per_cpu[i].segs_dropped;
		sum.peer_resets += per_cpu[i].peer_resets;
		sum.socks_destroyed += per_cpu[i].socks_destroyed;
	}
	return sum;
}

struct pf_counters fx_stats(void)
{
	__u32 zero = 0;

	return sum_counters(skel->maps.stats, &zero, sizeof(zero));
}

struct pf_counters fx_portal_stats(__u64 counters_id)
{
	return sum_counters(skel->maps.portal_stats, &counters_id, sizeof(counters_id));
}

void fx_capture_start(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex("lo"),
	};

	capture_fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	cr_assert_geq(capture_fd, 0, "packet socket: %s", strerror(errno));
	cr_assert_eq(bind(capture_fd, (struct sockaddr *)&sll, sizeof(sll)), 0,
		     "bind to lo: %s", strerror(errno));
}

size_t fx_capture_next(uint8_t *buf, size_t cap)
{
	ssize_t n = recv(capture_fd, buf, cap, 0);

	if (n < 0) {
		cr_assert_eq(errno, EAGAIN, "recv: %s", strerror(errno));
		return 0;
	}
	return (size_t)n;
}

void fx_assert_untouched(const struct fx_result *r)
{
	cr_assert_eq(r->retval, TC_ACT_OK, "verdict %d, want TC_ACT_OK", r->retval);
	cr_assert_eq(r->len, r->in_len, "frame length %zu, was %zu", r->len, r->in_len);
	cr_assert_arr_eq(r->data, r->in, r->in_len, "frame bytes changed");
}
