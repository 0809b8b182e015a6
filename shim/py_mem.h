/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Loads from the interpreter's memory at an address and offset, once
 * that memory is known to be there (safe_read.h is for when it is not).
 * Relaxed atomic loads: the interpreter writes some of these fields
 * with atomics of its own, and the compiler must not assume anything of
 * memory it does not own.
 */
#ifndef GILTRACE_SHIM_PY_MEM_H
#define GILTRACE_SHIM_PY_MEM_H

#include <stdint.h>

static inline uintptr_t py_word(uintptr_t base, uint32_t off)
{
	return __atomic_load_n((const uintptr_t *) (base + off), __ATOMIC_RELAXED);
}

static inline int32_t py_i32(uintptr_t base, uint32_t off)
{
	return __atomic_load_n((const int32_t *) (base + off), __ATOMIC_RELAXED);
}

static inline uint32_t py_u32(uintptr_t base, uint32_t off)
{
	return __atomic_load_n((const uint32_t *) (base + off), __ATOMIC_RELAXED);
}

static inline uint8_t py_u8(uintptr_t base, uint32_t off)
{
	return __atomic_load_n((const uint8_t *) (base + off), __ATOMIC_RELAXED);
}

#endif
