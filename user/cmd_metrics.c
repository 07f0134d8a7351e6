// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence metrics: the counters and state in the Prometheus text
 * exposition format, for node_exporter's textfile collector. Read once from
 * the pins, like status and list: no daemon. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "layout.h"
#include "probes.h"
#include "load.h"
#include "options.h"
#include "output.h"
#include "pins.h"
#include "state.h"
#include "stats.h"

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	pf_print_prom_escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* A global counter: portfence_NAME_total. */
static void counter(FILE *f, const char *name, const char *help, __u64 value)
{
	char metric[64];

	snprintf(metric, sizeof(metric), "portfence_%s_total", name);
	family(f, metric, "counter", help);
	fprintf(f, "%s %llu\n", metric, (unsigned long long)value);
}

/* "{proto=...,address=...,port=...,direction=...,method=...}" */
static void portal_labels(FILE *f, const struct pf_portal_key *key, __u8 direction, __u8 method)
{
	char addr[64];

	pf_format_key_addr(key, addr, sizeof(addr));
	fprintf(f, "{proto=\"%s\",address=", pf_proto_name(key->proto));
	pf_print_prom_escaped(f, addr, true);
	fprintf(f, ",port=\"%u\",direction=\"%s\",method=\"%s\"}", ntohs(key->port),
		pf_direction_name(direction), pf_method_name(method));
}

static void sample_labels(FILE *f, const struct pf_portal_sample *p)
{
	portal_labels(f, &p->key, p->policy.direction, p->policy.method);
}

static void lifted_labels(FILE *f, const struct pf_lifted_sample *l)
{
	portal_labels(f, &l->key, l->lifted.direction, l->lifted.method);
}

/* Every entry of the fence table with its counters; -errno on failure. */
static int read_portals(struct pf_state *st, struct pf_portal_sample **out, size_t *n)
{
	int fd = pf_state_map(st, PF_PIN_PORTALS, NULL);

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	return pf_read_portals(fd, pf_state_map(st, PF_PIN_PORTAL_STATS, NULL), out, n);
}

static double seconds(__u64 ns)
{
	return (double)ns / 1e9;
}

/* An interface the programs are attached to, on which hooks. */
struct attached {
	const struct pf_iface *iface;
	bool on[2];		/* ingress, egress */
};

/* Everything metrics exports, read before any of it is written. */
struct metrics {
	bool loaded;
	const char *mechanism;
	struct pf_iface *ifs;
	struct attached *attached;
	int n_attached;
	struct pf_counters counters;
	struct pf_cli_counters cli;
	struct pf_portal_sample *portals;
	size_t n_portals;
	struct pf_lifted_sample *lifted;
	size_t n_lifted;
	__u64 now;		/* seconds since the epoch */
};

/* The interfaces progs are attached to, into m. */
static int read_attached(struct metrics *m, const struct pf_progs *progs)
{
	int n = pf_ifaces(&m->ifs), i;

	if (n < 0) {
		m->ifs = NULL;
		return 0;
	}
	m->attached = calloc((size_t)n + 1, sizeof(*m->attached));
	if (!m->attached)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct attached *a = &m->attached[m->n_attached];

		a->iface = &m->ifs[i];
		pf_progs_on(progs, a->iface, &a->on[0], &a->on[1]);
		if (a->on[0] || a->on[1])
			m->n_attached++;
	}
	return 0;
}

/* The rest of what metrics exports (the fence table read before), into
 * m; 0 or -ENOMEM. */
static int read_metrics(struct pf_state *st, struct metrics *m)
{
	struct pf_progs progs = PF_PROGS_NONE;
	__u32 zero = 0;
	int fd, err = 0;

	/* as status decides it, so the two never disagree */
	m->loaded = pf_loaded(st) && pf_progs_open(st, &progs) == 0;
	m->now = (__u64)time(NULL);
	pf_read_counters(pf_state_map(st, PF_PIN_STATS, NULL), &zero, &m->counters);
	pf_read_cli_counters(st, &m->cli);
	if (m->loaded)
		err = read_attached(m, &progs);
	pf_progs_close(&progs);
	m->mechanism = m->loaded ? pf_sweep_mechanism(st) : "none";
	/* no "lifted" map (older programs): no timeline */
	fd = pf_state_map(st, PF_PIN_LIFTED, NULL);
	if (pf_read_lifted(fd, &m->lifted, &m->n_lifted) == -ENOMEM)
		err = -ENOMEM;
	return err;
}

