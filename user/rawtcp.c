// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>

#include "rawtcp.h"

#define TCP_MAX_HLEN	60

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

int pf_raw_send(int fd, int family, const __be32 *src, const __be32 *dst, const void *tcp,
		size_t tcp_len, int count)
{
	struct {
		union { struct iphdr v4; struct ip6_hdr v6; } ip;
		__u8 tcp[TCP_MAX_HLEN];
	} pkt;
	struct sockaddr_storage to = {};
	size_t iplen = family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	size_t alen = family == AF_INET ? 4 : 16;
	struct tcphdr *th = (struct tcphdr *)((char *)&pkt + iplen);
	__u32 sum = 0;
	int i;

	if (tcp_len < sizeof(*th) || tcp_len > TCP_MAX_HLEN)
		return -EINVAL;
	memset(&pkt, 0, sizeof(pkt));
	memcpy(th, tcp, tcp_len);
	th->check = 0;
	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	sum += IPPROTO_TCP + (__u32)tcp_len;
	sum = csum_add(sum, th, tcp_len);
	th->check = htons(csum_finish(sum));

	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		pkt.ip.v4.version = 4;
		pkt.ip.v4.ihl = 5;
		pkt.ip.v4.ttl = 64;
		pkt.ip.v4.protocol = IPPROTO_TCP;
		pkt.ip.v4.tot_len = htons((__u16)(iplen + tcp_len));
		memcpy(&pkt.ip.v4.saddr, src, 4);
		memcpy(&pkt.ip.v4.daddr, dst, 4);
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
		/* the kernel fills in the IPv4 header checksum */
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;

		pkt.ip.v6.ip6_flow = htonl(6U << 28);
		pkt.ip.v6.ip6_plen = htons((__u16)tcp_len);
		pkt.ip.v6.ip6_nxt = IPPROTO_TCP;
		pkt.ip.v6.ip6_hlim = 64;
		memcpy(&pkt.ip.v6.ip6_src, src, 16);
		memcpy(&pkt.ip.v6.ip6_dst, dst, 16);
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, &pkt, iplen + tcp_len, 0, (struct sockaddr *)&to,
			   family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0)
			return -errno;
	}
	return 0;
}
