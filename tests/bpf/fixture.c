// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "fixture.h"
#include "output.h"
#include "needroot.h"
#include "fence.skel.h"

/* Loading the programs costs ~80 ms of verifier time, a hundred tests
 * that would be seconds: the runner loads them once (PRE_ALL) and pins
 * them, with the maps, in a bpffs of its own mount namespace, invisible
 * to the rest of the machine and gone with the last test process. Each
 * test opens the pins, takes the pin dir's lock (Criterion may run tests
 * in parallel) and empties the maps first. */
#define PIN_DIR_ENV	"PF_TEST_BPF_PIN_DIR"

static char pin_dir[] = "/tmp/portfence-test-bpf.XXXXXX";
static const char *const pinned_progs[FX_HOOKS] = {
	PF_PIN_PROG_INGRESS, PF_PIN_PROG_EGRESS, PF_PIN_PROG_L3_INGRESS, PF_PIN_PROG_L3_EGRESS,
};

struct fixture {
	int lock_fd;
	int portals_fd, stats_fd, portal_stats_fd, knocks_fd;
	int prog_fd[FX_HOOKS];	/* by enum fx_hook */
};

static struct fixture fx = { -1, -1, -1, -1, -1, { -1, -1, -1, -1 } };
static __u64 next_counters_id = 1;
static int capture_fd = -1;

static void pin_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", getenv(PIN_DIR_ENV), name);
}

/* Runner side. Errors leave PIN_DIR_ENV unset; fx_setup then fails each
 * test with the reason printed here. */
static int load_and_pin(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct bpf_program *progs[2];
	struct fence_bpf *skel;
	char path[PATH_MAX];
	int err = 0, i, l3;

	/* the second build shares the first one's pinned maps */
	for (l3 = 0; l3 < 2 && !err; l3++) {
		skel = fence_bpf__open_opts(&opts);
		if (!skel)
			return -errno;
		skel->rodata->l3_device = l3;
		err = fence_bpf__load(skel);
		progs[0] = skel->progs.fence_ingress;
		progs[1] = skel->progs.fence_egress;
		for (i = 0; i < 2 && !err; i++) {
			snprintf(path, sizeof(path), "%s/%s", pin_dir, pinned_progs[2 * l3 + i]);
			err = bpf_program__pin(progs[i], path);
		}
		fence_bpf__destroy(skel);
	}
	return err;
}

ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	int err;

	(void)tests;
	if (geteuid() != 0)
		return;		/* each test skips (or fails under CI) */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "tests/bpf: private mount namespace: %s\n", strerror(errno));
		return;
	}
	if (!mkdtemp(pin_dir) || mount("bpf", pin_dir, "bpf", 0, "mode=0700")) {
		fprintf(stderr, "tests/bpf: bpffs on %s: %s\n", pin_dir, strerror(errno));
		return;
	}
	err = load_and_pin();
	if (err) {
		fprintf(stderr, "tests/bpf: load the fence programs: %s\n", strerror(-err));
		return;
	}
	setenv(PIN_DIR_ENV, pin_dir, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	if (pin_dir[strlen(pin_dir) - 1] == 'X')
		return;		/* never made */
	umount2(pin_dir, MNT_DETACH);	/* the pins go with the mount */
	rmdir(pin_dir);
}

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

const char *fx_pin_dir(void)
{
	return getenv(PIN_DIR_ENV);
}

int fx_prog_fd(enum fx_hook hook)
{
	return fx.prog_fd[hook];
}

static int open_pin(const char *name)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), name);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "open pinned %s: %s", path, strerror(errno));
	return fd;
}

/* Deletes every key of a hash-like map (LPM trie, per-CPU hash). */
static void empty_map(int fd, size_t key_size)
{
	uint8_t key[key_size];

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		cr_assert_eq(bpf_map_delete_elem(fd, key), 0, "empty a map: %s", strerror(errno));
}

