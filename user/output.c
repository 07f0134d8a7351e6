// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "output.h"

/* The length of the valid UTF-8 sequence at s (no overlong form, no
 * surrogate, nothing past U+10FFFF), or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Interface names are bytes to the kernel (a quote, a backslash, any byte
 * but '/', ':' and white space), and a JSON document must be valid UTF-8:
 * valid UTF-8 is kept as it is, every other byte written as \u00XX, the
 * character of its value (so the name's bytes are the string's Latin-1
 * encoding where the name is not UTF-8).
 */
void pf_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	while (*p) {
		n = utf8_len(p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || !n)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

void pf_print_prom_escaped(FILE *f, const char *s, bool quoted)
{
	if (quoted)
		fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quoted)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
	if (quoted)
		fputc('"', f);
}

void pf_emit_counters(struct pf_emit *e, const char *key, const struct pf_counters *c,
		      const struct pf_cli_counters *cli)
{
#define PF_COUNTER_EMIT(name, help) pf_emit_uint(e, #name, c->name);
#define PF_CLI_COUNTER_EMIT(name, help) pf_emit_uint(e, #name, cli->name);
	pf_emit_object_begin(e, key);
	PF_COUNTERS(PF_COUNTER_EMIT)
	if (cli) {
		PF_CLI_COUNTERS(PF_CLI_COUNTER_EMIT)
	}
	pf_emit_object_end(e);
#undef PF_COUNTER_EMIT
#undef PF_CLI_COUNTER_EMIT
}

void pf_print_counters_text(const struct pf_counters *c, const struct pf_cli_counters *cli)
{
	const char *sep = "";

#define PF_COUNTER_PRINT(name, help) \
	printf("%s%s %llu", sep, #name, (unsigned long long)c->name), sep = ", ";
#define PF_CLI_COUNTER_PRINT(name, help) \
	printf("%s%s %llu", sep, #name, (unsigned long long)cli->name), sep = ", ";
	PF_COUNTERS(PF_COUNTER_PRINT)
	if (cli) {
		PF_CLI_COUNTERS(PF_CLI_COUNTER_PRINT)
	}
#undef PF_COUNTER_PRINT
#undef PF_CLI_COUNTER_PRINT
}

void pf_counters_add(struct pf_counters *sum, const struct pf_counters *c)
{
#define PF_COUNTER_ADD(name, help) sum->name += c->name;
	PF_COUNTERS(PF_COUNTER_ADD)
#undef PF_COUNTER_ADD
}

void pf_format_time(__u64 t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%llu", t);
}

int pf_write_file(const char *path, int (*write)(FILE *f, void *arg), void *arg)
{
	size_t len = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(len);
	FILE *f = NULL;
	int fd = -1, err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "w")))
		err = -errno;
	if (!err)
		err = write(f, arg);
	if (!err && (fflush(f) || fsync(fileno(f))))
		err = -errno;
	if (f && fclose(f) && !err)
		err = -errno;
	else if (!f && fd >= 0)
		close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	free(tmp);
	return err;
}
