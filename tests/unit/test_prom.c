// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Escaping for the Prometheus text format (portfence metrics): a label
 * value escapes backslash, double quote and newline; HELP text only
 * backslash and newline. Interface names cannot hold a newline, so only
 * here is that case reached. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "output.h"

static void escapes_to(const char *s, bool quoted, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	pf_print_prom_escaped(f, s, quoted);
	fclose(f);
	cr_assert_str_eq(buf, want, "'%s' (quoted %d)", s, quoted);
	free(buf);
}

Test(prom, label_value_plain_is_quoted_as_is)
{
	escapes_to("eth0", true, "\"eth0\"");
}

Test(prom, label_value_escapes_backslash_quote_newline)
{
	escapes_to("a\\b\"c\nd", true, "\"a\\\\b\\\"c\\nd\"");
}

Test(prom, help_text_escapes_backslash_and_newline_only)
{
	escapes_to("a\\b\"c\nd", false, "a\\\\b\"c\\nd");
}

Test(prom, empty_label_value)
{
	escapes_to("", true, "\"\"");
}