static void zero_stats(void)
{
	struct pf_counters zeros[libbpf_num_possible_cpus()];
	__u32 zero = 0;

	memset(zeros, 0, sizeof(zeros));
	cr_assert_eq(bpf_map_update_elem(fx.stats_fd, &zero, zeros, BPF_ANY), 0,
		     "zero the stats: %s", strerror(errno));
}

void fx_setup(void)
{
	int i;

	pf_need_root();
	cr_assert_not_null(getenv(PIN_DIR_ENV), "the runner did not load the programs "
			   "(its reason is on stderr)");
	/* Criterion runs each test in its own process: the namespace is the
	 * test's alone, and clone_redirect's copies land on its private lo. */
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	set_lo_up(true);

	fx.lock_fd = open(getenv(PIN_DIR_ENV), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fx.lock_fd, 0, "open the pin dir: %s", strerror(errno));
	cr_assert_eq(flock(fx.lock_fd, LOCK_EX), 0, "lock the pin dir: %s", strerror(errno));
	fx.portals_fd = open_pin(PF_PIN_PORTALS);
	fx.stats_fd = open_pin(PF_PIN_STATS);
	fx.portal_stats_fd = open_pin(PF_PIN_PORTAL_STATS);
	fx.knocks_fd = open_pin(PF_PIN_KNOCKS);
	for (i = 0; i < FX_HOOKS; i++)
		fx.prog_fd[i] = open_pin(pinned_progs[i]);
	empty_map(fx.portals_fd, sizeof(struct pf_portal_key));
	empty_map(fx.portal_stats_fd, sizeof(__u64));
	empty_map(fx.knocks_fd, sizeof(struct pf_knock_key));
	zero_stats();
}

void fx_teardown(void)
{
	int *fds[] = { &capture_fd, &fx.portals_fd, &fx.stats_fd, &fx.portal_stats_fd,
		       &fx.knocks_fd, &fx.prog_fd[0], &fx.prog_fd[1], &fx.prog_fd[2],
		       &fx.prog_fd[3], &fx.lock_fd };
	size_t i;

	/* the lock last: the maps are this test's until then */
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
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
	err = bpf_map_update_elem(fx.portals_fd, &key, &policy, BPF_NOEXIST);
	cr_assert_eq(err, 0, "add portal %s/%u:%u: %s", addr ? addr : "*", prefix, port,
		     strerror(errno));
	memset(zeros, 0, sizeof(zeros));
	err = bpf_map_update_elem(fx.portal_stats_fd, &policy.counters_id, zeros, BPF_NOEXIST);
	cr_assert_eq(err, 0, "add portal counters: %s", strerror(errno));
	return policy.counters_id;
}

__u64 fx_fence_tcp(const char *addr, uint8_t direction, uint8_t method)
{
	return fx_fence(IPPROTO_TCP, addr, 0, PORTAL_PORT, direction, method, 0);
}

