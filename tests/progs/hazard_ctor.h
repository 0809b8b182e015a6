/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Lock calls made by constructors (tests/progs/hazard_ctor.c and the
 * library it is linked with, libhazard_ctor.c): what each call
 * returned, kept for main to print and check.
 */
#ifndef GILTRACE_TESTS_HAZARD_CTOR_H
#define GILTRACE_TESTS_HAZARD_CTOR_H

#include <pthread.h>

struct ctor_results {
	int lock, trylock, unlock, timedwait, sem_post, sem_wait, sem_trywait;
	pthread_mutex_t *mutex;
};

/* Lock, trylock, unlock, a condvar wait that times out and semaphore
 * calls, recording each result in r. */
static inline void ctor_exercise(struct ctor_results *r, pthread_mutex_t *m, pthread_cond_t *c,
		sem_t *s)
{
	struct timespec past = { 1, 0 };

	r->mutex = m;
	r->lock = pthread_mutex_lock(m);
	r->trylock = pthread_mutex_trylock(m);
	r->timedwait = pthread_cond_timedwait(c, m, &past);
	r->unlock = pthread_mutex_unlock(m);
	sem_init(s, 0, 0);
	r->sem_post = sem_post(s);
	r->sem_wait = sem_wait(s);
	r->sem_trywait = sem_trywait(s);
}

/* The library's constructor's results (libhazard_ctor). */
const struct ctor_results *hazard_lib_results(void);

#endif
