/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Mutex wrappers.  Each has the same shape: forward at once when there
 * is nothing to do (shim_idle) or under the recursion guard; otherwise
 * the out-of-line *_traced function notes the call for the GIL state
 * machine, traces, calls the real function, traces, and returns its
 * result with the errno it left.  Out of line, so that the forwarding
 * path needs no stack frame.  Lock and unlock, the GIL's own calls, have
 * a *_hooked twin for when they have no event of their own: the state
 * machine only.
 *
 * Around the real call: the program's errno is put back before it (the
 * shim's own work must not leak into a call that succeeds and leaves
 * errno alone), and the guard is down during it (guard.h), so that a
 * signal handler leaving the call with siglongjmp leaves no guard up.
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

/*
 * The program's lock call.  While this thread's attempt on a GIL has
 * blocked on nothing (gil_thread's at_once), the lock is tried first:
 * taken, the attempt still has not waited; busy, it waits in the lock
 * call as made.  A default mutex's lock is its trylock's compare and
 * swap and then the wait, and whatever else trylock says (a robust
 * mutex's EOWNERDEAD with the lock taken, a recursive one's EAGAIN) the
 * lock call would say too.
 */
static inline int lock_real(pthread_mutex_t *mutex)
{
	int ret;

	if (!gil_thread.at_once)
		return real_pthread_mutex_lock(mutex);
	ret = real_pthread_mutex_trylock(mutex);
	if (ret != EBUSY)
		return ret;
	gil_attempt_blocks();
	return real_pthread_mutex_lock(mutex);
}

static SHIM_SLOW int mutex_lock_traced(pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;
	int hooks, ret, err;

	shim_enter();
	hooks = gil_hooks_needed();
	if (hooks)
		gil_mutex_lock_begin(mutex, caller);
	lttng_ust_tracepoint(giltrace, mutex_lock_begin, mutex, caller);
	shim_leave();
	errno = saved_errno;
	ret = lock_real(mutex);
	err = errno;
	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_lock_end, mutex, ret, caller);
	if (hooks)
		gil_mutex_lock_end(mutex, ret);
	shim_leave();
	errno = err;
	return ret;
}

/* gil_mutex_lock_end after a lock call that opened a section, with the
 * guard up and errno kept. */
static SHIM_SLOW int mutex_lock_end_hooked(pthread_mutex_t *mutex, int ret)
{
	int err = errno;

	shim_enter();
	gil_mutex_lock_end(mutex, ret);
	shim_leave();
	errno = err;
	return ret;
}

/* After a lock call that opened a section: gil_mutex_lock_end if it
 * has anything to do. */
static inline int mutex_lock_ended(pthread_mutex_t *mutex, int ret)
{
	return gil_lock_end_needed(mutex, ret) ? mutex_lock_end_hooked(mutex, ret) : ret;
}

/*
 * No event of its own, only the GIL state machine to follow: its end
 * hook only when it has something to do (gil_lock_end_needed), with
 * the guard up and errno kept as in mutex_lock_traced.
 */
static SHIM_SLOW int mutex_lock_hooked(pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;

	shim_enter();
	gil_mutex_lock_begin(mutex, caller);
	shim_leave();
	errno = saved_errno;
	return mutex_lock_ended(mutex, lock_real(mutex));
}

/* After a lock call of gil_plain_section_of: only one that failed has
 * anything to end (there was no section after all); a plain GIL is no
 * Ruby GVL (gil_lock_end_needed). */
static inline int mutex_lock_plain_ended(pthread_mutex_t *mutex, int ret)
{
	return ret == 0 ? 0 : mutex_lock_end_hooked(mutex, ret);
}

/*
 * drop_gil's lock call (gil_plain_section_of, gil_plain_holder): its
 * release section opens with a few stores and no call, so no errno to
 * keep.  The guard is up while they are written all the same, so that a
 * signal handler's lock calls do not open a section over a half-written
 * one.
 */
static SHIM_SLOW int mutex_lock_plain_release(struct gil *g, pthread_mutex_t *mutex, void *caller)
{
	shim_enter();
	gil_plain_section_open(g, mutex, caller, 1);
	shim_leave();
	return mutex_lock_plain_ended(mutex, real_pthread_mutex_lock(mutex));
}

/* take_gil's lock call (gil_plain_section_of): an attempt begins, with
 * the guard up and errno kept as in mutex_lock_hooked. */
static SHIM_SLOW int mutex_lock_plain_attempt(struct gil *g, pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;

	shim_enter();
	gil_plain_section_open(g, mutex, caller, 0);
	shim_leave();
	errno = saved_errno;
	return mutex_lock_plain_ended(mutex, lock_real(mutex));
}

/* A lock nested in a GIL section, with no event of its own: only the
 * section's depth moves (gil_nested_in), and back if the lock fails. */
static SHIM_SLOW int mutex_lock_nested(struct gil_section *s, pthread_mutex_t *mutex)
{
	int ret;

	gil_thread.locks++;
	s->depth++;
	s->nested = 1;
	ret = lock_real(mutex);
	if (ret != 0 && s->depth)
		s->depth--;
	return ret;
}

