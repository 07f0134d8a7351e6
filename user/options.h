/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Each command's options, described once: a table of name, kind of value,
 * where the value goes, and help. getopt_long's options, the usage line
 * and the --help text are all made from it (the man page lists the same
 * options, which tests/unit/manpage.t checks). */
#ifndef PF_OPTIONS_H
#define PF_OPTIONS_H

#include <stddef.h>
#include <stdio.h>
#include "cli.h"
#include "portal.h"

enum pf_opt_kind {
	PF_OPT_FLAG,		/* bool */
	PF_OPT_STRING,		/* const char *, not empty */
	PF_OPT_STRINGS,		/* struct pf_strings: every one given */
	PF_OPT_IP,		/* struct pf_portal_args */
	PF_OPT_PORT,		/* struct pf_portal_args */
	PF_OPT_PROTO,		/* struct pf_portal_args */
	PF_OPT_DIRECTION,	/* __u8, enum pf_direction */
	PF_OPT_METHOD,		/* __u8, enum pf_method */
	PF_OPT_MS,		/* unsigned int, 0 to PF_DRAIN_MS_MAX */
	PF_OPT_COUNT,		/* __u32, 1 to 100 */
};

/* The longest time an option takes, in milliseconds (an hour). */
#define PF_DRAIN_MS_MAX		3600000
/* "MS": 0..PF_DRAIN_MS_MAX milliseconds; 0, or -EINVAL with err
 * (PF_ERR_LEN bytes) naming opt. */
int pf_parse_ms(const char *opt, const char *s, unsigned int *ms, char *err);

#define PF_OPT_REQUIRED	(1U << 0)	/* the command cannot do without it */
#define PF_OPT_REPEAT	(1U << 1)	/* may be given more than once */

struct pf_option {
	const char *name;	/* --name */
	enum pf_opt_kind kind;
	size_t offset;		/* of its field in the command's arguments */
	const char *value;	/* the value's name in usage ("P"); NULL for a flag */
	const char *help;
	unsigned int flags;	/* PF_OPT_* */
};

#define PF_OPTION(args, field, name, kind, value, help, flags) \
	{ name, kind, offsetof(args, field), value, help, flags }
/* --ip, --port and --proto, the same in every command that names a portal. */
#define PF_PORTAL_OPTIONS(args, field, port_flags)					\
	PF_OPTION(args, field, "ip", PF_OPT_IP, "A[/LEN]",				\
		  "address or prefix (none: every local address of both families)", 0),	\
	PF_OPTION(args, field, "port", PF_OPT_PORT, "P",				\
		  "port, list or range: 3260, 3260,3261, 860:870", port_flags),		\
	PF_OPTION(args, field, "proto", PF_OPT_PROTO, "tcp|udp", "protocol (tcp)", 0)

#define PF_MAX_STRINGS	1024
struct pf_strings {
	const char *v[PF_MAX_STRINGS];
	int n;
};

struct pf_portal_args {
	struct pf_portal portal;
	const char *ip, *ports;		/* as given, NULL if not */
};

/* A command: its options, the size and defaults of the arguments they
 * fill, and what runs with them. */
struct pf_command {
	const char *name;
	const char *summary;		/* one line, for portfence --help */
	const char *description;	/* for COMMAND --help */
	const struct pf_option *options;	/* ends with { NULL } */
	size_t args_size;
	const void *defaults;		/* args_size bytes; NULL: zeros */
	bool no_pins;			/* runs without a pin dir */
	int (*run)(struct pf_env *env, const void *args);	/* exit code */
};

enum pf_parsed {
	PF_PARSED_RUN,		/* args filled: run the command */
	PF_PARSED_HELP,		/* --help asked: print the usage */
};

/* Fills args from argv[1..] with the command's table, stopping at the first
 * argument that is not an option when stop_at_arg (the global options),
 * else refusing it. Returns enum pf_parsed, or -EINVAL after one message
 * naming what is wrong. *next gets the index of the first argument left. */
int pf_parse_options(const struct pf_env *env, const struct pf_command *cmd, int argc,
		     char **argv, void *args, bool stop_at_arg, int *next);
/* "usage: ..." with the options' help, from the table. */
void pf_print_usage(FILE *f, const struct pf_command *cmd, const char *prefix);
/* "  --name VALUE   help" per option. */
void pf_print_options(FILE *f, const struct pf_option *opts);

extern const struct pf_command pf_cmd_load, pf_cmd_unload, pf_cmd_block, pf_cmd_unblock,
	pf_cmd_check, pf_cmd_list, pf_cmd_status, pf_cmd_conns, pf_cmd_tickle, pf_cmd_metrics,
	pf_cmd_parse, pf_cmd_attach;

#endif
