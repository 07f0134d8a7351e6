// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A peer kept out by a fence does not know when the fence lifts: TCP tells
 * it only at its next retry, and those back off while the fence holds
 * (SYNs at 1, 3, 7 s; data at 0.2, 0.6, 1.4, 3 s ...), so an initiator
 * would stall seconds longer than the failover. The ingress program
 * records who knocked; here each of them is answered the moment its
 * portal opens:
 *
 *  - a dropped SYN is replayed to the local stack, as if it had just
 *    arrived: as a frame coming in on the interface it came in on, so the
 *    host's firewall (-i that interface, a fresh conntrack entry) and
 *    rp_filter judge it as they would have judged the original; the
 *    listener answers the peer's pending connect() with a SYN-ACK (or the
 *    stack refuses it with an RST when nothing listens; either way the
 *    peer stops waiting). Never through lo, which most firewalls accept
 *    whole; a device without a MAC header (an L3 tunnel) gets no replay;
 *  - a peer holding a connection this node does not have gets an RST at
 *    exactly the sequence number it expects (the last ACK it sent), which
 *    it accepts at once (RFC 5961).
 *
 * Anyone can knock with a spoofed source: the cost is one packet toward
 * that address when the portal opens, never toward a local address, never
 * more than one per recorded peer, and only while the knock's portal
 * address is still local (a route lookup, so a wildcard or prefix portal,
 * or an address moved away before the unblock, never makes this node
 * speak for an address it does not hold).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfclock.h"
#include "map_walk.h"
#include "pins.h"
#include "rawtcp.h"
#include "sockdiag.h"
#include "state.h"
#include "stats.h"
#include "wake.h"

struct knock_entry {
	struct pf_knock_key key;
	struct pf_knock knock;
};

struct knocks {
	const struct pf_portal *portal;
	void *v;		/* struct knock_entry[] */
	size_t n, cap;
};

