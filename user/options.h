/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Option parsing shared by the commands: each command has its own option
 * table, and the portal options (--ip, --port, --proto) mean the same
 * everywhere. */
#ifndef PF_OPTIONS_H
#define PF_OPTIONS_H

#include <getopt.h>
#include "cli.h"
#include "portal.h"

enum pf_opt {
	OPT_HELP = 'h',
	OPT_IP = 256, OPT_PORT, OPT_PROTO, OPT_DIRECTION, OPT_METHOD,
	OPT_KEEP, OPT_JSON, OPT_DEV, OPT_FILE, OPT_COUNT, OPT_PEER, OPT_EXACT,
	OPT_NO_WAKE, OPT_KNOCKED, OPT_DRAIN, OPT_DRAIN_STALL, OPT_OUTPUT,
};

#define PF_OPT_HELP	{ "help", no_argument, NULL, OPT_HELP }
#define PF_OPT_PORTAL	{ "ip", required_argument, NULL, OPT_IP }, \
			{ "port", required_argument, NULL, OPT_PORT }, \
			{ "proto", required_argument, NULL, OPT_PROTO }

struct pf_portal_args {
	struct pf_portal portal;
	const char *ip, *ports;
};

/* Starts a command's option loop (resets getopt, silences its messages). */
void pf_opts_begin(void);
/* Next option, or -1 at the end; unknown options and missing arguments
 * print a message naming them and return '?'. */
int pf_opts_next(const struct pf_env *env, int argc, char **argv, const struct option *opts);
/* Handles --ip/--port/--proto; returns 1 if opt was one, 0 if not, or
 * -PF_EXIT_USAGE after printing the error. */
int pf_opt_portal(const struct pf_env *env, int opt, const char *arg, struct pf_portal_args *pa);
/* After the loop: no stray arguments; --port present if required. */
int pf_opts_end(const struct pf_env *env, int argc, char **argv,
		const struct pf_portal_args *pa, bool need_port);
int pf_usage(const struct pf_env *env, const char *usage, int code);

#endif
