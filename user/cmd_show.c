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
#include "layout.h"
#include "loader.h"
#include "map_walk.h"
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
 * lost); a negative errno when there is none, reported only when it is a
 * refusal (a map that is not there is shown as empty). */
static int open_state_map(const struct pf_env *env, const char *name)
{
	return pf_state_refusal(env, pf_state_map(env->pin_dir, name, NULL), name);
}

/* Not permitted, or another pin dir's state: shown as nothing would lie. */
static bool is_refusal(int fd)
{
	return fd == -EACCES || fd == -EPERM || fd == -EBUSY;
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

/* The failover timeline of a fenced portal lifted before (the "lifted"
 * map, as metrics reads it): false when it has none. */
static bool read_timeline(int lifted_fd, const struct pf_portal_key *key, struct pf_lifted *l)
{
	return lifted_fd >= 0 && !bpf_map_lookup_elem(lifted_fd, key, l);
}

/* Seconds as metrics prints them. */
static double timeline_seconds(__u64 ns)
{
	return (double)ns / 1e9;
}

static void print_timeline_json(const struct pf_lifted *l)
{
	printf(", \"last_fence_duration_seconds\": %.3f", timeline_seconds(l->fence_ns));
	if (l->reconnect_at)
		printf(", \"last_reconnect_seconds\": %.3f",
		       timeline_seconds(l->reconnect_at - l->lifted_at));
	else
		printf(", \"last_reconnect_seconds\": null");
}

/* LASTFENCE and RECONNECT, "-" for what there is not. */
static void print_timeline_text(const struct pf_lifted *l, bool has)
{
	if (has)
		printf(" %9.3f", timeline_seconds(l->fence_ns));
	else
		printf(" %9s", "-");
	if (has && l->reconnect_at)
		printf(" %9.3f", timeline_seconds(l->reconnect_at - l->lifted_at));
	else
		printf(" %9s", "-");
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

static double seconds(__u64 ns)
{
	return (double)ns / 1e9;
}

/* One lifted portal's timeline: how long its fence held, how soon a
 * connection was established again (once one was), the peers of other
 * nodes its unblock reset. */
static void print_lifted(const struct pf_portal_key *key, const struct pf_lifted *l, bool json,
			 bool first)
{
	char addr[64], reconnect[32] = "-";

	pf_format_key_addr(key, addr, sizeof(addr));
	if (l->reconnect_at)
		snprintf(reconnect, sizeof(reconnect), "%.3f", seconds(l->reconnect_at - l->lifted_at));
	if (!json) {
		printf("%-5s %-28s %-5u %-4s %-6s %9.3f %9s %8u\n", pf_proto_name(key->proto), addr,
		       ntohs(key->port), pf_direction_name(l->direction), pf_method_name(l->method),
		       seconds(l->fence_ns), reconnect, l->peers_reset);
		return;
	}
	printf("%s\n  {", first ? "" : ",");
	pf_json_member(stdout, true, "proto", pf_proto_name(key->proto));
	pf_json_member(stdout, false, "address", addr);
	printf(", \"port\": %u", ntohs(key->port));
	pf_json_member(stdout, false, "direction", pf_direction_name(l->direction));
	pf_json_member(stdout, false, "method", pf_method_name(l->method));
	printf(", \"fence_seconds\": %.3f, \"reconnect_seconds\": %s, \"peers_reset\": %u}",
	       seconds(l->fence_ns), l->reconnect_at ? reconnect : "null", l->peers_reset);
}

/* Out of memory while reading a map: said, as any runtime failure. */
static int read_failed(const struct pf_env *env, int err, const char *name)
{
	return pf_error(env, PF_EXIT_FAIL, "cannot read '%s/%s': %s", env->pin_dir, name,
			strerror(-err));
}

static int list_lifted(const struct pf_env *env, bool json)
{
	struct pf_lifted_sample *v;
	size_t n, i;
	int fd = open_state_map(env, PF_PIN_LIFTED), err;

	if (is_refusal(fd))
		return pf_exit_code(fd);
	err = pf_read_lifted(fd, &v, &n);
	if (fd >= 0)
		close(fd);
	if (err == -ENOMEM) {
		free(v);
		return read_failed(env, err, PF_PIN_LIFTED);
	}
	if (json)
		printf("[");
	else
		printf("%-5s %-28s %-5s %-4s %-6s %9s %9s %8s\n", "PROTO", "ADDRESS", "PORT", "DIR",
		       "METHOD", "HELD", "RECONNECT", "PEERSRST");
	for (i = 0; i < n; i++)
		print_lifted(&v[i].key, &v[i].lifted, json, i == 0);
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(v);
	return PF_EXIT_OK;
}

static int cmd_list(struct pf_env *env, const void *args)
{
	bool json = ((const struct list_args *)args)->json;
	struct pf_portal_sample *v = NULL;
	struct pf_lifted lifted;
	bool has_timeline;
	int fd, stats_fd = -1, lifted_fd = -1, err;
	char addr[64], since[32];
	size_t n, i;

	err = pf_layout_require(env, false);
	if (err)
		return pf_exit_code(err);
	if (((const struct list_args *)args)->lifted)
		return list_lifted(env, json);
	fd = open_state_map(env, PF_PIN_PORTALS);
	if (!is_refusal(fd))
		stats_fd = open_state_map(env, PF_PIN_PORTAL_STATS);
	if (is_refusal(fd) || is_refusal(stats_fd)) {
		if (fd >= 0)
			close(fd);
		return pf_exit_code(is_refusal(fd) ? fd : stats_fd);
	}
	/* older programs have no timeline: listed without one */
	if (fd >= 0)
		lifted_fd = pf_state_map(env->pin_dir, PF_PIN_LIFTED, NULL);
	err = pf_read_portals(fd, stats_fd, &v, &n);
	if (err == -ENOMEM) {
		free(v);
		err = read_failed(env, err, PF_PIN_PORTALS);
		goto out;
	}

	if (json)
		printf("[");
	else
		printf("%-5s %-28s %-5s %-4s %-6s %-4s %-20s", "PROTO", "ADDRESS", "PORT", "DIR",
		       "METHOD", "KEEP", "SINCE");
	if (!json) {
		print_counter_titles();
		printf(" %9s %9s\n", "LASTFENCE", "RECONNECT");
	}
	for (i = 0; i < n; i++) {
		const struct pf_portal_key key = v[i].key;
		const struct pf_policy policy = v[i].policy;
		const struct pf_counters c = v[i].counters;

		pf_format_key_addr(&key, addr, sizeof(addr));
		pf_format_time(policy.since, since, sizeof(since));
		has_timeline = read_timeline(lifted_fd, &key, &lifted);
		if (json) {
			printf("%s\n  {", i == 0 ? "" : ",");
			pf_json_member(stdout, true, "proto", pf_proto_name(key.proto));
			pf_json_member(stdout, false, "address", addr);
			printf(", \"port\": %u", ntohs(key.port));
			pf_json_member(stdout, false, "direction", pf_direction_name(policy.direction));
			pf_json_member(stdout, false, "method", pf_method_name(policy.method));
			printf(", \"keep_established\": %s",
			       policy.flags & PF_F_KEEP_ESTABLISHED ? "true" : "false");
			pf_json_member(stdout, false, "since", since);
			printf(", \"counters\": ");
			pf_print_counters_json(&c, NULL);
			if (has_timeline)
				print_timeline_json(&lifted);
			printf("}");
		} else {
			printf("%-5s %-28s %-5u %-4s %-6s %-4s %-20s", pf_proto_name(key.proto), addr,
			       ntohs(key.port), pf_direction_name(policy.direction),
			       pf_method_name(policy.method),
			       policy.flags & PF_F_KEEP_ESTABLISHED ? "yes" : "no", since);
			print_counter_values(&c);
			print_timeline_text(&lifted, has_timeline);
			putchar('\n');
		}
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(v);
	err = PF_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (stats_fd >= 0)
		close(stats_fd);
	if (lifted_fd >= 0)
		close(lifted_fd);
	return err;
}

/* Interfaces running portfence programs that are not this pin dir's: a
 * fence whose pins were lost (still in force: unblock and unload reach
 * it), or another pin dir's. Said, never hidden. */
static void print_other_filters(const struct pf_iface *ifs, int n, const struct pf_progs *ours,
				bool loaded, bool json)
{
	int i, shown = 0;

	if (json)
		putchar('[');
	for (i = 0; i < n; i++) {
		__u32 prog = ifs[i].ingress_id ? ifs[i].ingress_id : ifs[i].egress_id, table;

		/* the monitor's common case, ours everywhere, asks nothing more */
		if (!prog || (loaded && pf_progs_has(ours, prog)))
			continue;
		table = pf_prog_portals_id(prog);
		if (!table)
			continue;	/* not a portfence program */
		if (json) {
			printf("%s{\"name\": ", shown ? ", " : "");
			pf_json_string(stdout, ifs[i].name);
			printf(", \"ifindex\": %d, \"prog_id\": %u, \"fence_table_id\": %u}",
			       ifs[i].ifindex, prog, table);
		} else {
			printf("%s %s (fence table id %u)", shown ? "" : "other filters:", ifs[i].name,
			       table);
		}
		shown++;
	}
	if (json)
		putchar(']');
	else if (shown)
		printf("\n               (fence programs not pinned in this pin dir: their "
		       "fence is in force; unblock and unload reach it)\n");
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
	bool in, out;
	int i;

	for (i = 0; i < n; i++) {
		pf_progs_on(progs, &ifs[i], &in, &out);
		if (in || out)
			return hook_of(&ifs[i], in);
	}
	return PF_HOOK_NONE;
}

static int cmd_status(struct pf_env *env, const void *args)
{
	bool json = ((const struct show_args *)args)->json;
	struct pf_progs progs = PF_PROGS_NONE;
	struct pf_iface *ifs = NULL;
	struct utsname un;
	struct pf_counters c;
	struct pf_cli_counters cli = {};
	bool loaded, first = true, sock_destroy_kfunc, diag_destroy, tcx, readable;
	enum pf_hook hook;
	const char *mechanism;
	int n, i, stats_fd, portals_fd, layout, portals;
	__u32 zero = 0;

	stats_fd = open_state_map(env, PF_PIN_STATS);
	if (is_refusal(stats_fd))
		return pf_exit_code(stats_fd);
	portals_fd = pf_state_map(env->pin_dir, PF_PIN_PORTALS, NULL);
	layout = pf_layout_version(env->pin_dir);
	/* maps of another shape would be misread: their counters are not shown */
	readable = layout < 0 || layout == PF_LAYOUT_VERSION || !pf_layout_differs(env->pin_dir);
	loaded = pf_loaded(env->pin_dir) && pf_progs_open(env->pin_dir, &progs) == 0;
	pf_read_counters(readable ? stats_fd : -1, &zero, &c);
	if (readable)
		pf_read_cli_counters(env->pin_dir, &cli);
	portals = pf_map_count(readable ? portals_fd : -1, sizeof(struct pf_portal_key));
	if (portals < 0)
		portals = 0;
	mechanism = loaded ? pf_sweep_mechanism(env->pin_dir) : "none";
	sock_destroy_kfunc = pf_kernel_has_func("bpf_sock_destroy");
	diag_destroy = pf_diag_destroy_supported();
	tcx = pf_tcx_supported();
	uname(&un);
	n = pf_ifaces(&ifs);
	hook = loaded ? our_hook(ifs, n, &progs) : PF_HOOK_NONE;

	if (json) {
		printf("{\"loaded\": %s, \"pin_dir\": ", loaded ? "true" : "false");
		pf_json_string(stdout, env->pin_dir);
		printf(", \"layout\": ");
		if (layout >= 0)
			printf("%d", layout);
		else
			printf("null");
		printf(", \"layout_ours\": %d", PF_LAYOUT_VERSION);
		printf(", \"portals\": %d", portals);
		pf_json_member(stdout, false, "attach", pf_hook_name(hook));
		pf_json_member(stdout, false, "sock_destroy", mechanism);
		pf_json_member(stdout, false, "kernel", un.release);
		printf(", \"features\": {\"bpf_sock_destroy\": %s, \"sock_diag_destroy\": %s, "
		       "\"tcx\": %s}, \"interfaces\": [", sock_destroy_kfunc ? "true" : "false",
		       diag_destroy ? "true" : "false", tcx ? "true" : "false");
	} else {
		printf("loaded:        %s\n", loaded ? "yes" : "no");
		if (layout >= 0)
			printf("layout:        %d%s\n", layout, layout == PF_LAYOUT_VERSION ? "" :
			       " (not this portfence's: 'portfence unload' removes it, then load)");
		printf("pin dir:       %s\nportals:       %d\nattach:        %s%s\n"
		       "sock destroy:  %s\nkernel:        %s (bpf_sock_destroy %s, sock_diag destroy %s, "
		       "tcx %s)\ninterfaces:   ", env->pin_dir, portals,
		       pf_hook_name(hook), hook == PF_HOOK_TCX ? " (ordered first)" : "", mechanism,
		       un.release, sock_destroy_kfunc ? "yes" : "no", diag_destroy ? "yes" : "no",
		       tcx ? "yes" : "no");
	}
	for (i = 0; i < n; i++) {
		bool in, out;

		pf_progs_on(&progs, &ifs[i], &in, &out);
		if (!loaded || (!in && !out))
			continue;
		if (json) {
			printf("%s{\"name\": ", first ? "" : ", ");
			pf_json_string(stdout, ifs[i].name);
			printf(", \"ifindex\": %d, \"ingress\": %s, \"egress\": %s", ifs[i].ifindex,
			       in ? "true" : "false", out ? "true" : "false");
			pf_json_member(stdout, false, "hook", pf_hook_name(hook_of(&ifs[i], in)));
			pf_json_member(stdout, false, "framing", framing_name(ifs[i].framing));
			putchar('}');
		} else {
			printf(" %s%s%s", ifs[i].name,
			       ifs[i].framing == PF_FRAMING_L3 ? "(l3)" : "",
			       in && out ? "" : in ? "(ingress only)" : "(egress only)");
		}
		first = false;
	}
	if (json)
		printf("], \"other_filters\": ");
	else
		printf("%s\n", first ? " none" : "");
	print_other_filters(ifs, n, &progs, loaded, json);
	if (json) {
		printf(", \"counters\": ");
		pf_print_counters_json(&c, &cli);
		printf("}\n");
	} else {
		printf("counters:      ");
		pf_print_counters_text(&c, &cli);
		putchar('\n');
	}
	if (n >= 0)
		free(ifs);
	pf_progs_close(&progs);
	if (stats_fd >= 0)
		close(stats_fd);
	if (portals_fd >= 0)
		close(portals_fd);
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
