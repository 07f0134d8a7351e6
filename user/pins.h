/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The pin dir: bpffs, the pinned objects, and the load/attach lock. */
#ifndef PF_PINS_H
#define PF_PINS_H

#include <stdbool.h>
#include <stddef.h>

/* --pin-dir, else $PORTFENCE_PIN_DIR, else the default. */
const char *pf_pin_dir_resolve(const char *opt);
/* The lock is waited for this long ($PORTFENCE_LOCK_WAIT_MS overrides),
 * then given up with -ETIMEDOUT. */
#define PF_LOCK_WAIT_MS		10000
#define PF_LOCK_STEP_MS		5
int pf_lock_wait_ms(void);

struct pf_env;
/* Is env's pin dir safe to trust: no symlink on the way, root's, writable
 * by no one else? 0, or a negative errno having said why not (cli.c maps
 * them). */
int pf_pin_dir_check(const struct pf_env *env);
/* Make sure env's pin dir exists on a bpffs (mounting /sys/fs/bpf if
 * absent) and is trusted. 0, or a negative errno having said why not. */
int pf_pin_dir_prepare(const struct pf_env *env);
void pf_pin_path(char *buf, size_t n, const char *dir, const char *name);
/* bpf_obj_get() of dir/name, or a negative errno. */
int pf_pin_open(const char *dir, const char *name);
bool pf_pin_exists(const char *dir, const char *name);
/* Pin fd as dir/name in the place of what is pinned there (if anything),
 * with no moment without a pin; 0 or a negative errno. */
#define PF_PIN_NEXT	"_next"	/* bpffs takes no dot in a name */
int pf_pin_replace(int fd, const char *dir, const char *name);
/* Serialise load/attach/unload: the pin dir itself is the lock file, since
 * bpffs holds no regular files. Returns a fd to pass to pf_unlock. */
int pf_lock(const char *dir);
void pf_unlock(int fd);

#endif
