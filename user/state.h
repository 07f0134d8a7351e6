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

#include <stdbool.h>
#include <linux/types.h>
#include <net/if.h>

/* An interface running a portfence program (tcx, or our clsact handle). */
struct pf_attached {
	int ifindex;
	char name[IF_NAMESIZE];
	__u32 prog_id;		/* the ingress one, else the egress one */
	__u32 portals_id;	/* map id of the fence table it uses */
};

/* Every such interface of this netns. Returns the count (and *out, to
 * free), or a negative errno. */
int pf_attached_list(struct pf_attached **out);
/* The id of the fence table (map "portals") prog_id uses; 0 if none, or if
 * prog_id is not a portfence program. */
__u32 pf_prog_portals_id(__u32 prog_id);
/* An fd on the map called name that prog_id uses, or a negative errno. */
int pf_prog_map(__u32 prog_id, const char *name);
/* The pinned map name of pin_dir; when its pin is missing, the same map of
 * the portfence programs attached in this netns (*orphaned set, may be
 * NULL), unless they belong to another pin dir that still holds them
 * (-EBUSY: see pf_state_foreign_error). A negative errno when neither
 * exists (-ENOENT). */
int pf_state_map(const char *pin_dir, const char *name, bool *orphaned);
/* Does pin_dir hold no fence table while this netns is fenced from another
 * pin dir that still holds its pins? Its path into owner
 * (PF_OWNER_PATH_MAX bytes), the interface its programs run on into ifname
 * (IF_NAMESIZE bytes, may be NULL). */
bool pf_state_foreign(const char *pin_dir, char *owner, char *ifname);
struct pf_env;
/* Says so, naming both pin dirs, where pf_state_map returned -EBUSY (or
 * pf_state_foreign true); returns -EBUSY. */
int pf_state_foreign_error(const struct pf_env *env);
/* err from pf_state_map (or a read through it) for the map name, reported
 * when it is a refusal: another pin dir's state (-EBUSY, as
 * pf_state_foreign_error) or not permitted (-EACCES, -EPERM). Returns err;
 * any other is left to the caller to report. */
int pf_state_refusal(const struct pf_env *env, int err, const char *name);
/* Do the programs prog_id (on fence table portals_id) belong to a pin dir
 * other than pin_dir that still holds them pinned? Its path into owner
 * (PF_OWNER_PATH_MAX bytes, may be NULL). */
bool pf_owned_elsewhere(__u32 prog_id, __u32 portals_id, const char *pin_dir, char *owner);
/* The id of the map an fd refers to; 0 on error. */
__u32 pf_map_id(int fd);
/* The same, then closes fd; 0 for a negative fd (an error passed on). */
__u32 pf_map_id_close(int fd);

#endif
