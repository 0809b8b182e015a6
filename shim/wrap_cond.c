/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Condition variable wrappers, in two ABI versions where glibc has two
 * (see real.c): each exported version forwards to its own counterpart.
 *
 * A wait is a cancellation point.  The cleanup attribute (this file is
 * built with -fexceptions) runs when the thread is cancelled inside the
 * real wait: it closes the trace of the wait and leaves the guard, and
 * the unwinding continues into the program's own cleanup handlers.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "export.h"
#include "gil_tracker.h"
#include "guard.h"
#include "internal_callers.h"
#include "real.h"

struct wait_cleanup {
	int armed;
	struct gil *gil;
	const void *cond, *mutex;
	void *caller;
};

static void wait_cleanup_run(struct wait_cleanup *w)
{
	if (!w->armed)
		return;
	shim_enter();
	lttng_ust_tracepoint(giltrace, cond_wait_end, w->cond, w->mutex,
		GILTRACE_RET_CANCELLED, w->caller);
	if (w->gil)
		gil_cond_wait_cancelled(w->gil);
	shim_leave();
}

typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*cond_wake_fn)(pthread_cond_t *);

/*
 * The one wait.  untimed or timed is the real function to call, or
 * neither for pthread_cond_clockwait, whose clock is then the program's
 * own, valid or not: any clockid_t, negative ones included (CPU-time
 * clocks; -1, which glibc rejects with EINVAL), is passed on as given
 * and never taken for one of the GILTRACE_CLOCK_* values the trace
 * uses for the other two.
 */
static SHIM_SLOW int cond_wait_traced(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock,
		const struct timespec *abstime, void *caller,
		cond_wait_fn untimed, cond_timedwait_fn timed)
{
	__attribute__((cleanup(wait_cleanup_run))) struct wait_cleanup w = { 0 };
	int trace_clock = untimed ? GILTRACE_CLOCK_NONE : timed ? GILTRACE_CLOCK_COND : (int) clock;
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	w.cond = cond;
	w.mutex = mutex;
	w.caller = caller;
	if (gil_hooks_needed())
		w.gil = gil_cond_wait_begin(cond, mutex, !untimed, caller);
	lttng_ust_tracepoint(giltrace, cond_wait_begin, cond, mutex, trace_clock,
		shim_timespec_ns(abstime), caller);
	gil_attempt_blocks();
	w.armed = 1;
	/* The real call sees the program's errno, whatever ran above. */
	shim_leave();
	errno = saved_errno;
	if (untimed)
		ret = untimed(cond, mutex);
	else if (timed)
		ret = timed(cond, mutex, abstime);
	else
		ret = real_pthread_cond_clockwait(cond, mutex, clock, abstime);
	err = errno;
	shim_enter();
	w.armed = 0;
	lttng_ust_tracepoint(giltrace, cond_wait_end, cond, mutex, ret, caller);
	if (w.gil)
		gil_cond_wait_end(w.gil, ret, caller);
	else if (gil_hooks_needed())
		gil_cond_wait_untracked_end(mutex, caller);
	shim_leave();
	errno = err;
	return ret;
}

static SHIM_SLOW int cond_wake_traced(pthread_cond_t *cond, void *caller, cond_wake_fn wake, int broadcast)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	if (gil_hooks_needed())
		gil_cond_signal(cond);
	if (broadcast)
		lttng_ust_tracepoint(giltrace, cond_broadcast, cond, caller);
	else
		lttng_ust_tracepoint(giltrace, cond_signal, cond, caller);
	shim_leave();
	errno = saved_errno;
	ret = wake(cond);
	err = errno;
	errno = err;
	return ret;
}

/* ---- current ABI (the default version) ------------------------- */

