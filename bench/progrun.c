// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* progrun: ns per packet of fence_ingress and fence_egress under
 * BPF_PROG_TEST_RUN, with the fence table holding N portal entries.
 *
 *   progrun PIN_DIR REPEAT RUNS N...
 *
 * PIN_DIR must be a private bpffs mount: the skeleton's maps are pinned by
 * name, and without a pin root libbpf would pin them in /sys/fs/bpf.
 * For each N, each program and each lookup kind (a fenced portal, an
 * address with no entry) it prints RUNS lines
 *   prog=fence_ingress entries=N lookup=fenced ns=12.3 verdict=2
 * where ns is the kernel's own per-run average over REPEAT runs (or, for
 * the fenced egress, which rewrites its packet, the median of REPEAT/100
 * single runs: see run_fresh). First, the same for a program that only
 * returns: the floor of the harness itself (prog=empty_program). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "portfence.h"
#include "fence.skel.h"

#define PORTAL_PORT	3260
#define PEER_PORT	40000
#define UNFENCED_ADDR	"198.19.255.254"	/* never in the table */

/* Ethernet + IPv4 + TCP, no options, then payload: what a tgtd data
 * segment or an initiator's SYN looks like to the programs. */
struct frame {
	unsigned char dst[6], src[6];
	__be16 ethertype;
	unsigned char ihl_version, tos;
	__be16 tot_len, id, frag_off;
	unsigned char ttl, protocol;
	__be16 check;
	__be32 saddr, daddr;
	__be16 sport, dport;
	__be32 seq, ack_seq;
	unsigned char doff, flags;
	__be16 window, tcheck, urg;
	unsigned char payload[64];
} __attribute__((packed));

enum { TCP_SYN = 0x02, TCP_ACK = 0x10, TCP_PSH = 0x08 };

/* The i-th portal address: 198.18.0.0/16 holds exactly 65536 of them. */
static __be32 portal_addr(unsigned int i)
{
	return htonl((198u << 24) | (18u << 16) | (i & 0xffff));
}

static void build_frame(struct frame *f, __be32 saddr, __be32 daddr, __be16 sport,
			__be16 dport, unsigned char flags, size_t payload)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->dst, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(f->src, "\x02\x00\x00\x00\x00\x01", 6);
	f->ethertype = htons(0x0800);
	f->ihl_version = 0x45;
	f->tot_len = htons(40 + payload);
	f->ttl = 64;
	f->protocol = 6;
	f->saddr = saddr;
	f->daddr = daddr;
	f->sport = sport;
	f->dport = dport;
	f->seq = htonl(1000);
	f->ack_seq = flags & TCP_ACK ? htonl(2000) : 0;
	f->doff = 5 << 4;
	f->flags = flags;
	f->window = htons(65535);
	memset(f->payload, 'x', payload);
}

/* Per-CPU hash elements come from a cache the kernel refills in the
 * background (bpf_mem_alloc); a tight update loop can outrun it and get
 * ENOMEM, so give the refill a moment and try again. */
static int update_retrying(int fd, const void *key, const void *value)
{
	int tries = 1000;

	while (bpf_map_update_elem(fd, key, value, BPF_ANY)) {
		if (errno != ENOMEM || !--tries)
			return -1;
		usleep(1000);
	}
	return 0;
}

static int fill_portals(int portals_fd, int stats_fd, unsigned int from, unsigned int to)
{
	int ncpus = libbpf_num_possible_cpus();
	struct pf_counters *zeros = calloc(ncpus, sizeof(*zeros));
	unsigned int i;

	if (!zeros)
		return -ENOMEM;
	for (i = from; i < to; i++) {
		struct pf_portal_key key = {
			.prefixlen = PF_KEY_BITS_FAMILY + 32,
			.port = htons(PORTAL_PORT),
			.proto = 6,
			.family = AF_INET,
			.addr.v4 = portal_addr(i),
		};
		struct pf_policy policy = {
			.direction = PF_DIR_BOTH,
			.method = PF_METHOD_DROP,
			.counters_id = i + 1,
		};

		if (update_retrying(portals_fd, &key, &policy) ||
		    update_retrying(stats_fd, &policy.counters_id, zeros)) {
			free(zeros);
			return -errno;
		}
	}
	free(zeros);
	return 0;
}

