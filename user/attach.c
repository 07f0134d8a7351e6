// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "portfence.h"

/* tcx is kernel 6.6's; the build's headers (libbpf 1.1, Linux 6.1 UAPI)
 * may predate it, and the calls below are the same older ones with a new
 * attach type. */
#define PF_BPF_TCX_INGRESS	46
#define PF_BPF_TCX_EGRESS	47
#define PF_BPF_F_BEFORE		(1U << 3)
#define PF_TCX_QUERY_MAX	64

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP		519
#endif

enum point { INGRESS, EGRESS };

static const enum bpf_attach_type tcx_type[] = {
	(enum bpf_attach_type)PF_BPF_TCX_INGRESS, (enum bpf_attach_type)PF_BPF_TCX_EGRESS,
};
static const enum bpf_tc_attach_point tc_point[] = { BPF_TC_INGRESS, BPF_TC_EGRESS };
static const char *const prog_name[] = { PF_PROG_INGRESS, PF_PROG_EGRESS };

/* Ethernet-framed devices, and those whose frames start at the IP header
 * (no header_ops: at tc, skb->data is the network header). Anything else
 * (GRE with its header, InfiniBand, CAN) would be misread: left alone. */
static bool framing_of(int sock, const char *name, enum pf_framing *framing)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr))
		return false;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		*framing = PF_FRAMING_ETHERNET;
		return true;
	case ARPHRD_NONE:	/* tun, WireGuard */
	case ARPHRD_TUNNEL:	/* ipip */
	case ARPHRD_TUNNEL6:	/* ip6tnl */
	case ARPHRD_SIT:
	case ARPHRD_RAWIP:
		*framing = PF_FRAMING_L3;
		return true;
	}
	return false;
}

static bool named(__u32 id, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool same;

	if (fd < 0)
		return false;
	same = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name);
	close(fd);
	return same;
}

/* The first program called ours on the tcx hook; 0 if none (or no tcx). */
static __u32 query_tcx(int ifindex, enum point p)
{
	__u32 ids[PF_TCX_QUERY_MAX], i;
	LIBBPF_OPTS(bpf_prog_query_opts, opts, .prog_ids = ids, .prog_cnt = PF_TCX_QUERY_MAX);
	int err = bpf_prog_query_opts(ifindex, tcx_type[p], &opts);

	if (err && err != -ENOSPC)
		return 0;
	for (i = 0; i < opts.prog_cnt && i < PF_TCX_QUERY_MAX; i++)
		if (named(ids[i], prog_name[p]))
			return ids[i];
	return 0;
}

/* Whatever runs at our clsact handle; 0 if nothing. */
static __u32 query_clsact(int ifindex, enum point p)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = tc_point[p]);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PF_TC_HANDLE, .priority = PF_TC_PRIORITY);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

static __u32 query(int ifindex, enum point p, enum pf_hook *hook)
{
	__u32 id = query_tcx(ifindex, p);

	*hook = PF_HOOK_TCX;
	if (!id) {
		id = query_clsact(ifindex, p);
		*hook = PF_HOOK_CLSACT;
	}
	if (!id)
		*hook = PF_HOOK_NONE;
	return id;
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
		i->fenceable = framing_of(sock, n->if_name, &i->framing);
		if (i->fenceable) {
			i->ingress_id = query(i->ifindex, INGRESS, &i->ingress_hook);
			i->egress_id = query(i->ifindex, EGRESS, &i->egress_hook);
		}
	}
	close(sock);
	if_freenameindex(names);
	*out = list;
	return count;
}

bool pf_tcx_supported(void)
{
	static int known = -1;
	__u32 ids[1];
	LIBBPF_OPTS(bpf_prog_query_opts, opts, .prog_ids = ids, .prog_cnt = 1);
	int err;

	if (known < 0) {
		/* lo is ifindex 1 in every namespace; a kernel without tcx
		 * does not know the attach type (EINVAL) */
		err = bpf_prog_query_opts(1, tcx_type[INGRESS], &opts);
		known = !err || err == -ENOSPC;
	}
	return known;
}

const char *pf_hook_name(enum pf_hook hook)
{
	return hook == PF_HOOK_TCX ? "tcx" : hook == PF_HOOK_CLSACT ? "clsact" : "none";
}