SHIM_EXPORT int pthread_mutex_lock(pthread_mutex_t *mutex)
{
	struct gil_section *s;
	struct gil *g;

	if (shim_idle(mutex_lock_begin, mutex_lock_end) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_pthread_mutex_lock(mutex);
	}
	if (lttng_ust_tracepoint_enabled(giltrace, mutex_lock_begin)
			|| lttng_ust_tracepoint_enabled(giltrace, mutex_lock_end)) {
		return mutex_lock_traced(mutex, SHIM_CALLER());
	}
	if ((s = gil_nested_in(mutex))) {
		return mutex_lock_nested(s, mutex);
	}
	if ((g = gil_plain_section_of(mutex))) {
		return gil_plain_holder(g) ? mutex_lock_plain_release(g, mutex, SHIM_CALLER())
			: mutex_lock_plain_attempt(g, mutex, SHIM_CALLER());
	}
	return mutex_lock_hooked(mutex, SHIM_CALLER());
}

/* A lock taken without blocking opens a section like a blocking one. */
static void note_locked(pthread_mutex_t *mutex, void *caller)
{
	if (gil_hooks_needed())
		gil_mutex_lock_begin(mutex, caller);
}

static SHIM_SLOW int mutex_trylock_traced(pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	shim_leave();
	errno = saved_errno;
	ret = real_pthread_mutex_trylock(mutex);
	err = errno;
	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_trylock, mutex, ret, caller);
	if (ret == 0)
		note_locked(mutex, caller);
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int pthread_mutex_trylock(pthread_mutex_t *mutex)
{
	if (shim_idle(mutex_trylock, mutex_trylock) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_pthread_mutex_trylock(mutex);
	}
	return mutex_trylock_traced(mutex, SHIM_CALLER());
}

static SHIM_SLOW int mutex_timedlock_traced(pthread_mutex_t *mutex, const struct timespec *abstime,
		void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_timedlock_begin, mutex, CLOCK_REALTIME,
		shim_timespec_ns(abstime), caller);
	gil_attempt_blocks();
	shim_leave();
	errno = saved_errno;
	ret = real_pthread_mutex_timedlock(mutex, abstime);
	err = errno;
	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_timedlock_end, mutex, ret, caller);
	if (ret == 0)
		note_locked(mutex, caller);
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *mutex, const struct timespec *abstime)
{
	if (shim_idle(mutex_timedlock_begin, mutex_timedlock_end) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_pthread_mutex_timedlock(mutex, abstime);
	}
	return mutex_timedlock_traced(mutex, abstime, SHIM_CALLER());
}

static SHIM_SLOW int mutex_clocklock_traced(pthread_mutex_t *mutex, clockid_t clock,
		const struct timespec *abstime, void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_timedlock_begin, mutex, (int) clock,
		shim_timespec_ns(abstime), caller);
	gil_attempt_blocks();
	shim_leave();
	errno = saved_errno;
	ret = real_pthread_mutex_clocklock(mutex, clock, abstime);
	err = errno;
	shim_enter();
	lttng_ust_tracepoint(giltrace, mutex_timedlock_end, mutex, ret, caller);
	if (ret == 0)
		note_locked(mutex, caller);
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *mutex, clockid_t clock,
		const struct timespec *abstime)
{
	if (shim_idle(mutex_timedlock_begin, mutex_timedlock_end) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_pthread_mutex_clocklock(mutex, clock, abstime);
	}
	return mutex_clocklock_traced(mutex, clock, abstime, SHIM_CALLER());
}

static SHIM_SLOW int mutex_unlock_traced(pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	/* Before the real unlock: a GIL's acquire or release must be in
	 * the trace before anything the unlock lets happen. */
	if (gil_hooks_needed())
		gil_mutex_unlock(mutex, caller);
	lttng_ust_tracepoint(giltrace, mutex_unlock, mutex, caller);
	shim_leave();
	errno = saved_errno;
	ret = real_pthread_mutex_unlock(mutex);
	err = errno;
	errno = err;
	return ret;
}

/* No event of its own: only the GIL state machine to follow, before the
 * real unlock as in mutex_unlock_traced. */
static SHIM_SLOW int mutex_unlock_hooked(pthread_mutex_t *mutex, void *caller)
{
	int saved_errno = errno;

	shim_enter();
	gil_mutex_unlock(mutex, caller);
	shim_leave();
	errno = saved_errno;
	return real_pthread_mutex_unlock(mutex);
}

SHIM_EXPORT int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
	struct gil_section *s;

	if (shim_idle(mutex_unlock, mutex_unlock) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_pthread_mutex_unlock(mutex);
	}
	if (lttng_ust_tracepoint_enabled(giltrace, mutex_unlock)) {
		return mutex_unlock_traced(mutex, SHIM_CALLER());
	}
	/* Nested in a GIL section: the depth moves. */
	if ((s = gil_nested_in(mutex))) {
		if (s->depth)
			s->depth--;
		return real_pthread_mutex_unlock(mutex);
	}
	return mutex_unlock_hooked(mutex, SHIM_CALLER());
}
