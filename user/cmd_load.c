// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence load | unload */
#include <stdio.h>

#include "loader.h"
#include "options.h"

struct load_args {
	struct pf_strings devs;
};

static int cmd_load(struct pf_env *env, const void *args)
{
	const struct load_args *a = args;
	int rc = pf_exit_code(pf_require_privileges(env));

	if (!rc)
		rc = pf_ensure_ready(env, a->devs.n ? (char **)a->devs.v : NULL, a->devs.n,
				     !a->devs.n, stdout);
	if (!rc)
		printf("loaded in %s\n", env->pin_dir);
	return rc;
}

static const struct pf_option load_options[] = {
	PF_OPTION(struct load_args, devs, "dev", PF_OPT_STRINGS, "IF",
		  "attach to this interface (again: to each)", PF_OPT_REPEAT),
	{}
};

const struct pf_command pf_cmd_load = {
	.name = "load",
	.summary = "load and pin programs and maps, attach to interfaces",
	.description =
		"Load and pin the programs and maps, and attach them (tc clsact, ingress and\n"
		"egress) to the named interfaces, by default every interface of this network\n"
		"namespace including lo. Idempotent; a later --dev adds interfaces, a later\n"
		"load without --dev selects every interface.\n",
	.options = load_options,
	.args_size = sizeof(struct load_args),
	.run = cmd_load,
};

static int cmd_unload(struct pf_env *env, const void *args)
{
	int rc = pf_exit_code(pf_require_privileges(env));

	(void)args;
	return rc ? rc : pf_unload(env, stdout);
}

static const struct pf_option no_options[] = { {} };

const struct pf_command pf_cmd_unload = {
	.name = "unload",
	.summary = "detach everywhere and remove every pin",
	.description =
		"Detach the programs from every interface and remove every pin: all fences\n"
		"are lifted. Idempotent.\n",
	.options = no_options,
	.run = cmd_unload,
};
