/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Semaphore wrappers.  sem_wait and its timed forms are cancellation
 * points and fail with EINTR when a signal handler runs; both reach the
 * program unchanged, and the cleanup attribute (built with -fexceptions)
 * closes the traced wait when the thread is cancelled inside it.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

#include "export.h"
#include "gil_tracker.h"
#include "guard.h"
#include "internal_callers.h"
#include "real.h"

struct sem_cleanup {
	int armed;
	struct gil *gil;
	const void *sem;
	void *caller;
};

static void sem_cleanup_run(struct sem_cleanup *w)
{
	if (!w->armed)
		return;
	shim_enter();
	lttng_ust_tracepoint(giltrace, sem_wait_end, w->sem, -1, ECANCELED, w->caller);
	if (w->gil)
		gil_sem_wait_end(w->gil, -1, ECANCELED, w->caller);
	shim_leave();
}

enum sem_wait_kind { SEM_UNTIMED, SEM_TIMED, SEM_CLOCK };

/*
 * The program's sem_wait.  While this thread's attempt on a GIL has
 * blocked on nothing (gil_thread's at_once), the semaphore is tried
 * first, after acting on a pending cancellation as glibc's sem_wait
 * does before anything else: taken, the attempt still has not waited;
 * otherwise sem_wait as made, which a failed sem_trywait left nothing
 * to differ from.  Timed waits are not tried first: they check their
 * time before they take the semaphore.
 */
static int sem_wait_real(sem_t *sem, int saved_errno)
{
	if (gil_thread.at_once) {
		pthread_testcancel();
		if (real_sem_trywait(sem) == 0)
			return 0;
		gil_attempt_blocks();
		errno = saved_errno;
	}
	return real_sem_wait(sem);
}

static SHIM_SLOW int sem_wait_traced(sem_t *sem, enum sem_wait_kind kind, clockid_t clock,
		const struct timespec *abstime, void *caller)
{
	__attribute__((cleanup(sem_cleanup_run))) struct sem_cleanup w = { 0 };
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	w.sem = sem;
	w.caller = caller;
	if (gil_hooks_needed())
		w.gil = gil_sem_wait_begin(sem, caller);
	lttng_ust_tracepoint(giltrace, sem_wait_begin, sem,
		kind == SEM_UNTIMED ? GILTRACE_CLOCK_NONE : (int) clock,
		shim_timespec_ns(abstime), caller);
	if (kind != SEM_UNTIMED)
		gil_attempt_blocks();
	w.armed = 1;
	/* The real call sees the program's errno, whatever ran above. */
	shim_leave();
	errno = saved_errno;
	switch (kind) {
	case SEM_UNTIMED:
		ret = sem_wait_real(sem, saved_errno);
		break;
	case SEM_TIMED:
		ret = real_sem_timedwait(sem, abstime);
		break;
	default:
		ret = real_sem_clockwait(sem, clock, abstime);
		break;
	}
	err = errno;
	shim_enter();
	w.armed = 0;
	lttng_ust_tracepoint(giltrace, sem_wait_end, sem, ret, ret ? err : 0, caller);
	if (w.gil)
		gil_sem_wait_end(w.gil, ret, err, caller);
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int sem_wait(sem_t *sem)
{
	if (shim_idle(sem_wait_begin, sem_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_sem_wait(sem);
	return sem_wait_traced(sem, SEM_UNTIMED, CLOCK_REALTIME, NULL, SHIM_CALLER());
}

SHIM_EXPORT int sem_timedwait(sem_t *sem, const struct timespec *abstime)
{
	if (shim_idle(sem_wait_begin, sem_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_sem_timedwait(sem, abstime);
	return sem_wait_traced(sem, SEM_TIMED, CLOCK_REALTIME, abstime, SHIM_CALLER());
}

SHIM_EXPORT int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)
{
	if (shim_idle(sem_wait_begin, sem_wait_end) || shim_entered() || internal_caller(SHIM_CALLER()))
		return real_sem_clockwait(sem, clock, abstime);
	return sem_wait_traced(sem, SEM_CLOCK, clock, abstime, SHIM_CALLER());
}

static SHIM_SLOW int sem_trywait_traced(sem_t *sem, void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	shim_leave();
	errno = saved_errno;
	ret = real_sem_trywait(sem);
	err = errno;
	shim_enter();
	lttng_ust_tracepoint(giltrace, sem_trywait, sem, ret, ret ? err : 0, caller);
	if (gil_hooks_needed())
		gil_sem_trywait(sem, ret, caller);
	shim_leave();
	errno = err;
	return ret;
}

SHIM_EXPORT int sem_trywait(sem_t *sem)
{
	if (shim_idle(sem_trywait, sem_trywait) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_sem_trywait(sem);
	}
	return sem_trywait_traced(sem, SHIM_CALLER());
}

static SHIM_SLOW int sem_post_traced(sem_t *sem, void *caller)
{
	int saved_errno = errno;
	int ret, err;

	shim_enter();
	/* Before the real post, like every release (see the provider). */
	if (gil_hooks_needed())
		gil_sem_post(sem, caller);
	lttng_ust_tracepoint(giltrace, sem_post, sem, caller);
	shim_leave();
	errno = saved_errno;
	ret = real_sem_post(sem);
	err = errno;
	errno = err;
	return ret;
}

SHIM_EXPORT int sem_post(sem_t *sem)
{
	if (shim_idle(sem_post, sem_post) || shim_entered() || internal_caller(SHIM_CALLER())) {
		return real_sem_post(sem);
	}
	return sem_post_traced(sem, SHIM_CALLER());
}
