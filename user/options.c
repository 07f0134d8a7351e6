// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

void pf_opts_begin(void)
{
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
}

int pf_opts_next(const struct pf_env *env, int argc, char **argv, const struct option *opts)
{
	int prev = optind ? optind : 1;
	int opt = getopt_long(argc, argv, "+h", opts, NULL);

	if (opt != '?' && opt != ':')
		return opt;
	if (optopt && optopt < 256 && !strchr("h", optopt))
		pf_fail(env, PF_EXIT_USAGE, "unknown option '-%c' (see 'portfence %s --help')",
			optopt, env->cmd);
	else if (optopt)
		pf_fail(env, PF_EXIT_USAGE, "option '%s' needs a value", argv[prev]);
	else
		pf_fail(env, PF_EXIT_USAGE, "unknown option '%s' (see 'portfence %s --help')",
			argv[prev], env->cmd);
	return '?';
}

int pf_opt_portal(const struct pf_env *env, int opt, const char *arg, struct pf_portal_args *pa)
{
	char err[PF_ERR_LEN];

	switch (opt) {
	case OPT_IP:
		pa->ip = arg;
		if (pf_parse_addr(arg, &pa->portal.addr, err))
			return -pf_fail(env, PF_EXIT_USAGE, "%s", err);
		return 1;
	case OPT_PORT:
		pa->ports = arg;
		if (pf_parse_ports(arg, &pa->portal, err))
			return -pf_fail(env, PF_EXIT_USAGE, "%s", err);
		return 1;
	case OPT_PROTO:
		if (pf_parse_proto(arg, &pa->portal.proto, err))
			return -pf_fail(env, PF_EXIT_USAGE, "%s", err);
		return 1;
	}
	return 0;
}

int pf_opts_end(const struct pf_env *env, int argc, char **argv,
		const struct pf_portal_args *pa, bool need_port)
{
	if (optind < argc)
		return pf_fail(env, PF_EXIT_USAGE, "unexpected argument '%s' (see 'portfence %s --help')",
			       argv[optind], env->cmd);
	if (need_port && (!pa || !pa->ports))
		return pf_fail(env, PF_EXIT_USAGE, "missing --port (e.g. --port 3260)");
	return PF_EXIT_OK;
}

int pf_usage(const struct pf_env *env, const char *usage, int code)
{
	fprintf(code ? stderr : stdout, "usage: portfence [--pin-dir DIR] %s %s", env->cmd, usage);
	return code;
}
