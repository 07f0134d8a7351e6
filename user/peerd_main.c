// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence-peerd: the event loop. Each connection of a portal entering
 * or leaving ESTABLISHED arrives from bpf/peerd.bpf.c and is applied to
 * the list; the whole list is multicast at most --rate times a second, so
 * a burst costs one message. The sockets are read through sock_diag only
 * at start, every --resync ms, after lost events and to fill slots past
 * the bound. A join makes everyone send again; a leave keeps the leaver's
 * file, until it publishes again. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "bpfclock.h"
#include "peerd.h"
#include "peerd_event.h"
#include "portal.h"

#define NODES_MAX	64
/* From a reason to read the sockets to the read: lets a burst settle,
 * and the tracepoint's socket finish its state change (the tracepoint
 * runs just before it). */
#define SCAN_DELAY_MS	20
/* A connection past the bound, or a slot freed while some are: the read
 * that settles the count and fills the slot, no sooner than this. */
#define BOUND_SCAN_MS	1000
#define RETRY_MS	10

struct node {
	uint32_t nodeid;
	char name[80];
	bool have_full;		/* deltas apply only on a full from it */
	struct peerd_list list;
};

struct daemon {
	const char *group, *store, *state;
	struct peerd_portal portals[PEERD_PORTALS_MAX];
	int nportals;
	unsigned int max_peers, resync_ms, interval_ms;
	struct peerd_cpg *cpg;
	struct peerd_watch *watch;
	struct peerd_list mine;
	struct peerd_list sent;		/* what the others have of mine */
	bool need_full;
	unsigned int per_portal[PEERD_PORTALS_MAX];
	struct node nodes[NODES_MAX];
	int nnodes;
	bool joined, need_send, state_dirty;
	size_t members;
	uint64_t seq, scan_at, resync_at, last_send, state_at;
	__u32 dropped_logged;
	struct peerd_counters n;
};

static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	return pf_bpf_now_ns() / 1000000;
}

static struct node *node_of(struct daemon *d, uint32_t nodeid)
{
	char name[80];

	for (int i = 0; i < d->nnodes; i++)
		if (d->nodes[i].nodeid == nodeid)
			return &d->nodes[i];
	if (d->nnodes == NODES_MAX)
		return NULL;
	peerd_cpg_node_name(d->cpg, nodeid, name, sizeof(name));
	d->nodes[d->nnodes].nodeid = nodeid;
	peerd_store_name(name, nodeid, d->nodes[d->nnodes].name, sizeof(d->nodes[0].name));
	return &d->nodes[d->nnodes++];
}

static void on_deliver(void *ctx, uint32_t nodeid, const void *msg, size_t len)
{
	struct daemon *d = ctx;
	struct peerd_msg m;
	struct node *nd;
	int err;

	if (nodeid == peerd_cpg_nodeid(d->cpg))
		return;
	d->n.received++;
	d->state_dirty = true;
	if (peerd_decode(msg, len, &m) < 0 || !(nd = node_of(d, nodeid))) {
		d->n.rejected++;
		say(LOG_WARNING, "node %u: a message of %zu bytes rejected (not a peer list, or too many nodes)",
		    nodeid, len);
		return;
	}
	if (m.dropped && !nd->list.dropped)
		say(LOG_WARNING, "node %s: %u connections past its bounds not published", nd->name,
		    m.dropped);
	if (!m.delta) {
		peerd_list_free(&nd->list);
		nd->list = m.add;
		m.add.peers = NULL;
		nd->have_full = true;
	} else if (!nd->have_full) {
		/* Sent before its full reached us: the full follows. */
		d->n.deltas_unbased++;
		peerd_msg_free(&m);
		return;
	} else {
		for (unsigned int i = 0; i < m.del.n; i++)
			peerd_list_del(&nd->list, &m.del.peers[i]);
		for (unsigned int i = 0; i < m.add.n; i++)
			peerd_list_add(&nd->list, &m.add.peers[i], 0, PEERD_NODE_PEERS_MAX);
	}
	nd->list.dropped = m.dropped;
	peerd_msg_free(&m);
	err = peerd_store_write(d->store, nd->name, &nd->list);
	if (err)
		say(LOG_ERR, "%s/%s: %s", d->store, nd->name, strerror(-err));
}

