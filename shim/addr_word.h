/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Lock-free tables keyed by code address (callsite_cache.c, callsite_events.c)
 * store one 64-bit word per entry: the address in the low 56 bits (user
 * space on x86-64 and AArch64 fits in 48) and an 8-bit tag on top, so
 * that an entry is published and read with single atomic operations.
 * 0 is the empty entry.
 */
#ifndef GILTRACE_SHIM_ADDR_WORD_H
#define GILTRACE_SHIM_ADDR_WORD_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_WORD_MASK	((UINT64_C(1) << 56) - 1)

static inline uint64_t addr_word(uintptr_t addr, unsigned int tag)
{
	return ((uint64_t) addr & ADDR_WORD_MASK) | ((uint64_t) tag << 56);
}

static inline unsigned int addr_word_tag(uint64_t word)
{
	return (unsigned int) (word >> 56);
}

/* The first slot to probe in a table of 2^bits slots (Fibonacci hashing). */
static inline size_t addr_word_slot(uintptr_t addr, unsigned int bits)
{
	return (size_t) (((uint64_t) addr * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
}

#endif
