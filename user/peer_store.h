/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The peers other nodes hold: a directory the cluster daemon keeps, one
 * file per other node, named after the node and replaced whole (renamed
 * into place), each line "local<TAB>remote" of a connection that node
 * has established on one of its open portals (the tickle file format).
 * The node taking a portal over reads it to reset those peers. */
#ifndef PF_PEER_STORE_H
#define PF_PEER_STORE_H

#include <limits.h>
#include "cli.h"
#include "portal.h"
#include "tickle_file.h"

#define PF_PEERS_DIR_DEFAULT	"/run/portfence/peers"

struct pf_stored_peer {
	struct pf_tickle t;
	char node[NAME_MAX + 1];	/* the file it was listed in */
};

/* The peers of every file in dir whose local end is on portal (its address
 * contains the local address, a wildcard every address; the local port is
 * one of its ports), each four-tuple once. A missing dir holds none. A
 * file that is not a regular file, not owned by root, or not a valid
 * tickle file is skipped with a warning naming it; names starting with '.'
 * (a file being written) are skipped silently. Returns the count (*out to
 * free), or -ENOMEM (reported). */
int pf_peer_store_read(const struct pf_env *env, const char *dir, const struct pf_portal *portal,
		       struct pf_stored_peer **out);

#endif