static int collect_one(const void *key, const void *value, void *arg)
{
	const struct pf_knock_key *k = key;
	struct knocks *c = arg;
	struct knock_entry *e;

	if (c->portal && (!pf_portal_has_port(c->portal, ntohs(k->local_port)) ||
			  !pf_addr_contains(&c->portal->addr, k->family, k->local_addr)))
		return 0;
	e = pf_map_walk_slot(&c->v, &c->cap, c->n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->key = *k;
	e->knock = *(const struct pf_knock *)value;
	c->n++;
	return 0;
}

/* The knocks of portal (all with portal NULL); one gone meanwhile (LRU)
 * is not among them. */
static int collect(int fd, const struct pf_portal *portal, struct knock_entry **out)
{
	struct knocks c = { .portal = portal };
	int err = pf_map_walk(fd, sizeof(struct pf_knock_key), sizeof(struct pf_knock),
			      collect_one, &c);

	if (err) {
		free(c.v);
		return err;
	}
	*out = c.v;
	return (int)c.n;
}

static int newest_first(const void *a, const void *b)
{
	__u64 x = ((const struct knock_entry *)a)->knock.seen;
	__u64 y = ((const struct knock_entry *)b)->knock.seen;

	return x < y ? 1 : x > y ? -1 : 0;
}

int pf_knocks_each(struct pf_state *st, const struct pf_portal *portal,
		   void (*fn)(const struct pf_knock_key *, const struct pf_knock *, void *),
		   void *arg)
{
	struct knock_entry *v = NULL;
	int fd = pf_state_map(st, PF_PIN_KNOCKS, NULL), n, i;

	if (fd < 0)
		return fd;
	n = collect(fd, portal, &v);
	for (i = 0; i < n; i++)
		fn(&v[i].key, &v[i].knock, arg);
	free(v);
	return n;
}

/* Still fenced toward us by another entry (a wider one, or the same
 * portal fenced again)? Then the knock waits for that entry's unblock,
 * left as the ingress program last wrote it: that unblock finds it by
 * its portal, so nothing here writes a copy back over a fresher knock. */
static bool still_fenced(int portals_fd, const struct knock_entry *e)
{
	struct pf_portal_key pk;
	struct pf_policy policy;

	pf_endpoint_key(IPPROTO_TCP, e->key.family, e->key.local_addr, e->key.local_port, &pk);
	return !bpf_map_lookup_elem(portals_fd, &pk, &policy) && (policy.direction & PF_DIR_IN);
}

/* The interface a SYN came in on as the stack saw it: the VLAN device of
 * its tag on the interface the fence saw it on. 0 when there is none
 * (why in *reason). */
static int ingress_of(const struct pf_knock *k, const char **reason)
{
	char line[256], name[IF_NAMESIZE], parent[IF_NAMESIZE], want[IF_NAMESIZE];
	unsigned int vid;
	int ifindex = 0;
	FILE *f;

	/* VLAN 0 only carries a priority: the parent receives it */
	if (!k->vlan || k->vlan == PF_KNOCK_VLAN)
		return (int)k->ifindex;
	*reason = "it came in with more than one VLAN tag";
	if (k->vlan == PF_KNOCK_VLANS || !if_indextoname(k->ifindex, want))
		return 0;
	*reason = "no VLAN device of its tag";
	f = fopen("/proc/net/vlan/config", "re");
	if (!f)
		return 0;
	while (!ifindex && fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s | %u | %15s", name, &vid, parent) == 3 &&
		    vid == (k->vlan & 0xfffU) && !strcmp(parent, want))
			ifindex = (int)if_nametoindex(name);
	fclose(f);
	return ifindex;
}

static int send_wake(int raw_fd, int ingress_fd, int ifindex, const struct knock_entry *e)
{
	const struct pf_knock *k = &e->knock;
	struct tcphdr rst = {
		.source = e->key.local_port,
		.dest = e->key.remote_port,
		.seq = k->ack_seq,
		.doff = 5,
		.rst = 1,
	};

	if (k->kind == PF_KNOCK_SYN)
		return pf_ingress_send(ingress_fd, ifindex, e->key.family,
				       e->key.remote_addr, e->key.local_addr, k->tcp, k->tcp_len);
	return pf_raw_send(raw_fd, e->key.family, e->key.local_addr, e->key.remote_addr, &rst,
			   sizeof(rst), 1);
}

/* Why a knock whose portal opened is not woken from here, or NULL. */
static const char *not_to_wake(const struct knock_entry *e, const struct pf_conn *conns, int nconns)
{
	if (pf_route_local(e->key.family, e->key.local_addr) != 1)
		return "its portal address is not local now";
	if (pf_route_local(e->key.family, e->key.remote_addr) != 0)
		return "a local address";
	if (pf_conn_held(conns, nconns, e->key.family, e->key.local_addr, e->key.local_port,
			 e->key.remote_addr, e->key.remote_port))
		return "connection held here";
	return NULL;
}

/* The sockets wakes go out on, each opened when first needed: a raw one
 * per family for the resets, the ingress program for replayed SYNs. */
struct wake_socks {
	int raw[2];	/* AF_INET, AF_INET6 */
	int ingress;
};

/* Sends e's wake: 0 or a negative errno. */
static int wake_send(struct wake_socks *s, const struct knock_entry *e, int ifindex)
{
	bool syn = e->knock.kind == PF_KNOCK_SYN;
	int *raw = &s->raw[e->key.family == AF_INET6], *fd = syn ? &s->ingress : raw;

	if (*fd < 0)
		*fd = syn ? pf_ingress_open() : pf_raw_open(e->key.family);
	if (*fd < 0)
		return *fd;
	return send_wake(*raw, s->ingress, ifindex, e);
}

static bool aged(const struct pf_knock *k, __u64 now)
{
	return now > k->seen && now - k->seen > PF_KNOCK_MAX_AGE_S * 1000000000ULL;
}

int pf_wake(struct pf_state *st, const struct pf_portal *portal, bool send, pf_wake_report report,
	    void *arg)
{
	struct wake_socks socks = { { -1, -1 }, -1 };
	struct knock_entry *v = NULL;
	struct pf_conn *conns = NULL;
	int knocks_fd, portals_fd, n, nconns = 0, i, woken = 0, ifindex, err;
	const char *reason = NULL;
	__u64 now = pf_bpf_now_ns();

	knocks_fd = pf_state_map(st, PF_PIN_KNOCKS, NULL);
	if (knocks_fd < 0)
		return knocks_fd == -ENOENT ? 0 : knocks_fd;
	portals_fd = pf_state_map(st, PF_PIN_PORTALS, NULL);
	n = portals_fd < 0 ? portals_fd : collect(knocks_fd, portal, &v);
	if (n > 0)
		qsort(v, (size_t)n, sizeof(*v), newest_first);
	if (n > PF_WAKE_MAX)
		n = PF_WAKE_MAX;	/* the rest stay recorded; the next unblock has them */
	if (n > 0 && send) {
		nconns = pf_diag_list(PF_CONN_STATES, &conns);
		if (nconns < 0)
			nconns = 0;	/* cannot tell: a held connection may get an RST */
	}
	for (i = 0; i < n; i++) {
		struct knock_entry *e = &v[i];

		if (aged(&e->knock, now)) {
			bpf_map_delete_elem(knocks_fd, &e->key);
			if (send)
				report(&e->key, PF_WAKE_SKIPPED, "its peer stopped retrying", arg);
			continue;
		}
		if (still_fenced(portals_fd, e))
			continue;
		bpf_map_delete_elem(knocks_fd, &e->key);
		if (!send)
			continue;	/* forgotten: a later unblock must not wake it */
		reason = not_to_wake(e, conns, nconns);
		if (reason) {
			report(&e->key, PF_WAKE_SKIPPED, reason, arg);
			continue;
		}
		ifindex = ingress_of(&e->knock, &reason);
		if (e->knock.kind == PF_KNOCK_SYN && !ifindex) {
			report(&e->key, PF_WAKE_SKIPPED, reason, arg);
			continue;
		}
		err = wake_send(&socks, e, ifindex);
		if (err) {
			report(&e->key, PF_WAKE_SKIPPED,
			       err == -EPFNOSUPPORT ? "no MAC header to replay its SYN under"
						    : strerror(-err), arg);
			continue;
		}
		report(&e->key, e->knock.kind == PF_KNOCK_SYN ? PF_WAKE_CONNECT : PF_WAKE_RESET,
		       NULL, arg);
		woken++;
	}
	if (woken)
		pf_cli_count(st, &(struct pf_cli_counters){ .woken = (__u64)woken });
	for (i = 0; i < 2; i++)
		if (socks.raw[i] >= 0)
			close(socks.raw[i]);
	if (socks.ingress >= 0)
		close(socks.ingress);
	free(conns);
	free(v);
	return n < 0 ? n : woken;
}
