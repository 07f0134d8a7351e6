/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * portfence's state found by what it is, not only through pins: the
 * programs fence_ingress / fence_egress attached on tcx, or as the tc
 * filters at our clsact handle, and the maps those programs use. Pins can
 * vanish (bpffs unmounted, files removed, a command run in another mount
 * namespace) while the attachments keep programs and maps alive and the
 * fence in force: it must stay reachable then.
 */
#ifndef PF_STATE_H
#define PF_STATE_H

#include <errno.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <net/if.h>

/* An interface running a portfence program (tcx, or our clsact handle). */
struct pf_attached {
	int ifindex;
	char name[IF_NAMESIZE];
	__u32 prog_id;		/* the ingress one, else the egress one */
	__u32 portals_id;	/* map id of the fence table it uses */
};

/* The id of the fence table (map "portals") prog_id uses; 0 if none, or if
 * prog_id is not a portfence program. */
__u32 pf_prog_portals_id(__u32 prog_id);
/* An fd on the map called name that prog_id uses, or a negative errno. */
int pf_prog_map(__u32 prog_id, const char *name);

/*
 * The state one command works on: its pin dir, what is pinned there or,
 * pins lost, attached in this netns. Resolved on demand and once: a map's
 * fd is opened the first time it is asked for and kept (the handle owns
 * it: callers never close it), the interfaces are scanned at most once.
 * What changes the pins (load, unload, upgrade, adoption) resets it.
 */
#define PF_STATE_MAPS	16

struct pf_env;

struct pf_state_fd {
	char name[BPF_OBJ_NAME_LEN];	/* "": a free slot */
	int fd;			/* or the negative errno it was opened with */
	bool orphaned;		/* found through the attached programs */
};

struct pf_state {
	const struct pf_env *env;	/* the command: its pin dir, its messages */
	const char *pin_dir;
	struct pf_state_fd maps[PF_STATE_MAPS];
	struct pf_attached *attached;	/* NULL until scanned */
	int nattached;			/* or the scan's negative errno */
	int layout;			/* pf_layout_version's, once read */
	const char *differs;		/* pf_layout_differs', once read */
	bool layout_read, differs_read;
};

/* A handle on env's pin dir; resolves nothing yet. */
void pf_state_init(struct pf_state *st, const struct pf_env *env);
/* Forgets (and closes) everything resolved: the pins have changed. */
void pf_state_reset(struct pf_state *st);
/* The pinned map name or, when its pin is missing, the same map of the
 * portfence programs attached in this netns (*orphaned set, may be NULL),
 * unless they belong to another pin dir that still holds them (-EBUSY: see
 * pf_state_foreign_error). A negative errno when neither exists (-ENOENT).
 * The fd is the handle's. */
int pf_state_map(struct pf_state *st, const char *name, bool *orphaned);
/* The portfence programs attached in this netns, scanned once: the count
 * and *list (the handle's), or a negative errno. */
int pf_state_attached(struct pf_state *st, const struct pf_attached **list);
/* Does the pin dir hold no fence table while this netns is fenced from
 * another pin dir that still holds its pins? Its path into owner
 * (PF_OWNER_PATH_MAX bytes, may be NULL), the interface its programs run
 * on into ifname (IF_NAMESIZE bytes, may be NULL). */
bool pf_state_foreign(struct pf_state *st, char *owner, char *ifname);
/* Says so, naming both pin dirs, where pf_state_map returned -EBUSY (or
 * pf_state_foreign true); returns -EBUSY. */
int pf_state_foreign_error(struct pf_state *st);
/* err from pf_state_map (or a read through it) for the map name, reported
 * when it is a refusal: another pin dir's state (-EBUSY, as
 * pf_state_foreign_error) or not permitted (-EACCES, -EPERM). Returns err;
 * any other is left to the caller to report. */
int pf_state_refusal(struct pf_state *st, int err, const char *name);
/* pf_state_map, a refusal said (pf_state_refusal): for readers that show
 * a map that is not there as empty. The fd is the handle's. */
int pf_state_open_map(struct pf_state *st, const char *name);
/* Is err one pf_state_refusal speaks for: not permitted, or another pin
 * dir's state? */
static inline bool pf_is_refusal(int err)
{
	return err == -EACCES || err == -EPERM || err == -EBUSY;
}
/* Do the programs prog_id (on fence table portals_id) belong to a pin dir
 * other than st's that still holds them pinned? Its path into owner
 * (PF_OWNER_PATH_MAX bytes, may be NULL). */
bool pf_owned_elsewhere(const struct pf_state *st, __u32 prog_id, __u32 portals_id, char *owner);
/* The id of the map an fd refers to; 0 on error. */
__u32 pf_map_id(int fd);
/* The same, then closes fd; 0 for a negative fd (an error passed on). */
__u32 pf_map_id_close(int fd);

#endif
