// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "portal.h"
#include "sockdiag.h"

struct diag_request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
};

static int diag_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	return fd < 0 ? -errno : fd;
}

static void conn_from_msg(const struct inet_diag_msg *m, struct pf_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->family = m->idiag_family;
	c->state = m->idiag_state;
	c->local_port = m->id.idiag_sport;
	c->remote_port = m->id.idiag_dport;
	memcpy(c->local_addr, m->id.idiag_src, sizeof(c->local_addr));
	memcpy(c->remote_addr, m->id.idiag_dst, sizeof(c->remote_addr));
	memcpy(c->cookie, m->id.idiag_cookie, sizeof(c->cookie));
	c->ifindex = m->id.idiag_if;
}

/* One dump of one family, appended to *list. */
static int dump_family(int fd, int family, __u32 states, struct pf_conn **list, int *n, int *cap)
{
	struct diag_request r = {
		.nlh = {
			.nlmsg_len = sizeof(r),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.req = {
			.sdiag_family = (__u8)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = states,
		},
	};
	static char buf[32768];

	if (send(fd, &r, sizeof(r), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			if (*n == *cap) {
				struct pf_conn *grown;

				*cap = *cap ? *cap * 2 : 256;
				grown = realloc(*list, (size_t)*cap * sizeof(**list));
				if (!grown)
					return -ENOMEM;
				*list = grown;
			}
			conn_from_msg(NLMSG_DATA(h), &(*list)[(*n)++]);
		}
	}
}

int pf_diag_list(__u32 states, struct pf_conn **out)
{
	int fd = diag_socket(), n = 0, cap = 0, err;

	*out = NULL;
	if (fd < 0)
		return fd;
	err = dump_family(fd, AF_INET, states, out, &n, &cap);
	if (!err)
		err = dump_family(fd, AF_INET6, states, out, &n, &cap);
	close(fd);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	return n;
}

int pf_diag_destroy(const struct pf_conn *c)
{
	struct diag_request r = {
		.nlh = {
			.nlmsg_len = sizeof(r),
			.nlmsg_type = SOCK_DESTROY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.req = {
			.sdiag_family = (__u8)c->family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = ~0U,
			.id = {
				.idiag_sport = c->local_port,
				.idiag_dport = c->remote_port,
				.idiag_if = c->ifindex,
			},
		},
	};
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd = diag_socket(), err = -EIO;
	ssize_t len;

	if (fd < 0)
		return fd;
	memcpy(r.req.id.idiag_src, c->local_addr, sizeof(c->local_addr));
	memcpy(r.req.id.idiag_dst, c->remote_addr, sizeof(c->remote_addr));
	memcpy(r.req.id.idiag_cookie, c->cookie, sizeof(c->cookie));
	if (send(fd, &r, sizeof(r), 0) < 0) {
		err = -errno;
	} else {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
		    h->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(fd);
	return err;
}

/* A destroy of a socket that cannot exist answers ENOENT where the kernel
 * supports SOCK_DESTROY, EOPNOTSUPP where it was not built in. */
bool pf_diag_destroy_supported(void)
{
	struct pf_conn none = { .family = AF_INET, .local_port = htons(1), .remote_port = htons(1),
				.cookie = { 0xffffffff, 0xffffffff } };

	return pf_diag_destroy(&none) == -ENOENT;
}

int pf_conn_unmap(struct pf_conn *c)
{
	int family = pf_unmap_v4(c->family, c->local_addr);

	if (family != c->family)
		pf_unmap_v4(c->family, c->remote_addr);
	c->family = family;
	return family;
}

bool pf_conn_held(const struct pf_conn *conns, int n, int family, const __be32 *local_addr,
		  __be16 local_port, const __be32 *remote_addr, __be16 remote_port)
{
	int i;

	for (i = 0; i < n; i++) {
		struct pf_conn c = conns[i];

		if (pf_conn_unmap(&c) == family && c.local_port == local_port &&
		    c.remote_port == remote_port &&
		    !memcmp(c.local_addr, local_addr, sizeof(c.local_addr)) &&
		    !memcmp(c.remote_addr, remote_addr, sizeof(c.remote_addr)))
			return true;
	}
	return false;
}
