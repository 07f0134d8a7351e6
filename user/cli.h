/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the portfence commands share: exit codes, the command context and
 * error reporting (the commands themselves: options.h). */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* docs/reference.md, Exit codes */
enum pf_exit {
	PF_EXIT_OK = 0,
	PF_EXIT_FAIL = 1,	/* runtime failure */
	PF_EXIT_USAGE = 2,	/* bad usage or bad input */
	PF_EXIT_PERM = 3,	/* not root / no CAP_BPF + CAP_NET_ADMIN */
	PF_EXIT_KERNEL = 4,	/* the kernel lacks something required */
	PF_EXIT_UNKNOWN = 5,	/* check: the fence could not be read */
};

struct pf_state;

struct pf_env {
	const char *pin_dir;	/* resolved: --pin-dir, $PORTFENCE_PIN_DIR or default */
	const char *cmd;	/* the command's name, for messages */
	struct pf_state *state;	/* what is in the pin dir (state.h), resolved once */
};

/* "portfence CMD: message" on stderr; returns its second argument, for
 * "return pf_error(...)": a negative errno where the failure happens (the
 * command chooses the exit code), or an exit code at the command boundary. */
int pf_error(const struct pf_env *env, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The exit code of a negative errno already reported, at the command
 * boundary (the errnos chosen for each exit code: cli.c). */
int pf_exit_code(int err);
/* A system call's negative errno as a runtime failure (exit 1): err itself
 * when pf_exit_code maps it to 1, else -EIO. */
int pf_runtime_errno(int err);
void pf_warn(const struct pf_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 0 if the process may load BPF programs and change tc, else -EPERM
 * (reported). */
int pf_require_privileges(const struct pf_env *env);

#endif
