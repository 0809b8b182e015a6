/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#ifndef GILTRACE_SHIM_EXPORT_H
#define GILTRACE_SHIM_EXPORT_H

/* The shim is built with -fvisibility=hidden; only wrappers are exported. */
#define SHIM_EXPORT __attribute__((visibility("default")))

/* The return address of the intercepted call: where the program called. */
#define SHIM_CALLER() __builtin_return_address(0)

/* The traced path of a wrapper, kept out of line so that the forwarding
 * path needs no stack frame (see shim_idle in gil_tracker.h). */
#define SHIM_SLOW __attribute__((noinline))

#include <stdint.h>
#include <time.h>

/* An absolute timeout as nanoseconds for the trace, -1 if absent. */
static inline int64_t shim_timespec_ns(const struct timespec *ts)
{
	if (!ts)
		return -1;
	return (int64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

#endif
