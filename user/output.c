// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

void pf_print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
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

/* Every counter as fmt (separator, name, value), separated by ", ". */
static void print_counters(const struct pf_counters *c, const struct pf_cli_counters *cli,
			   const char *fmt)
{
	const char *sep = "";

#define PF_COUNTER_PRINT(name, help) \
	printf(fmt, sep, #name, (unsigned long long)c->name), sep = ", ";
#define PF_CLI_COUNTER_PRINT(name, help) \
	printf(fmt, sep, #name, (unsigned long long)cli->name), sep = ", ";
	PF_COUNTERS(PF_COUNTER_PRINT)
	if (cli) {
		PF_CLI_COUNTERS(PF_CLI_COUNTER_PRINT)
	}
#undef PF_COUNTER_PRINT
#undef PF_CLI_COUNTER_PRINT
}

void pf_print_counters_json(const struct pf_counters *c, const struct pf_cli_counters *cli)
{
	putchar('{');
	print_counters(c, cli, "%s\"%s\": %llu");
	putchar('}');
}

void pf_print_counters_text(const struct pf_counters *c, const struct pf_cli_counters *cli)
{
	print_counters(c, cli, "%s%s %llu");
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
