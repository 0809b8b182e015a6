/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * biglock_wrapped: a big lock built from a mutex, a busy flag and a
 * condition variable, as OCaml's master lock is, but reached the way
 * Ruby reaches its GVL: every pthread call goes through a wrapper
 * function (bl_mutex_lock, bl_mutex_unlock, bl_cond_timedwait,
 * bl_cond_signal), so the lock's own functions (bl_acquire, bl_release,
 * bl_yield) never call pthread themselves.  The shim finds it only when
 * told both: GILTRACE_LOCK_FUNCS=bl_acquire:bl_release:bl_yield and
 * GILTRACE_LOCK_WRAPPERS=bl_mutex_lock.  Its threads count by
 * themselves what the trace must show.
 *
 *   biglock_wrapped [--threads N] [--rounds R] [--interval US]
 *
 * First a fixed sequence whose counts are the same on every run (each
 * step waits until the kernel shows the other thread blocked where it
 * must be): a yield that takes the lock straight back, so that the
 * waiter it woke fails to get it; a yield that waits until another
 * thread took the lock and gave it back.  Then N threads run R rounds
 * of work, yields and "I/O" (release, sleep, acquire), their waits
 * timed (--interval) so that some time out.
 *
 * Output, one JSON object on stdout, as tests/trace_check.py compare
 * reads it: {"pid":N,"gil":"0x...","threads":[{"tid":T,"acquisitions":
 * ...}],"totals":{...}}; "gil" is the address of the lock's mutex.
 *
 * Exit status: 0 on success, 1 on a failed system call, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progs_util.h"
#include "task_state.h"

#define NOINLINE __attribute__((noinline, noclone))
#define MAX_THREADS	32

/* Atomic: written by the counting thread, watched by the sequence. */
struct counts {
	atomic_ulong acquisitions;
	atomic_ulong contended_acquisitions;
	atomic_ulong waits;
	atomic_ulong timeouts;
	atomic_ulong failed_wakeups;
	atomic_ulong switches;
	atomic_ulong releases;
};

struct tstate {
	int index;
	pid_t tid;
	struct counts c;
	uint64_t work;
	pthread_t thread;
};

/* The lock; global because every thread takes it.  busy, waiters and
 * last_holder are protected by mutex. */
static struct {
	pthread_mutex_t mutex;
	pthread_cond_t is_free;
	int busy;
	atomic_int waiters;		/* also read unlocked, to decide whether to yield */
	int last_holder;		/* index of the last thread to take it, -1: none */
} bl = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, -1 };

/* Options; global because every thread reads them. */
static struct {
	int threads;
	int rounds;
	unsigned long interval;		/* microseconds of a timed wait */
} opt = { 4, 300, 200 };

/* Timed waits of the fixed sequence: an hour, so none times out. */
static atomic_ulong wait_us;

static struct tstate tstates[MAX_THREADS + 2];

/* ---- the wrappers: the only pthread calls of the lock ------------- */

NOINLINE void bl_mutex_lock(pthread_mutex_t *m);
NOINLINE void bl_mutex_unlock(pthread_mutex_t *m);
NOINLINE int bl_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, unsigned long us);
NOINLINE void bl_cond_signal(pthread_cond_t *c);

NOINLINE void bl_mutex_lock(pthread_mutex_t *m)
{
	check(pthread_mutex_lock(m), "pthread_mutex_lock");
}

NOINLINE void bl_mutex_unlock(pthread_mutex_t *m)
{
	check(pthread_mutex_unlock(m), "pthread_mutex_unlock");
}

/* 1 on timeout, 0 when woken. */
NOINLINE int bl_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, unsigned long us)
{
	struct timespec deadline = deadline_after_us(CLOCK_REALTIME, us);
	int ret;

	ret = pthread_cond_timedwait(c, m, &deadline);
	if (ret == ETIMEDOUT) {
		return 1;
	}
	check(ret, "pthread_cond_timedwait");
	return 0;
}

