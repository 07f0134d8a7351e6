// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence list: the fenced portals, and those unblock lifted. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "emit.h"
#include "layout.h"
#include "options.h"
#include "output.h"
#include "state.h"
#include "stats.h"

/* list's column of each counter, in the order of PF_COUNTERS. */
static const struct {
	const char *title;
	int width;
} counter_columns[] = {
	{ "LOCALRST", 8 }, { "SYNDROP", 8 }, { "SEGDROP", 8 }, { "PEERRST", 8 },
	{ "DESTROY", 8 }, { "KNOCKS", 8 }, { "DRAINED", 8 }, { "DISCARDED", 10 },
};
#define PF_COUNT_ONE(name, help) + 1
_Static_assert(sizeof(counter_columns) / sizeof(counter_columns[0]) == 0 PF_COUNTERS(PF_COUNT_ONE),
	       "one list column per counter");
#undef PF_COUNT_ONE

static void print_counter_titles(void)
{
	size_t i;

	for (i = 0; i < sizeof(counter_columns) / sizeof(counter_columns[0]); i++)
		printf(" %*s", counter_columns[i].width, counter_columns[i].title);
}

static void print_counter_values(const struct pf_counters *c)
{
	int i = 0;

#define PF_COUNTER_VALUE(name, help) \
	printf(" %*llu", counter_columns[i++].width, (unsigned long long)c->name);
	PF_COUNTERS(PF_COUNTER_VALUE)
#undef PF_COUNTER_VALUE
}

static double seconds(__u64 ns)
{
	return (double)ns / 1e9;
}

/* The columns PROTO ADDRESS PORT DIR METHOD of a portal. */
static void print_portal(const struct pf_portal_key *key, __u8 direction, __u8 method)
{
	char addr[64];

	pf_format_key_addr(key, addr, sizeof(addr));
	printf("%-5s %-28s %-5u %-4s %-6s", pf_proto_name(key->proto), addr, ntohs(key->port),
	       pf_direction_name(direction), pf_method_name(method));
}

static void emit_portal(struct pf_emit *e, const struct pf_portal_key *key, __u8 direction,
			__u8 method)
{
	char addr[64];

	pf_format_key_addr(key, addr, sizeof(addr));
	pf_emit_string(e, "proto", pf_proto_name(key->proto));
	pf_emit_string(e, "address", addr);
	pf_emit_uint(e, "port", ntohs(key->port));
	pf_emit_string(e, "direction", pf_direction_name(direction));
	pf_emit_string(e, "method", pf_method_name(method));
}

struct list_args {
	bool json, lifted;
};

static const struct pf_option list_options[] = {
	PF_OPTION(struct list_args, json, "json", PF_OPT_FLAG, NULL, "print JSON", 0),
	PF_OPTION(struct list_args, lifted, "lifted", PF_OPT_FLAG, NULL,
		  "the portals unblock lifted: their failover timeline", 0),
	{}
};

/* Out of memory while reading a map: said, as any runtime failure. */
static int read_failed(const struct pf_env *env, int err, const char *name)
{
	return pf_error(env, PF_EXIT_FAIL, "cannot read '%s/%s': %s", env->pin_dir, name,
			strerror(-err));
}

/* One lifted portal's timeline: how long its fence held, how soon a
 * connection was established again (once one was), the peers of other
 * nodes its unblock reset. */
static void print_lifted(const struct pf_lifted_sample *v, size_t n)
{
	char reconnect[32];
	size_t i;

	printf("%-5s %-28s %-5s %-4s %-6s %9s %9s %8s\n", "PROTO", "ADDRESS", "PORT", "DIR",
	       "METHOD", "HELD", "RECONNECT", "PEERSRST");
	for (i = 0; i < n; i++) {
		const struct pf_lifted *l = &v[i].lifted;

		snprintf(reconnect, sizeof(reconnect), "-");
		if (l->reconnect_at)
			snprintf(reconnect, sizeof(reconnect), "%.3f",
				 seconds(l->reconnect_at - l->lifted_at));
		print_portal(&v[i].key, l->direction, l->method);
		printf(" %9.3f %9s %8u\n", seconds(l->fence_ns), reconnect, l->peers_reset);
	}
}

static void emit_lifted(const struct pf_lifted_sample *v, size_t n)
{
	struct pf_emit e;
	size_t i;

	pf_emit_init(&e, stdout);
	pf_emit_array_begin(&e, NULL, PF_EMIT_LINES);
	for (i = 0; i < n; i++) {
		const struct pf_lifted *l = &v[i].lifted;

		pf_emit_object_begin(&e, NULL);
		emit_portal(&e, &v[i].key, l->direction, l->method);
		pf_emit_fixed(&e, "fence_seconds", seconds(l->fence_ns), 3);
		if (l->reconnect_at)
			pf_emit_fixed(&e, "reconnect_seconds",
				      seconds(l->reconnect_at - l->lifted_at), 3);
		else
			pf_emit_null(&e, "reconnect_seconds");
		pf_emit_uint(&e, "peers_reset", l->peers_reset);
		pf_emit_object_end(&e);
	}
	pf_emit_array_end(&e);
}

static int list_lifted(const struct pf_env *env, bool json)
{
	struct pf_lifted_sample *v;
	size_t n;
	int fd = pf_state_open_map(env->state, PF_PIN_LIFTED), err;

	if (pf_is_refusal(fd))
		return pf_exit_code(fd);
	err = pf_read_lifted(fd, &v, &n);
	if (err == -ENOMEM) {
		free(v);
		return read_failed(env, err, PF_PIN_LIFTED);
	}
	if (json)
		emit_lifted(v, n);
	else
		print_lifted(v, n);
	free(v);
	return PF_EXIT_OK;
}

