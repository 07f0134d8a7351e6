// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* tcphold: hold TCP connections in the state a failing failover leaves
 * them in, for the demo and the benchmarks.
 *
 *   tcphold server ADDR PORT      accept everything, fill every send queue
 *                                 and keep it full; report sockets reset
 *   tcphold client ADDR PORT N    open N connections, never read
 *   tcphold probe ADDR PORT MS    connect once: exit 0 connected,
 *                                 1 timed out, 2 refused/reset
 *
 * server and client print "connections N" once all are up and a line
 * "reset N" / "closed N" whenever sockets die, so a caller can watch. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static char chunk[65536];

static int endpoint(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)atoi(port));
		*len = sizeof(*in);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)atoi(port));
		*len = sizeof(*in6);
	} else {
		fprintf(stderr, "tcphold: bad address '%s'\n", addr);
		return -1;
	}
	return ss->ss_family;
}

static void raise_fd_limit(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r)) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* The one event loop: accept on lfd (if any), keep every send queue
 * full, and count the sockets that die, saying how. */
static void run(int ep, int lfd, long live)
{
	struct epoll_event ev[256];
	long dead = 0;
	int n, i;

	for (;;) {
		n = epoll_wait(ep, ev, 256, -1);
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd, err = 0;
			socklen_t l = sizeof(err);

			if (fd == lfd) {
				int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				struct epoll_event cev = { .events = EPOLLOUT | EPOLLRDHUP, .data.fd = c };

				if (c >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev))
					live++;
				continue;
			}
			if (ev[i].events & EPOLLOUT) {
				while (send(fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
					;
				if (errno == EAGAIN && !(ev[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)))
					continue;
				if (errno != EAGAIN)
					err = errno;	/* send() consumed the socket error */
			}
			if (!err)
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
			live--;
			printf("%s %ld, %ld left\n", err ? strerror(err) : "closed", ++dead, live);
			fflush(stdout);
		}
	}
}

static int server(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = endpoint(addr, port, &ss, &len), one = 1, lfd, ep;
	if (family < 0)
		return 2;
	lfd = socket(family, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 4096)) {
		perror("tcphold: bind/listen");
		return 1;
	}
	ep = epoll_create1(0);
	struct epoll_event lev = { .events = EPOLLIN, .data.fd = lfd };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
	printf("listening\n");
	fflush(stdout);
	run(ep, lfd, 0);
	return 0;
}

static int client(const char *addr, const char *port, long n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = endpoint(addr, port, &ss, &len), ep = epoll_create1(0), small = 4096;
	long i;

	if (family < 0)
		return 2;
	for (i = 0; i < n; i++) {
		int fd = socket(family, SOCK_STREAM, 0);

		/* a small receive window makes the server's queue fill fast */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
			fprintf(stderr, "tcphold: connection %ld: %s\n", i + 1, strerror(errno));
			return 1;
		}
		struct epoll_event ev = { .events = EPOLLRDHUP, .data.fd = fd };
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	printf("connections %ld\n", n);
	fflush(stdout);
	run(ep, -1, n);
	return 0;
}

static int probe(const char *addr, const char *port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = endpoint(addr, port, &ss, &len), fd, err = 0;
	struct pollfd p;
	socklen_t l = sizeof(err);

	if (family < 0)
		return 3;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		return 2;
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, ms) == 0)
		return 1;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
	return err ? 2 : 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	memset(chunk, 'x', sizeof(chunk));
	if (argc == 4 && !strcmp(argv[1], "server"))
		return server(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "probe"))
		return probe(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: tcphold server ADDR PORT | client ADDR PORT N | probe ADDR PORT MS\n");
	return 3;
}
