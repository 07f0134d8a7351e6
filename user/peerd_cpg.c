// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The CPG group and corosync's node names (cmap's nodelist). CPG delivers
 * in agreed order with virtual synchrony: a member that joins sees every
 * message sent after its join, in the same order as everyone else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <corosync/cpg.h>
#include <corosync/cmap.h>

#include "peerd.h"

struct peerd_cpg {
	cpg_handle_t handle;
	struct cpg_name group;
	const struct peerd_cpg_ops *ops;
	void *ctx;
	uint32_t nodeid;
};

static int cs_errno(cs_error_t e)
{
	switch (e) {
	case CS_OK: return 0;
	case CS_ERR_TRY_AGAIN: return -EAGAIN;
	case CS_ERR_NO_MEMORY: return -ENOMEM;
	case CS_ERR_TOO_BIG: return -EMSGSIZE;
	case CS_ERR_LIBRARY: return -ENOTCONN;
	default: return -EIO;
	}
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
		       void *msg, size_t len)
{
	struct peerd_cpg *c = NULL;

	(void)group;
	(void)pid;
	cpg_context_get(h, (void **)&c);
	if (c)
		c->ops->deliver(c->ctx, nodeid, msg, len);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
		       const struct cpg_address *members, size_t nmembers,
		       const struct cpg_address *left, size_t nleft,
		       const struct cpg_address *joined, size_t njoined)
{
	uint32_t gone[64];
	struct peerd_cpg *c = NULL;
	size_t n = 0;

	(void)group;
	(void)members;
	(void)joined;
	cpg_context_get(h, (void **)&c);
	if (!c)
		return;
	for (size_t i = 0; i < nleft && n < 64; i++)
		gone[n++] = left[i].nodeid;
	c->ops->confchg(c->ctx, njoined > 0, nmembers, gone, n);
}

int peerd_cpg_open(const char *group, const struct peerd_cpg_ops *ops, void *ctx,
		   struct peerd_cpg **out)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};
	struct peerd_cpg *c = calloc(1, sizeof(*c));
	cs_error_t e;

	if (!c)
		return -ENOMEM;
	c->ops = ops;
	c->ctx = ctx;
	if (strlen(group) >= CPG_MAX_NAME_LENGTH) {
		free(c);
		return -ENAMETOOLONG;
	}
	c->group.length = (uint32_t)strlen(group);
	memcpy(c->group.value, group, c->group.length);
	e = cpg_model_initialize(&c->handle, CPG_MODEL_V1, (cpg_model_data_t *)&model, c);
	if (e == CS_OK)
		e = cpg_local_get(c->handle, &c->nodeid);
	while (e == CS_OK && (e = cpg_join(c->handle, &c->group)) == CS_ERR_TRY_AGAIN)
		;
	if (e != CS_OK) {
		if (c->handle)
			cpg_finalize(c->handle);
		free(c);
		return cs_errno(e);
	}
	*out = c;
	return 0;
}

int peerd_cpg_fd(struct peerd_cpg *c)
{
	int fd = -1;

	return cpg_fd_get(c->handle, &fd) == CS_OK ? fd : -EIO;
}

uint32_t peerd_cpg_nodeid(struct peerd_cpg *c)
{
	return c->nodeid;
}

int peerd_cpg_send(struct peerd_cpg *c, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };

	return cs_errno(cpg_mcast_joined(c->handle, CPG_TYPE_AGREED, &iov, 1));
}

int peerd_cpg_dispatch(struct peerd_cpg *c)
{
	return cs_errno(cpg_dispatch(c->handle, CS_DISPATCH_ALL));
}

void peerd_cpg_node_name(struct peerd_cpg *c, uint32_t nodeid, char *buf, size_t n)
{
	cmap_handle_t h;
	char key[64], *name = NULL;

	(void)c;
	buf[0] = 0;
	if (cmap_initialize(&h) != CS_OK)
		return;
	for (int i = 0; i < 1024; i++) {
		uint32_t id;

		snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
		if (cmap_get_uint32(h, key, &id) != CS_OK)
			break;
		if (id != nodeid)
			continue;
		snprintf(key, sizeof(key), "nodelist.node.%d.name", i);
		if (cmap_get_string(h, key, &name) == CS_OK) {
			snprintf(buf, n, "%s", name);
			free(name);
		}
		break;
	}
	cmap_finalize(h);
}

void peerd_cpg_close(struct peerd_cpg *c)
{
	if (!c)
		return;
	cpg_leave(c->handle, &c->group);
	cpg_finalize(c->handle);
	free(c);
}