int pf_attach_hook(const struct pf_iface *ifs, int n, enum pf_hook *hook)
{
	const char *want = getenv("PORTFENCE_ATTACH");
	int i;

	/* one fence, one kind of hook: a later interface joins the others */
	for (i = 0; i < n; i++) {
		*hook = ifs[i].ingress_hook != PF_HOOK_NONE ? ifs[i].ingress_hook : ifs[i].egress_hook;
		if (*hook != PF_HOOK_NONE)
			return 0;
	}
	if (!want || !*want) {
		*hook = pf_tcx_supported() ? PF_HOOK_TCX : PF_HOOK_CLSACT;
		return 0;
	}
	*hook = !strcmp(want, "clsact") ? PF_HOOK_CLSACT : PF_HOOK_TCX;
	if (*hook == PF_HOOK_TCX && strcmp(want, "tcx"))
		return -EINVAL;
	if (*hook == PF_HOOK_TCX && !pf_tcx_supported())
		return -EOPNOTSUPP;
	return 0;
}

static __u32 fd_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* tcx: in front of every program already there, so none of them (a
 * TCX_PASS, a redirect) decides before the fence; or in the place of the
 * one it replaces. */
static int attach_tcx(int ifindex, enum point p, int prog_fd, __u32 old_id)
{
	LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = PF_BPF_F_BEFORE);
	int old_fd = -1, err;

	if (old_id) {
		old_fd = bpf_prog_get_fd_by_id(old_id);
		if (old_fd < 0)
			return -errno;
		opts.flags = BPF_F_REPLACE;
		opts.replace_prog_fd = old_fd;
	}
	err = bpf_prog_attach_opts(prog_fd, ifindex, tcx_type[p], &opts);
	if (old_fd >= 0)
		close(old_fd);
	return err;
}

static int attach_clsact(int ifindex, enum point p, int prog_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = tc_point[p]);
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

static int detach(int ifindex, enum point p, enum pf_hook hook, __u32 id)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, tc, .ifindex = ifindex, .attach_point = tc_point[p]);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PF_TC_HANDLE, .priority = PF_TC_PRIORITY);
	int fd, err;

	if (hook == PF_HOOK_CLSACT) {
		err = bpf_tc_detach(&tc, &opts);
	} else if (hook == PF_HOOK_TCX) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return errno == ENOENT ? 0 : -errno;
		err = bpf_prog_detach2(fd, ifindex, tcx_type[p]);
		err = err ? -errno : 0;
		close(fd);
	} else {
		return 0;
	}
	/* gone already: detached by another command, or with its device */
	return err == -ENOENT || err == -EINVAL || err == -ENODEV ? 0 : err;
}

/* One hook of iface onto prog_fd on hook; a program of ours on the other
 * kind of hook is detached once the new one runs, so the fence never
 * lapses. */
static int attach_point(const struct pf_iface *iface, enum point p, enum pf_hook hook,
			int prog_fd)
{
	__u32 have = p == INGRESS ? iface->ingress_id : iface->egress_id;
	enum pf_hook where = p == INGRESS ? iface->ingress_hook : iface->egress_hook;
	int err;

	if (have && have == fd_prog_id(prog_fd) && where == hook)
		return 0;
	if (hook == PF_HOOK_TCX)
		err = attach_tcx(iface->ifindex, p, prog_fd, where == PF_HOOK_TCX ? have : 0);
	else
		err = attach_clsact(iface->ifindex, p, prog_fd);
	if (err || where == hook)
		return err;
	return detach(iface->ifindex, p, where, have);
}

int pf_hook_attach(const struct pf_iface *iface, enum pf_hook hook, int ingress_fd, int egress_fd)
{
	int err = attach_point(iface, INGRESS, hook, ingress_fd);

	return err ? err : attach_point(iface, EGRESS, hook, egress_fd);
}

int pf_hook_detach(const struct pf_iface *iface)
{
	int a = detach(iface->ifindex, INGRESS, iface->ingress_hook, iface->ingress_id);
	int b = detach(iface->ifindex, EGRESS, iface->egress_hook, iface->egress_id);

	return a ? a : b;
}
