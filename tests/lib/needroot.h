/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* docs/reference.md, The test bed: a test that needs root skips when not
 * root, and fails instead under CI=true, where a skip would hide a broken
 * test bed. */
#ifndef PF_NEEDROOT_H
#define PF_NEEDROOT_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#define pf_need_root()								\
	do {									\
		if (geteuid() != 0) {						\
			const char *__ci = getenv("CI");			\
			if (__ci && !strcmp(__ci, "true"))			\
				cr_assert_fail("needs root (CI=true: not skipped)");	\
			else							\
				cr_skip_test("needs root");			\
		}								\
	} while (0)

#endif
