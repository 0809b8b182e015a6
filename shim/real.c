/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Every lookup of the next definition (dlsym/dlvsym RTLD_NEXT) of the
 * shim is here; symbol_lookup (symbol.c) finds the program's own symbols.
 *
 * Hazards handled:
 * - Calls before the constructor: another library's constructor, or
 *   liblttng-ust's own threads, may lock a mutex before ours ran.  Each
 *   real_* pointer therefore starts at a resolver that looks the symbol
 *   up and then forwards the call; after that the pointer is the real
 *   function and no check remains on the hot path.
 * - Versioned condition variables: glibc keeps the pre-2.3.2 condvar
 *   ABI (GLIBC_2.2.5 on x86-64, GLIBC_2.0 on i386) beside the current
 *   one.  The two are not interchangeable: a condvar initialised by one
 *   and waited on by the other hangs.  The shim defines both versions
 *   (see wrap_cond.c and libgiltrace.map) and forwards each to its own
 *   counterpart: plain dlsym for the default, dlvsym for the compat one.
 * - Recursion while resolving: dlsym may allocate, and an interposed
 *   allocator may lock a mutex, which would re-enter a resolver before
 *   the pointer is set.  glibc exports its mutex functions under
 *   __pthread_* names as well; a nested mutex call uses those.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "real.h"

extern int __pthread_mutex_lock(pthread_mutex_t *);
extern int __pthread_mutex_trylock(pthread_mutex_t *);
extern int __pthread_mutex_unlock(pthread_mutex_t *);

/* Set while this thread is inside dlsym for a resolver (see above). */
static __thread int resolving __attribute__((tls_model("initial-exec")));

static void *real_lookup(const char *name, const char *version)
{
	void *fn;

	resolving = 1;
	fn = version ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
	resolving = 0;
	if (!fn) {
		/* One line, then stop: returning an invented error would
		 * change the program's behaviour. */
		char line[256];
		int len = snprintf(line, sizeof(line),
			"giltrace: cannot find the C library's %s%s%s; is libgiltrace.so preloaded into a glibc program?\n",
			name, version ? "@" : "", version ? version : "");
		if (len > 0 && write(STDERR_FILENO, line, (size_t) len) < 0) {
			/* nothing more can be done */
		}
		abort();
	}
	return fn;
}

/*
 * REAL(ret, ptr, sym, (params), (args), version) defines real_PTR,
 * initialised to a resolver that fills it in and forwards the call.
 * REAL_MUTEX also names the __pthread_* alias for nested resolution.
 */
