/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* tc clsact hooks on the netns's interfaces (libbpf bpf_tc_*). Our filter
 * is identified by PF_TC_HANDLE/PF_TC_PRIORITY; nothing else is touched. */
#ifndef PF_ATTACH_H
#define PF_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>
#include <net/if.h>

struct pf_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	bool fenceable;		/* Ethernet-framed: Ethernet, VLAN, bridge, veth, lo */
	__u32 ingress_id;	/* prog id of our filter, 0 if none */
	__u32 egress_id;
};

/* All interfaces of the current netns, our filters queried. Caller frees. */
int pf_ifaces(struct pf_iface **out);
int pf_tc_attach(int ifindex, int ingress_fd, int egress_fd);
int pf_tc_detach(int ifindex);

#endif
