/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The clock LTTng-UST stamps events with: its monotonic clock, or a
 * clock plug-in's (LTTNG_UST_CLOCK_PLUGIN, loaded by its constructor,
 * before any session can enable an event).  Read by the shim where a
 * time is part of an event's payload (compact cycles), and by the
 * benchmarks' reference libraries (bench/), which must read it as the
 * shim does.
 */
#ifndef GILTRACE_SHIM_UST_CLOCK_H
#define GILTRACE_SHIM_UST_CLOCK_H

#include <stdint.h>

#include <lttng/ust-clock.h>

/* Global, one per file that reads the clock: the process's one clock,
 * looked up once. */
static lttng_ust_clock_read64_function ust_clock_fn;

/* The clock's reading now; 0 when LTTng-UST names no clock. */
static inline uint64_t ust_clock_read(void)
{
	lttng_ust_clock_read64_function f = __atomic_load_n(&ust_clock_fn, __ATOMIC_RELAXED);

	if (!f) {
		if (lttng_ust_trace_clock_get_read64_cb(&f) != 0 || !f) {
			return 0;
		}
		__atomic_store_n(&ust_clock_fn, f, __ATOMIC_RELAXED);
	}
	return f();
}

#endif
