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
 *    arrived: sent to the local portal address from the peer's, it comes
 *    in through lo, the listener answers the peer's pending connect() with
 *    a SYN-ACK (or the stack refuses it with an RST when nothing listens;
 *    either way the peer stops waiting);
 *  - a peer holding a connection this node does not have gets an RST at
 *    exactly the sequence number it expects (the last ACK it sent), which
 *    it accepts at once (RFC 5961).
 *
 * Anyone can knock with a spoofed source: the cost is one packet toward
 * that address when the portal opens, never toward a local address, never
 * more than one per recorded peer.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfclock.h"
#include "pins.h"
#include "rawtcp.h"
#include "sockdiag.h"
#include "state.h"
#include "wake.h"

struct knock_entry {
	struct pf_knock_key key;
	struct pf_knock knock;
};

/* The knocks of portal (all with portal NULL); with removed, only those
 * recorded against one of its entries, which the caller just removed. */
static int collect(int fd, const struct pf_portal *portal, bool removed,
		   struct knock_entry **out)
{
	struct pf_knock_key key, next, *prev = NULL;
	struct knock_entry *v = NULL, *grown;
	int n = 0, cap = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct pf_knock knock;
		struct pf_portal_key pk;
		__u16 port = ntohs(next.local_port);

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &knock))
			continue;	/* gone meanwhile (LRU) */
		if (portal && (!pf_portal_has_port(portal, port) ||
			       !pf_addr_contains(&portal->addr, key.family, key.local_addr)))
			continue;
		if (removed) {
			pf_portal_key(portal, port, &pk);
			if (knock.counters_id != pf_counters_id(&pk))
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(v, (size_t)cap * sizeof(*v));
			if (!grown) {
				free(v);
				return -ENOMEM;
			}
			v = grown;
		}
		v[n].key = key;
		v[n++].knock = knock;
	}
	*out = v;
	return n;
}

int pf_knocks_each(const char *pin_dir, const struct pf_portal *portal,
		   void (*fn)(const struct pf_knock_key *, const struct pf_knock *, void *),
		   void *arg)
{
	struct knock_entry *v = NULL;
	int fd = pf_state_map(pin_dir, PF_PIN_KNOCKS, NULL), n, i;

	if (fd < 0)
		return fd;
	n = collect(fd, portal, false, &v);
	close(fd);
	for (i = 0; i < n; i++)
		fn(&v[i].key, &v[i].knock, arg);
	free(v);
	return n;
}

static bool is_local(const struct ifaddrs *ifs, int family, const __be32 *addr)
{
	for (; ifs; ifs = ifs->ifa_next) {
		const struct sockaddr *sa = ifs->ifa_addr;

		if (!sa || sa->sa_family != family)
			continue;
		if (family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, addr, 4))
			return true;
		if (family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr, 16))
			return true;
	}
	return false;
}

/* Does this node hold a connection with the knock's four-tuple? */
static bool held(const struct pf_conn *conns, int n, const struct pf_knock_key *k)
{
	int i;

	for (i = 0; i < n; i++) {
		struct pf_conn c = conns[i];
		int family = pf_conn_unmap(&c);

		if (family == k->family && c.local_port == k->local_port &&
		    c.remote_port == k->remote_port &&
		    !memcmp(c.local_addr, k->local_addr, sizeof(c.local_addr)) &&
		    !memcmp(c.remote_addr, k->remote_addr, sizeof(c.remote_addr)))
			return true;
	}
	return false;
}

/* Still fenced toward us by another entry (a wider one, or the same
 * portal fenced again)? Then the knock waits for that entry's unblock. */
static bool still_fenced(int portals_fd, int knocks_fd, struct knock_entry *e)
{
	struct pf_portal_key pk;
	struct pf_policy policy;

	pf_endpoint_key(IPPROTO_TCP, e->key.family, e->key.local_addr, e->key.local_port, &pk);
	if (bpf_map_lookup_elem(portals_fd, &pk, &policy) || !(policy.direction & PF_DIR_IN))
		return false;
	e->knock.counters_id = policy.counters_id;
	bpf_map_update_elem(knocks_fd, &e->key, &e->knock, BPF_EXIST);
	return true;
}

