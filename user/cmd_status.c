// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence status: the programs, where they run, how sockets are
 * destroyed, the kernel's features and the global counters. */
#include <errno.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "emit.h"
#include "layout.h"
#include "load.h"
#include "map_walk.h"
#include "probes.h"
#include "options.h"
#include "output.h"
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

	stats_fd = pf_state_open_map(env->state, PF_PIN_STATS);
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
