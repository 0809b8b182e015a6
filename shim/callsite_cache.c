/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "callsite_cache.h"

#include <stddef.h>

#include "addr_word.h"

/*
 * Open addressing over one word per site (addr_word.h), the role as its
 * tag, so that a site is published with a single compare-and-swap and
 * read with a single load, from any thread, without a lock (the cache
 * is consulted from inside lock wrappers).  Global because call sites
 * are per process; 16384 slots of which only the touched pages cost
 * memory.
 */
#define CALLSITE_SLOT_BITS	14u
#define CALLSITE_SLOTS		(1u << CALLSITE_SLOT_BITS)
#define CALLSITE_PROBES		32u

static uint64_t callsite_table[CALLSITE_SLOTS];

enum site_role callsite_cache_lookup(uintptr_t ip, callsite_classify_fn classify)
{
	uint64_t key = addr_word(ip, 0);
	size_t slot = addr_word_slot(ip, CALLSITE_SLOT_BITS);
	enum site_role role;

	for (unsigned int i = 0; i < CALLSITE_PROBES; i++) {
		uint64_t *entry = &callsite_table[(slot + i) & (CALLSITE_SLOTS - 1)];
		uint64_t seen = __atomic_load_n(entry, __ATOMIC_ACQUIRE);

		if (seen == 0) {
			role = classify(ip);
			if (role == SITE_UNMAPPED)
				return SITE_OTHER;
			uint64_t want = addr_word(ip, role);
			if (__atomic_compare_exchange_n(entry, &seen, want, 0,
					__ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
				return role;
			/* Another thread took the slot; it may be this site. */
		}
		if ((seen & ADDR_WORD_MASK) == key)
			return (enum site_role) addr_word_tag(seen);
	}
	/* Neighbourhood full: still answer correctly, just uncached. */
	role = classify(ip);
	return role == SITE_UNMAPPED ? SITE_OTHER : role;
}

void callsite_cache_clear(void)
{
	for (size_t i = 0; i < CALLSITE_SLOTS; i++)
		__atomic_store_n(&callsite_table[i], 0, __ATOMIC_RELAXED);
}
