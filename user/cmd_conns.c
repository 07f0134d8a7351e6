// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence conns | tickle: the portblock tickle mechanism. conns lists a
 * portal's established connections in the tickle file format; tickle sends
 * each remote end an ACK with seq 0 / ack 0 "from" the local end, which the
 * peer answers with a duplicate ACK; the node now owning the address has no
 * such socket and resets it, so the peer reconnects at once. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bpfclock.h"
#include "emit.h"
#include "map_walk.h"
#include "options.h"
#include "output.h"
#include "rawtcp.h"
#include "sockdiag.h"
#include "state.h"
#include "tickle_file.h"
#include "wake.h"

#define TCP_ESTABLISHED_STATE 1

/* A connection, or a peer that knocked, as conns shows it. */
struct conn_row {
	char local[64], remote[64];
	const char *kind;	/* knocks: "syn" or "segment" */
	__u64 age_ms;		/* knocks: since it was seen */
};

struct rows {
	void *v;		/* struct conn_row[] */
	size_t n, cap;
	__u64 now;
	bool oom;
};

static struct conn_row *row_add(struct rows *r)
{
	struct conn_row *row = r->oom ? NULL : pf_map_walk_slot(&r->v, &r->cap, r->n, sizeof(*row));

	if (!row) {
		r->oom = true;
		return NULL;
	}
	r->n++;
	return row;
}

static void read_knock(const struct pf_knock_key *k, const struct pf_knock *knock, void *arg)
{
	struct rows *r = arg;
	struct conn_row *row = row_add(r);

	if (!row)
		return;
	pf_format_endpoint(k->family, k->local_addr, ntohs(k->local_port), row->local,
			   sizeof(row->local));
	pf_format_endpoint(k->family, k->remote_addr, ntohs(k->remote_port), row->remote,
			   sizeof(row->remote));
	row->kind = knock->kind == PF_KNOCK_SYN ? "syn" : "segment";
	row->age_ms = r->now > knock->seen ? (r->now - knock->seen) / 1000000 : 0;
}

/* A document of rows: each its local and remote end, and with knocked
 * its kind and age. */
static void emit_rows(FILE *f, const struct rows *r, bool knocked)
{
	const struct conn_row *v = r->v;
	struct pf_emit e;
	size_t i;

	pf_emit_init(&e, f);
	pf_emit_array_begin(&e, NULL, PF_EMIT_INLINE);
	for (i = 0; i < r->n; i++) {
		pf_emit_object_begin(&e, NULL);
		pf_emit_string(&e, "local", v[i].local);
		pf_emit_string(&e, "remote", v[i].remote);
		if (knocked) {
			pf_emit_string(&e, "kind", v[i].kind);
			pf_emit_uint(&e, "age_ms", v[i].age_ms);
		}
		pf_emit_object_end(&e);
	}
	pf_emit_array_end(&e);
}

/* The peers recorded while the portal was fenced, which unblock will wake. */
static int list_knocked(const struct pf_env *env, const struct pf_portal_args *pa, bool json)
{
	struct rows r = {};
	const struct conn_row *v;
	size_t i;
	int n;

	r.now = pf_bpf_now_ns();
	n = pf_knocks_each(env->state, pa->ports ? &pa->portal : NULL, read_knock, &r);
	if (r.oom) {
		free(r.v);
		return pf_error(env, -ENOMEM, "out of memory");
	}
	v = r.v;
	if (json)
		emit_rows(stdout, &r, true);
	else
		for (i = 0; i < r.n; i++)
			printf("%s\t%s\t%s\t%llums\n", v[i].local, v[i].remote, v[i].kind,
			       (unsigned long long)v[i].age_ms);
	free(r.v);
	if (pf_is_refusal(n))
		return pf_state_refusal(env->state, n, PF_PIN_KNOCKS);
	if (n < 0 && n != -ENOENT)
		return pf_error(env, pf_runtime_errno(n), "cannot read '%s/%s': %s", env->pin_dir,
				PF_PIN_KNOCKS, strerror(-n));
	return 0;
}

/* The connections whose local end is the portal, into r. */
static int read_conns(const struct pf_portal_args *pa, const struct pf_conn *conns, int n,
		      struct rows *r)
{
	struct conn_row *row;
	int i;

	for (i = 0; i < n; i++) {
		struct pf_conn c = conns[i];
		int family = pf_conn_unmap(&c);

		if (!pf_addr_contains(&pa->portal.addr, family, c.local_addr))
			continue;
		if (pa->ports && !pf_portal_has_port(&pa->portal, ntohs(c.local_port)))
			continue;
		row = row_add(r);
		if (!row)
			return -ENOMEM;
		pf_format_endpoint(family, c.local_addr, ntohs(c.local_port), row->local,
				   sizeof(row->local));
		pf_format_endpoint(family, c.remote_addr, ntohs(c.remote_port), row->remote,
				   sizeof(row->remote));
	}
	return 0;
}

