// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence attach: the loaded programs onto interfaces that lack them. */
#include <stdio.h>

#include "loader.h"
#include "options.h"

int cmd_attach(struct pf_env *env, int argc, char **argv)
{
	static const struct option opts[] = { PF_OPT_HELP, {} };
	static const char usage[] =
		"\nAttach the loaded programs to every selected interface that lacks them:\n"
		"interfaces created since load (a VLAN, a tunnel, a WireGuard link). Prints\n"
		"one 'attached IF' line each; loads nothing, changes no selection and no\n"
		"fence. Nothing loaded in the pin dir: says so, exit 0. The agent's monitor\n"
		"runs it.\n";
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
	if (rc)
		return rc;
	if (!pf_loaded(env->pin_dir)) {
		printf("nothing loaded in %s: nothing to attach\n", env->pin_dir);
		return PF_EXIT_OK;
	}
	return pf_ensure_ready(env, NULL, 0, false, stdout);
}
