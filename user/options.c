// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "drain.h"
#include "options.h"

#define USAGE_WIDTH	78

static int count_options(const struct pf_option *opts)
{
	int n = 0;

	while (opts[n].name)
		n++;
	return n;
}

/* The "see ..." hint of a usage error. */
static const char *help_hint(const struct pf_env *env, char *buf, size_t n)
{
	snprintf(buf, n, "see 'portfence%s%s --help'", env->cmd ? " " : "", env->cmd ? env->cmd : "");
	return buf;
}

/* Parses one option's value into its field; -EINVAL after a message. */
int pf_parse_ms(const char *opt, const char *s, unsigned int *ms, char *err)
{
	__u32 v;

	if (pf_parse_uint(s, strlen(s), 0, PF_DRAIN_MS_MAX, &v)) {
		snprintf(err, PF_ERR_LEN, "bad %s '%s' (milliseconds, 0 to %u)", opt, s,
			 PF_DRAIN_MS_MAX);
		return -EINVAL;
	}
	*ms = v;
	return 0;
}

static int store(const struct pf_env *env, const struct pf_option *o, const char *arg, void *args)
{
	void *field = (char *)args + o->offset;
	struct pf_portal_args *pa = field;
	struct pf_strings *list = field;
	char err[PF_ERR_LEN], name[64];
	int bad = 0;

	snprintf(name, sizeof(name), "--%s", o->name);
	switch (o->kind) {
	case PF_OPT_FLAG:
		*(bool *)field = true;
		break;
	case PF_OPT_STRING:
		if (!*arg)
			return pf_error(env, -EINVAL, "empty %s", name);
		*(const char **)field = arg;
		break;
	case PF_OPT_STRINGS:
		if (list->n == PF_MAX_STRINGS)
			return pf_error(env, -EINVAL, "more than %d %s", PF_MAX_STRINGS, name);
		list->v[list->n++] = arg;
		break;
	case PF_OPT_IP:
		pa->ip = arg;
		bad = pf_parse_addr(arg, &pa->portal.addr, err);
		break;
	case PF_OPT_PORT:
		pa->ports = arg;
		bad = pf_parse_ports(arg, &pa->portal, err);
		break;
	case PF_OPT_PROTO:
		bad = pf_parse_proto(arg, &pa->portal.proto, err);
		break;
	case PF_OPT_DIRECTION:
		bad = pf_parse_direction(arg, field, err);
		break;
	case PF_OPT_METHOD:
		bad = pf_parse_method(arg, field, err);
		break;
	case PF_OPT_MS:
		bad = pf_parse_ms(name, arg, field, err);
		break;
	case PF_OPT_COUNT:
		bad = pf_parse_uint(arg, strlen(arg), 1, 100, field);
		if (bad)
			snprintf(err, sizeof(err), "bad %s '%s' (1-100)", o->name, arg);
		break;
	}
	return bad ? pf_error(env, -EINVAL, "%s", err) : 0;
}

/* getopt_long's view of the table: option i returns 256 + i. */
static struct option *getopt_table(const struct pf_option *opts, int n)
{
	struct option *l = calloc((size_t)n + 2, sizeof(*l));
	int i;

	for (i = 0; l && i < n; i++)
		l[i] = (struct option){ opts[i].name, opts[i].value ? required_argument : no_argument,
					NULL, 256 + i };
	if (l)
		l[n] = (struct option){ "help", no_argument, NULL, 'h' };
	return l;
}

/* What getopt_long refused, said the way a user typed it. */
static int refused(const struct pf_env *env, char **argv, int at)
{
	char hint[64];

	help_hint(env, hint, sizeof(hint));
	if (optopt && optopt < 256 && optopt != 'h')
		return pf_error(env, -EINVAL, "unknown option '-%c' (%s)", optopt, hint);
	if (optopt)
		return pf_error(env, -EINVAL, "option '%s' needs a value", argv[at]);
	return pf_error(env, -EINVAL, "unknown option '%s' (%s)", argv[at], hint);
}

int pf_parse_options(const struct pf_env *env, const struct pf_command *cmd, int argc,
		     char **argv, void *args, bool stop_at_arg, int *next)
{
	int n = count_options(cmd->options), i, opt, at, err = 0;
	struct option *lopts = getopt_table(cmd->options, n);
	bool *seen = calloc((size_t)n + 1, sizeof(*seen));
	char hint[64];

	if (!lopts || !seen) {
		free(lopts);
		free(seen);
		return pf_error(env, -ENOMEM, "out of memory");
	}
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	for (;;) {
		at = optind ? optind : 1;
		opt = getopt_long(argc, argv, "+h", lopts, NULL);
		if (opt == -1 || opt == 'h')
			break;
		err = opt < 256 ? refused(env, argv, at) :
		      store(env, &cmd->options[opt - 256], optarg, args);
		if (err)
			break;
		seen[opt - 256] = true;
	}
	*next = optind;
	help_hint(env, hint, sizeof(hint));
	if (!err && opt != 'h' && !stop_at_arg && optind < argc)
		err = pf_error(env, -EINVAL, "unexpected argument '%s' (%s)", argv[optind], hint);
	for (i = 0; !err && opt != 'h' && i < n; i++)
		if ((cmd->options[i].flags & PF_OPT_REQUIRED) && !seen[i])
			err = pf_error(env, -EINVAL, "missing --%s (%s)", cmd->options[i].name, hint);
	free(lopts);
	free(seen);
	return err ? err : opt == 'h' ? PF_PARSED_HELP : PF_PARSED_RUN;
}

/* "--port P", "[--ip A[/LEN]]", "[--dev IF]...", "[--json]" */
static void synopsis_item(const struct pf_option *o, char *buf, size_t n)
{
	bool required = o->flags & PF_OPT_REQUIRED;

	snprintf(buf, n, "%s--%s%s%s%s%s", required ? "" : "[", o->name, o->value ? " " : "",
		 o->value ? o->value : "", required ? "" : "]", o->flags & PF_OPT_REPEAT ? "..." : "");
}

void pf_print_usage(FILE *f, const struct pf_command *cmd, const char *prefix)
{
	const struct pf_option *o;
	char item[128];
	int col;

	col = fprintf(f, "%s%s", prefix, cmd->name);
	for (o = cmd->options; o->name; o++) {
		synopsis_item(o, item, sizeof(item));
		if (col + 1 + (int)strlen(item) > USAGE_WIDTH)
			col = fprintf(f, "\n      ") - 1;
		col += fprintf(f, " %s", item);
	}
	fprintf(f, "\n\n%s", cmd->description);
	if (cmd->options->name) {
		fprintf(f, "\noptions:\n");
		pf_print_options(f, cmd->options);
	}
}

void pf_print_options(FILE *f, const struct pf_option *opts)
{
	const struct pf_option *o;
	char left[64];

	for (o = opts; o->name; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->value ? " " : "",
			 o->value ? o->value : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}