struct conns_out {
	const struct rows *rows;
	bool json;
};

/* The portal's connections, as a tickle file (or JSON). */
static int print_conns(FILE *f, void *arg)
{
	const struct conns_out *o = arg;
	const struct conn_row *v = o->rows->v;
	size_t i;

	if (o->json)
		emit_rows(f, o->rows, false);
	else
		for (i = 0; i < o->rows->n; i++)
			fprintf(f, "%s\t%s\n", v[i].local, v[i].remote);
	return ferror(f) ? -EIO : 0;
}

struct conns_args {
	struct pf_portal_args pa;
	bool json, knocked;
	const char *output;
};

static int cmd_conns(struct pf_env *env, const void *args)
{
	const struct conns_args *a = args;
	const struct pf_portal_args *pa = &a->pa;
	const char *output = a->output;
	struct pf_conn *conns = NULL;
	struct rows rows = {};
	struct conns_out out;
	int rc, n;

	if (a->knocked)
		return pf_exit_code(list_knocked(env, pa, a->json));
	n = pf_diag_list(1U << TCP_ESTABLISHED_STATE, &conns);
	if (n < 0) {
		return pf_error(env, n == -EPERM ? PF_EXIT_PERM : PF_EXIT_FAIL,
			       "cannot list sockets: %s", strerror(-n));
	}
	rc = read_conns(pa, conns, n, &rows);
	free(conns);
	if (rc) {
		free(rows.v);
		return pf_error(env, PF_EXIT_FAIL, "out of memory");
	}
	out = (struct conns_out){ &rows, a->json };
	rc = output ? pf_write_file(output, print_conns, &out) : print_conns(stdout, &out);
	if (rc)
		rc = pf_error(env, PF_EXIT_FAIL, "cannot write '%s': %s", output ? output : "stdout",
			     strerror(-rc));
	free(rows.v);
	return rc;
}

static const struct pf_option conns_options[] = {
	PF_OPTION(struct conns_args, pa, "ip", PF_OPT_IP, "A[/LEN]",
		  "local address or prefix (none: every address)", 0),
	PF_OPTION(struct conns_args, pa, "port", PF_OPT_PORT, "P",
		  "local port, list or range (none: every port)", 0),
	PF_OPTION(struct conns_args, json, "json", PF_OPT_FLAG, NULL, "print JSON", 0),
	PF_OPTION(struct conns_args, knocked, "knocked", PF_OPT_FLAG, NULL,
		  "the peers that knocked while the portal was fenced", 0),
	PF_OPTION(struct conns_args, output, "output", PF_OPT_STRING, "FILE",
		  "write FILE whole or not at all, never through a link", 0),
	{}
};

static const struct conns_args conns_defaults = { .pa.portal.proto = IPPROTO_TCP };

const struct pf_command pf_cmd_conns = {
	.name = "conns",
	.summary = "established TCP connections of a portal",
	.description =
		"Established TCP connections whose local end is the portal, one\n"
		"'local<TAB>remote' line each (portblock's tickle file format).\n"
		"With --knocked: the peers that knocked while it was fenced, which\n"
		"unblock wakes, 'local<TAB>remote<TAB>syn|segment<TAB>AGE' each.\n"
		"--output FILE writes the connections to FILE whole or not at all, never\n"
		"through a link planted there (a tickle_dir others can write to).\n",
	.options = conns_options,
	.args_size = sizeof(struct conns_args),
	.defaults = &conns_defaults,
	.run = cmd_conns,
};

/* One ACK with seq 0, ack 0 from local to remote. */
static int send_tickle(int family, const struct pf_addr *local, __u16 lport,
		       const struct pf_addr *remote, __u16 rport, int count)
{
	int fd = pf_raw_open(family), err;

	if (fd < 0)
		return fd;
	err = pf_raw_tickle(fd, family, local->a, lport, remote->a, rport, count);
	close(fd);
	return err;
}

static int tickle_one(const struct pf_env *env, const struct pf_tickle *t, int count)
{
	char l[64], r[64];
	int err;

	pf_format_endpoint(t->local.family, t->local.a, t->lport, l, sizeof(l));
	pf_format_endpoint(t->remote.family, t->remote.a, t->rport, r, sizeof(r));
	if (t->local.family != t->remote.family)
		return pf_error(env, -EINVAL, "'%s' and '%s' are of different families", l, r);
	err = send_tickle(t->local.family, &t->local, t->lport, &t->remote, t->rport, count);
	if (err)
		return pf_error(env, err == -EPERM ? err : -EIO, "cannot tickle %s from %s: %s", r,
				l, strerror(-err));
	printf("tickled %s\t%s\n", l, r);
	return 0;
}