static void on_confchg(void *ctx, bool joined, size_t members, const uint32_t *left, size_t nleft)
{
	struct daemon *d = ctx;

	d->members = members;
	d->joined = true;
	d->state_dirty = true;
	/* Whoever joined (maybe this node, maybe a restarted peer) knows
	 * nothing yet: everyone sends its whole list again. */
	if (joined)
		d->need_send = d->need_full = true, d->last_send = 0;
	for (size_t i = 0; i < nleft; i++)
		say(LOG_NOTICE, "node %u left the group: its last list is kept", left[i]);
}

static void scan(struct daemon *d, bool resync)
{
	struct peerd_list l;
	int err = peerd_scan(d->portals, d->nportals, d->max_peers, &l);

	d->n.scans++;
	if (err) {
		say(LOG_ERR, "sock_diag: %s", strerror(-err));
		return;
	}
	if (l.dropped && l.dropped != d->dropped_logged)
		say(LOG_WARNING, "%u connections past the bound (%u a portal) not published",
		    l.dropped, d->max_peers);
	d->dropped_logged = l.dropped;
	if (d->n.dropped != l.dropped)
		d->state_dirty = true;
	d->n.dropped = l.dropped;
	if (peerd_list_equal(&l, &d->mine)) {
		peerd_list_free(&l);
		return;
	}
	/* The events missed something, or raced this read: read again soon
	 * to be sure which. */
	if (resync) {
		d->n.resync_fixes++;
		d->scan_at = now_ms() + SCAN_DELAY_MS;
	}
	peerd_list_free(&d->mine);
	d->mine = l;
	memset(d->per_portal, 0, sizeof(d->per_portal));
	for (unsigned int i = 0; i < l.n; i++) {
		const struct peerd_peer *p = &l.peers[i];

		d->per_portal[peerd_portal_of(d->portals, d->nportals, p->family, p->laddr,
					      p->lport)]++;
	}
	d->need_send = true;
	d->state_dirty = true;
}

static void publish(struct daemon *d, uint64_t now)
{
	struct peerd_list add = { 0 }, del = { 0 }, copy = { 0 };
	bool delta = false;
	void *buf = NULL;
	size_t len;
	int err;

	if (!d->need_full) {
		if (peerd_list_diff(&d->sent, &d->mine, &add, &del) < 0)
			goto out;
		delta = add.n + del.n < d->mine.n;
		if (!add.n && !del.n && d->sent.dropped == d->mine.dropped) {
			d->need_send = false;
			goto out;
		}
	}
	copy.cap = d->mine.n ? d->mine.n : 1;
	copy.peers = malloc(copy.cap * sizeof(*copy.peers));
	if (!copy.peers)
		goto out;
	memcpy(copy.peers, d->mine.peers, d->mine.n * sizeof(*copy.peers));
	copy.n = d->mine.n;
	copy.dropped = d->mine.dropped;
	if ((delta ? peerd_encode(&add, &del, d->mine.dropped, d->seq, &buf, &len) :
		     peerd_encode(&d->mine, NULL, d->mine.dropped, d->seq, &buf, &len)) < 0)
		goto out;
	err = peerd_cpg_send(d->cpg, buf, len);
	if (err == -EAGAIN) {
		d->n.publish_retries++;
		goto out;
	}
	if (err) {
		/* The others may have missed it: a full next time. */
		say(LOG_ERR, "cpg: send of %zu bytes: %s", len, strerror(-err));
		d->need_full = true;
		d->last_send = now;
		goto out;
	}
	peerd_list_free(&d->sent);
	d->sent = copy;
	copy.peers = NULL;
	d->need_full = false;
	d->n.deltas += delta;
	d->seq++;
	d->n.published++;
	d->need_send = false;
	d->last_send = now;
	d->state_dirty = true;
out:
	free(buf);
	peerd_list_free(&copy);
	peerd_list_free(&add);
	peerd_list_free(&del);
}

