/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * pthread_setname_np: a thread that names itself is named in the trace
 * too (giltrace:thread_name), so that reports can say "worker-3" where
 * they would say a tid (CPython 3.14 on names each thread after its
 * threading.Thread.name this way).  The call is the program's: its
 * result, errno and effect are the real function's.  The same shape as
 * every wrapper (wrap_mutex.c).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "export.h"
#include "giltrace_tp.h"
#include "guard.h"
#include "internal_callers.h"
#include "real.h"

static SHIM_SLOW int setname_traced(pthread_t thread, const char *name, void *caller)
{
	int ret, err;

	/* The guard is down during the real call, as in every wrapper
	 * (guard.h). */
	ret = real_pthread_setname_np(thread, name);
	err = errno;
	shim_enter();
	/* After the call: only a name the thread now has, and only its own
	 * (the event's thread is the one named). */
	if (ret == 0 && pthread_equal(thread, pthread_self())) {
		lttng_ust_tracepoint(giltrace, thread_name, name, caller);
	}
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int pthread_setname_np(pthread_t thread, const char *name)
{
	if (!lttng_ust_tracepoint_enabled(giltrace, thread_name) || shim_entered()
	    || internal_caller(SHIM_CALLER())) {
		return real_pthread_setname_np(thread, name);
	}
	return setname_traced(thread, name, SHIM_CALLER());
}