/* A fence entry as list shows it: with the failover timeline of the
 * portal's fence lifted before (the "lifted" map, as metrics reads it),
 * when it has one. */
struct list_entry {
	struct pf_portal_sample s;
	struct pf_lifted timeline;
	bool has_timeline;
};

/* The entries of the fence table fd, into *out; 0 or a negative errno. */
static int read_list(int fd, int stats_fd, int lifted_fd, struct list_entry **out, size_t *n)
{
	struct pf_portal_sample *v;
	struct list_entry *x = NULL;
	size_t i;
	int err = pf_read_portals(fd, stats_fd, &v, n);

	if (err != -ENOMEM && *n && !(x = calloc(*n, sizeof(*x))))
		err = -ENOMEM;
	for (i = 0; x && i < *n; i++) {
		x[i].s = v[i];
		x[i].has_timeline = lifted_fd >= 0 &&
				    !bpf_map_lookup_elem(lifted_fd, &v[i].key, &x[i].timeline);
	}
	free(v);
	*out = x;
	return err;
}

static void print_list(const struct list_entry *x, size_t n)
{
	char since[32];
	size_t i;

	printf("%-5s %-28s %-5s %-4s %-6s %-4s %-20s", "PROTO", "ADDRESS", "PORT", "DIR",
	       "METHOD", "KEEP", "SINCE");
	print_counter_titles();
	printf(" %9s %9s\n", "LASTFENCE", "RECONNECT");
	for (i = 0; i < n; i++) {
		const struct pf_policy *policy = &x[i].s.policy;
		const struct pf_lifted *l = &x[i].timeline;

		pf_format_time(policy->since, since, sizeof(since));
		print_portal(&x[i].s.key, policy->direction, policy->method);
		printf(" %-4s %-20s", policy->flags & PF_F_KEEP_ESTABLISHED ? "yes" : "no", since);
		print_counter_values(&x[i].s.counters);
		/* LASTFENCE and RECONNECT, "-" for what there is not */
		if (x[i].has_timeline)
			printf(" %9.3f", seconds(l->fence_ns));
		else
			printf(" %9s", "-");
		if (x[i].has_timeline && l->reconnect_at)
			printf(" %9.3f\n", seconds(l->reconnect_at - l->lifted_at));
		else
			printf(" %9s\n", "-");
	}
}

static void emit_list(const struct list_entry *x, size_t n)
{
	struct pf_emit e;
	char since[32];
	size_t i;

	pf_emit_init(&e, stdout);
	pf_emit_array_begin(&e, NULL, PF_EMIT_LINES);
	for (i = 0; i < n; i++) {
		const struct pf_policy *policy = &x[i].s.policy;
		const struct pf_lifted *l = &x[i].timeline;

		pf_format_time(policy->since, since, sizeof(since));
		pf_emit_object_begin(&e, NULL);
		emit_portal(&e, &x[i].s.key, policy->direction, policy->method);
		pf_emit_bool(&e, "keep_established", policy->flags & PF_F_KEEP_ESTABLISHED);
		pf_emit_string(&e, "since", since);
		pf_emit_counters(&e, "counters", &x[i].s.counters, NULL);
		if (x[i].has_timeline) {
			pf_emit_fixed(&e, "last_fence_duration_seconds", seconds(l->fence_ns), 3);
			if (l->reconnect_at)
				pf_emit_fixed(&e, "last_reconnect_seconds",
					      seconds(l->reconnect_at - l->lifted_at), 3);
			else
				pf_emit_null(&e, "last_reconnect_seconds");
		}
		pf_emit_object_end(&e);
	}
	pf_emit_array_end(&e);
}

static int cmd_list(struct pf_env *env, const void *args)
{
	bool json = ((const struct list_args *)args)->json;
	struct list_entry *x;
	int fd, stats_fd = -1, lifted_fd = -1, err;
	size_t n;

	err = pf_layout_require(env, false);
	if (err)
		return pf_exit_code(err);
	if (((const struct list_args *)args)->lifted)
		return list_lifted(env, json);
	fd = pf_state_open_map(env->state, PF_PIN_PORTALS);
	if (!pf_is_refusal(fd))
		stats_fd = pf_state_open_map(env->state, PF_PIN_PORTAL_STATS);
	if (pf_is_refusal(fd) || pf_is_refusal(stats_fd))
		return pf_exit_code(pf_is_refusal(fd) ? fd : stats_fd);
	/* older programs have no timeline: listed without one */
	if (fd >= 0)
		lifted_fd = pf_state_map(env->state, PF_PIN_LIFTED, NULL);
	err = read_list(fd, stats_fd, lifted_fd, &x, &n);
	if (err == -ENOMEM) {
		free(x);
		return read_failed(env, err, PF_PIN_PORTALS);
	}
	if (json)
		emit_list(x, n);
	else
		print_list(x, n);
	free(x);
	return PF_EXIT_OK;
}

const struct pf_command pf_cmd_list = {
	.name = "list",
	.summary = "fenced portals with policy, since-time and counters",
	.description =
		"Fenced portals with their policy, since-time and counters. With --lifted:\n"
		"each portal unblock lifted, with the policy it had, how long its last fence\n"
		"held (HELD, seconds), how soon after the unblock a connection was\n"
		"established to it again (RECONNECT, seconds; '-' none yet) and how many\n"
		"peers other nodes held on it that unblock reset (PEERSRST).\n",
	.options = list_options,
	.args_size = sizeof(struct list_args),
	.run = cmd_list,
};
