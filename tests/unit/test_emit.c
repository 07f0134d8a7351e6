// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The JSON emitter (user/emit.c): its separators, the layout of an array
 * of lines, the newline that ends a document, and every string (keys
 * too) escaped, byte for byte as the --json outputs are read. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "emit.h"

static char *buf;
static size_t len;
static FILE *f;
static struct pf_emit e;

static void open_doc(void)
{
	f = open_memstream(&buf, &len);
	cr_assert(f);
	pf_emit_init(&e, f);
}

static void doc_is(const char *want)
{
	fclose(f);
	cr_assert_str_eq(buf, want);
	free(buf);
	buf = NULL;
}

TestSuite(emit, .init = open_doc);

Test(emit, member_writes_key_and_escaped_value)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_string(&e, "name", "q\"z");
	pf_emit_string(&e, "hook", "tcx");
	pf_emit_object_end(&e);
	doc_is("{\"name\": \"q\\\"z\", \"hook\": \"tcx\"}\n");
}

Test(emit, keys_are_escaped_too)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_uint(&e, "a\\b\x01", 1);
	pf_emit_object_end(&e);
	doc_is("{\"a\\\\b\\u0001\": 1}\n");
}

Test(emit, strings_escape_control_bytes_and_invalid_utf8)
{
	pf_emit_array_begin(&e, NULL, PF_EMIT_INLINE);
	pf_emit_string(&e, NULL, "a\nb");
	pf_emit_string(&e, NULL, "a\xff" "b");
	pf_emit_string(&e, NULL, "\xc3\xa9");
	pf_emit_array_end(&e);
	doc_is("[\"a\\u000ab\", \"a\\u00ffb\", \"\xc3\xa9\"]\n");
}

Test(emit, empty_containers)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_array_begin(&e, "a", PF_EMIT_INLINE);
	pf_emit_array_end(&e);
	pf_emit_array_begin(&e, "l", PF_EMIT_LINES);
	pf_emit_array_end(&e);
	pf_emit_object_begin(&e, "o");
	pf_emit_object_end(&e);
	pf_emit_object_end(&e);
	doc_is("{\"a\": [], \"l\": [], \"o\": {}}\n");
}

Test(emit, every_scalar)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_uint(&e, "u", 18446744073709551615ULL);
	pf_emit_int(&e, "i", -3);
	pf_emit_fixed(&e, "x", 0.7314, 3);
	pf_emit_fixed(&e, "y", 2, 3);
	pf_emit_bool(&e, "t", true);
	pf_emit_bool(&e, "f", false);
	pf_emit_null(&e, "n");
	pf_emit_object_end(&e);
	doc_is("{\"u\": 18446744073709551615, \"i\": -3, \"x\": 0.731, \"y\": 2.000, "
	       "\"t\": true, \"f\": false, \"n\": null}\n");
}

Test(emit, nested_separators)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_bool(&e, "loaded", true);
	pf_emit_object_begin(&e, "features");
	pf_emit_bool(&e, "tcx", true);
	pf_emit_bool(&e, "kfunc", false);
	pf_emit_object_end(&e);
	pf_emit_array_begin(&e, "interfaces", PF_EMIT_INLINE);
	pf_emit_object_begin(&e, NULL);
	pf_emit_string(&e, "name", "lo");
	pf_emit_object_end(&e);
	pf_emit_object_begin(&e, NULL);
	pf_emit_string(&e, "name", "eth0");
	pf_emit_int(&e, "ifindex", 2);
	pf_emit_object_end(&e);
	pf_emit_array_end(&e);
	pf_emit_int(&e, "after", 0);
	pf_emit_object_end(&e);
	doc_is("{\"loaded\": true, \"features\": {\"tcx\": true, \"kfunc\": false}, "
	       "\"interfaces\": [{\"name\": \"lo\"}, {\"name\": \"eth0\", \"ifindex\": 2}], "
	       "\"after\": 0}\n");
}

Test(emit, an_array_of_lines)
{
	pf_emit_array_begin(&e, NULL, PF_EMIT_LINES);
	pf_emit_object_begin(&e, NULL);
	pf_emit_uint(&e, "port", 3260);
	pf_emit_object_begin(&e, "counters");
	pf_emit_uint(&e, "knocks", 0);
	pf_emit_uint(&e, "drained", 1);
	pf_emit_object_end(&e);
	pf_emit_object_end(&e);
	pf_emit_object_begin(&e, NULL);
	pf_emit_uint(&e, "port", 3261);
	pf_emit_object_end(&e);
	pf_emit_array_end(&e);
	doc_is("[\n  {\"port\": 3260, \"counters\": {\"knocks\": 0, \"drained\": 1}},\n"
	       "  {\"port\": 3261}\n]\n");
}

Test(emit, lines_nested_are_indented_by_level)
{
	pf_emit_object_begin(&e, NULL);
	pf_emit_array_begin(&e, "l", PF_EMIT_LINES);
	pf_emit_uint(&e, NULL, 1);
	pf_emit_uint(&e, NULL, 2);
	pf_emit_array_end(&e);
	pf_emit_object_end(&e);
	doc_is("{\"l\": [\n    1,\n    2\n  ]}\n");
}

Test(emit, a_scalar_alone_is_a_document)
{
	pf_emit_string(&e, NULL, "x");
	doc_is("\"x\"\n");
}
