// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The wake-up: bpf/peerd.bpf.c on inet_sock_set_state, its ring buffer
 * polled with the daemon's other descriptors. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "peerd.h"
#include "peerd_event.h"
#include "peerd.skel.h"

struct peerd_watch {
	struct peerd_bpf *skel;
	struct ring_buffer *rb;
	peerd_event_fn fn;
	void *ctx;
	int seen;
	uint64_t lost;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct peerd_watch *w = ctx;

	if (len < sizeof(struct peerd_event))
		return 0;
	w->seen++;
	w->fn(w->ctx, data);
	return 0;
}

int peerd_watch_open(const struct peerd_portal *portals, int nportals, peerd_event_fn fn,
		     void *ctx, struct peerd_watch **out)
{
	struct peerd_watch *w = calloc(1, sizeof(*w));
	struct stat st;
	int err;

	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	if (stat("/proc/self/ns/net", &st) < 0) {
		err = -errno;
		goto fail;
	}
	w->skel = peerd_bpf__open();
	if (!w->skel) {
		err = -errno;
		goto fail;
	}
	w->skel->rodata->netns_ino = (__u32)st.st_ino;
	err = peerd_bpf__load(w->skel);
	if (err)
		goto fail;
	for (int i = 0; i < nportals; i++) {
		__u16 port = portals[i].port;
		__u8 one = 1;

		err = bpf_map_update_elem(bpf_map__fd(w->skel->maps.published), &port, &one, BPF_ANY);
		if (err)
			goto fail;
	}
	err = peerd_bpf__attach(w->skel);
	if (err)
		goto fail;
	w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.events), on_event, w, NULL);
	if (!w->rb) {
		err = -errno;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	peerd_watch_close(w);
	return err < 0 ? err : -EINVAL;
}

int peerd_watch_fd(struct peerd_watch *w)
{
	return ring_buffer__epoll_fd(w->rb);
}

int peerd_watch_drain(struct peerd_watch *w, bool *lost_moved, uint64_t *lost)
{
	uint64_t now;
	int err;

	w->seen = 0;
	err = ring_buffer__consume(w->rb);
	if (err < 0)
		return err;
	now = __atomic_load_n(&w->skel->bss->lost, __ATOMIC_RELAXED);
	*lost_moved = now != w->lost;
	w->lost = now;
	*lost = now;
	return w->seen;
}

void peerd_watch_close(struct peerd_watch *w)
{
	if (!w)
		return;
	ring_buffer__free(w->rb);
	peerd_bpf__destroy(w->skel);
	free(w);
}
