// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfence: option parsing and dispatch, nothing else. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "pins.h"
#include "portfence.h"

static const struct command {
	const char *name;
	int (*run)(struct pf_env *env, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "load", cmd_load, "load and pin programs and maps, attach to interfaces" },
	{ "unload", cmd_unload, "detach everywhere and remove every pin" },
	{ "attach", cmd_attach, "attach to interfaces created since load" },
	{ "block", cmd_block, "fence a portal" },
	{ "unblock", cmd_unblock, "lift a portal's fence" },
	{ "check", cmd_check, "exit 0 if a portal is fenced, 1 if not" },
	{ "list", cmd_list, "fenced portals with policy, since-time and counters" },
	{ "status", cmd_status, "programs, interfaces, socket-destroy mechanism, counters" },
	{ "conns", cmd_conns, "established TCP connections of a portal" },
	{ "tickle", cmd_tickle, "send tickle ACKs so stale peers reset at once" },
	{ "metrics", cmd_metrics, "counters and state in Prometheus text format" },
};

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
		   "       portfence --version | --help | COMMAND --help\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nThe pin dir is --pin-dir, else $PORTFENCE_PIN_DIR, else %s.\n"
		   "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 not permitted,\n"
		   "4 the kernel lacks something required.\n", PF_DEFAULT_PIN_DIR);
}

int main(int argc, char **argv)
{
	struct pf_env env = {};
	const char *pin_dir = NULL;
	char err[PATH_MAX + 128];
	int i = 1, rc;
	size_t c;

	libbpf_set_print(libbpf_quiet);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("portfence %s\n", PORTFENCE_VERSION);
			return PF_EXIT_OK;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return PF_EXIT_OK;
		} else if (!strcmp(argv[i], "--pin-dir") && i + 1 < argc) {
			pin_dir = argv[++i];
		} else if (!strncmp(argv[i], "--pin-dir=", 10)) {
			pin_dir = argv[i] + 10;
		} else {
			return pf_fail(NULL, PF_EXIT_USAGE, "unknown option '%s' (see 'portfence --help')",
				       argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return PF_EXIT_USAGE;
	}
	if (pin_dir && !*pin_dir)
		return pf_fail(NULL, PF_EXIT_USAGE, "empty --pin-dir");
	env.pin_dir = pf_pin_dir_resolve(pin_dir);
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (!strcmp(argv[i], commands[c].name)) {
			env.cmd = commands[c].name;
			rc = pf_pin_dir_check(env.pin_dir, err, sizeof(err));
			if (rc)
				return pf_fail(&env, rc, "%s", err);
			return commands[c].run(&env, argc - i, argv + i);
		}
	}
	return pf_fail(NULL, PF_EXIT_USAGE, "unknown command '%s' (see 'portfence --help')", argv[i]);
}
