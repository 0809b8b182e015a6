/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_errors: every intercepted call's failures, with the return
 * value and errno POSIX and glibc give them.  The shim must hand back
 * exactly what the real call did: the same return value, errno set by
 * the semaphore calls, errno untouched by the pthread calls and by
 * every success.
 *
 * Prints one line per case, "NAME RET ERRNO-NAME", and exits 1 if any
 * case gave something else than expected (the expectation is the
 * documented behaviour, not a recording of a run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "progs_util.h"

/* Set before every call: a pthread call or a success must leave it. */
#define SENTINEL EXDEV

/* The objects of the cases; file scope so the case functions stay small. */
static pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t errcheck;
static pthread_mutex_t recursive;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t empty, full, top;

static struct timespec from_now(long ms)
{
	return deadline_after_us(CLOCK_REALTIME, (unsigned long long) ms * 1000);
}

static const struct timespec past = { 1, 0 };
static const struct timespec bad_nsec = { 1, 2000000000 };

static int trylock_busy(void)
{
	return pthread_mutex_trylock(&normal);
}

static int timedlock_timeout(void)
{
	struct timespec ts = from_now(10);

	return pthread_mutex_timedlock(&normal, &ts);
}

static int timedlock_einval(void)
{
	return pthread_mutex_timedlock(&normal, &bad_nsec);
}

static int clocklock_bad_clock(void)
{
	struct timespec ts = from_now(10);

	return pthread_mutex_clocklock(&normal, CLOCK_PROCESS_CPUTIME_ID, &ts);
}

static int errcheck_relock(void)
{
	return pthread_mutex_lock(&errcheck);
}

static int errcheck_unlock_twice(void)
{
	pthread_mutex_unlock(&errcheck);
	return pthread_mutex_unlock(&errcheck);
}

static int recursive_lock_again(void)
{
	return pthread_mutex_lock(&recursive);
}

static int recursive_unlock_third(void)
{
	pthread_mutex_unlock(&recursive);
	pthread_mutex_unlock(&recursive);
	return pthread_mutex_unlock(&recursive);
}

static int cond_timeout(void)
{
	int ret;

	pthread_mutex_lock(&errcheck);
	ret = pthread_cond_timedwait(&cond, &errcheck, &past);
	pthread_mutex_unlock(&errcheck);
	return ret;
}

static int cond_einval(void)
{
	int ret;

	pthread_mutex_lock(&errcheck);
	ret = pthread_cond_timedwait(&cond, &errcheck, &bad_nsec);
	pthread_mutex_unlock(&errcheck);
	return ret;
}

static int cond_clock_timeout(void)
{
	int ret;

	pthread_mutex_lock(&errcheck);
	ret = pthread_cond_clockwait(&cond, &errcheck, CLOCK_MONOTONIC, &past);
	pthread_mutex_unlock(&errcheck);
	return ret;
}

static int cond_bad_clock(void)
{
	int ret;

	pthread_mutex_lock(&errcheck);
	ret = pthread_cond_clockwait(&cond, &errcheck, CLOCK_PROCESS_CPUTIME_ID, &past);
	pthread_mutex_unlock(&errcheck);
	return ret;
}

static int cond_signal_none(void)
{
	return pthread_cond_signal(&cond);
}

static int cond_broadcast_none(void)
{
	return pthread_cond_broadcast(&cond);
}

static int sem_trywait_empty(void)
{
	return sem_trywait(&empty);
}

static int sem_timedwait_timeout(void)
{
	return sem_timedwait(&empty, &past);
}

static int sem_timedwait_einval(void)
{
	return sem_timedwait(&empty, &bad_nsec);
}

static int sem_clockwait_timeout(void)
{
	return sem_clockwait(&empty, CLOCK_MONOTONIC, &past);
}

static int sem_clockwait_bad_clock(void)
{
	return sem_clockwait(&empty, CLOCK_PROCESS_CPUTIME_ID, &past);
}

static int sem_trywait_full(void)
{
	return sem_trywait(&full);
}

static int sem_wait_full(void)
{
	return sem_wait(&full);
}

static int sem_post_overflow(void)
{
	return sem_post(&top);
}

static int unlock_normal(void)
{
	return pthread_mutex_unlock(&normal);
}

static int lock_normal(void)
{
	return pthread_mutex_lock(&normal);
}

static int setname_self(void)
{
	return pthread_setname_np(pthread_self(), "hazard-self");
}

/* 16 bytes with the NUL: one too many for a thread's name. */
static int setname_too_long(void)
{
	return pthread_setname_np(pthread_self(), "hazard-too-long!");
}

struct error_case {
	const char *name;
	int (*run)(void);
	int ret;		/* expected return value */
	int err;		/* expected errno after the call */
};

/* In order: some cases leave state the next ones rely on. */
static const struct error_case cases[] = {
	{ "mutex_lock", lock_normal, 0, SENTINEL },
	{ "mutex_trylock_busy", trylock_busy, EBUSY, SENTINEL },
	{ "mutex_timedlock_timeout", timedlock_timeout, ETIMEDOUT, SENTINEL },
	{ "mutex_timedlock_bad_nsec", timedlock_einval, EINVAL, SENTINEL },
	{ "mutex_clocklock_bad_clock", clocklock_bad_clock, EINVAL, SENTINEL },
	{ "mutex_unlock", unlock_normal, 0, SENTINEL },
	{ "errorcheck_relock", errcheck_relock, EDEADLK, SENTINEL },
	{ "errorcheck_unlock_unowned", errcheck_unlock_twice, EPERM, SENTINEL },
	{ "recursive_lock_again", recursive_lock_again, 0, SENTINEL },
	{ "recursive_unlock_unowned", recursive_unlock_third, EPERM, SENTINEL },
	{ "cond_timedwait_timeout", cond_timeout, ETIMEDOUT, SENTINEL },
	{ "cond_timedwait_bad_nsec", cond_einval, EINVAL, SENTINEL },
	{ "cond_clockwait_timeout", cond_clock_timeout, ETIMEDOUT, SENTINEL },
	{ "cond_clockwait_bad_clock", cond_bad_clock, EINVAL, SENTINEL },
	{ "cond_signal_no_waiter", cond_signal_none, 0, SENTINEL },
	{ "cond_broadcast_no_waiter", cond_broadcast_none, 0, SENTINEL },
	{ "sem_trywait_empty", sem_trywait_empty, -1, EAGAIN },
	{ "sem_timedwait_timeout", sem_timedwait_timeout, -1, ETIMEDOUT },
	{ "sem_timedwait_bad_nsec", sem_timedwait_einval, -1, EINVAL },
	{ "sem_clockwait_timeout", sem_clockwait_timeout, -1, ETIMEDOUT },
	{ "sem_clockwait_bad_clock", sem_clockwait_bad_clock, -1, EINVAL },
	{ "sem_trywait_full", sem_trywait_full, 0, SENTINEL },
	{ "sem_wait_full", sem_wait_full, 0, SENTINEL },
	{ "sem_post_overflow", sem_post_overflow, -1, EOVERFLOW },
	{ "setname_self", setname_self, 0, SENTINEL },
	{ "setname_too_long", setname_too_long, ERANGE, SENTINEL },
};

static void setup(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&errcheck, &attr);
	pthread_mutex_lock(&errcheck);		/* errorcheck_relock */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&recursive, &attr);
	pthread_mutex_lock(&recursive);		/* recursive_lock_again */
	pthread_mutexattr_destroy(&attr);
	sem_init(&empty, 0, 0);
	sem_init(&full, 0, 2);
	sem_init(&top, 0, SEM_VALUE_MAX);
}

int main(void)
{
	int failed = 0;

	setup();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct error_case *c = &cases[i];
		int ret, err;

		errno = SENTINEL;
		ret = c->run();
		err = errno;
		printf("%s %d %s\n", c->name, ret, strerrorname_np(err));
		if (ret != c->ret || err != c->err) {
			fprintf(stderr, "hazard_errors: %s: got %d %s, expected %d %s\n", c->name,
				ret, strerrorname_np(err), c->ret, strerrorname_np(c->err));
			failed = 1;
		}
	}
	return failed;
}
