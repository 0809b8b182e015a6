/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * bench/libcostfloor.so: what any exact GIL tracer built on LTTng-UST
 * pays before it does anything of its own, preloaded as bench/lib.sh's
 * mode "floor".  It is LTTng-UST loaded into the process (its listener
 * threads make the kernel count references on every file a system call
 * uses), a wrapper around the lock calls a GIL cycle makes, and one
 * reading of the trace clock at each moment of a cycle an exact trace
 * must time: the attempt, the acquisition and the release.  Without
 * knowing which lock is the GIL it reads the clock where those moments
 * fall for the interpreters benchmarked: at every mutex unlock (CPython
 * 3 unlocks three times a cycle: the GIL's mutex at the release, the
 * switch mutex and the GIL's mutex at the acquisition), and around every
 * semaphore wait and at every post (CPython 2.7).  The readings are kept
 * in a thread-local ring so that none is optimised away.
 *
 * Never part of a trace, never installed: a benchmark reference only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include <lttng/tracef.h>

#include "shim/ust_clock.h"

#define RING 256

static __thread uint64_t ring[RING] __attribute__((tls_model("initial-exec")));
static __thread unsigned int ring_at __attribute__((tls_model("initial-exec")));

/* Looked up once, by the first call of each kind: global for that. */
static int (*real_unlock)(pthread_mutex_t *);
static int (*real_sem_wait)(sem_t *);
static int (*real_sem_post)(sem_t *);

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* Before main: the lazy look-ups below are for calls made earlier.  The
 * tracef call (recorded only by a session enabling lttng_ust_tracef:*)
 * is what makes the library need LTTng-UST itself, as the shim does. */
__attribute__((constructor)) static void cost_floor_init(void)
{
	real_unlock = next("pthread_mutex_unlock");
	real_sem_wait = next("sem_wait");
	real_sem_post = next("sem_post");
	lttng_ust_tracef("bench cost floor loaded");
}

/* One reading of LTTng-UST's own trace clock, as an event would take. */
static void stamp(void)
{
	ring[ring_at++ % RING] = ust_clock_read();
}

int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
	int saved = errno;

	if (!real_unlock) {
		real_unlock = next("pthread_mutex_unlock");
	}
	stamp();
	errno = saved;
	return real_unlock(mutex);
}

int sem_wait(sem_t *sem)
{
	int saved = errno, ret, err;

	if (!real_sem_wait) {
		real_sem_wait = next("sem_wait");
	}
	stamp();
	errno = saved;
	ret = real_sem_wait(sem);
	err = errno;
	stamp();
	errno = err;
	return ret;
}

int sem_post(sem_t *sem)
{
	int saved = errno;

	if (!real_sem_post) {
		real_sem_post = next("sem_post");
	}
	stamp();
	errno = saved;
	return real_sem_post(sem);
}