static int run_frame(int prog_fd, struct frame *f, size_t len, int repeat, __u32 *ns, __u32 *verdict)
{
	unsigned char out[sizeof(*f) + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = repeat,
	);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	*ns = opts.duration;
	*verdict = opts.retval;
	return err;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* A program that rewrites its packet (the fenced egress turns it into an
 * RST with the addresses swapped) sees its own output on the kernel's next
 * repeat, so each of its runs needs a fresh copy: one run per call, the
 * median of CALLS calls. The kernel's per-call timing includes a clock
 * read, so this overstates the cost by a few ns. */
static int run_fresh(int prog_fd, const struct frame *f, size_t len, int calls, __u32 *ns,
		     __u32 *verdict)
{
	__u32 *d = calloc(calls, sizeof(*d));
	struct frame copy;
	int c;

	if (!d)
		return -1;
	for (c = 0; c < calls; c++) {
		copy = *f;
		if (run_frame(prog_fd, &copy, len, 1, &d[c], verdict)) {
			free(d);
			return -1;
		}
	}
	qsort(d, calls, sizeof(*d), cmp_u32);
	*ns = d[calls / 2];
	free(d);
	return 0;
}

/* One program, one lookup kind: RUNS measurements of REPEAT runs each. */
static int measure(const char *prog, int prog_fd, struct frame *f, size_t len,
		   unsigned int entries, const char *lookup, bool rewrites, int repeat, int runs)
{
	__u32 ns, verdict;
	int r, err;

	for (r = 0; r < runs; r++) {
		err = rewrites ? run_fresh(prog_fd, f, len, repeat / 100, &ns, &verdict)
			       : run_frame(prog_fd, f, len, repeat, &ns, &verdict);
		if (err) {
			fprintf(stderr, "progrun: test run of %s: %s\n", prog, strerror(errno));
			return -1;
		}
		printf("prog=%s entries=%u lookup=%s ns=%u verdict=%u method=%s\n",
		       prog, entries, lookup, ns, verdict, rewrites ? "per-call" : "repeat");
	}
	fflush(stdout);
	return 0;
}

/* The harness's own floor: a tc program that only returns TC_ACT_OK, run
 * the same way, so the programs' numbers can be read net of it. */
static int bench_floor(int repeat, int runs)
{
	struct bpf_insn ret_ok[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	__be32 peer = htonl(0xc6130001), portal = portal_addr(0);
	struct frame f;
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "pf_floor", "GPL", ret_ok, 2, NULL);
	if (fd < 0) {
		fprintf(stderr, "progrun: cannot load the empty program: %s\n", strerror(errno));
		return -1;
	}
	build_frame(&f, peer, portal, htons(PEER_PORT), htons(PORTAL_PORT), TCP_SYN, 0);
	err = measure("empty_program", fd, &f, sizeof(f) - sizeof(f.payload), 0, "none", false,
		      repeat, runs);
	close(fd);
	return err;
}

static int bench_entries(struct fence_bpf *skel, unsigned int entries, int repeat, int runs)
{
	int in_fd = bpf_program__fd(skel->progs.fence_ingress);
	int out_fd = bpf_program__fd(skel->progs.fence_egress);
	__be32 fenced = portal_addr(entries - 1), unfenced, peer = htonl(0xc6130001);
	struct frame f;
	size_t syn = sizeof(f) - sizeof(f.payload), data = sizeof(f);

	inet_pton(AF_INET, UNFENCED_ADDR, &unfenced);
	/* ingress: a peer's SYN to the portal (dropped when fenced) */
	build_frame(&f, peer, fenced, htons(PEER_PORT), htons(PORTAL_PORT), TCP_SYN, 0);
	if (measure("fence_ingress", in_fd, &f, syn, entries, "fenced", false, repeat, runs))
		return -1;
	build_frame(&f, peer, unfenced, htons(PEER_PORT), htons(PORTAL_PORT), TCP_SYN, 0);
	if (measure("fence_ingress", in_fd, &f, syn, entries, "not-fenced", false, repeat, runs))
		return -1;
	/* egress: the portal's data segment (turned into a local RST when
	 * fenced: the rewrite is part of the fenced cost) */
	build_frame(&f, fenced, peer, htons(PORTAL_PORT), htons(PEER_PORT), TCP_ACK | TCP_PSH, 64);
	if (measure("fence_egress", out_fd, &f, data, entries, "fenced", true, repeat, runs))
		return -1;
	build_frame(&f, unfenced, peer, htons(PORTAL_PORT), htons(PEER_PORT), TCP_ACK | TCP_PSH, 64);
	return measure("fence_egress", out_fd, &f, data, entries, "not-fenced", false, repeat, runs);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct fence_bpf *skel;
	unsigned int have = 0;
	int repeat, runs, i, err = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: progrun PIN_DIR REPEAT RUNS ENTRIES...\n");
		return 2;
	}
	opts.pin_root_path = argv[1];
	repeat = atoi(argv[2]);
	runs = atoi(argv[3]);
	skel = fence_bpf__open_opts(&opts);
	if (!skel || fence_bpf__load(skel)) {
		fprintf(stderr, "progrun: cannot load the fence programs: %s\n", strerror(errno));
		fence_bpf__destroy(skel);
		return 1;
	}
	err = bench_floor(repeat, runs) ? 1 : 0;
	/* entry counts ascending: each step adds to the table the last left */
	for (i = 4; i < argc && !err; i++) {
		unsigned int n = (unsigned int)atoi(argv[i]);

		if (n < 1 || n > 65536 || n < have) {
			fprintf(stderr, "progrun: bad entry count '%s' (ascending, 1-65536)\n", argv[i]);
			err = 2;
			break;
		}
		if (fill_portals(bpf_map__fd(skel->maps.portals),
				 bpf_map__fd(skel->maps.portal_stats), have, n)) {
			fprintf(stderr, "progrun: cannot fill the fence table: %s\n", strerror(errno));
			err = 1;
			break;
		}
		have = n;
		if (bench_entries(skel, n, repeat, runs))
			err = 1;
	}
	fence_bpf__destroy(skel);
	return err;
}
