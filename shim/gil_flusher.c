/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The flusher: the shim's own thread, which tells what has been pending
 * on a GIL for a batch span or more (gil_compact.h).
 *
 * Why: a pending batch is told by the next GIL event of the process.  A
 * thread that goes quiet after its cycles (a service between requests,
 * a thread that ended, a process blocked in I/O) leaves them pending
 * until then, out of giltrace top's intervals, and lost if the session
 * stops meanwhile; nothing in LTTng-UST tells the application that a
 * session stops.  So this thread looks every FLUSH_PERIOD_NS.
 *
 * Where it starts: only where creating a thread is known to be safe,
 * which no intercepted lock call is (it may be made in a signal handler
 * or under the loader's lock).  That is where LTTng-UST starts its own
 * listener threads, at start-up and in a forked child
 * (liblttng-ust-fork): wrap_thread.c starts this one beside them, and
 * the shim's constructor if that did not (shim_init.c).  It is out of
 * glibc's thread count, so that it never keeps a process alive.  Every
 * signal is blocked in it.  It never waits for a record someone is
 * writing (the next look comes soon), and makes no lock call.
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "gil_flusher.h"
#include "gil_tracker.h"
#include "guard.h"
#include "wrap_thread.h"

/* Ten batch spans: what is pending is told within about 11 ms of its
 * first cycle, for a hundred looks a second while compact cycles are
 * recorded; ten a second otherwise (nothing becomes pending then). */
#define FLUSH_PERIOD_NS	10000000L
#define IDLE_PERIOD_NS	100000000L

/* Global: one flusher per process (0 again in a forked child). */
static int flusher_started;

/*
 * Global, the flusher's and its pausers': telling says it is writing,
 * paused that it must not start.  Each side stores its word, then
 * reads the other's (both sequentially consistent): a pauser that
 * finds telling clear knows the flusher will see paused before it
 * writes anything.
 */
static int flusher_telling;
static int flusher_paused;

/* One look, unless paused; 1 if compact cycles may be pending. */
static int flusher_look(void)
{
	int busy;

	__atomic_store_n(&flusher_telling, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&flusher_paused, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&flusher_telling, 0, __ATOMIC_SEQ_CST);
		return 0;
	}
	busy = gil_tracker_tell_stale();
	__atomic_store_n(&flusher_telling, 0, __ATOMIC_SEQ_CST);
	return busy;
}

static void *flusher_run(void *arg)
{
	struct timespec period = { 0, IDLE_PERIOD_NS };

	(void) arg;
	/* Nothing of this thread is the program's to trace. */
	shim_enter();
	for (;;) {
		nanosleep(&period, NULL);
		period.tv_nsec = flusher_look() ? FLUSH_PERIOD_NS : IDLE_PERIOD_NS;
	}
	return NULL;
}

/*
 * Why pause: LTTng-UST wants no fork in the middle of a tracepoint
 * (lttng_ust_before_fork), and an exit or an exec ends this thread
 * wherever it is; the program's own threads may be anywhere then, but
 * the shim's is kept out of an event.  The wait is one look, which
 * waits for nothing of the program's, with one exception: the thread's
 * first event registers it with LTTng-UST's RCU, under a lock that
 * LTTng-UST holds across a fork.  So the wait is bounded (some
 * milliseconds), then the fork goes on as it would without the pause.
 * Also safe in a signal handler (atomics and sched_yield only).
 */
#define PAUSE_YIELDS_MAX	4096

void flusher_pause(void)
{
	__atomic_store_n(&flusher_paused, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < PAUSE_YIELDS_MAX && __atomic_load_n(&flusher_telling, __ATOMIC_SEQ_CST); i++) {
		sched_yield();
	}
}

void flusher_resume(void)
{
	__atomic_store_n(&flusher_paused, 0, __ATOMIC_SEQ_CST);
}

void flusher_start(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t thread;

	if (__atomic_exchange_n(&flusher_started, 1, __ATOMIC_ACQ_REL)) {
		return;
	}
	if (pthread_attr_init(&attr) != 0) {
		return;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Inherited by the new thread from its first instruction. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	thread_create_uncounted(&thread, &attr, flusher_run, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

void flusher_after_fork_child(void)
{
	flusher_started = 0;
	flusher_telling = 0;
	flusher_paused = 0;
}
