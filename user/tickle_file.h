/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Tickle files: "LOCAL REMOTE" per line, as conns writes and portblock
 * saves. They live in a directory others may write to (tickle_dir), so
 * root reads them warily and parses them as hostile text. */
#ifndef PF_TICKLE_FILE_H
#define PF_TICKLE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include "portal.h"

/* A line longer than this is refused (an endpoint pair takes < 110). */
#define PF_TICKLE_LINE_MAX	511

struct pf_tickle {
	struct pf_addr local, remote;
	__u16 lport, rport;
};

/* The whole of the regular file path, never through a link nor waiting on
 * a FIFO, at most PF_TICKLE_FILE_MAX bytes: *text (to free) and *len, or a
 * negative errno with err saying why (-ELOOP a link, -EFBIG too large,
 * -EINVAL not a regular file). */
int pf_tickle_file_read(const char *path, char **text, size_t *len, char *err);
/* The same of the file name in the directory dir_fd (path: how to name
 * it), which must also be owned by root (-EPERM if not): a file another
 * user could have written is not taken for what a root daemon wrote. */
int pf_tickle_file_read_at(int dir_fd, const char *name, const char *path, char **text,
			   size_t *len, char *err);

/* Parses len bytes of text (not NUL-terminated; any bytes) into at most
 * max peers, every line checked before any is returned. Blank lines are
 * skipped. Returns the number parsed (*more set when lines beyond max
 * were left), or -EINVAL with err naming the line. */
int pf_tickle_parse(const char *text, size_t len, struct pf_tickle *out, int max, bool *more,
		    char *err);

#endif