static void write_state(struct daemon *d)
{
	char text[1536];

	snprintf(text, sizeof(text),
		 "pid %d\nnodeid %u\njoined %d\nmembers %zu\npeers %u\ndropped %llu\n"
		 "events %llu\nevents_lost %llu\nscans %llu\npublished %llu\n"
		 "publish_retries %llu\ndeltas %llu\nreceived %llu\nrejected %llu\n"
		 "deltas_unbased %llu\nresync_fixes %llu\n",
		 (int)getpid(), peerd_cpg_nodeid(d->cpg), d->joined, d->members, d->mine.n,
		 (unsigned long long)d->n.dropped, (unsigned long long)d->n.events,
		 (unsigned long long)d->n.events_lost, (unsigned long long)d->n.scans,
		 (unsigned long long)d->n.published, (unsigned long long)d->n.publish_retries,
		 (unsigned long long)d->n.deltas, (unsigned long long)d->n.received,
		 (unsigned long long)d->n.rejected, (unsigned long long)d->n.deltas_unbased,
		 (unsigned long long)d->n.resync_fixes);
	if (peerd_state_write(d->state, text) < 0)
		say(LOG_ERR, "%s: cannot write", d->state);
	d->state_dirty = false;
}

static int next_timeout(struct daemon *d, uint64_t now)
{
	uint64_t at = d->resync_at;

	if (d->scan_at && d->scan_at < at)
		at = d->scan_at;
	if (d->need_send) {
		uint64_t s = d->last_send + d->interval_ms;

		if (s < now + RETRY_MS)
			s = now + RETRY_MS;
		if (s < at)
			at = s;
	}
	if (d->state_dirty && d->state_at + 1000 < at)
		at = d->state_at + 1000;
	return at > now ? (int)(at - now) : 0;
}

static void schedule_scan(struct daemon *d, unsigned int delay)
{
	uint64_t at = now_ms() + delay;

	if (!d->scan_at || at < d->scan_at)
		d->scan_at = at;
}

static void on_event(void *ctx, const struct peerd_event *ev)
{
	struct daemon *d = ctx;
	struct peerd_peer p = { .family = ev->family };
	int k, rc;

	memcpy(p.laddr, ev->laddr, sizeof(p.laddr));
	memcpy(p.raddr, ev->raddr, sizeof(p.raddr));
	pf_unmap_v4(p.family, p.raddr);
	p.family = (__u8)pf_unmap_v4(p.family, p.laddr);
	p.lport = htons(ev->lport);
	p.rport = ev->rport;
	k = peerd_portal_of(d->portals, d->nportals, p.family, p.laddr, p.lport);
	if (k < 0)
		return;
	if (ev->established) {
		rc = peerd_list_add(&d->mine, &p, d->per_portal[k], d->max_peers);
		if (rc == -ENOSPC || rc == -ENOMEM)
			schedule_scan(d, rc == -ENOSPC ? BOUND_SCAN_MS : SCAN_DELAY_MS);
		d->per_portal[k] += rc == 1;
	} else {
		rc = peerd_list_del(&d->mine, &p);
		d->per_portal[k] -= rc == 1;
		if (rc == 1 && d->mine.dropped)
			schedule_scan(d, BOUND_SCAN_MS);
	}
	if (rc == 1)
		d->need_send = true, d->state_dirty = true;
}

static void on_watch(struct daemon *d, uint64_t now)
{
	bool lost_moved;
	uint64_t lost;
	int n = peerd_watch_drain(d->watch, &lost_moved, &lost);

	if (n < 0)
		return;
	d->n.events += (uint64_t)n;
	d->n.events_lost = lost;
	(void)now;
	if (lost_moved)
		schedule_scan(d, SCAN_DELAY_MS);
	if (n)
		d->state_dirty = true;
}