#define REAL_RESOLVER(ret, ptr, sym, params, args, version, nested)	\
	static ret resolve_##ptr params;				\
	ret (*real_##ptr) params = resolve_##ptr;			\
	static ret resolve_##ptr params					\
	{								\
		nested							\
		real_##ptr = (ret (*) params) real_lookup(sym, version); \
		return real_##ptr args;					\
	}
#define REAL(ret, ptr, sym, params, args, version) \
	REAL_RESOLVER(ret, ptr, sym, params, args, version, )
#define REAL_MUTEX(ptr, alias) \
	REAL_RESOLVER(int, ptr, #ptr, (pthread_mutex_t *m), (m), NULL, \
		if (resolving) return alias(m);)

REAL_MUTEX(pthread_mutex_lock, __pthread_mutex_lock)
REAL_MUTEX(pthread_mutex_trylock, __pthread_mutex_trylock)
REAL_MUTEX(pthread_mutex_unlock, __pthread_mutex_unlock)
REAL(int, pthread_mutex_timedlock, "pthread_mutex_timedlock",
	(pthread_mutex_t *m, const struct timespec *t), (m, t), NULL)
REAL(int, pthread_mutex_clocklock, "pthread_mutex_clocklock",
	(pthread_mutex_t *m, clockid_t c, const struct timespec *t), (m, c, t), NULL)

REAL(int, pthread_cond_wait, "pthread_cond_wait",
	(pthread_cond_t *c, pthread_mutex_t *m), (c, m), NULL)
REAL(int, pthread_cond_timedwait, "pthread_cond_timedwait",
	(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t), (c, m, t), NULL)
REAL(int, pthread_cond_clockwait, "pthread_cond_clockwait",
	(pthread_cond_t *c, pthread_mutex_t *m, clockid_t k, const struct timespec *t), (c, m, k, t), NULL)
REAL(int, pthread_cond_signal, "pthread_cond_signal", (pthread_cond_t *c), (c), NULL)
REAL(int, pthread_cond_broadcast, "pthread_cond_broadcast", (pthread_cond_t *c), (c), NULL)

#ifdef COND_COMPAT_VERSION
REAL(int, pthread_cond_wait_compat, "pthread_cond_wait",
	(pthread_cond_t *c, pthread_mutex_t *m), (c, m), COND_COMPAT_VERSION)
REAL(int, pthread_cond_timedwait_compat, "pthread_cond_timedwait",
	(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t), (c, m, t), COND_COMPAT_VERSION)
REAL(int, pthread_cond_signal_compat, "pthread_cond_signal", (pthread_cond_t *c), (c), COND_COMPAT_VERSION)
REAL(int, pthread_cond_broadcast_compat, "pthread_cond_broadcast", (pthread_cond_t *c), (c), COND_COMPAT_VERSION)
#endif

REAL(int, pthread_create, "pthread_create",
	(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *p), (t, a, f, p), NULL)

REAL(int, pthread_setname_np, "pthread_setname_np",
	(pthread_t t, const char *n), (t, n), NULL)

REAL(int, sem_wait, "sem_wait", (sem_t *s), (s), NULL)
REAL(int, sem_timedwait, "sem_timedwait", (sem_t *s, const struct timespec *t), (s, t), NULL)
REAL(int, sem_clockwait, "sem_clockwait", (sem_t *s, clockid_t c, const struct timespec *t), (s, c, t), NULL)
REAL(int, sem_trywait, "sem_trywait", (sem_t *s), (s), NULL)
REAL(int, sem_post, "sem_post", (sem_t *s), (s), NULL)

/*
 * glibc's count of running threads (wrap_thread.c), exported
 * GLIBC_PRIVATE for libthread_db; NULL where there is none (another C
 * library, or a glibc that renamed it).  Looked up once, by the first
 * thread LTTng-UST starts (its constructor, before any program thread):
 * a forked child inherits the answer.  Global: the process's.
 */
static unsigned int *nptl_nthreads;
static int nptl_nthreads_looked_up;

unsigned int *real_nptl_nthreads(void)
{
	if (!__atomic_load_n(&nptl_nthreads_looked_up, __ATOMIC_ACQUIRE)) {
		void *p = dlvsym(RTLD_NEXT, "__nptl_nthreads", "GLIBC_PRIVATE");

		__atomic_store_n(&nptl_nthreads, (unsigned int *) p, __ATOMIC_RELAXED);
		__atomic_store_n(&nptl_nthreads_looked_up, 1, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&nptl_nthreads, __ATOMIC_RELAXED);
}

#define RESOLVE(ptr, sym, version)					\
	do {								\
		if (real_##ptr == resolve_##ptr)			\
			real_##ptr = (__typeof__(real_##ptr)) real_lookup(sym, version); \
	} while (0)

static void *optional_lookup(const char *name, const char *version)
{
	return version ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
}

/* A function an older glibc may lack: left to its resolver then (a
 * program can only call it if its glibc has it). */
#define RESOLVE_OPTIONAL(ptr, sym, version)				\
	do {								\
		void *fn = optional_lookup(sym, version);		\
		if (fn && real_##ptr == resolve_##ptr)			\
			real_##ptr = (__typeof__(real_##ptr)) fn;	\
	} while (0)

/*
 * Every pointer, now: a resolver left for a first call would run dlsym,
 * which takes the dynamic loader's lock, inside that call, and the call
 * may come from a thread that a library constructor started and waits
 * for under dlopen, which holds that lock.  The constructor is the one
 * place where looking up is safe (the program has no thread yet).
 */
void real_resolve_all(void)
{
	RESOLVE(pthread_mutex_lock, "pthread_mutex_lock", NULL);
	RESOLVE(pthread_mutex_trylock, "pthread_mutex_trylock", NULL);
	RESOLVE(pthread_mutex_unlock, "pthread_mutex_unlock", NULL);
	RESOLVE(pthread_mutex_timedlock, "pthread_mutex_timedlock", NULL);
	RESOLVE(pthread_cond_wait, "pthread_cond_wait", NULL);
	RESOLVE(pthread_cond_timedwait, "pthread_cond_timedwait", NULL);
	RESOLVE(pthread_cond_signal, "pthread_cond_signal", NULL);
	RESOLVE(pthread_cond_broadcast, "pthread_cond_broadcast", NULL);
	RESOLVE(pthread_create, "pthread_create", NULL);
	RESOLVE(pthread_setname_np, "pthread_setname_np", NULL);
	RESOLVE(sem_wait, "sem_wait", NULL);
	RESOLVE(sem_timedwait, "sem_timedwait", NULL);
	RESOLVE(sem_trywait, "sem_trywait", NULL);
	RESOLVE(sem_post, "sem_post", NULL);
	/* glibc 2.30 */
	RESOLVE_OPTIONAL(pthread_mutex_clocklock, "pthread_mutex_clocklock", NULL);
	RESOLVE_OPTIONAL(pthread_cond_clockwait, "pthread_cond_clockwait", NULL);
	RESOLVE_OPTIONAL(sem_clockwait, "sem_clockwait", NULL);
#ifdef COND_COMPAT_VERSION
	RESOLVE_OPTIONAL(pthread_cond_wait_compat, "pthread_cond_wait", COND_COMPAT_VERSION);
	RESOLVE_OPTIONAL(pthread_cond_timedwait_compat, "pthread_cond_timedwait", COND_COMPAT_VERSION);
	RESOLVE_OPTIONAL(pthread_cond_signal_compat, "pthread_cond_signal", COND_COMPAT_VERSION);
	RESOLVE_OPTIONAL(pthread_cond_broadcast_compat, "pthread_cond_broadcast", COND_COMPAT_VERSION);
#endif
	real_nptl_nthreads();
}
