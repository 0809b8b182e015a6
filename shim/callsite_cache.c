/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "callsite_cache.h"

#include <stddef.h>

/*
 * Open addressing over one 64-bit word per site: the address in the low
 * 56 bits, the role in the top 8, so that a site is published with a
 * single compare-and-swap and read with a single load, from any thread,
 * without a lock (the cache is consulted from inside lock wrappers).
 * Global because call sites are per process; 16384 slots of which only
 * the touched pages cost memory.
 */
#define CALLSITE_SLOTS		16384u
#define CALLSITE_PROBES		32u
#define CALLSITE_IP_MASK	((UINT64_C(1) << 56) - 1)

static uint64_t callsite_table[CALLSITE_SLOTS];

static inline size_t callsite_hash(uintptr_t ip)
{
	uint64_t h = (uint64_t) ip * UINT64_C(0x9E3779B97F4A7C15);

	return (size_t) (h >> 50) & (CALLSITE_SLOTS - 1);
}

enum site_role callsite_cache_lookup(uintptr_t ip, callsite_classify_fn classify)
{
	uint64_t key = (uint64_t) ip & CALLSITE_IP_MASK;
	size_t slot = callsite_hash(ip);
	enum site_role role;

	for (unsigned int i = 0; i < CALLSITE_PROBES; i++) {
		uint64_t *entry = &callsite_table[(slot + i) & (CALLSITE_SLOTS - 1)];
		uint64_t seen = __atomic_load_n(entry, __ATOMIC_ACQUIRE);

		if (seen == 0) {
			role = classify(ip);
			uint64_t want = key | ((uint64_t) role << 56);
			if (__atomic_compare_exchange_n(entry, &seen, want, 0,
					__ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
				return role;
			/* Another thread took the slot; it may be this site. */
		}
		if ((seen & CALLSITE_IP_MASK) == key)
			return (enum site_role) (seen >> 56);
	}
	/* Neighbourhood full: still answer correctly, just uncached. */
	return classify(ip);
}

void callsite_cache_clear(void)
{
	for (size_t i = 0; i < CALLSITE_SLOTS; i++)
		__atomic_store_n(&callsite_table[i], 0, __ATOMIC_RELAXED);
}
