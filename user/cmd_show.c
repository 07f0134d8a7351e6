// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence list | status: what the kernel holds, for people and scripts. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "emit.h"
#include "layout.h"
#include "load.h"
#include "map_walk.h"
#include "probes.h"
#include "options.h"
#include "output.h"
#include "pins.h"
#include "sockdiag.h"
#include "state.h"
#include "stats.h"

struct show_args {
	bool json;
};

static const struct pf_option show_options[] = {
	PF_OPTION(struct show_args, json, "json", PF_OPT_FLAG, NULL, "print JSON", 0),
	{}
};

/* The map of the pin dir (or of the programs attached here, their pins
 * lost; the fd is the state handle's); a negative errno when there is
 * none, reported only when it is a refusal (a map that is not there is
 * shown as empty). */
static int open_state_map(const struct pf_env *env, const char *name)
{
	return pf_state_refusal(env->state, pf_state_map(env->state, name, NULL), name);
}

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
	int fd = open_state_map(env, PF_PIN_LIFTED), err;

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
	fd = open_state_map(env, PF_PIN_PORTALS);
	if (!pf_is_refusal(fd))
		stats_fd = open_state_map(env, PF_PIN_PORTAL_STATS);
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

static enum pf_hook hook_of(const struct pf_iface *iface, bool ingress)
{
	return ingress ? iface->ingress_hook : iface->egress_hook;
}

static const char *framing_name(enum pf_framing framing)
{
	return framing == PF_FRAMING_L3 ? "l3" : "ethernet";
}

/* Where this pin dir's programs run: tcx or clsact (the same on every
 * interface: later ones join the first), none when nowhere. */
static enum pf_hook our_hook(const struct pf_iface *ifs, int n, const struct pf_progs *progs)
{
	bool ingress, egress;
	int i;

	for (i = 0; i < n; i++) {
		pf_progs_on(progs, &ifs[i], &ingress, &egress);
		if (ingress || egress)
			return hook_of(&ifs[i], ingress);
	}
	return PF_HOOK_NONE;
}

/* An interface this pin dir's programs are attached to. */
struct status_iface {
	const struct pf_iface *iface;
	bool ingress, egress;
};

/* An interface running portfence programs that are not this pin dir's:
 * a fence whose pins were lost (still in force: unblock and unload reach
 * it), or another pin dir's. Said, never hidden. */
struct other_filter {
	const struct pf_iface *iface;
	__u32 prog, portals_id;
};

/* Everything status shows, read before any of it is shown. */
struct status {
	const char *pin_dir;
	bool loaded;
	int layout;			/* negative: none pinned */
	int portals;
	enum pf_hook hook;
	const char *mechanism;
	struct utsname un;
	bool sock_destroy_kfunc, diag_destroy, tcx;
	struct pf_iface *ifs;
	struct status_iface *ours;
	struct other_filter *others;
	int n_ours, n_others;
	struct pf_counters counters;
	struct pf_cli_counters cli;
};

/* The interfaces, ours and the others', into s (s->ifs read). */
static int read_interfaces(struct status *s, int n, const struct pf_progs *progs)
{
	int i;

	s->ours = calloc(n > 0 ? (size_t)n : 1, sizeof(*s->ours));
	s->others = calloc(n > 0 ? (size_t)n : 1, sizeof(*s->others));
	if (!s->ours || !s->others)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct pf_iface *it = &s->ifs[i];
		__u32 prog = it->ingress_id ? it->ingress_id : it->egress_id, portals_id;
		bool ingress, egress;

		pf_progs_on(progs, it, &ingress, &egress);
		if (s->loaded && (ingress || egress))
			s->ours[s->n_ours++] = (struct status_iface){ it, ingress, egress };
		/* the monitor's common case, ours everywhere, asks nothing more */
		if (!prog || (s->loaded && pf_progs_has(progs, prog)))
			continue;
		portals_id = pf_prog_portals_id(prog);
		if (portals_id)	/* else not a portfence program */
			s->others[s->n_others++] = (struct other_filter){ it, prog, portals_id };
	}
	return 0;
}

static int read_status(const struct pf_env *env, struct status *s)
{
	struct pf_progs progs = PF_PROGS_NONE;
	int stats_fd, portals_fd, n, err;
	bool readable;
	__u32 zero = 0;

	stats_fd = open_state_map(env, PF_PIN_STATS);
	if (pf_is_refusal(stats_fd))
		return stats_fd;
	s->pin_dir = env->pin_dir;
	portals_fd = pf_state_map(env->state, PF_PIN_PORTALS, NULL);
	s->layout = pf_layout_version(env->state);
	/* maps of another shape would be misread: their counters are not shown */
	readable = s->layout < 0 || s->layout == PF_LAYOUT_VERSION ||
		   !pf_layout_differs(env->state);
	s->loaded = pf_loaded(env->state) && pf_progs_open(env->state, &progs) == 0;
	pf_read_counters(readable ? stats_fd : -1, &zero, &s->counters);
	if (readable)
		pf_read_cli_counters(env->state, &s->cli);
	s->portals = pf_map_count(readable ? portals_fd : -1, sizeof(struct pf_portal_key));
	if (s->portals < 0)
		s->portals = 0;
	s->mechanism = s->loaded ? pf_sweep_mechanism(env->state) : "none";
	s->sock_destroy_kfunc = pf_kernel_has_func("bpf_sock_destroy");
	s->diag_destroy = pf_diag_destroy_supported();
	s->tcx = pf_tcx_supported();
	uname(&s->un);
	n = pf_ifaces(&s->ifs);
	if (n < 0)
		s->ifs = NULL;
	s->hook = s->loaded ? our_hook(s->ifs, n, &progs) : PF_HOOK_NONE;
	err = read_interfaces(s, n, &progs);
	pf_progs_close(&progs);
	return err;
}

