/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The next definitions (normally glibc's) of every function the shim
 * interposes.  Each pointer starts out at a resolver, so a call that
 * arrives before the shim's constructor ran still reaches the real
 * function; see real.c.
 */
#ifndef GILTRACE_SHIM_REAL_H
#define GILTRACE_SHIM_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <time.h>

extern int (*real_pthread_mutex_lock)(pthread_mutex_t *);
extern int (*real_pthread_mutex_trylock)(pthread_mutex_t *);
extern int (*real_pthread_mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
extern int (*real_pthread_mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
extern int (*real_pthread_mutex_unlock)(pthread_mutex_t *);

extern int (*real_pthread_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
extern int (*real_pthread_cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
extern int (*real_pthread_cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
extern int (*real_pthread_cond_signal)(pthread_cond_t *);
extern int (*real_pthread_cond_broadcast)(pthread_cond_t *);

/* The pre-2.3.2 condition variable ABI, where glibc still carries it. */
extern int (*real_pthread_cond_wait_compat)(pthread_cond_t *, pthread_mutex_t *);
extern int (*real_pthread_cond_timedwait_compat)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
extern int (*real_pthread_cond_signal_compat)(pthread_cond_t *);
extern int (*real_pthread_cond_broadcast_compat)(pthread_cond_t *);

extern int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
extern int (*real_pthread_setname_np)(pthread_t, const char *);

extern int (*real_sem_wait)(sem_t *);
extern int (*real_sem_timedwait)(sem_t *, const struct timespec *);
extern int (*real_sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
extern int (*real_sem_trywait)(sem_t *);
extern int (*real_sem_post)(sem_t *);

/* glibc's count of running threads, NULL if not found (wrap_thread.c). */
unsigned int *real_nptl_nthreads(void);

/* Resolve every pointer now (the constructor calls this). */
void real_resolve_all(void);

#endif
