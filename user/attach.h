/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The hooks on the netns's interfaces: tcx (kernel 6.6+, programs ordered
 * first) or the clsact qdisc (a tc filter at PF_TC_HANDLE/PF_TC_PRIORITY).
 * Our programs are found by name on tcx and by handle on clsact; nothing
 * else is touched.
 */
#ifndef PF_ATTACH_H
#define PF_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>
#include <net/if.h>

enum pf_hook {
	PF_HOOK_NONE = 0,
	PF_HOOK_CLSACT,
	PF_HOOK_TCX,
};

/* Where a device's frames start: the programs are built for each. */
enum pf_framing {
	PF_FRAMING_ETHERNET = 0,	/* Ethernet, VLAN, bridge, veth, lo */
	PF_FRAMING_L3,			/* no MAC header: ipip, sit, ip6tnl, tun, WireGuard */
	PF_FRAMINGS,
};

struct pf_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	bool fenceable;		/* a framing the programs can parse */
	enum pf_framing framing;
	__u32 ingress_id;	/* prog id of our program on that hook, 0 if none */
	__u32 egress_id;
	enum pf_hook ingress_hook;	/* where it is attached */
	enum pf_hook egress_hook;
};

/* All interfaces of the current netns, our programs queried. Caller frees. */
int pf_ifaces(struct pf_iface **out);

/* Does the running kernel have tcx? */
bool pf_tcx_supported(void);
/* The hook new attachments go to, into *hook: that of the programs already
 * attached (ifs, n), else $PORTFENCE_ATTACH (tcx or clsact), else tcx where
 * the kernel has it. -EINVAL for another $PORTFENCE_ATTACH, -EOPNOTSUPP
 * for tcx asked of a kernel without it. */
int pf_attach_hook(const struct pf_iface *ifs, int n, enum pf_hook *hook);
const char *pf_hook_name(enum pf_hook hook);

/* Attaches the pair on hook, replacing the programs iface runs there
 * (which must be ours). 0 or a negative errno. */
int pf_hook_attach(const struct pf_iface *iface, enum pf_hook hook, int ingress_fd,
		   int egress_fd);
/* Detaches our programs from iface, wherever they are. */
int pf_hook_detach(const struct pf_iface *iface);

#endif
