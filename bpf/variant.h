/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A second build of the same programs, for the tests of an upgrade in
 * place (make's test variants): -DPF_BUILD_SALT=N adds one instruction that
 * changes nothing but the program's code, so a load sees programs other
 * than the pinned ones. Without it, nothing is added. */
#ifndef PF_VARIANT_H
#define PF_VARIANT_H

#ifdef PF_BUILD_SALT
#define PF_VARIANT()	asm volatile("r0 = %[salt]" : : [salt] "i"(PF_BUILD_SALT) : "r0")
#else
#define PF_VARIANT()	do { } while (0)
#endif

#endif