static void metrics_free(struct metrics *m)
{
	free(m->ifs);
	free(m->attached);
	free(m->portals);
	free(m->lifted);
}

/* The failover timeline: per portal unblock lifted, how long its last
 * fence held and how long after the unblock its first connection was
 * established again (once one was); node-wide, the same of the portal
 * lifted last. */
static void print_timeline(FILE *f, const struct pf_lifted_sample *v, size_t n)
{
	const struct pf_lifted_sample *last = NULL;
	size_t i;

	family(f, "portfence_portal_last_fence_duration_seconds", "gauge",
	       "how long the portal's last fence held, until its unblock");
	for (i = 0; i < n; i++) {
		fputs("portfence_portal_last_fence_duration_seconds", f);
		lifted_labels(f, &v[i]);
		fprintf(f, " %.3f\n", seconds(v[i].lifted.fence_ns));
		if (!last || v[i].lifted.lifted_at > last->lifted.lifted_at)
			last = &v[i];
	}
	family(f, "portfence_portal_last_reconnect_seconds", "gauge",
	       "from the portal's last unblock to the first connection established to it again");
	for (i = 0; i < n; i++) {
		if (!v[i].lifted.reconnect_at)
			continue;
		fputs("portfence_portal_last_reconnect_seconds", f);
		lifted_labels(f, &v[i]);
		fprintf(f, " %.3f\n", seconds(v[i].lifted.reconnect_at - v[i].lifted.lifted_at));
	}
	family(f, "portfence_portal_last_peers_reset", "gauge",
	       "peers other nodes held on the portal, reset by its last unblock");
	for (i = 0; i < n; i++) {
		fputs("portfence_portal_last_peers_reset", f);
		lifted_labels(f, &v[i]);
		fprintf(f, " %u\n", v[i].lifted.peers_reset);
	}
	family(f, "portfence_last_fence_duration_seconds", "gauge",
	       "how long the fence of the portal lifted last held");
	if (last)
		fprintf(f, "portfence_last_fence_duration_seconds %.3f\n", seconds(last->lifted.fence_ns));
	family(f, "portfence_last_reconnect_seconds", "gauge",
	       "from the last unblock to the first connection established to its portal again");
	if (last && last->lifted.reconnect_at)
		fprintf(f, "portfence_last_reconnect_seconds %.3f\n",
			seconds(last->lifted.reconnect_at - last->lifted.lifted_at));
}

static void print_interfaces(FILE *f, const struct attached *v, int n)
{
	const char *hook[2] = { "ingress", "egress" };
	int i, h;

	family(f, "portfence_interface_attached", "gauge",
	       "1 for each interface and hook (ingress, egress) the programs are attached to");
	for (i = 0; i < n; i++) {
		for (h = 0; h < 2; h++) {
			if (!v[i].on[h])
				continue;
			fputs("portfence_interface_attached{interface=", f);
			pf_print_prom_escaped(f, v[i].iface->name, true);
			fprintf(f, ",hook=\"%s\"} 1\n", hook[h]);
		}
	}
}

