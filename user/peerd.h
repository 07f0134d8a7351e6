/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* portfence-peerd: publishes the established peers of this node's portals
 * to the other members of a corosync CPG group, and keeps each other
 * member's last list in a store directory, kept when that member dies
 * (docs/reference.md, Peer publishing). */
#ifndef PF_PEERD_H_USER
#define PF_PEERD_H_USER

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define PEERD_PORTALS_MAX	16
/* Peers kept per portal by default (as many as a wake takes). */
#define PEERD_PEERS_DEFAULT	4096
/* Peers of one node, all portals: bounds the message (40 bytes a peer,
 * about 640 KiB, which corosync's CPG fragments and delivers whole). */
#define PEERD_NODE_PEERS_MAX	16384

struct peerd_portal {
	int family;
	__be32 addr[4];
	__u16 port;
};

/* One connection as published: network order, v4 in addr[0]. */
struct peerd_peer {
	__u8 family;
	__u8 pad[3];
	__be32 laddr[4];
	__be32 raddr[4];
	__be16 lport, rport;
};
_Static_assert(sizeof(struct peerd_peer) == 40, "the wire's peer is 40 bytes");

struct peerd_list {
	unsigned int n, cap;
	__u32 dropped;		/* connections past the bounds, not listed */
	struct peerd_peer *peers;
};

struct peerd_counters {
	uint64_t events, events_lost, scans, published, publish_retries;
	uint64_t deltas, dropped, received, rejected, deltas_unbased, resync_fixes;
};

/* peerd_scan.c: this node's established peers of the portals, sorted,
 * at most max_per_portal a portal. 0 or a negative errno. */
int peerd_scan(const struct peerd_portal *portals, int nportals, unsigned int max_per_portal,
	       struct peerd_list *out);
bool peerd_list_equal(const struct peerd_list *a, const struct peerd_list *b);
/* The portal (index) a connection's local end is on, or -1. */
int peerd_portal_of(const struct peerd_portal *portals, int n, int family, const __be32 *laddr,
		    __be16 lport);
/* One peer into or out of the sorted list: 1 changed, 0 already so,
 * -ENOSPC (add) past the bounds (then counted in dropped), -ENOMEM. */
int peerd_list_add(struct peerd_list *l, const struct peerd_peer *p, unsigned int in_portal,
		   unsigned int max_per_portal);
int peerd_list_del(struct peerd_list *l, const struct peerd_peer *p);
void peerd_list_free(struct peerd_list *l);

/* The changes from old to new (both sorted) into add and del. */
int peerd_list_diff(const struct peerd_list *old, const struct peerd_list *new,
		    struct peerd_list *add, struct peerd_list *del);

/* peerd_wire.c: a message is one node's whole list (full), or the changes
 * since its previous message (a delta: add, del). */
struct peerd_msg {
	bool delta;
	__u32 dropped;
	uint64_t seq;
	struct peerd_list add, del;	/* full: the list in add */
};
/* del NULL: a full message of add. */
int peerd_encode(const struct peerd_list *add, const struct peerd_list *del, __u32 dropped,
		 uint64_t seq, void **buf, size_t *len);
/* 0, or -EINVAL for a message that is not well-formed. */
int peerd_decode(const void *buf, size_t len, struct peerd_msg *out);
void peerd_msg_free(struct peerd_msg *m);

/* peerd_store.c */
int peerd_store_open(const char *dir);
/* The list as the store's file holds it (to free), its length in *len. */
char *peerd_store_text(const struct peerd_list *l, size_t *len);
/* The file of node name (a safe file name) replaced by the list. */
int peerd_store_write(const char *dir, const char *name, const struct peerd_list *l);
/* A name usable as a file name in the store: name itself, or the nodeid
 * in decimal when name is empty or not a plain file name. */
void peerd_store_name(const char *name, uint32_t nodeid, char *buf, size_t n);
int peerd_state_write(const char *path, const char *text);

/* peerd_watch.c: the BPF wake-up (bpf/peerd.bpf.c). */
struct peerd_event;
typedef void (*peerd_event_fn)(void *ctx, const struct peerd_event *ev);
struct peerd_watch;
int peerd_watch_open(const struct peerd_portal *portals, int nportals, peerd_event_fn fn,
		     void *ctx, struct peerd_watch **w);
int peerd_watch_fd(struct peerd_watch *w);
/* Drains the events (fn for each): how many arrived, *lost_moved when
 * some were lost (the ring buffer was full). */
int peerd_watch_drain(struct peerd_watch *w, bool *lost_moved, uint64_t *lost);
void peerd_watch_close(struct peerd_watch *w);

/* peerd_cpg.c */
struct peerd_cpg_ops {
	void (*deliver)(void *ctx, uint32_t nodeid, const void *msg, size_t len);
	/* joined: someone (maybe this node) joined; members: count now. */
	void (*confchg)(void *ctx, bool joined, size_t members, const uint32_t *left, size_t nleft);
};
struct peerd_cpg;
int peerd_cpg_open(const char *group, const struct peerd_cpg_ops *ops, void *ctx,
		   struct peerd_cpg **c);
int peerd_cpg_fd(struct peerd_cpg *c);
uint32_t peerd_cpg_nodeid(struct peerd_cpg *c);
/* 0, or -EAGAIN (flow control: try again), or another negative errno. */
int peerd_cpg_send(struct peerd_cpg *c, const void *msg, size_t len);
int peerd_cpg_dispatch(struct peerd_cpg *c);
/* Corosync's name of nodeid (nodelist), or "" when it has none. */
void peerd_cpg_node_name(struct peerd_cpg *c, uint32_t nodeid, char *buf, size_t n);
void peerd_cpg_close(struct peerd_cpg *c);

#endif
