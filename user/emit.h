/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The JSON emitter every --json output is written through: objects and
 * arrays opened and closed, members and elements written, the separators
 * (", " between members and elements, ": " after a key) and the escaping
 * of strings (pf_json_string) done here, so no caller prints JSON syntax.
 * A key is given for a member of an object, NULL for an element of an
 * array. A document ends with a newline when its outermost value closes.
 */
#ifndef PF_EMIT_H
#define PF_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#define PF_EMIT_MAX_DEPTH	8

/* How an array lays out its elements: all on one line, or each on a line
 * of its own, indented two spaces a level (a list people read too). */
enum pf_emit_layout {
	PF_EMIT_INLINE,
	PF_EMIT_LINES,
};

/* An object or array open. */
struct pf_emit_level {
	bool lines;	/* an array of PF_EMIT_LINES */
	bool empty;	/* nothing written in it yet */
};

struct pf_emit {
	FILE *f;
	int depth;
	struct pf_emit_level level[PF_EMIT_MAX_DEPTH];
};

void pf_emit_init(struct pf_emit *e, FILE *f);
void pf_emit_object_begin(struct pf_emit *e, const char *key);
void pf_emit_object_end(struct pf_emit *e);
void pf_emit_array_begin(struct pf_emit *e, const char *key, enum pf_emit_layout layout);
void pf_emit_array_end(struct pf_emit *e);
void pf_emit_string(struct pf_emit *e, const char *key, const char *s);
void pf_emit_uint(struct pf_emit *e, const char *key, unsigned long long v);
void pf_emit_int(struct pf_emit *e, const char *key, long long v);
/* v with the given number of decimals ("%.*f"). */
void pf_emit_fixed(struct pf_emit *e, const char *key, double v, int decimals);
void pf_emit_bool(struct pf_emit *e, const char *key, bool v);
void pf_emit_null(struct pf_emit *e, const char *key);

#endif
