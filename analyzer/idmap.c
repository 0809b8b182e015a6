/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <stdlib.h>

#include "idmap.h"

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing spreads sequential tids and aligned addresses. */
	return (size_t) ((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0) {
		return NULL;
	}
	for (i = slot_of(key, m->cap); m->slots[i].val; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key) {
			return m->slots[i].val;
		}
	}
	return NULL;
}

static void slot_insert(struct idmap_slot *slots, size_t cap, uint64_t key, void *val)
{
	size_t i = slot_of(key, cap);

	while (slots[i].val) {
		i = (i + 1) & (cap - 1);
	}
	slots[i].key = key;
	slots[i].val = val;
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct idmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots) {
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].val) {
			slot_insert(slots, cap, m->slots[i].key, m->slots[i].val);
		}
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int idmap_put(struct idmap *m, uint64_t key, void *val)
{
	/* Keep the load under 1/2 so probes stay short. */
	if ((m->len + 1) * 2 > m->cap && grow(m) != 0) {
		return -1;
	}
	slot_insert(m->slots, m->cap, key, val);
	m->len++;
	return 0;
}

int idmap_next(const struct idmap *m, size_t *pos, void **val)
{
	while (*pos < m->cap) {
		struct idmap_slot *s = &m->slots[(*pos)++];

		if (s->val) {
			*val = s->val;
			return 1;
		}
	}
	return 0;
}

void idmap_free_values(struct idmap *m)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(m, &pos, &v)) {
		free(v);
	}
	idmap_free(m);
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->len = 0;
}