static int write_metrics(FILE *f, void *arg)
{
	const struct metrics *m = arg;
	const struct pf_portal_sample *portals = m->portals;
	size_t i, n = m->n_portals;

	family(f, "portfence_build_info", "gauge", "portfence's version, value 1");
	fprintf(f, "portfence_build_info{version=\"%s\"} 1\n", PORTFENCE_VERSION);
	family(f, "portfence_loaded", "gauge",
	       "1 if the programs and maps are loaded and pinned in the pin dir");
	fprintf(f, "portfence_loaded %d\n", m->loaded);
	print_interfaces(f, m->attached, m->n_attached);
	family(f, "portfence_sock_destroy_mechanism", "gauge",
	       "1 for the mechanism that destroys established sockets at block time");
	fprintf(f, "portfence_sock_destroy_mechanism{mechanism=\"%s\"} 1\n", m->mechanism);
	family(f, "portfence_portals", "gauge", "fence entries (one per fenced port)");
	fprintf(f, "portfence_portals %zu\n", n);

#define PF_GLOBAL_METRIC(name, help) counter(f, #name, help, m->counters.name);
#define PF_CLI_METRIC(name, help) counter(f, #name, help, m->cli.name);
	PF_COUNTERS(PF_GLOBAL_METRIC)
	PF_CLI_COUNTERS(PF_CLI_METRIC)
#undef PF_GLOBAL_METRIC
#undef PF_CLI_METRIC

	family(f, "portfence_portal_fenced_seconds", "gauge",
	       "seconds since the portal was fenced");
	for (i = 0; i < n; i++) {
		fputs("portfence_portal_fenced_seconds", f);
		sample_labels(f, &portals[i]);
		/* a clock set back since the block must not give a negative age */
		fprintf(f, " %llu\n", m->now > portals[i].policy.since ?
			(unsigned long long)(m->now - portals[i].policy.since) : 0ULL);
	}
#define PF_PORTAL_METRIC(name, help)						\
	family(f, "portfence_portal_" #name "_total", "counter", help ", per portal"); \
	for (i = 0; i < n; i++) {						\
		fputs("portfence_portal_" #name "_total", f);			\
		sample_labels(f, &portals[i]);					\
		fprintf(f, " %llu\n", (unsigned long long)portals[i].counters.name); \
	}
	PF_COUNTERS(PF_PORTAL_METRIC)
#undef PF_PORTAL_METRIC
	print_timeline(f, m->lifted, m->n_lifted);
	return ferror(f) ? -EIO : 0;
}

struct metrics_cmd_args {
	const char *output;
};

static int cmd_metrics(struct pf_env *env, const void *args)
{
	const char *output = ((const struct metrics_cmd_args *)args)->output;
	struct metrics m = {};
	int rc;

	rc = pf_layout_require(env, false);
	if (rc)
		return pf_exit_code(rc);

	rc = read_portals(env->state, &m.portals, &m.n_portals);
	if (rc == -EACCES || rc == -EPERM)
		return pf_exit_code(pf_state_refusal(env->state, rc, PF_PIN_PORTALS));
	if (rc) {
		free(m.portals);
		return pf_error(env, PF_EXIT_FAIL, "cannot read the fence table in '%s': %s",
			       env->pin_dir, strerror(-rc));
	}
	rc = read_metrics(env->state, &m);
	if (rc) {
		rc = pf_error(env, PF_EXIT_FAIL, "cannot read the metrics: %s", strerror(-rc));
	} else if (output) {
		/* node_exporter must never read a half-written file */
		rc = pf_write_file(output, write_metrics, &m);
		rc = rc ? pf_error(env, PF_EXIT_FAIL, "cannot write '%s': %s", output, strerror(-rc)) : 0;
	} else if (write_metrics(stdout, &m) || fflush(stdout)) {
		rc = pf_error(env, PF_EXIT_FAIL, "cannot write the metrics: %s", strerror(errno));
	}
	metrics_free(&m);
	return rc;
}

static const struct pf_option metrics_options[] = {
	PF_OPTION(struct metrics_cmd_args, output, "output", PF_OPT_STRING, "FILE",
		  "write FILE atomically instead of standard output", 0),
	{}
};

const struct pf_command pf_cmd_metrics = {
	.name = "metrics",
	.summary = "counters and state in Prometheus text format",
	.description =
		"Counters and state in the Prometheus text exposition format: whether the\n"
		"programs are loaded, the interfaces they are attached to, the socket-destroy\n"
		"mechanism, the global counters, and per fenced portal (labels proto, address,\n"
		"port, direction, method) the seconds since it was fenced and its counters;\n"
		"per portal unblock lifted, how long its last fence held, how soon after\n"
		"the unblock a connection was established to it again, and how many peers\n"
		"other nodes held on it that unblock reset.\n"
		"--output FILE writes FILE atomically (for node_exporter's textfile collector).\n",
	.options = metrics_options,
	.args_size = sizeof(struct metrics_cmd_args),
	.run = cmd_metrics,
};
