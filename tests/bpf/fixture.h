/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fixture of the BPF_PROG_TEST_RUN tests: each test (its own process
 * under Criterion) gets a private network namespace with lo up, the fence
 * programs loaded with pinning turned off (nothing under any bpffs, nothing
 * left behind), an empty fence table, and helpers to fence portals, run
 * frames through a program and read the counters.
 */
#ifndef PF_TEST_BPF_FIXTURE_H
#define PF_TEST_BPF_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "packet.h"
#include "portfence.h"

#define TC_ACT_UNSPEC		(-1)	/* what the programs return for what they do not decide */
#define TC_ACT_SHOT		2
#define TC_ACT_REDIRECT		7

/* Local and peer endpoints every test uses, from the test bed's ranges
 * (docs/reference.md, The test bed). */
#define V4_PORTAL	"198.18.0.2"
#define V4_PEER		"198.18.0.1"
#define V6_PORTAL	"2001:db8::2"
#define V6_PEER		"2001:db8::1"
#define PORTAL_PORT	3260
#define PEER_PORT	40000

#define FX_OUT_MAX	(70 * 1024)

/* What a program did with one frame. */
struct fx_result {
	int retval;
	size_t len;			/* data_out length */
	uint8_t data[FX_OUT_MAX];
	struct __sk_buff ctx_out;	/* the skb's metadata after the run (with a ctx) */
	struct pkt_layout lay;		/* layout of the input frame */
	uint8_t in[FX_OUT_MAX];		/* the input frame */
	size_t in_len;
};

/* The programs as attached to Ethernet-framed devices, and their build for
 * devices without a MAC header (ipip, tun, WireGuard). */
enum fx_hook { FX_INGRESS, FX_EGRESS, FX_L3_INGRESS, FX_L3_EGRESS, FX_HOOKS };

void fx_setup(void);
void fx_teardown(void);

/* Adds a fence entry. addr NULL fences every address of both families;
 * prefix 0 means the whole address (32 or 128). Returns the counters_id
 * given to the entry (its portal_stats key). */
__u64 fx_fence(uint8_t proto, const char *addr, unsigned int prefix, uint16_t port,
	       uint8_t direction, uint8_t method, uint8_t flags);
/* The common case: TCP, port 3260, one address. */
__u64 fx_fence_tcp(const char *addr, uint8_t direction, uint8_t method);

/* Builds s, runs it through the hook; ctx (may be NULL) is the __sk_buff
 * handed to the kernel, for gso_size. Fails the test if the run errors. */
void fx_run_spec(enum fx_hook hook, const struct pkt_spec *s, struct fx_result *r);
void fx_run_ctx(enum fx_hook hook, const struct pkt_spec *s, const struct __sk_buff *ctx,
		struct fx_result *r);
/* Builds s without its Ethernet header (the frame starts at the IP header,
 * as on an L3 device) and runs it through hook; r->lay is of that frame. */
void fx_run_l3(enum fx_hook hook, const struct pkt_spec *s, struct fx_result *r);
/* Runs raw bytes (for frames the builder cannot describe). */
void fx_run_raw(enum fx_hook hook, const void *frame, size_t len, struct fx_result *r);
/* Runs the frame the caller put in r->in (r->in_len bytes), with ctx. */
void fx_run_raw_ctx(enum fx_hook hook, const struct __sk_buff *ctx, struct fx_result *r);

/* Segments of the two directions: peer -> portal (ingress) and
 * portal -> peer (egress), TCP over the given family. */
struct pkt_spec fx_to_portal(int family, uint8_t flags);
struct pkt_spec fx_from_portal(int family, uint8_t flags);

/* Per-CPU counters summed over CPUs: global ("stats") and per portal. */
struct pf_counters fx_stats(void);
struct pf_counters fx_portal_stats(__u64 counters_id);

/* The knock recorded for the peer -> portal connection of s (a spec of a
 * segment to the portal); false if there is none. */
bool fx_knock(const struct pkt_spec *s, struct pf_knock *knock);
/* How many knocks the map holds. */
unsigned int fx_knock_count(void);

/* Frames bpf_clone_redirect() put on lo, read from a packet socket. */
void fx_capture_start(void);
/* Next captured frame into buf; its length, or 0 when none is waiting. */
size_t fx_capture_next(uint8_t *buf, size_t cap);

/* The bpffs dir holding the programs' maps (for another object to share
 * them through pin_root_path). */
const char *fx_pin_dir(void);
/* The fixture's fd of hook's program. */
int fx_prog_fd(enum fx_hook hook);

/* Brings lo of the test's namespace down (bpf_clone_redirect then fails). */
void fx_lo_down(void);

/* Asserts: verdict OK and the frame left exactly as it came. */
void fx_assert_untouched(const struct fx_result *r);

#endif
