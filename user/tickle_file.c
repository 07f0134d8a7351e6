// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tickle_file.h"
#include "portfence.h"

/* The whole of fd, opened on path (shown as such) as a regular file of at
 * most PF_TICKLE_FILE_MAX bytes; with root_only, one root owns. Closes fd. */
static int read_whole(int fd, const char *path, bool root_only, char **text, size_t *len,
		      char *err)
{
	struct stat st;
	ssize_t got = 0, n;
	char *buf;
	int e = 0;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > PF_TICKLE_FILE_MAX ||
	    (root_only && st.st_uid != 0)) {
		e = !S_ISREG(st.st_mode) ? EINVAL : st.st_size > PF_TICKLE_FILE_MAX ? EFBIG : EPERM;
		snprintf(err, PF_ERR_LEN, "tickle file '%s' is %s: refused", path,
			 e == EINVAL ? "not a regular file" : e == EFBIG ? "larger than 1 MiB" :
			 "not owned by root");
		close(fd);
		return -e;
	}
	/* one byte more than allowed tells a file that grew since fstat */
	buf = malloc(PF_TICKLE_FILE_MAX + 1);
	while (buf && got <= PF_TICKLE_FILE_MAX &&
	       (n = read(fd, buf + got, (size_t)(PF_TICKLE_FILE_MAX + 1 - got))) != 0) {
		if (n < 0 && errno != EINTR) {
			e = errno;
			break;
		}
		got += n > 0 ? n : 0;
	}
	close(fd);
	if (!buf || e || got > PF_TICKLE_FILE_MAX) {
		e = !buf ? ENOMEM : e ? e : EFBIG;
		snprintf(err, PF_ERR_LEN, "cannot read tickle file '%s': %s", path,
			 e == EFBIG ? "it grew past 1 MiB" : strerror(e));
		free(buf);
		return -e;
	}
	*text = buf;
	*len = (size_t)got;
	return 0;
}

static int open_error(const char *path, char *err)
{
	int e = errno;

	snprintf(err, PF_ERR_LEN, "cannot read tickle file '%s': %s", path,
		 e == ELOOP ? "it is a symbolic link: refused" : strerror(e));
	return -e;
}

int pf_tickle_file_read(const char *path, char **text, size_t *len, char *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? open_error(path, err) : read_whole(fd, path, false, text, len, err);
}

int pf_tickle_file_read_at(int dir_fd, const char *name, const char *path, char **text,
			   size_t *len, char *err)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? open_error(path, err) : read_whole(fd, path, true, text, len, err);
}

/* Others wrote the file: no control byte of it reaches the log. */
static void printable(char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
}

/* The line as it may be shown: printable, and no more of it than fits. */
static void quote_line(const char *line, size_t n, char *out, size_t outlen)
{
	if (n > outlen - 1)
		n = outlen - 1;
	memcpy(out, line, n);
	out[n] = 0;
	for (size_t i = 0; i < n; i++)
		out[i] = out[i] ? out[i] : '?';
	printable(out);
}

/* One line: 1 and *t for a peer, 0 for a blank line, -EINVAL (err set). */
static int parse_line(const char *line, size_t n, int lineno, struct pf_tickle *t, char *err)
{
	char buf[PF_TICKLE_LINE_MAX + 1], shown[64], *local, *remote, *save;
	char why[PF_ERR_LEN];

	if (n > PF_TICKLE_LINE_MAX || memchr(line, 0, n)) {
		quote_line(line, n, shown, sizeof(shown));
		snprintf(err, PF_ERR_LEN, "line %d: %s '%s'", lineno,
			 n > PF_TICKLE_LINE_MAX ? "longer than 511 bytes" : "a NUL byte in", shown);
		return -EINVAL;
	}
	memcpy(buf, line, n);
	buf[n] = 0;
	local = strtok_r(buf, " \t\r\v\f", &save);
	if (!local)
		return 0;
	remote = strtok_r(NULL, " \t\r\v\f", &save);
	if (!remote || strtok_r(NULL, " \t\r\v\f", &save)) {
		quote_line(line, n, shown, sizeof(shown));
		snprintf(err, PF_ERR_LEN, "line %d: bad line '%s' (want 'LOCAL REMOTE')", lineno,
			 shown);
		return -EINVAL;
	}
	if (pf_parse_endpoint(local, &t->local, &t->lport, why) ||
	    pf_parse_endpoint(remote, &t->remote, &t->rport, why)) {
		n = (size_t)snprintf(err, PF_ERR_LEN, "line %d: ", lineno);
		why[PF_ERR_LEN - 1 - n] = 0;	/* what fits after the line number */
		strcat(err, why);
		printable(err);
		return -EINVAL;
	}
	if (t->local.family != t->remote.family) {
		quote_line(line, n, shown, sizeof(shown));
		snprintf(err, PF_ERR_LEN, "line %d: '%s' mixes IPv4 and IPv6", lineno, shown);
		return -EINVAL;
	}
	return 1;
}

int pf_tickle_parse(const char *text, size_t len, struct pf_tickle *out, int max, bool *more,
		    char *err)
{
	const char *line = text, *end = text + len, *nl;
	struct pf_tickle t;
	int lineno = 0, n = 0, rc;

	*more = false;
	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		memset(&t, 0, sizeof(t));
		rc = parse_line(line, (size_t)(nl - line), ++lineno, &t, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (n == max) {
			*more = true;
			continue;	/* still checked: every line before anything is sent */
		}
		out[n++] = t;
	}
	return n;
}
