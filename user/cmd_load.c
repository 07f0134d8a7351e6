// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence load | unload | attach */
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

/* A command without options of its own (--help only), run as root: an
 * exit code; *done when --help printed the usage. */
static int help_only(struct pf_env *env, int argc, char **argv, const char *usage, bool *done)
{
	static const struct option opts[] = { PF_OPT_HELP, {} };
	int opt, rc;

	*done = false;
	pf_opts_begin();
	while ((opt = pf_opts_next(env, argc, argv, opts)) != -1) {
		*done = true;
		if (opt == OPT_HELP)
			return pf_usage(env, usage, PF_EXIT_OK);
		return PF_EXIT_USAGE;
	}
	rc = pf_opts_end(env, argc, argv, NULL, false);
	return rc ? rc : pf_require_privileges(env);
}

int cmd_unload(struct pf_env *env, int argc, char **argv)
{
	static const char usage[] =
		"\nDetach the programs from every interface and remove every pin: all fences\n"
		"are lifted. Idempotent.\n";
	bool done;
	int rc = help_only(env, argc, argv, usage, &done);

	return rc || done ? rc : pf_unload(env, stdout);
}

int cmd_attach(struct pf_env *env, int argc, char **argv)
{
	static const char usage[] =
		"\nAttach the loaded programs to every selected interface that lacks them:\n"
		"interfaces created since load (a VLAN, a tunnel, a WireGuard link). Prints\n"
		"one 'attached IF' line each; loads nothing, changes no selection and no\n"
		"fence. Nothing loaded in the pin dir: says so, exit 0. The agent's monitor\n"
		"runs it.\n";
	bool done;
	int rc = help_only(env, argc, argv, usage, &done);

	if (rc || done)
		return rc;
	if (!pf_loaded(env->pin_dir)) {
		printf("nothing loaded in %s: nothing to attach\n", env->pin_dir);
		return PF_EXIT_OK;
	}
	return pf_ensure_ready(env, NULL, 0, false, stdout);
}
