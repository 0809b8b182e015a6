/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * LTTng-UST's threads must not keep a process alive.
 *
 * glibc ends a process with exit(0) when its count of running threads
 * (__nptl_nthreads) drops to zero: when the last thread ends, or when
 * the main thread calls pthread_exit last.  Preloading the shim brings
 * LTTng-UST into the process, and LTTng-UST starts listener threads
 * that never end (in the child of a fork too, through liblttng-ust-fork).
 * Counted, they keep glibc's count above zero: a program whose main
 * thread calls pthread_exit, or a forked child whose last thread ends
 * (CPython forking from a thread), would hang for ever, deaf to SIGTERM,
 * since those threads block every signal and the main thread is gone.
 *
 * Commit f9656b1 answered with a count of its own and an exit(0) from a
 * thread-specific-data destructor.  That changed programs in turn: it
 * counted only the threads made through pthread_create's PLT entry, not
 * those glibc starts itself (C11 thrd_create, SIGEV_THREAD timers and
 * notifications, getaddrinfo_a, POSIX AIO), and ended the process early
 * when the main thread left before one of those; and its destructor,
 * running first, ended the process before the program's own destructors
 * ran.
 *
 * So glibc keeps counting and deciding: LTTng-UST's threads only take
 * themselves out of its count while they run.  The wrapper recognises a
 * thread started from LTTng-UST's code (internal_callers.h); that thread
 * decrements __nptl_nthreads as it starts (glibc exports it,
 * GLIBC_PRIVATE, for libthread_db) and increments it again as it ends,
 * before glibc's own decrement.  The shim's own thread (gil_flusher.c)
 * starts the same way, beside LTTng-UST's.  Every other thread is
 * created by the real pthread_create untouched.  Where the count cannot
 * be found (no such symbol), LTTng-UST's threads count as before
 * (giltrace(7), CAVEATS).
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "export.h"
#include "gil_flusher.h"
#include "internal_callers.h"
#include "real.h"
#include "wrap_thread.h"

struct uncounted_start {
	void *(*fn)(void *);
	void *arg;
	unsigned int *nthreads;
};

/*
 * The thread ends (returns, pthread_exit, cancellation: the cleanup
 * attribute runs in all three, this file being built with -fexceptions):
 * back in the count, so that glibc's decrement that follows takes out
 * this thread and nothing else.  A count found at zero means no thread
 * of the program is left and glibc's exit(0) is already under way
 * (LTTng-UST cancels these threads from its destructor): one more keeps
 * that decrement from reaching zero and calling exit a second time.
 */
static void recount(unsigned int **nthreads)
{
	if (__atomic_add_fetch(*nthreads, 1, __ATOMIC_ACQ_REL) == 1) {
		__atomic_add_fetch(*nthreads, 1, __ATOMIC_ACQ_REL);
	}
}

static void *uncounted_run(void *p)
{
	struct uncounted_start s = *(struct uncounted_start *) p;
	__attribute__((cleanup(recount))) unsigned int *nthreads = s.nthreads;

	free(p);
	/*
	 * Out of the count.  Zero: every thread of the program ended
	 * while this one was starting, and glibc did not end the process
	 * only because this one counted; do what it would have done.
	 */
	if (__atomic_sub_fetch(nthreads, 1, __ATOMIC_ACQ_REL) == 0) {
		exit(0);
	}
	return s.fn(s.arg);
}

int thread_create_uncounted(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start)(void *), void *arg)
{
	struct uncounted_start *s;
	unsigned int *nthreads;
	int ret;

	nthreads = real_nptl_nthreads();
	s = nthreads ? malloc(sizeof(*s)) : NULL;
	if (!s) {
		return real_pthread_create(thread, attr, start, arg);
	}
	s->fn = start;
	s->arg = arg;
	s->nthreads = nthreads;
	ret = real_pthread_create(thread, attr, uncounted_run, s);
	if (ret != 0) {
		free(s);
	}
	return ret;
}

SHIM_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start)(void *), void *arg)
{
	int ret;

	/* LTTng-UST's constructor starts its threads before ours ran. */
	if (!internal_callers_ready()) {
		internal_callers_init();
	}
	if (!internal_caller(SHIM_CALLER())) {
		return real_pthread_create(thread, attr, start, arg);
	}
	ret = thread_create_uncounted(thread, attr, start, arg);
	/* Where LTTng-UST starts its threads, ours starts too. */
	flusher_start();
	return ret;
}
