/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * A copy of a few words, a cycle's Python frames or backtrace (none to
 * eight entries as a rule), without a call into libc: at these sizes
 * memcpy's call and its dispatch on the size cost more than the copy
 * (bench/RESULTS.md, "Issue 14, this session").  Fixed-size pieces, overlapping
 * when the size falls between two, are moves the compiler writes in
 * place.  The two buffers never overlap.  Nothing to copy is the most
 * common case (no backtrace, frames read as the last release's), and is
 * tested first.
 */
#ifndef GILTRACE_SHIM_SMALL_COPY_H
#define GILTRACE_SHIM_SMALL_COPY_H

#include <stddef.h>
#include <string.h>

static inline void small_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n == 0) {
		return;
	}
	if (n > 64) {
		memcpy(d, s, n);
	} else if (n >= 32) {
		__builtin_memcpy(d, s, 32);
		__builtin_memcpy(d + n - 32, s + n - 32, 32);
	} else if (n >= 16) {
		__builtin_memcpy(d, s, 16);
		__builtin_memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		__builtin_memcpy(d, s, 8);
		__builtin_memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		__builtin_memcpy(d, s, 4);
		__builtin_memcpy(d + n - 4, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++) {
			d[i] = s[i];
		}
	}
}

#endif