static void status_free(struct status *s)
{
	free(s->ifs);
	free(s->ours);
	free(s->others);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_status(const struct status *s)
{
	int i;

	printf("loaded:        %s\n", yes_no(s->loaded));
	if (s->layout >= 0)
		printf("layout:        %d%s\n", s->layout, s->layout == PF_LAYOUT_VERSION ? "" :
		       " (not this portfence's: 'portfence unload' removes it, then load)");
	printf("pin dir:       %s\nportals:       %d\n", s->pin_dir, s->portals);
	printf("attach:        %s%s\n", pf_hook_name(s->hook),
	       s->hook == PF_HOOK_TCX ? " (ordered first)" : "");
	printf("sock destroy:  %s\n", s->mechanism);
	printf("kernel:        %s (bpf_sock_destroy %s, sock_diag destroy %s, tcx %s)\n",
	       s->un.release, yes_no(s->sock_destroy_kfunc), yes_no(s->diag_destroy),
	       yes_no(s->tcx));
	printf("interfaces:   ");
	for (i = 0; i < s->n_ours; i++) {
		const struct status_iface *o = &s->ours[i];

		printf(" %s%s%s", o->iface->name, o->iface->framing == PF_FRAMING_L3 ? "(l3)" : "",
		       o->ingress && o->egress ? "" : o->ingress ? "(ingress only)" : "(egress only)");
	}
	printf("%s\n", s->n_ours ? "" : " none");
	for (i = 0; i < s->n_others; i++)
		printf("%s %s (fence table id %u)", i ? "" : "other filters:",
		       s->others[i].iface->name, s->others[i].portals_id);
	if (s->n_others)
		printf("\n               (fence programs not pinned in this pin dir: their "
		       "fence is in force; unblock and unload reach it)\n");
	printf("counters:      ");
	pf_print_counters_text(&s->counters, &s->cli);
	putchar('\n');
}

static void emit_status(const struct status *s)
{
	struct pf_emit e;
	int i;

	pf_emit_init(&e, stdout);
	pf_emit_object_begin(&e, NULL);
	pf_emit_bool(&e, "loaded", s->loaded);
	pf_emit_string(&e, "pin_dir", s->pin_dir);
	if (s->layout >= 0)
		pf_emit_int(&e, "layout", s->layout);
	else
		pf_emit_null(&e, "layout");
	pf_emit_int(&e, "layout_ours", PF_LAYOUT_VERSION);
	pf_emit_int(&e, "portals", s->portals);
	pf_emit_string(&e, "attach", pf_hook_name(s->hook));
	pf_emit_string(&e, "sock_destroy", s->mechanism);
	pf_emit_string(&e, "kernel", s->un.release);
	pf_emit_object_begin(&e, "features");
	pf_emit_bool(&e, "bpf_sock_destroy", s->sock_destroy_kfunc);
	pf_emit_bool(&e, "sock_diag_destroy", s->diag_destroy);
	pf_emit_bool(&e, "tcx", s->tcx);
	pf_emit_object_end(&e);
	pf_emit_array_begin(&e, "interfaces", PF_EMIT_INLINE);
	for (i = 0; i < s->n_ours; i++) {
		const struct status_iface *o = &s->ours[i];

		pf_emit_object_begin(&e, NULL);
		pf_emit_string(&e, "name", o->iface->name);
		pf_emit_int(&e, "ifindex", o->iface->ifindex);
		pf_emit_bool(&e, "ingress", o->ingress);
		pf_emit_bool(&e, "egress", o->egress);
		pf_emit_string(&e, "hook", pf_hook_name(hook_of(o->iface, o->ingress)));
		pf_emit_string(&e, "framing", framing_name(o->iface->framing));
		pf_emit_object_end(&e);
	}
	pf_emit_array_end(&e);
	pf_emit_array_begin(&e, "other_filters", PF_EMIT_INLINE);
	for (i = 0; i < s->n_others; i++) {
		const struct other_filter *o = &s->others[i];

		pf_emit_object_begin(&e, NULL);
		pf_emit_string(&e, "name", o->iface->name);
		pf_emit_int(&e, "ifindex", o->iface->ifindex);
		pf_emit_uint(&e, "prog_id", o->prog);
		pf_emit_uint(&e, "fence_table_id", o->portals_id);
		pf_emit_object_end(&e);
	}
	pf_emit_array_end(&e);
	pf_emit_counters(&e, "counters", &s->counters, &s->cli);
	pf_emit_object_end(&e);
}

static int cmd_status(struct pf_env *env, const void *args)
{
	struct status s = {};
	int err = read_status(env, &s);

	if (pf_is_refusal(err))
		return pf_exit_code(err);
	if (err) {
		status_free(&s);
		return pf_error(env, PF_EXIT_FAIL, "out of memory");
	}
	if (((const struct show_args *)args)->json)
		emit_status(&s);
	else
		print_status(&s);
	status_free(&s);
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

const struct pf_command pf_cmd_status = {
	.name = "status",
	.summary = "programs, interfaces, socket-destroy mechanism, counters",
	.description =
		"Whether the programs are loaded, the interfaces they are attached to, the\n"
		"socket-destroy mechanism, kernel features and the global counters.\n",
	.options = show_options,
	.args_size = sizeof(struct show_args),
	.run = cmd_status,
};
