// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence load | unload */
#include <stdio.h>
#include <stdlib.h>

#include "loader.h"
#include "options.h"

int cmd_load(struct pf_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, OPT_DEV },
		PF_OPT_HELP,
		{}
	};
	static const char usage[] =
		"[--dev IF]...\n"
		"Load and pin the programs and maps, and attach them (tcx where the kernel\n"
		"has it, else tc clsact; ingress and egress) to the named interfaces, by\n"
		"default every interface of this network namespace including lo. Idempotent;\n"
		"a later --dev adds interfaces, a later load without --dev selects every\n"
		"interface.\n";
	char **devs = calloc((size_t)argc, sizeof(*devs));
	int ndevs = 0, opt, rc;

	if (!devs)
		return pf_fail(env, PF_EXIT_FAIL, "out of memory");
	pf_opts_begin();
	while ((opt = pf_opts_next(env, argc, argv, opts)) != -1) {
		switch (opt) {
		case OPT_DEV:
			devs[ndevs++] = optarg;
			break;
		case OPT_HELP:
			free(devs);
			return pf_usage(env, usage, PF_EXIT_OK);
		default:
			free(devs);
			return PF_EXIT_USAGE;
		}
	}
	rc = pf_opts_end(env, argc, argv, NULL, false);
	if (!rc)
		rc = pf_require_privileges(env);
	if (!rc)
		rc = pf_ensure_ready(env, ndevs ? devs : NULL, ndevs, !ndevs, stdout);
	if (!rc)
		printf("loaded in %s\n", env->pin_dir);
	free(devs);
	return rc;
}

int cmd_unload(struct pf_env *env, int argc, char **argv)
{
	static const struct option opts[] = { PF_OPT_HELP, {} };
	static const char usage[] =
		"\nDetach the programs from every interface and remove every pin: all fences\n"
		"are lifted. Idempotent.\n";
	int opt, rc;

	pf_opts_begin();
	while ((opt = pf_opts_next(env, argc, argv, opts)) != -1) {
		if (opt == OPT_HELP)
			return pf_usage(env, usage, PF_EXIT_OK);
		return PF_EXIT_USAGE;
	}
	rc = pf_opts_end(env, argc, argv, NULL, false);
	if (!rc)
		rc = pf_require_privileges(env);
	return rc ? rc : pf_unload(env, stdout);
}
