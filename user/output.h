/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Output shared by the commands: JSON strings, counters, times. */
#ifndef PF_OUTPUT_H
#define PF_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "portfence.h"

/* s as a JSON string: quote, backslash, control bytes and DEL escaped,
 * valid UTF-8 kept, any other byte as \u00XX. Every JSON string the
 * commands print goes through it (emit.c). */
void pf_json_string(FILE *f, const char *s);
struct pf_emit;
/* The counters as a JSON object (member key, or an array's element with
 * key NULL); with cli, the CLI's own ones too. */
void pf_emit_counters(struct pf_emit *e, const char *key, const struct pf_counters *c,
		      const struct pf_cli_counters *cli);
/* "local_resets 0, syns_dropped 2, ..." */
void pf_print_counters_text(const struct pf_counters *c, const struct pf_cli_counters *cli);
/* sum += c, field by field (per-CPU values into one). */
void pf_counters_add(struct pf_counters *sum, const struct pf_counters *c);
/* s as a Prometheus label value (quoted: backslash, double quote and
 * newline escaped) or HELP text (not quoted: backslash and newline). */
void pf_print_prom_escaped(FILE *f, const char *s, bool quoted);
/* Writes path whole or not at all, as root may in a directory others can
 * write to: write() fills a new file of a random name beside it (created
 * exclusively, so no planted link is followed), flushed to disk, then
 * renamed over path (a link there is replaced, never written through).
 * Mode 0644. 0, or a negative errno. */
int pf_write_file(const char *path, int (*write)(FILE *f, void *arg), void *arg);
/* Seconds since the epoch as "2026-11-25T04:10:00Z". */
void pf_format_time(__u64 t, char *buf, size_t n);

#endif
