/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Calls made by LTTng-UST itself are passed through untraced.  Its
 * libraries reach pthread functions through the PLT, hence through the
 * shim, also when no wrapper of ours is on the stack (its own threads,
 * its thread-exit destructors): tracing such a call re-enters LTTng-UST
 * while it holds its own locks (the RCU registry lock, for one), which
 * deadlocks.
 */
#ifndef GILTRACE_SHIM_INTERNAL_CALLERS_H
#define GILTRACE_SHIM_INTERNAL_CALLERS_H

#include <stdint.h>

/* Bounding box of the internal code; 0..0 until computed. */
extern uintptr_t internal_lo, internal_hi;

int internal_caller_slow(uintptr_t ip);

static inline int internal_caller(const void *caller)
{
	uintptr_t ip = (uintptr_t) caller;

	return ip >= internal_lo && ip < internal_hi && internal_caller_slow(ip);
}

/* Find the LTTng-UST libraries' code (constructor, and after dlopen). */
void internal_callers_init(void);

/* Has internal_callers_init run?  (pthread_create needs it earlier.) */
int internal_callers_ready(void);

#endif