#ifdef COND_COMPAT_VERSION
/* Exported under the pthread_* names through .symver only. */
int giltrace_pthread_cond_wait_default(pthread_cond_t *, pthread_mutex_t *);
int giltrace_pthread_cond_timedwait_default(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
int giltrace_pthread_cond_signal_default(pthread_cond_t *);
int giltrace_pthread_cond_broadcast_default(pthread_cond_t *);
int giltrace_pthread_cond_wait_compat(pthread_cond_t *, pthread_mutex_t *);
int giltrace_pthread_cond_timedwait_compat(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
int giltrace_pthread_cond_signal_compat(pthread_cond_t *);
int giltrace_pthread_cond_broadcast_compat(pthread_cond_t *);
#endif

#ifdef COND_COMPAT_VERSION
/* The attribute where the shim is optimised at link time (configure.ac):
 * a .symver directive names nothing in another partition. */
#ifdef HAVE_SYMVER_ATTRIBUTE
#define SYMVER(fn, versioned) extern __typeof__(fn) fn __attribute__((symver(versioned)));
#else
#define SYMVER(fn, versioned) __asm__(".symver " #fn ", " versioned);
#endif
#define DEFAULT_VERSION(fn, sym) SYMVER(fn, sym "@@GLIBC_2.3.2")
#define COMPAT_VERSION(fn, sym) SYMVER(fn, sym "@" COND_COMPAT_VERSION)
#define COND_DEFAULT(name) giltrace_##name##_default
#else
#define DEFAULT_VERSION(fn, sym)
#define COND_DEFAULT(name) name
#endif

DEFAULT_VERSION(giltrace_pthread_cond_wait_default, "pthread_cond_wait")
SHIM_EXPORT int COND_DEFAULT(pthread_cond_wait)(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
	if (shim_idle(cond_wait_begin, cond_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_wait(cond, mutex);
	return cond_wait_traced(cond, mutex, CLOCK_REALTIME, NULL, SHIM_CALLER(),
		real_pthread_cond_wait, NULL);
}

DEFAULT_VERSION(giltrace_pthread_cond_timedwait_default, "pthread_cond_timedwait")
SHIM_EXPORT int COND_DEFAULT(pthread_cond_timedwait)(pthread_cond_t *cond, pthread_mutex_t *mutex,
		const struct timespec *abstime)
{
	if (shim_idle(cond_wait_begin, cond_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_timedwait(cond, mutex, abstime);
	return cond_wait_traced(cond, mutex, CLOCK_REALTIME, abstime, SHIM_CALLER(),
		NULL, real_pthread_cond_timedwait);
}

DEFAULT_VERSION(giltrace_pthread_cond_signal_default, "pthread_cond_signal")
SHIM_EXPORT int COND_DEFAULT(pthread_cond_signal)(pthread_cond_t *cond)
{
	unsigned char *mark;

	if (shim_idle(cond_signal, cond_signal) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_signal(cond);
	/* No event of its own, and all it does is mark its GIL section
	 * (gil_signal_mark): in line. */
	if (!lttng_ust_tracepoint_enabled(giltrace, cond_signal) && (mark = gil_signal_mark())) {
		*mark = 1;
		return real_pthread_cond_signal(cond);
	}
	return cond_wake_traced(cond, SHIM_CALLER(), real_pthread_cond_signal, 0);
}

DEFAULT_VERSION(giltrace_pthread_cond_broadcast_default, "pthread_cond_broadcast")
SHIM_EXPORT int COND_DEFAULT(pthread_cond_broadcast)(pthread_cond_t *cond)
{
	if (shim_idle(cond_broadcast, cond_broadcast) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_broadcast(cond);
	return cond_wake_traced(cond, SHIM_CALLER(), real_pthread_cond_broadcast, 1);
}

/* glibc 2.30; one version only. */
SHIM_EXPORT int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
		clockid_t clock, const struct timespec *abstime)
{
	if (shim_idle(cond_wait_begin, cond_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_clockwait(cond, mutex, clock, abstime);
	return cond_wait_traced(cond, mutex, clock, abstime, SHIM_CALLER(), NULL, NULL);
}

/* ---- pre-2.3.2 ABI ----------------------------------------------- */

#ifdef COND_COMPAT_VERSION
COMPAT_VERSION(giltrace_pthread_cond_wait_compat, "pthread_cond_wait")
SHIM_EXPORT int giltrace_pthread_cond_wait_compat(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
	if (shim_idle(cond_wait_begin, cond_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_wait_compat(cond, mutex);
	return cond_wait_traced(cond, mutex, CLOCK_REALTIME, NULL, SHIM_CALLER(),
		real_pthread_cond_wait_compat, NULL);
}

COMPAT_VERSION(giltrace_pthread_cond_timedwait_compat, "pthread_cond_timedwait")
SHIM_EXPORT int giltrace_pthread_cond_timedwait_compat(pthread_cond_t *cond, pthread_mutex_t *mutex,
		const struct timespec *abstime)
{
	if (shim_idle(cond_wait_begin, cond_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_timedwait_compat(cond, mutex, abstime);
	return cond_wait_traced(cond, mutex, CLOCK_REALTIME, abstime, SHIM_CALLER(),
		NULL, real_pthread_cond_timedwait_compat);
}

COMPAT_VERSION(giltrace_pthread_cond_signal_compat, "pthread_cond_signal")
SHIM_EXPORT int giltrace_pthread_cond_signal_compat(pthread_cond_t *cond)
{
	if (shim_idle(cond_signal, cond_signal) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_signal_compat(cond);
	return cond_wake_traced(cond, SHIM_CALLER(), real_pthread_cond_signal_compat, 0);
}

COMPAT_VERSION(giltrace_pthread_cond_broadcast_compat, "pthread_cond_broadcast")
SHIM_EXPORT int giltrace_pthread_cond_broadcast_compat(pthread_cond_t *cond)
{
	if (shim_idle(cond_broadcast, cond_broadcast) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_pthread_cond_broadcast_compat(cond);
	return cond_wake_traced(cond, SHIM_CALLER(), real_pthread_cond_broadcast_compat, 1);
}
#endif