/* Every peer of the file, each line checked before anything is sent. 0 or
 * a negative errno, reported (-EINVAL: the file is bad). */
static int tickle_file(const struct pf_env *env, const char *path, int count)
{
	struct pf_tickle *peers = calloc(PF_WAKE_MAX, sizeof(*peers));
	char msg[PF_ERR_LEN], *text = NULL;
	int n, i, failed = 0;
	size_t len;
	bool more;

	if (!peers)
		return pf_error(env, -ENOMEM, "out of memory");
	n = pf_tickle_file_read(path, &text, &len, msg);
	if (n) {
		free(peers);
		/* a link, a FIFO, a huge file: bad input, as a bad line is */
		return pf_error(env, n == -ENOMEM || n == -EIO ? n : -EINVAL, "%s", msg);
	}
	n = pf_tickle_parse(text, len, peers, PF_WAKE_MAX, &more, msg);
	free(text);
	if (n < 0) {
		free(peers);
		return pf_error(env, n, "%s: %s", path, msg);
	}
	if (more)
		pf_warn(env, "%s: only the first %d peers are tickled", path, PF_WAKE_MAX);
	/* a peer that cannot be reached does not keep the others waiting */
	for (i = 0; i < n; i++)
		failed += tickle_one(env, &peers[i], count) != 0;
	free(peers);
	if (failed)
		return pf_error(env, -EIO, "%d of %d peers in '%s' could not be tickled", failed, n,
				path);
	return 0;
}

struct tickle_args {
	struct pf_portal_args pa;
	const char *file, *peer;
	__u32 count;
};

static int cmd_tickle(struct pf_env *env, const void *args)
{
	const struct tickle_args *a = args;
	const struct pf_portal_args *pa = &a->pa;
	const char *file = a->file, *peer = a->peer;
	struct pf_tickle t = {};
	char msg[PF_ERR_LEN];
	int count = (int)a->count, err;

	if (file && (peer || pa->ip || pa->ports))
		return pf_error(env, PF_EXIT_USAGE, "give either --file or --ip, --port and --peer");
	if (!file && (!peer || !pa->ip || !pa->ports || pa->portal.nports != 1 ||
		      pa->portal.addr.prefix != (pa->portal.addr.family == AF_INET ? 32 : 128)))
		return pf_error(env, PF_EXIT_USAGE, "tickle needs --file F, or one --ip address, "
			       "one --port and --peer A:P");
	if (!file && pf_parse_endpoint(peer, &t.remote, &t.rport, msg))
		return pf_error(env, PF_EXIT_USAGE, "%s", msg);
	err = pf_require_privileges(env);
	if (err)
		return pf_exit_code(err);
	if (file)
		return pf_exit_code(tickle_file(env, file, count));
	t.local = pa->portal.addr;
	t.lport = (__u16)pf_portal_next_port(&pa->portal, 1);
	return pf_exit_code(tickle_one(env, &t, count));
}

static const struct pf_option tickle_options[] = {
	PF_OPTION(struct tickle_args, file, "file", PF_OPT_STRING, "F",
		  "a tickle file: 'LOCAL REMOTE' per line, as conns prints", 0),
	PF_OPTION(struct tickle_args, pa, "ip", PF_OPT_IP, "A", "the local address (without --file)", 0),
	PF_OPTION(struct tickle_args, pa, "port", PF_OPT_PORT, "P", "the local port (without --file)", 0),
	PF_OPTION(struct tickle_args, peer, "peer", PF_OPT_STRING, "A:P",
		  "the remote end, IPv6 as [A]:P (without --file)", 0),
	PF_OPTION(struct tickle_args, count, "count", PF_OPT_COUNT, "N", "ACKs per peer, 1-100 (3)", 0),
	{}
};

static const struct tickle_args tickle_defaults = { .pa.portal.proto = IPPROTO_TCP, .count = 3 };

const struct pf_command pf_cmd_tickle = {
	.name = "tickle",
	.summary = "send tickle ACKs so stale peers reset at once",
	.description =
		"Send N tickle ACKs, seq 0 ack 0, from each local end to its remote end, so\n"
		"peers holding stale connections reset them at once: every line of a tickle\n"
		"file (--file F), or one connection (--ip A --port P --peer A:P).\n",
	.options = tickle_options,
	.args_size = sizeof(struct tickle_args),
	.defaults = &tickle_defaults,
	.run = cmd_tickle,
};
