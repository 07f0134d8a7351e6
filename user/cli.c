// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Messages and privileges, shared by every command. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "cli.h"

static void vreport(const struct pf_env *env, const char *fmt, va_list ap)
{
	fprintf(stderr, "portfence%s%s: ", env && env->cmd ? " " : "", env && env->cmd ? env->cmd : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int pf_error(const struct pf_env *env, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(env, fmt, ap);
	va_end(ap);
	return err;
}

/*
 * Functions below the commands return 0 or a negative errno and report the
 * failure where it happens; only the commands (and main) turn it into an
 * exit code, here. The errnos that choose an exit code:
 *
 *   -EINVAL             2  bad usage or input: an option or value, a wrong
 *                          $PORTFENCE_ATTACH, a --dev that does not exist,
 *                          a pin dir path too long
 *   -EACCES, -EPERM     3  not permitted: no privileges, loading refused,
 *                          bpffs not mountable, pin dir not creatable
 *   -EOPNOTSUPP         4  the kernel lacks something required (a helper,
 *                          tcx when $PORTFENCE_ATTACH asks for it)
 *   anything else       1  a runtime failure, among them -ETIMEDOUT (the
 *                          pin dir's lock waited for too long), -EPROTO
 *                          (maps of another layout), -ELOOP, -ENOTDIR and
 *                          -EUCLEAN (an untrusted pin dir), -EMEDIUMTYPE
 *                          (a pin dir not on bpffs), -EBUSY (programs of
 *                          another fence table or pin dir), -EIO
 *
 * A system call's errno that would read as one of the first three although
 * the failure is a runtime one goes through pf_runtime_errno first.
 */
int pf_exit_code(int err)
{
	switch (err) {
	case 0:
		return PF_EXIT_OK;
	case -EINVAL:
		return PF_EXIT_USAGE;
	case -EACCES:
	case -EPERM:
		return PF_EXIT_PERM;
	case -EOPNOTSUPP:
		return PF_EXIT_KERNEL;
	default:
		return PF_EXIT_FAIL;
	}
}

int pf_runtime_errno(int err)
{
	return err < 0 && pf_exit_code(err) == PF_EXIT_FAIL ? err : -EIO;
}

void pf_warn(const struct pf_env *env, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "portfence %s: warning: ", env->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pf_require_privileges(const struct pf_env *env)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	bool bpf, net_admin, sys_admin;

	if (syscall(SYS_capget, &hdr, data))
		return pf_error(env, -EPERM, "cannot read capabilities: %s", strerror(errno));
	sys_admin = data[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
	bpf = data[CAP_BPF / 32].effective & (1U << (CAP_BPF % 32));
	net_admin = data[CAP_NET_ADMIN / 32].effective & (1U << (CAP_NET_ADMIN % 32));
	if ((bpf || sys_admin) && net_admin)
		return 0;
	return pf_error(env, -EPERM, "not permitted: needs root or CAP_BPF and CAP_NET_ADMIN");
}
