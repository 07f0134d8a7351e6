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

int pf_fail(const struct pf_env *env, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(env, fmt, ap);
	va_end(ap);
	return code;
}

int pf_error(const struct pf_env *env, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(env, fmt, ap);
	va_end(ap);
	return err;
}

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
	default:
		return PF_EXIT_FAIL;
	}
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
