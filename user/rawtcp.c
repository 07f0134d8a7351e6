// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>

#include "rawtcp.h"

#define TCP_MAX_HLEN	60
#define PF_IP_MAX	(40 + TCP_MAX_HLEN)

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static __u16 csum_finish(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

int pf_raw_open(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW), one = 1;

	if (fd < 0)
		return -errno;
	/* IPPROTO_RAW implies our own header for IPv4 only */
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int build_aligned(void *buf, int family, const __be32 *src, const __be32 *dst,
			 const void *tcp, size_t tcp_len);

/* An IP packet carrying tcp from src to dst, both checksums computed;
 * its length, or a negative errno. buf may sit at any offset (behind an
 * Ethernet header): the headers are built aligned, then copied there. */
static int build_packet(void *buf, int family, const __be32 *src, const __be32 *dst,
			const void *tcp, size_t tcp_len)
{
	union { struct iphdr v4; struct ip6_hdr v6; __u8 bytes[PF_IP_MAX]; } pkt;
	int len = build_aligned(&pkt, family, src, dst, tcp, tcp_len);

	if (len > 0)
		memcpy(buf, &pkt, (size_t)len);
	return len;
}

static int build_aligned(void *buf, int family, const __be32 *src, const __be32 *dst,
			 const void *tcp, size_t tcp_len)
{
	size_t iplen = family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	size_t alen = family == AF_INET ? 4 : 16;
	struct tcphdr *th = (struct tcphdr *)((char *)buf + iplen);
	__u32 sum = 0;

	if (tcp_len < sizeof(*th) || tcp_len > TCP_MAX_HLEN)
		return -EINVAL;
	memset(buf, 0, iplen + tcp_len);
	memcpy(th, tcp, tcp_len);
	th->check = 0;
	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	sum += IPPROTO_TCP + (__u32)tcp_len;
	sum = csum_add(sum, th, tcp_len);
	th->check = htons(csum_finish(sum));

	if (family == AF_INET) {
		struct iphdr *ip = buf;

		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->tot_len = htons((__u16)(iplen + tcp_len));
		memcpy(&ip->saddr, src, 4);
		memcpy(&ip->daddr, dst, 4);
		ip->check = htons(csum_finish(csum_add(0, ip, iplen)));
	} else {
		struct ip6_hdr *ip6 = buf;

		ip6->ip6_flow = htonl(6U << 28);
		ip6->ip6_plen = htons((__u16)tcp_len);
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, src, 16);
		memcpy(&ip6->ip6_dst, dst, 16);
	}
	return (int)(iplen + tcp_len);
}

int pf_raw_send(int fd, int family, const __be32 *src, const __be32 *dst, const void *tcp,
		size_t tcp_len, int count)
{
	union { struct iphdr v4; struct ip6_hdr v6; __u8 bytes[PF_IP_MAX]; } pkt;
	struct sockaddr_storage to = {};
	int len = build_packet(&pkt, family, src, dst, tcp, tcp_len), i;

	if (len < 0)
		return len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, &pkt, (size_t)len, 0, (struct sockaddr *)&to,
			   family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0)
			return -errno;
	}
	return 0;
}

int pf_ingress_open(void)
{
	/* return XDP_PASS: the frame goes up the stack of the device it is
	 * run on */
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pf_wake_pass", "Dual BSD/GPL", pass,
			       sizeof(pass) / sizeof(pass[0]), NULL);

	return fd < 0 ? -errno : fd;
}

int pf_ingress_send(int prog_fd, int ifindex, int family, const __be32 *src, const __be32 *dst,
		    const void *tcp, size_t tcp_len)
{
	struct {
		struct ethhdr eth;
		__u8 ip[PF_IP_MAX];
	} __attribute__((packed)) frame = {};
	struct xdp_md ctx = { .ingress_ifindex = (__u32)ifindex };
	struct ifreq ifr = {};
	int len, sock, err = 0;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = &frame, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (ioctl(sock, SIOCGIFHWADDR, &ifr))
		err = -errno;
	close(sock);
	if (err)
		return err;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EPFNOSUPPORT;	/* no MAC header to come in under */
	len = build_packet(frame.ip, family, src, dst, tcp, tcp_len);
	if (len < 0)
		return len;
	/* to the device's own address, so the stack takes it as for this host */
	memcpy(frame.eth.h_dest, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(frame.eth.h_source, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	frame.eth.h_proto = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	run.data_size_in = sizeof(frame.eth) + (__u32)len;
	ctx.data_end = run.data_size_in;
	if (bpf_prog_test_run_opts(prog_fd, &run))
		return -errno;
	return 0;
}

int pf_route_local(int family, const __be32 *addr)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		struct rtattr rta;
		__u8 addr[16];
	} req = {
		.nh.nlmsg_type = RTM_GETROUTE,
		.nh.nlmsg_flags = NLM_F_REQUEST,
		.rt.rtm_family = (__u8)family,
		.rta.rta_type = RTA_DST,
	};
	union { struct nlmsghdr nh; char buf[4096]; } resp;
	size_t alen = family == AF_INET ? 4 : 16;
	struct nlmsghdr *nh = &resp.nh;
	ssize_t n;
	int fd, err = 0;

	req.rt.rtm_dst_len = (__u8)(alen * 8);
	req.rta.rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(req.addr, addr, alen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt)) + RTA_LENGTH(alen);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 || (n = recv(fd, &resp, sizeof(resp), 0)) < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (!NLMSG_OK(nh, (size_t)n))
		return -EPROTO;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		/* no route at all: certainly not local */
		return err == -ENETUNREACH || err == -EHOSTUNREACH ? 0 : err;
	}
	if (nh->nlmsg_type != RTM_NEWROUTE)
		return -EPROTO;
	return ((struct rtmsg *)NLMSG_DATA(nh))->rtm_type == RTN_LOCAL;
}

int pf_raw_tickle(int fd, int family, const __be32 *local, __u16 lport, const __be32 *remote,
		  __u16 rport, int count)
{
	struct tcphdr th = {
		.source = htons(lport),
		.dest = htons(rport),
		.doff = 5,
		.ack = 1,
		.window = htons(1234),
	};

	return pf_raw_send(fd, family, local, remote, &th, sizeof(th), count);
}
