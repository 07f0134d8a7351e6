// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "portfence.h"

/* The programs parse an Ethernet header at offset 0; devices without one
 * (tun, wireguard, ip tunnels) would be misread, so they are left alone. */
static bool is_fenceable(int sock, const char *name)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr))
		return false;
	return ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER ||
	       ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK;
}

static __u32 query(int ifindex, enum bpf_tc_attach_point point)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PF_TC_HANDLE, .priority = PF_TC_PRIORITY);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

int pf_ifaces(struct pf_iface **out)
{
	struct if_nameindex *names = if_nameindex(), *n;
	struct pf_iface *list;
	int count = 0, sock;

	if (!names)
		return -errno;
	for (n = names; n->if_index; n++)
		count++;
	list = calloc((size_t)count + 1, sizeof(*list));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!list || sock < 0) {
		free(list);
		if_freenameindex(names);
		if (sock >= 0)
			close(sock);
		return -ENOMEM;
	}
	for (count = 0, n = names; n->if_index; n++, count++) {
		struct pf_iface *i = &list[count];

		i->ifindex = (int)n->if_index;
		snprintf(i->name, sizeof(i->name), "%s", n->if_name);
		i->fenceable = is_fenceable(sock, n->if_name);
		if (i->fenceable) {
			i->ingress_id = query(i->ifindex, BPF_TC_INGRESS);
			i->egress_id = query(i->ifindex, BPF_TC_EGRESS);
		}
	}
	close(sock);
	if_freenameindex(names);
	*out = list;
	return count;
}

static int attach_one(int ifindex, enum bpf_tc_attach_point point, int prog_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PF_TC_HANDLE,
			    .priority = PF_TC_PRIORITY, .prog_fd = prog_fd,
			    .flags = BPF_TC_F_REPLACE);
	int err;

	/* clsact is shared with other tools: create it if missing, never
	 * replace or remove it */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int pf_tc_attach(int ifindex, int ingress_fd, int egress_fd)
{
	int err = attach_one(ifindex, BPF_TC_INGRESS, ingress_fd);

	return err ? err : attach_one(ifindex, BPF_TC_EGRESS, egress_fd);
}

static int detach_one(int ifindex, enum bpf_tc_attach_point point)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PF_TC_HANDLE, .priority = PF_TC_PRIORITY);
	int err = bpf_tc_detach(&hook, &opts);

	return err == -ENOENT || err == -EINVAL ? 0 : err;
}

int pf_tc_detach(int ifindex)
{
	int a = detach_one(ifindex, BPF_TC_INGRESS);
	int b = detach_one(ifindex, BPF_TC_EGRESS);

	return a ? a : b;
}
