/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * A library whose constructor starts a thread and waits, on a condition
 * variable, for that thread's first mutex and condvar calls: all of it
 * happens while dlopen holds the dynamic loader's lock
 * (hazard_context dlopen-ctor).  The thread also makes the process's
 * first calls of functions a program rarely calls (naming a thread,
 * clock-based waits), which must not need that lock either.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int result;

int hazard_ctor_wait_result(void);

static void *worker(void *arg)
{
	struct timespec now;
	sem_t sem;

	(void) arg;
	pthread_setname_np(pthread_self(), "ctor-worker");
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC, &now);
	pthread_mutex_unlock(&mutex);
	sem_init(&sem, 0, 1);
	sem_clockwait(&sem, CLOCK_MONOTONIC, &now);
	sem_destroy(&sem);
	pthread_mutex_lock(&mutex);
	result = 42;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mutex);
	return NULL;
}

__attribute__((constructor))
static void start_and_wait(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL) != 0) {
		return;
	}
	pthread_mutex_lock(&mutex);
	while (result == 0) {
		pthread_cond_wait(&cond, &mutex);
	}
	pthread_mutex_unlock(&mutex);
	pthread_join(t, NULL);
}

int hazard_ctor_wait_result(void)
{
	return result;
}
