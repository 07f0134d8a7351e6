// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence load | unload | attach */
#include <stdio.h>

#include "load.h"
#include "options.h"
#include "state.h"

struct load_args {
	struct pf_strings devs;
};

static int cmd_load(struct pf_env *env, const void *args)
{
	const struct load_args *a = args;
	int err = pf_require_privileges(env);

	if (!err)
		err = pf_ensure_ready(env, a->devs.n ? (char **)a->devs.v : NULL, a->devs.n,
				      !a->devs.n, true, stdout);
	if (!err)
		printf("loaded in %s\n", env->pin_dir);
	return pf_exit_code(err);
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
		"Load and pin the programs and maps, and attach them (tcx where the kernel\n"
		"has it, else tc clsact; ingress and egress) to the named interfaces, by\n"
		"default every interface of this network namespace including lo. Idempotent;\n"
		"a later --dev adds interfaces, a later load without --dev selects every\n"
		"interface. Over the programs of another build (an upgrade), replaces them\n"
		"in place on every interface, keeping every map and fence, and says so;\n"
		"over maps of another layout, refuses and changes nothing.\n",
	.options = load_options,
	.args_size = sizeof(struct load_args),
	.run = cmd_load,
};

static int cmd_unload(struct pf_env *env, const void *args)
{
	int err = pf_require_privileges(env);

	(void)args;
	return pf_exit_code(err ? err : pf_unload(env, stdout));
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

static int cmd_attach(struct pf_env *env, const void *args)
{
	int err = pf_require_privileges(env);

	(void)args;
	if (err)
		return pf_exit_code(err);
	if (!pf_loaded(env->state)) {
		if (pf_state_foreign(env->state, NULL, NULL))
			return pf_exit_code(pf_state_foreign_error(env->state));
		printf("nothing loaded in %s: nothing to attach\n", env->pin_dir);
		return PF_EXIT_OK;
	}
	return pf_exit_code(pf_ensure_ready(env, NULL, 0, false, false, stdout));
}

const struct pf_command pf_cmd_attach = {
	.name = "attach",
	.summary = "attach to interfaces created since load",
	.description =
		"Attach the loaded programs to every selected interface that lacks them:\n"
		"interfaces created since load (a VLAN, a tunnel, a WireGuard link). Prints\n"
		"one 'attached IF' line each; loads nothing, changes no selection and no\n"
		"fence. Nothing loaded in the pin dir: says so, exit 0. The agent's monitor\n"
		"runs it.\n",
	.options = no_options,
	.run = cmd_attach,
};
