// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence: option parsing and dispatch, nothing else. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "pins.h"
#include "state.h"

static const struct pf_command *const commands[] = {
	&pf_cmd_load, &pf_cmd_unload, &pf_cmd_attach, &pf_cmd_block, &pf_cmd_unblock, &pf_cmd_check,
	&pf_cmd_list, &pf_cmd_status, &pf_cmd_conns, &pf_cmd_tickle, &pf_cmd_metrics,
	&pf_cmd_parse,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The options before the command. */
struct global_args {
	const char *pin_dir;
	bool version;
};

static const struct pf_option global_options[] = {
	PF_OPTION(struct global_args, pin_dir, "pin-dir", PF_OPT_STRING, "DIR",
		  "the pin dir (else $PORTFENCE_PIN_DIR, else " PF_DEFAULT_PIN_DIR ")", 0),
	PF_OPTION(struct global_args, version, "version", PF_OPT_FLAG, NULL, "print the version", 0),
	{}
};

static const struct pf_command global = { .options = global_options };

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("PORTFENCE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: portfence [--pin-dir DIR] COMMAND [OPTIONS]\n"
		   "       portfence --version | --help | COMMAND --help\n\noptions:\n");
	pf_print_options(f, global_options);
	fprintf(f, "\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nExit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 not permitted,\n"
		   "4 the kernel lacks something required.\n");
}

/* Parses the command's options, then runs it; returns the exit code. */
static int run(struct pf_env *env, const struct pf_command *cmd, int argc, char **argv)
{
	void *args = calloc(1, cmd->args_size ? cmd->args_size : 1);
	int parsed, rc, next;

	if (!args)
		return pf_error(env, PF_EXIT_FAIL, "out of memory");
	if (cmd->defaults)
		memcpy(args, cmd->defaults, cmd->args_size);
	parsed = pf_parse_options(env, cmd, argc, argv, args, false, &next);
	if (parsed == PF_PARSED_HELP) {
		pf_print_usage(stdout, cmd, "usage: portfence [--pin-dir DIR] ");
		rc = PF_EXIT_OK;
	} else if (parsed < 0) {
		rc = PF_EXIT_USAGE;
	} else {
		rc = cmd->no_pins ? PF_EXIT_OK : pf_exit_code(pf_pin_dir_check(env));
		if (!rc)
			rc = cmd->run(env, args);
		pf_state_reset(env->state);
	}
	free(args);
	return rc;
}

int main(int argc, char **argv)
{
	struct pf_state state;
	struct pf_env env = { .state = &state };
	struct global_args g = {};
	int parsed, i;
	size_t c;

	libbpf_set_print(libbpf_quiet);
	parsed = pf_parse_options(&env, &global, argc, argv, &g, true, &i);
	if (parsed < 0)
		return PF_EXIT_USAGE;
	if (parsed == PF_PARSED_HELP) {
		usage(stdout);
		return PF_EXIT_OK;
	}
	if (g.version) {
		printf("portfence %s\n", PORTFENCE_VERSION);
		return PF_EXIT_OK;
	}
	if (i == argc) {
		usage(stderr);
		return PF_EXIT_USAGE;
	}
	env.pin_dir = pf_pin_dir_resolve(g.pin_dir);
	pf_state_init(&state, &env);
	for (c = 0; c < NCOMMANDS; c++) {
		if (!strcmp(argv[i], commands[c]->name)) {
			env.cmd = commands[c]->name;
			return run(&env, commands[c], argc - i, argv + i);
		}
	}
	return pf_error(NULL, PF_EXIT_USAGE, "unknown command '%s' (see 'portfence --help')", argv[i]);
}