NOINLINE void bl_cond_signal(pthread_cond_t *c)
{
	check(pthread_cond_signal(c), "pthread_cond_signal");
}

/* ---- the lock ------------------------------------------------------ */

/* One wait for the lock to be free, counted; last_woken: the previous
 * wait of this attempt ended woken.  Returns whether this one did. */
static int wait_once(struct tstate *ts, int last_woken)
{
	int timed_out;

	if (last_woken) {
		ts->c.failed_wakeups++;
	}
	ts->c.waits++;
	bl.waiters++;
	timed_out = bl_cond_timedwait(&bl.is_free, &bl.mutex, atomic_load(&wait_us));
	bl.waiters--;
	if (timed_out) {
		ts->c.timeouts++;
	}
	return !timed_out;
}

/* The lock is free and the mutex held: take it. */
static void take(struct tstate *ts, int waited)
{
	bl.busy = 1;
	if (waited) {
		ts->c.contended_acquisitions++;
	}
	if (bl.last_holder != ts->index) {
		bl.last_holder = ts->index;
		ts->c.switches++;
	}
	ts->c.acquisitions++;
}

NOINLINE void bl_acquire(struct tstate *ts);
NOINLINE void bl_release(struct tstate *ts);
NOINLINE void bl_yield(struct tstate *ts, int must_wait);

NOINLINE void bl_acquire(struct tstate *ts)
{
	int woken = 0, waited = 0;

	bl_mutex_lock(&bl.mutex);
	while (bl.busy) {
		woken = wait_once(ts, woken);
		waited = 1;
	}
	take(ts, waited);
	bl_mutex_unlock(&bl.mutex);
}

/* As OCaml's st_masterlock_release: the signal comes after the unlock. */
NOINLINE void bl_release(struct tstate *ts)
{
	bl_mutex_lock(&bl.mutex);
	bl.busy = 0;
	ts->c.releases++;
	bl_mutex_unlock(&bl.mutex);
	bl_cond_signal(&bl.is_free);
}

/*
 * Release and take back in one critical section.  must_wait: wait at
 * least once, as OCaml's st_thread_yield does, so that another thread
 * gets the lock; otherwise take it straight back if it is free, which
 * it is: the thread woken by the signal needs the mutex first.
 */
NOINLINE void bl_yield(struct tstate *ts, int must_wait)
{
	int woken = 0, waited = 0;

	bl_mutex_lock(&bl.mutex);
	bl.busy = 0;
	ts->c.releases++;
	bl_cond_signal(&bl.is_free);
	if (must_wait) {
		do {
			woken = wait_once(ts, woken);
			waited = 1;
		} while (bl.busy);
	}
	take(ts, waited);
	bl_mutex_unlock(&bl.mutex);
}

/* ---- the fixed sequence ------------------------------------------- */

/* Until ts waits on the lock's condition variable, having waited waits times. */
static void await_waiting(struct tstate *ts, unsigned long waits)
{
	while (atomic_load(&ts->c.waits) < waits
			|| !task_blocked_on(ts->tid, &bl.is_free, sizeof(bl.is_free))) {
		pause_briefly();
	}
}

static void await_acquisitions(struct tstate *ts, unsigned long n)
{
	while (atomic_load(&ts->c.acquisitions) < n) {
		pause_briefly();
	}
}

/* Thread A of the sequence. */
static void *sequence_thread(void *arg)
{
	struct tstate *ts = arg;

	ts->tid = gettid();
	/* Woken by M's first yield, it fails; gets the lock at M's second. */
	bl_acquire(ts);
	bl_release(ts);
	return NULL;
}

static void run_sequence(void)
{
	struct tstate *m = &tstates[0], *a = &tstates[1];

	atomic_store(&wait_us, 3600UL * 1000000);
	a->index = 1;
	bl_acquire(m);
	check(pthread_create(&a->thread, NULL, sequence_thread, a), "pthread_create");
	/* A waits; M yields and takes the lock straight back: A's wake-up fails. */
	await_waiting(a, 1);
	bl_yield(m, 0);
	/* A waits again; M yields and waits until A took it and gave it back. */
	await_waiting(a, 2);
	bl_yield(m, 1);
	await_acquisitions(a, 1);
	check(pthread_join(a->thread, NULL), "pthread_join");
	atomic_store(&wait_us, opt.interval);
}

