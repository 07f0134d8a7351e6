// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The one JSON string writer every --json output goes through: quote,
 * backslash, control bytes and DEL escaped, valid UTF-8 kept, every other
 * byte (an interface name is bytes) written as \u00XX so the document
 * stays valid UTF-8. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "output.h"

static void escapes_to(const char *s, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	pf_json_string(f, s);
	fclose(f);
	cr_assert_str_eq(buf, want, "'%s'", s);
	free(buf);
}

Test(json, plain_ascii_is_quoted_as_is)
{
	escapes_to("eth0", "\"eth0\"");
	escapes_to("", "\"\"");
}

Test(json, quote_and_backslash_are_escaped)
{
	escapes_to("a\"b\\c", "\"a\\\"b\\\\c\"");
}

Test(json, control_bytes_and_del_are_unicode_escapes)
{
	escapes_to("a\nb\tc\x01" "d\x1f\x7f", "\"a\\u000ab\\u0009c\\u0001d\\u001f\\u007f\"");
}

Test(json, valid_utf8_is_kept)
{
	escapes_to("\xc3\xa9" "cran \xe2\x82\xac \xf0\x9f\x98\x80", "\"\xc3\xa9" "cran \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

Test(json, invalid_utf8_bytes_are_unicode_escapes_of_their_value)
{
	escapes_to("a\xff" "b", "\"a\\u00ffb\"");
	/* a lone continuation byte, a truncated sequence, an overlong '/', a surrogate */
	escapes_to("\x80", "\"\\u0080\"");
	escapes_to("\xc3" "a", "\"\\u00c3a\"");
	escapes_to("\xc0\xaf", "\"\\u00c0\\u00af\"");
	escapes_to("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	escapes_to("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
}