static int run(struct daemon *d, int sfd)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), cfd = peerd_cpg_fd(d->cpg);

	if (ep < 0 || cfd < 0)
		return 1;
	ev.data.fd = cfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
	ev.data.fd = peerd_watch_fd(d->watch);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	d->resync_at = now_ms() + d->resync_ms;
	for (;;) {
		uint64_t now = now_ms();
		int n = epoll_wait(ep, evs, 4, next_timeout(d, now));

		if (n < 0 && errno != EINTR)
			return 1;
		now = now_ms();
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd)
				return 0;
			if (evs[i].data.fd == cfd && peerd_cpg_dispatch(d->cpg) == -ENOTCONN) {
				say(LOG_ERR, "corosync went away");
				return 1;
			}
			if (evs[i].data.fd != cfd)
				on_watch(d, now);
		}
		if (d->scan_at && now >= d->scan_at) {
			d->scan_at = 0;
			scan(d, false);
		}
		if (now >= d->resync_at) {
			d->resync_at = now + d->resync_ms;
			scan(d, true);
		}
		if (d->need_send && d->joined && now >= d->last_send + d->interval_ms)
			publish(d, now);
		if (d->state_dirty && now >= d->state_at + 1000) {
			d->state_at = now;
			write_state(d);
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: portfence-peerd [--group NAME] [--store DIR] [--state FILE]\n"
		   "       [--max-peers N] [--rate N] [--resync MS] PORTAL...\n"
		   "  PORTAL: A:PORT or [A6]:PORT (0.0.0.0 or [::]: every address)\n");
}

static int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	__u32 v;

	if (pf_parse_uint(s, strlen(s), min, max, &v) < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(struct daemon *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "store", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "max-peers", required_argument, NULL, 'm' },
		{ "rate", required_argument, NULL, 'r' },
		{ "resync", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned int rate = 2;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'g': d->group = optarg; break;
		case 's': d->store = optarg; break;
		case 'S': d->state = optarg; break;
		case 'm': bad = parse_uint(optarg, 1, PEERD_NODE_PEERS_MAX, &d->max_peers); break;
		case 'r': bad = parse_uint(optarg, 1, 100, &rate); break;
		case 'R': bad = parse_uint(optarg, 100, 3600000, &d->resync_ms); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
		if (bad) {
			fprintf(stderr, "portfence-peerd: --%s '%s': out of range\n",
				opts[c == 'm' ? 3 : c == 'r' ? 4 : 5].name, optarg);
			return -1;
		}
	}
	d->interval_ms = 1000 / rate;
	if (optind == argc || argc - optind > PEERD_PORTALS_MAX) {
		fprintf(stderr, "portfence-peerd: 1 to %d portals\n", PEERD_PORTALS_MAX);
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		struct peerd_portal *p = &d->portals[d->nportals++];
		char err[PF_ERR_LEN];
		struct pf_addr a;

		if (pf_parse_endpoint(argv[i], &a, &p->port, err) < 0 || !p->port) {
			fprintf(stderr, "portfence-peerd: portal '%s': %s\n", argv[i], err);
			return -1;
		}
		p->family = a.family;
		memcpy(p->addr, a.a, sizeof(p->addr));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct peerd_cpg_ops ops = { on_deliver, on_confchg };
	static struct daemon d = {
		.group = "portfence-peers", .store = "/run/portfence/peers",
		.state = "/run/portfence/peerd.state", .max_peers = PEERD_PEERS_DEFAULT,
		.resync_ms = 10000,
	};
	sigset_t mask;
	int err, sfd, rc;

	if (parse_args(&d, argc, argv) < 0)
		return 2;
	openlog("portfence-peerd", LOG_PID | LOG_PERROR, LOG_DAEMON);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	err = peerd_store_open(d.store);
	if (err) {
		say(LOG_ERR, "store %s: %s (a directory of root's, not group or world writable)",
		    d.store, strerror(-err));
		return 1;
	}
	err = peerd_watch_open(d.portals, d.nportals, on_event, &d, &d.watch);
	if (err) {
		say(LOG_ERR, "BPF wake-up (inet_sock_set_state): %s", strerror(-err));
		return 1;
	}
	scan(&d, false);
	err = peerd_cpg_open(d.group, &ops, &d, &d.cpg);
	if (err) {
		say(LOG_ERR, "cpg group %s: %s (is corosync running?)", d.group, strerror(-err));
		return 1;
	}
	write_state(&d);
	say(LOG_NOTICE, "joining %s as node %u, %d portals, store %s", d.group,
	    peerd_cpg_nodeid(d.cpg), d.nportals, d.store);
	rc = run(&d, sfd);
	peerd_cpg_close(d.cpg);
	peerd_watch_close(d.watch);
	unlink(d.state);
	return rc;
}