/* ---- the free-running part ---------------------------------------- */

static void *worker(void *arg)
{
	struct tstate *ts = arg;

	ts->tid = gettid();
	bl_acquire(ts);
	for (int i = 0; i < opt.rounds; i++) {
		ts->work = compute(ts->work, 2000);
		if (i % 3 == 0) {
			bl_yield(ts, 0);
		} else if (i % 3 == 1) {
			struct timespec io = { 0, 20000 };

			bl_release(ts);
			nanosleep(&io, NULL);
			bl_acquire(ts);
		} else if (atomic_load_explicit(&bl.waiters, memory_order_relaxed)) {
			bl_yield(ts, 1);
		}
	}
	bl_release(ts);
	return NULL;
}

/* ---- output --------------------------------------------------------- */

static void print_counts(const struct counts *c)
{
	printf("\"acquisitions\":%lu,\"contended_acquisitions\":%lu,\"waits\":%lu,"
		"\"timeouts\":%lu,\"failed_wakeups\":%lu,\"switches\":%lu,\"releases\":%lu",
		atomic_load(&c->acquisitions), atomic_load(&c->contended_acquisitions),
		atomic_load(&c->waits), atomic_load(&c->timeouts),
		atomic_load(&c->failed_wakeups), atomic_load(&c->switches),
		atomic_load(&c->releases));
}

static void print_report(int nts)
{
	struct counts totals;

	memset(&totals, 0, sizeof(totals));
	printf("{\"pid\":%d,\"gil\":\"%p\",\"threads\":[", (int) getpid(), (void *) &bl.mutex);
	for (int i = 0; i < nts; i++) {
		const struct counts *c = &tstates[i].c;

		printf("%s{\"tid\":%d,", i ? "," : "", (int) tstates[i].tid);
		print_counts(c);
		printf("}");
		totals.acquisitions += c->acquisitions;
		totals.contended_acquisitions += c->contended_acquisitions;
		totals.waits += c->waits;
		totals.timeouts += c->timeouts;
		totals.failed_wakeups += c->failed_wakeups;
		totals.switches += c->switches;
		totals.releases += c->releases;
	}
	printf("],\"totals\":{");
	print_counts(&totals);
	printf("}}\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: biglock_wrapped [--threads N] [--rounds R] [--interval US]\n");
	exit(2);
}

static long parse_number(const char *s, long lo, long hi)
{
	return parse_number_or(s, lo, hi, usage);
}

int main(int argc, char **argv)
{
	int nts;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage();
		}
		if (strcmp(argv[i], "--threads") == 0) {
			opt.threads = (int) parse_number(argv[++i], 1, MAX_THREADS);
		} else if (strcmp(argv[i], "--rounds") == 0) {
			opt.rounds = (int) parse_number(argv[++i], 0, 1000000);
		} else if (strcmp(argv[i], "--interval") == 0) {
			opt.interval = (unsigned long) parse_number(argv[++i], 1, 100000000);
		} else {
			usage();
		}
	}
	tstates[0].tid = gettid();
	run_sequence();
	/* The main thread holds the lock; the workers start behind it. */
	nts = 2 + opt.threads;
	for (int i = 2; i < nts; i++) {
		tstates[i].index = i;
		tstates[i].work = (uint64_t) i;
		check(pthread_create(&tstates[i].thread, NULL, worker, &tstates[i]), "pthread_create");
	}
	bl_release(&tstates[0]);
	for (int i = 2; i < nts; i++) {
		check(pthread_join(tstates[i].thread, NULL), "pthread_join");
	}
	print_report(nts);
	return 0;
}
