/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_cancel: threads cancelled while blocked in pthread_cond_wait,
 * pthread_cond_timedwait, sem_wait, and in the condvar wait of a GIL's
 * take_gil.  A cancelled condvar wait re-acquires the mutex before the
 * thread's cleanup handlers run; the handlers must run, find the mutex
 * held (an error-checking mutex's unlock says so), and nothing may
 * hang.  The thread is cancelled only once the kernel shows it blocked
 * in the wait (tests/progs/task_state.h).
 *
 * Prints one deterministic line per case and exits 1 if a case went
 * wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "progs_util.h"
#include "task_state.h"

#define NOINLINE __attribute__((noinline, noclone))

enum wait_kind { WAIT_COND, WAIT_TIMEDCOND, WAIT_SEM, WAIT_GIL };

/* One case: the waiting thread and what its cleanup handler saw. */
struct waiter {
	enum wait_kind kind;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	sem_t sem;
	pid_t tid;
	int cleanup_ran;
	int unlock_ret;			/* of the cleanup's unlock: 0 if it held the mutex */
	int predicate;
};

/* A GIL in CPython's shape, for the take_gil case: locked under mutex. */
static struct {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	int locked;
} gil = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

static void unlock_cleanup(void *arg)
{
	struct waiter *w = arg;

	w->cleanup_ran = 1;
	w->unlock_ret = pthread_mutex_unlock(&w->mutex);
}

static void gil_cleanup(void *arg)
{
	struct waiter *w = arg;

	w->cleanup_ran = 1;
	w->unlock_ret = pthread_mutex_unlock(&gil.mutex);
}

static struct timespec far_deadline(void)
{
	return deadline_after_us(CLOCK_REALTIME, 3600ULL * 1000000);
}

NOINLINE void take_gil(struct waiter *w);
NOINLINE void drop_gil(void);

/* CPython 3's take_gil, cut down; a cancelled thread would leave the
 * GIL's mutex locked, so this one has a cleanup handler. */
NOINLINE void take_gil(struct waiter *w)
{
	pthread_mutex_lock(&gil.mutex);
	pthread_cleanup_push(gil_cleanup, w);
	while (gil.locked) {
		struct timespec ts = far_deadline();

		pthread_cond_timedwait(&gil.cond, &gil.mutex, &ts);
	}
	gil.locked = 1;
	pthread_cleanup_pop(0);
	pthread_mutex_unlock(&gil.mutex);
}

NOINLINE void drop_gil(void)
{
	pthread_mutex_lock(&gil.mutex);
	gil.locked = 0;
	pthread_cond_signal(&gil.cond);
	pthread_mutex_unlock(&gil.mutex);
}

static void *wait_forever(void *arg)
{
	struct waiter *w = arg;
	struct timespec ts = far_deadline();

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	switch (w->kind) {
	case WAIT_GIL:
		take_gil(w);
		break;
	case WAIT_SEM:
		pthread_cleanup_push(unlock_cleanup, w);
		sem_wait(&w->sem);
		pthread_cleanup_pop(0);
		break;
	default:
		pthread_mutex_lock(&w->mutex);
		pthread_cleanup_push(unlock_cleanup, w);
		while (!w->predicate) {
			if (w->kind == WAIT_COND) {
				pthread_cond_wait(&w->cond, &w->mutex);
			} else {
				pthread_cond_timedwait(&w->cond, &w->mutex, &ts);
			}
		}
		pthread_cleanup_pop(1);
		break;
	}
	return NULL;
}

/* Where the waiter blocks: the futex word lies in this object. */
static void blocking_object(struct waiter *w, const void **obj, size_t *size)
{
	switch (w->kind) {
	case WAIT_SEM:
		*obj = &w->sem;
		*size = sizeof(w->sem);
		break;
	case WAIT_GIL:
		*obj = &gil.cond;
		*size = sizeof(gil.cond);
		break;
	default:
		*obj = &w->cond;
		*size = sizeof(w->cond);
		break;
	}
}

static int run_case(const char *name, enum wait_kind kind)
{
	pthread_mutexattr_t attr;
	struct waiter w = { .kind = kind };
	const void *obj;
	size_t size;
	pthread_t t;
	void *res;
	int ok;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&w.mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_cond_init(&w.cond, NULL);
	sem_init(&w.sem, 0, 0);
	if (kind == WAIT_SEM) {
		/* sem_wait holds no mutex: the handler's unlock must fail. */
		w.unlock_ret = -1;
	}
	pthread_create(&t, NULL, wait_forever, &w);
	while (!__atomic_load_n(&w.tid, __ATOMIC_ACQUIRE)) {
		pause_briefly();
	}
	blocking_object(&w, &obj, &size);
	while (!task_blocked_on(w.tid, obj, size)) {
		pause_briefly();
	}
	pthread_cancel(t);
	pthread_join(t, &res);
	if (kind == WAIT_SEM) {
		/* No mutex was held: the cleanup ran and its unlock failed. */
		ok = res == PTHREAD_CANCELED && w.cleanup_ran && w.unlock_ret == EPERM;
	} else {
		ok = res == PTHREAD_CANCELED && w.cleanup_ran && w.unlock_ret == 0;
	}
	/* Nothing left locked behind. */
	if (kind == WAIT_GIL) {
		ok = ok && pthread_mutex_trylock(&gil.mutex) == 0
			&& pthread_mutex_unlock(&gil.mutex) == 0;
	} else {
		ok = ok && pthread_mutex_trylock(&w.mutex) == 0 && pthread_mutex_unlock(&w.mutex) == 0;
	}
	printf("%s cancelled=%d cleanup=%d unlock=%d %s\n", name, res == PTHREAD_CANCELED,
		w.cleanup_ran, w.unlock_ret, ok ? "ok" : "WRONG");
	pthread_cond_destroy(&w.cond);
	sem_destroy(&w.sem);
	return ok;
}

int main(void)
{
	int ok = 1;
	struct waiter self = { .kind = WAIT_GIL };

	ok &= run_case("cond_wait", WAIT_COND);
	ok &= run_case("cond_timedwait", WAIT_TIMEDCOND);
	ok &= run_case("sem_wait", WAIT_SEM);
	/* The main thread holds the GIL while a thread waits for it. */
	take_gil(&self);
	ok &= run_case("take_gil", WAIT_GIL);
	drop_gil();
	take_gil(&self);
	drop_gil();
	return ok ? 0 : 1;
}
