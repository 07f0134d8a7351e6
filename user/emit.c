// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <assert.h>

#include "emit.h"
#include "output.h"

void pf_emit_init(struct pf_emit *e, FILE *f)
{
	e->f = f;
	e->depth = 0;
}

static void indent(struct pf_emit *e, int depth)
{
	fputc('\n', e->f);
	while (depth-- > 0)
		fputs("  ", e->f);
}

/* Whatever goes before a value: the separator from the one before it in
 * the same container, and its key. */
static void value_begin(struct pf_emit *e, const char *key)
{
	struct pf_emit_level *l;

	if (!e->depth)
		return;
	l = &e->level[e->depth - 1];
	if (!l->empty)
		fputc(',', e->f);
	if (l->lines)
		indent(e, e->depth);
	else if (!l->empty)
		fputc(' ', e->f);
	l->empty = false;
	if (key) {
		pf_json_string(e->f, key);
		fputs(": ", e->f);
	}
}

/* The outermost value closed ends the document. */
static void value_end(struct pf_emit *e)
{
	if (!e->depth)
		fputc('\n', e->f);
}

static void container_begin(struct pf_emit *e, const char *key, char c, bool lines)
{
	value_begin(e, key);
	assert(e->depth < PF_EMIT_MAX_DEPTH);
	fputc(c, e->f);
	e->level[e->depth].lines = lines;
	e->level[e->depth].empty = true;
	e->depth++;
}

static void container_end(struct pf_emit *e, char c)
{
	assert(e->depth > 0);
	e->depth--;
	if (e->level[e->depth].lines && !e->level[e->depth].empty)
		indent(e, e->depth);
	fputc(c, e->f);
	value_end(e);
}

void pf_emit_object_begin(struct pf_emit *e, const char *key)
{
	container_begin(e, key, '{', false);
}

void pf_emit_object_end(struct pf_emit *e)
{
	container_end(e, '}');
}

void pf_emit_array_begin(struct pf_emit *e, const char *key, enum pf_emit_layout layout)
{
	container_begin(e, key, '[', layout == PF_EMIT_LINES);
}

void pf_emit_array_end(struct pf_emit *e)
{
	container_end(e, ']');
}

void pf_emit_string(struct pf_emit *e, const char *key, const char *s)
{
	value_begin(e, key);
	pf_json_string(e->f, s);
	value_end(e);
}

void pf_emit_uint(struct pf_emit *e, const char *key, unsigned long long v)
{
	value_begin(e, key);
	fprintf(e->f, "%llu", v);
	value_end(e);
}

void pf_emit_int(struct pf_emit *e, const char *key, long long v)
{
	value_begin(e, key);
	fprintf(e->f, "%lld", v);
	value_end(e);
}

void pf_emit_fixed(struct pf_emit *e, const char *key, double v, int decimals)
{
	value_begin(e, key);
	fprintf(e->f, "%.*f", decimals, v);
	value_end(e);
}

void pf_emit_bool(struct pf_emit *e, const char *key, bool v)
{
	value_begin(e, key);
	fputs(v ? "true" : "false", e->f);
	value_end(e);
}

void pf_emit_null(struct pf_emit *e, const char *key)
{
	value_begin(e, key);
	fputs("null", e->f);
	value_end(e);
}
