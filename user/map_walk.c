// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "map_walk.h"

int pf_map_walk(int fd, size_t key_size, size_t value_size, pf_map_walk_fn fn, void *arg)
{
	char *buf, *key, *next, *swap, *value;
	int err;

	if (fd < 0)
		return fd;
	buf = malloc(2 * key_size + value_size);
	if (!buf)
		return -ENOMEM;
	key = NULL;
	next = buf;
	value = value_size ? buf + 2 * key_size : NULL;
	for (;;) {
		if (bpf_map_get_next_key(fd, key, next)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		/* the key just read is where the next step starts */
		swap = key ? key : buf + key_size;
		key = next;
		next = swap;
		if (value && bpf_map_lookup_elem(fd, key, value))
			continue;
		err = fn(key, value, arg);
		if (err)
			break;
	}
	free(buf);
	return err;
}

static int count_one(const void *key, const void *value, void *arg)
{
	(void)key;
	(void)value;
	(*(int *)arg)++;
	return 0;
}

int pf_map_count(int fd, size_t key_size)
{
	int n = 0, err = pf_map_walk(fd, key_size, 0, count_one, &n);

	return err ? err : n;
}

void *pf_map_walk_slot(void **v, size_t *cap, size_t n, size_t size)
{
	void *grown;

	if (n == *cap) {
		grown = realloc(*v, (*cap ? 2 * *cap : 64) * size);
		if (!grown)
			return NULL;
		*v = grown;
		*cap = *cap ? 2 * *cap : 64;
	}
	return (char *)*v + n * size;
}
