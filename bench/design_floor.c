/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * bench/libdesignfloor.so: what the event layout of issue 14 costs by
 * itself on a semaphore GIL (CPython 2.7), preloaded as bench/lib.sh's
 * mode "design".  A cycle that takes the semaphore at once is kept in a
 * thread-local batch of three clock readings and a caller, told as one
 * event every 32 cycles; an attempt that has to wait tells its own
 * events (the attempt, the acquisition after the wait, that cycle's
 * release), after the thread's batch.  That is the number and size of
 * events giltrace writes, without Python frames, without identifying
 * the GIL (every semaphore is traced) and without keeping the order of
 * one thread's batch against another thread's events.  Whatever
 * giltrace costs beyond this mode is its own bookkeeping; this mode's
 * cost is the layout's.  With DESIGN_WIDE set (mode design+wide) the
 * batch is told in giltrace:gil_cycles' shape, a sequence per field,
 * rather than two sequences.
 *
 * Never part of a trace giltrace reads, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>

#include "design_floor_tp.h"
#include "shim/ust_clock.h"

#define BATCH DESIGN_BATCH

enum moment { MOMENT_ATTEMPT, MOMENT_ACQUIRED, MOMENT_RELEASE };

struct batch {
	const void *lock;	/* the semaphore of the cycle going on */
	int compact;		/* it was taken at once */
	uint64_t begin, acquired;
	unsigned int n;
	uint64_t ts[3 * BATCH];
	uintptr_t callers[BATCH];
	struct design_wide wide;	/* the same cycles, as giltrace lays them out */
};

static __thread struct batch batch __attribute__((tls_model("initial-exec")));

/* DESIGN_WIDE set: the batches are told as giltrace:gil_cycles is, a
 * sequence per field.  Read by the constructor: global for that. */
static int wide;

/* Looked up once, by the constructor or the first call: global for that. */
static int (*real_sem_wait)(sem_t *);
static int (*real_sem_trywait)(sem_t *);
static int (*real_sem_post)(sem_t *);

__attribute__((constructor)) static void design_floor_init(void)
{
	real_sem_wait = dlsym(RTLD_NEXT, "sem_wait");
	real_sem_trywait = dlsym(RTLD_NEXT, "sem_trywait");
	real_sem_post = dlsym(RTLD_NEXT, "sem_post");
	wide = getenv("DESIGN_WIDE") != NULL;
}

static void batch_tell(struct batch *b)
{
	if (wide) {
		if (b->wide.n) {
			b->wide.told_ts = ust_clock_read();
			lttng_ust_tracepoint(giltrace_bench, cycles_wide, &b->wide, b->lock,
				__builtin_return_address(0));
			b->wide.n = 0;
		}
		return;
	}
	if (b->n) {
		lttng_ust_tracepoint(giltrace_bench, cycles, b->lock, b->ts, 3 * b->n, b->callers, b->n,
			__builtin_return_address(0));
		b->n = 0;
	}
}

/* The cycle going on, taken at once, ends: into the batch, told when full. */
static void batch_add(struct batch *b, void *caller)
{
	uint64_t released = ust_clock_read();
	unsigned int i;

	if (wide) {
		i = b->wide.n++;
		b->wide.begin_ts[i] = b->begin;
		b->wide.acquired_ts[i] = b->acquired;
		b->wide.released_ts[i] = released;
		b->wide.callers[i] = (uintptr_t) caller;
	} else {
		i = b->n++;
		b->ts[3 * i] = b->begin;
		b->ts[3 * i + 1] = b->acquired;
		b->ts[3 * i + 2] = released;
		b->callers[i] = (uintptr_t) caller;
	}
	if (i + 1 == BATCH) {
		batch_tell(b);
	}
}

int sem_wait(sem_t *sem)
{
	struct batch *b = &batch;
	int saved = errno, ret;

	if (!real_sem_wait) {
		design_floor_init();
	}
	/* sem_wait is a cancellation point even when it does not block. */
	pthread_testcancel();
	b->begin = ust_clock_read();
	if (real_sem_trywait(sem) == 0) {
		b->acquired = ust_clock_read();
		b->compact = 1;
		b->lock = sem;
		errno = saved;
		return 0;
	}
	batch_tell(b);
	b->compact = 0;
	lttng_ust_tracepoint(giltrace_bench, moment, sem, MOMENT_ATTEMPT, __builtin_return_address(0));
	errno = saved;
	ret = real_sem_wait(sem);
	saved = errno;
	lttng_ust_tracepoint(giltrace_bench, moment, sem, MOMENT_ACQUIRED, __builtin_return_address(0));
	errno = saved;
	return ret;
}

int sem_post(sem_t *sem)
{
	struct batch *b = &batch;
	int saved = errno;

	if (!real_sem_post) {
		design_floor_init();
	}
	if (b->compact && b->lock == sem) {
		batch_add(b, __builtin_return_address(0));
	} else {
		lttng_ust_tracepoint(giltrace_bench, moment, sem, MOMENT_RELEASE, __builtin_return_address(0));
	}
	b->compact = 0;
	errno = saved;
	return real_sem_post(sem);
}