static int send_wake(int raw_fd, const struct knock_entry *e)
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
		return pf_raw_send(raw_fd, e->key.family, e->key.remote_addr, e->key.local_addr,
				   k->tcp, k->tcp_len, 1);
	return pf_raw_send(raw_fd, e->key.family, e->key.local_addr, e->key.remote_addr, &rst,
			   sizeof(rst), 1);
}

static void count_woken(const char *pin_dir, __u64 n)
{
	int fd = pf_state_map(pin_dir, PF_PIN_CLI_STATS, NULL);
	long page = sysconf(_SC_PAGESIZE);
	struct pf_cli_counters *c;

	if (fd < 0)
		return;
	c = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c != MAP_FAILED) {
		__atomic_fetch_add(&c->woken, n, __ATOMIC_RELAXED);
		munmap(c, (size_t)page);
	}
	close(fd);
}

/* A SYN seen this long ago belongs to a connect() that gave up (Linux
 * retries a SYN for 127 s by default): replaying it would only draw an RST
 * from the peer. */
#define SYN_KNOCK_MAX_AGE_NS	(130ULL * 1000000000ULL)

static bool gave_up(const struct pf_knock *k)
{
	return k->kind == PF_KNOCK_SYN && pf_bpf_now_ns() - k->seen > SYN_KNOCK_MAX_AGE_NS;
}

int pf_wake(const char *pin_dir, const struct pf_portal *portal, bool send, pf_wake_report report,
	    void *arg)
{
	struct knock_entry *v = NULL;
	struct pf_conn *conns = NULL;
	struct ifaddrs *ifs = NULL;
	int knocks_fd, portals_fd, raw_fd[2] = { -1, -1 }, n, nconns = 0, i, woken = 0, err;

	knocks_fd = pf_state_map(pin_dir, PF_PIN_KNOCKS, NULL);
	if (knocks_fd < 0)
		return knocks_fd == -ENOENT ? 0 : knocks_fd;
	portals_fd = pf_state_map(pin_dir, PF_PIN_PORTALS, NULL);
	n = portals_fd < 0 ? portals_fd : collect(knocks_fd, portal, true, &v);
	if (n > PF_WAKE_MAX)
		n = PF_WAKE_MAX;	/* the rest stay recorded; the next unblock has them */
	if (n > 0 && send) {
		nconns = pf_diag_list(PF_CONN_STATES, &conns);
		if (nconns < 0)
			nconns = 0;	/* cannot tell: a held connection may get an RST */
		if (getifaddrs(&ifs))
			ifs = NULL;
	}
	for (i = 0; i < n; i++) {
		struct knock_entry *e = &v[i];
		int *fd = &raw_fd[e->key.family == AF_INET6];

		if (still_fenced(portals_fd, knocks_fd, e))
			continue;
		bpf_map_delete_elem(knocks_fd, &e->key);
		if (!send)
			continue;	/* forgotten: a later unblock must not wake it */
		if (gave_up(&e->knock)) {
			report(&e->key, PF_WAKE_SKIPPED, "its connect gave up", arg);
			continue;
		}
		if (is_local(ifs, e->key.family, e->key.remote_addr)) {
			report(&e->key, PF_WAKE_SKIPPED, "a local address", arg);
			continue;
		}
		if (held(conns, nconns, &e->key)) {
			report(&e->key, PF_WAKE_SKIPPED, "connection held here", arg);
			continue;
		}
		if (*fd < 0)
			*fd = pf_raw_open(e->key.family);
		err = *fd < 0 ? *fd : send_wake(*fd, e);
		if (err) {
			report(&e->key, PF_WAKE_SKIPPED, strerror(-err), arg);
			continue;
		}
		report(&e->key, e->knock.kind == PF_KNOCK_SYN ? PF_WAKE_CONNECT : PF_WAKE_RESET,
		       NULL, arg);
		woken++;
	}
	if (woken)
		count_woken(pin_dir, (__u64)woken);
	for (i = 0; i < 2; i++)
		if (raw_fd[i] >= 0)
			close(raw_fd[i]);
	if (ifs)
		freeifaddrs(ifs);
	free(conns);
	free(v);
	if (portals_fd >= 0)
		close(portals_fd);
	close(knocks_fd);
	return n < 0 ? n : woken;
}
