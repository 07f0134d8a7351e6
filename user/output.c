// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <time.h>

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

void pf_print_counters_json(const struct pf_counters *c)
{
	printf("{\"local_resets\": %llu, \"syns_dropped\": %llu, \"segs_dropped\": %llu, "
	       "\"peer_resets\": %llu, \"socks_destroyed\": %llu}",
	       c->local_resets, c->syns_dropped, c->segs_dropped, c->peer_resets, c->socks_destroyed);
}

void pf_format_time(__u64 t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%llu", t);
}