static void run(enum fx_hook hook, const struct __sk_buff *ctx, struct fx_result *r)
{
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
	err = bpf_prog_test_run_opts(fx.prog_fd[hook], &opts);
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

void fx_run_l3(enum fx_hook hook, const struct pkt_spec *s, struct fx_result *r)
{
	uint8_t frame[FX_OUT_MAX];
	size_t len = pkt_build(s, frame, sizeof(frame), &r->lay);

	cr_assert_gt(len, ETH_HLEN, "the packet spec does not build");
	cr_assert_eq(r->lay.l3, ETH_HLEN, "an L3 frame carries no VLAN tag");
	r->in_len = len - ETH_HLEN;
	memcpy(r->in, frame + ETH_HLEN, r->in_len);
	r->lay.l3 = 0;
	r->lay.l4 -= ETH_HLEN;
	r->lay.payload -= ETH_HLEN;
	r->lay.len -= ETH_HLEN;
	run(hook, NULL, r);
}

void fx_run_spec(enum fx_hook hook, const struct pkt_spec *s, struct fx_result *r)
{
	fx_run_ctx(hook, s, NULL, r);
}

void fx_run_raw_ctx(enum fx_hook hook, const struct __sk_buff *ctx, struct fx_result *r)
{
	memset(&r->lay, 0, sizeof(r->lay));
	run(hook, ctx, r);
}

void fx_run_raw(enum fx_hook hook, const void *frame, size_t len, struct fx_result *r)
{
	cr_assert_leq(len, sizeof(r->in));
	memcpy(r->in, frame, len);
	r->in_len = len;
	fx_run_raw_ctx(hook, NULL, r);
}

static struct pkt_spec endpoints(int family, bool to_portal, uint8_t flags)
{
	const char *portal = family == AF_INET ? V4_PORTAL : V6_PORTAL;
	const char *peer = family == AF_INET ? V4_PEER : V6_PEER;

	struct pkt_spec s;

	if (!to_portal)
		return pkt_spec_tcp(family, portal, PORTAL_PORT, peer, PEER_PORT, flags);
	/* BPF_PROG_TEST_RUN receives the frame on the namespace's lo: addressed
	 * to lo's MAC (all zeros) it is for this host (PACKET_HOST) */
	s = pkt_spec_tcp(family, peer, PEER_PORT, portal, PORTAL_PORT, flags);
	memset(s.dst_mac, 0, sizeof(s.dst_mac));
	return s;
}

struct pkt_spec fx_to_portal(int family, uint8_t flags)
{
	return endpoints(family, true, flags);
}

struct pkt_spec fx_from_portal(int family, uint8_t flags)
{
	return endpoints(family, false, flags);
}

static struct pf_counters sum_counters(int map_fd, const void *key)
{
	int ncpus = libbpf_num_possible_cpus(), i, err;
	struct pf_counters per_cpu[ncpus], sum = {};

	err = bpf_map_lookup_elem(map_fd, key, per_cpu);
	cr_assert_eq(err, 0, "read counters: %s", strerror(errno));
	for (i = 0; i < ncpus; i++)
		pf_counters_add(&sum, &per_cpu[i]);
	return sum;
}

bool fx_knock(const struct pkt_spec *s, struct pf_knock *knock)
{
	struct pf_knock_key key = {
		.family = (__u8)s->family,
		.local_port = htons(s->dport),
		.remote_port = htons(s->sport),
	};
	size_t alen = s->family == AF_INET ? 4 : 16;

	memcpy(key.local_addr, s->daddr, alen);
	memcpy(key.remote_addr, s->saddr, alen);
	return bpf_map_lookup_elem(fx.knocks_fd, &key, knock) == 0;
}

unsigned int fx_knock_count(void)
{
	struct pf_knock_key key, next, *prev = NULL;
	unsigned int n = 0;

	while (bpf_map_get_next_key(fx.knocks_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

struct pf_counters fx_stats(void)
{
	__u32 zero = 0;

	return sum_counters(fx.stats_fd, &zero);
}

struct pf_counters fx_portal_stats(__u64 counters_id)
{
	return sum_counters(fx.portal_stats_fd, &counters_id);
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

/* lo shows the socket every frame twice, leaving and arriving: count the
 * arrivals only. */
size_t fx_capture_next(uint8_t *buf, size_t cap)
{
	struct sockaddr_ll from;
	socklen_t len;
	ssize_t n;

	do {
		len = sizeof(from);
		n = recvfrom(capture_fd, buf, cap, 0, (struct sockaddr *)&from, &len);
	} while (n >= 0 && from.sll_pkttype == PACKET_OUTGOING);
	if (n < 0) {
		cr_assert_eq(errno, EAGAIN, "recv: %s", strerror(errno));
		return 0;
	}
	return (size_t)n;
}

void fx_assert_untouched(const struct fx_result *r)
{
	cr_assert_eq(r->retval, TC_ACT_UNSPEC, "verdict %d, want TC_ACT_UNSPEC", r->retval);
	cr_assert_eq(r->len, r->in_len, "frame length %zu, was %zu", r->len, r->in_len);
	cr_assert_arr_eq(r->data, r->in, r->in_len, "frame bytes changed");
}
