/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Walking a BPF map from user space: the get_next_key and lookup loop. */
#ifndef PF_MAP_WALK_H
#define PF_MAP_WALK_H

#include <stddef.h>

/* 0 to go on; anything else stops the walk and is its result. */
typedef int (*pf_map_walk_fn)(const void *key, const void *value, void *arg);

/*
 * Calls fn for every entry of map fd, in the kernel's order, with the key
 * (key_size bytes) and the value (value_size bytes: for a per-CPU map,
 * every CPU's; NULL when value_size is 0, the keys alone). An entry
 * deleted between reading its key and its value is skipped, as if the
 * walk had come after. 0 at the end, fn's result when it stopped the
 * walk, or a negative errno (fd itself when it is one).
 */
int pf_map_walk(int fd, size_t key_size, size_t value_size, pf_map_walk_fn fn, void *arg);
/* How many entries map fd holds, or a negative errno. */
int pf_map_count(int fd, size_t key_size);
/* For a walk that collects: the slot n of array *v of elements of size
 * bytes, *cap of them allocated, grown (doubled) when n reaches it; NULL
 * when out of memory (*v is then as it was). */
void *pf_map_walk_slot(void **v, size_t *cap, size_t n, size_t size);

#endif
