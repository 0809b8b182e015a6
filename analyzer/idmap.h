/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * A map from 64-bit keys (pid, tid, addresses) to pointers: open
 * addressing, linear probing, no deletion.  The analysis only ever adds
 * (processes, threads, locks live until the report), so this is all it
 * needs.
 */
#ifndef GILTRACE_ANALYZER_IDMAP_H
#define GILTRACE_ANALYZER_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t key;
	void *val;			/* NULL: empty slot */
};

struct idmap {
	struct idmap_slot *slots;	/* owned by this */
	size_t cap;			/* a power of two, or 0 */
	size_t len;
};

void *idmap_get(const struct idmap *m, uint64_t key);
/* Adds a key that is not present yet; val must not be NULL.  Returns 0
 * or -1 when out of memory. */
int idmap_put(struct idmap *m, uint64_t key, void *val);
void idmap_free(struct idmap *m);
/* idmap_free(), and free() on every value first: for maps that own
 * plain malloc'd values. */
void idmap_free_values(struct idmap *m);

/* Iteration in slot order: for (i = 0; idmap_next(m, &i, &v);) ... */
int idmap_next(const struct idmap *m, size_t *pos, void **val);

#endif
