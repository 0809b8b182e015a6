/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * bench/libholddelay.so: no tracer at all, only time spent holding a
 * semaphore, preloaded as bench/lib.sh's mode "hold+N": before every
 * sem_post the calling thread waits N nanoseconds (HOLD_DELAY_NS) on the
 * monotonic clock, then posts.  On CPython 2.7, whose GIL is a
 * semaphore, that lengthens every hold of the GIL by N and does nothing
 * else.
 *
 * Why: on two CPU-bound 2.7 threads (the countdown), how long the GIL is
 * held decides how often the waiter, woken by the post, takes it before
 * the holder takes it back; a tracer's work done while the GIL is held
 * changes that, whatever the work is.  The modes hold+N measure that
 * effect alone, against which a tracer's figure on that workload reads
 * (bench/RESULTS.md).  A benchmark reference only, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Set by the constructor, read by every post: global for that. */
static int (*real_sem_post)(sem_t *);
static uint64_t delay_ns;

__attribute__((constructor)) static void hold_delay_init(void)
{
	const char *s = getenv("HOLD_DELAY_NS");

	real_sem_post = (int (*)(sem_t *)) dlsym(RTLD_NEXT, "sem_post");
	delay_ns = s ? strtoull(s, NULL, 10) : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

int sem_post(sem_t *sem)
{
	int saved = errno;

	if (!real_sem_post) {
		real_sem_post = (int (*)(sem_t *)) dlsym(RTLD_NEXT, "sem_post");
	}
	if (delay_ns) {
		uint64_t until = now_ns() + delay_ns;

		while (now_ns() < until) {
		}
	}
	errno = saved;
	return real_sem_post(sem);
}
