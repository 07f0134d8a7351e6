/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Resetting, as a portal opens here, the peers another node held on it
 * (peer_store.h): a node that died told its initiators nothing, and their
 * retransmissions toward it back off for seconds. Each is sent a tickle
 * ACK (seq 0, ack 0) from the portal; the peer answers with an ACK of its
 * own, which this node, holding no such connection, answers with an RST
 * at exactly the sequence the peer expects. */
#ifndef PF_PEER_RESET_H
#define PF_PEER_RESET_H

#include "peer_store.h"

struct pf_state;

struct pf_reset_peer {
	struct pf_stored_peer p;
	const char *skipped;	/* why it is left alone; NULL: it is reset */
};

struct pf_reset_plan {
	struct pf_reset_peer *v;
	int n;
};

/* The peers of portal in the store dir, each with whether it is reset: a
 * peer with a local address is not, nor one whose local end is not a local
 * address now (this node never speaks for an address it does not hold),
 * nor one holding a connection with this node on that four-tuple. 0 or a
 * negative errno (reported). */
int pf_reset_plan(const struct pf_env *env, const char *dir, const struct pf_portal *portal,
		  struct pf_reset_plan *plan);
/* How many of the plan's peers reset have local port port. */
unsigned int pf_reset_plan_count(const struct pf_reset_plan *plan, __u16 port);
void pf_reset_plan_free(struct pf_reset_plan *plan);

typedef void (*pf_reset_report)(const struct pf_reset_peer *peer, const char *error, void *arg);

/* Sends the first round at once, reporting each peer (error: why a tickle
 * could not be sent), and adds those sent to st's peers_reset counter. The
 * rounds at PF_RESET_ROUNDS_MS go on in a child process of their own,
 * which exits within about a second: a peer whose ARP cache still names
 * the dead node answers the first tickle toward it. Returns how many were
 * sent. */
int pf_reset_send(struct pf_state *st, struct pf_reset_plan *plan, pf_reset_report report,
		  void *arg);

#endif
