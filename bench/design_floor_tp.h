/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * bench/libdesignfloor.so's events (bench/design_floor.c): the shapes of
 * giltrace's contended-cycle events and of its batch of compact cycles,
 * without Python frames or callers' backtraces.  A benchmark reference,
 * never read by giltrace.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER giltrace_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "design_floor_tp.h"

#if !defined(_DESIGN_FLOOR_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define _DESIGN_FLOOR_TP_H

#include <stdint.h>

#include <lttng/tracepoint.h>

#include "design_batch.h"


/* An attempt that did not take the lock at once, its acquisition after
 * the wait, or the release of a cycle that waited. */
LTTNG_UST_TRACEPOINT_EVENT(giltrace_bench, moment,
	LTTNG_UST_TP_ARGS(const void *, lock, int, what, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, lock, (uintptr_t) lock)
		lttng_ust_field_integer(uint8_t, what, what)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/* Cycles that did not wait: three times and a caller each. */
LTTNG_UST_TRACEPOINT_EVENT(giltrace_bench, cycles,
	LTTNG_UST_TP_ARGS(const void *, lock, const uint64_t *, ts, unsigned int, n_ts,
		const uintptr_t *, callers, unsigned int, n, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, lock, (uintptr_t) lock)
		lttng_ust_field_sequence(uint64_t, ts, ts, uint16_t, n_ts)
		lttng_ust_field_sequence_hex(uintptr_t, callers, callers, uint8_t, n)
	)
)

/*
 * The same cycles in the shape of giltrace:gil_cycles: a sequence per
 * field, eighteen of them, frames and backtraces empty (mode
 * design+wide, bench/design_floor.c).
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace_bench, cycles_wide,
	LTTNG_UST_TP_ARGS(const struct design_wide *, b, const void *, lock, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) lock)
		lttng_ust_field_integer(int32_t, tid, 0)
		lttng_ust_field_integer(uint64_t, told_ts, b->told_ts)
		lttng_ust_field_sequence(uint64_t, begin_ts, b->begin_ts, uint8_t, b->n)
		lttng_ust_field_sequence(uint64_t, acquired_ts, b->acquired_ts, uint8_t, b->n)
		lttng_ust_field_sequence(uint64_t, released_ts, b->released_ts, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, begin_caller, b->callers, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_caller, b->callers, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, caller, b->callers, uint8_t, b->n)
		lttng_ust_field_sequence(uint32_t, waiters, b->waiters, uint8_t, b->n)
		lttng_ust_field_sequence(uint8_t, signalled, b->zeros, uint8_t, b->n)
		lttng_ust_field_sequence(uint8_t, acquire_backtrace_len, b->zeros, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_backtrace, b->callers, uint16_t, 0)
		lttng_ust_field_sequence(uint8_t, acquire_py_len, b->zeros, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uint64_t, acquire_pycode, b->begin_ts, uint16_t, 0)
		lttng_ust_field_sequence(uint32_t, acquire_pyinstr, b->waiters, uint16_t, 0)
		lttng_ust_field_sequence(uint8_t, backtrace_len, b->zeros, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, backtrace, b->callers, uint16_t, 0)
		lttng_ust_field_sequence(uint8_t, py_len, b->zeros, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uint64_t, pycode, b->begin_ts, uint16_t, 0)
		lttng_ust_field_sequence(uint32_t, pyinstr, b->waiters, uint16_t, 0)
		lttng_ust_field_unused(ip)
	)
)

#endif

#include <lttng/tracepoint-event.h>
