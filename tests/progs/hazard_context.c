/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_context: intercepted calls made where almost nothing is safe.
 * Each case prints what it saw; the output must be the same with the
 * shim, with or without a session (tests/e2e_shim_unchanged.sh).
 *
 *   hazard_context dlopen-ctor LIB   dlopen a library whose constructor
 *                                    starts a thread and waits for its
 *                                    first mutex+condvar calls, under
 *                                    the loader's lock
 *   hazard_context signal-sem        a signal handler posts a semaphore
 *                                    from 2,000 call sites while the
 *                                    interrupted thread allocates
 *   hazard_context altstack          the same on an 8 KiB alternate
 *                                    signal stack, every site new
 *   hazard_context threads-sem       two threads post a semaphore, each
 *                                    from the same 2,000 new call sites
 *                                    at once
 *   hazard_context errno             errno set by the program survives
 *                                    every successful intercepted call,
 *                                    each from a call site never seen
 *   hazard_context clockwait         pthread_cond_clockwait and
 *                                    pthread_mutex_clocklock with a
 *                                    CPU-time clock and -1, -2: EINVAL
 *   hazard_context siglongjmp ROUNDS [FILE]
 *                                    a handler leaves a timed condvar
 *                                    wait with siglongjmp; then ROUNDS
 *                                    lock rounds on a mutex whose
 *                                    address (decimal) goes to FILE
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progs_util.h"

/* ---- dlopen-ctor ----------------------------------------------------- */

static int dlopen_ctor(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW);
	int (*result)(void);

	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	result = (int (*)(void)) dlsym(h, "hazard_ctor_wait_result");
	printf("library constructor's worker: %s\n", result && result() == 42 ? "done" : "not done");
	dlclose(h);
	return 0;
}

/* ---- signal-sem and altstack --------------------------------------- */

static sem_t sem;
static volatile sig_atomic_t handled;

/* Ten sem_post call sites per expansion, each its own return address. */
#define POST10(n) \
	case n##0: sem_post(&sem); break; case n##1: sem_post(&sem); break; \
	case n##2: sem_post(&sem); break; case n##3: sem_post(&sem); break; \
	case n##4: sem_post(&sem); break; case n##5: sem_post(&sem); break; \
	case n##6: sem_post(&sem); break; case n##7: sem_post(&sem); break; \
	case n##8: sem_post(&sem); break; case n##9: sem_post(&sem); break;
#define POST100(n) \
	POST10(n##0) POST10(n##1) POST10(n##2) POST10(n##3) POST10(n##4) \
	POST10(n##5) POST10(n##6) POST10(n##7) POST10(n##8) POST10(n##9)
#define SITES 2000

/* The handler's own count: sem_post from call site number k. */
static void post_at(int k)
{
	switch (k) {
	POST100(1) POST100(2) POST100(3) POST100(4) POST100(5)
	POST100(6) POST100(7) POST100(8) POST100(9)
	POST100(10) POST100(11) POST100(12) POST100(13) POST100(14)
	POST100(15) POST100(16) POST100(17) POST100(18) POST100(19)
	POST100(20)
	default:
		sem_post(&sem);
		break;
	}
}

static void on_signal(int sig)
{
	(void) sig;
	post_at(100 + handled);
	handled++;
}

struct allocator {
	int alt;		/* take the signals on an 8 KiB alternate stack */
	int ready, stop;
};

/* The interrupted thread: allocations of sizes that miss the per-thread
 * cache, so that it holds malloc's arena lock much of the time. */
static void *allocate(void *arg)
{
	struct allocator *a = arg;

	stack_t ss = { .ss_sp = malloc(8192), .ss_size = 8192, .ss_flags = 0 }, old;

	if (a->alt) {
		/* The classic SIGSTKSZ. */
		check(sigaltstack(&ss, &old) == 0 ? 0 : errno, "sigaltstack");
	}
	__atomic_store_n(&a->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		void *p[8];

		for (int i = 0; i < 8; i++) {
			p[i] = malloc(2000 + (size_t) i * 1000);
		}
		for (int i = 0; i < 8; i++) {
			free(p[i]);
		}
	}
	/* The thread's previous alternate stack back before it ends
	 * (AddressSanitizer unmaps the one it finds as its own). */
	if (a->alt) {
		check(sigaltstack(&old, NULL) == 0 ? 0 : errno, "sigaltstack");
	}
	free(ss.ss_sp);
	return NULL;
}

static int signal_sem(int alt)
{
	struct allocator a = { .alt = alt };
	struct sigaction sa;
	pthread_t t;
	int posted = 0;

	check(sem_init(&sem, 0, 0) == 0 ? 0 : errno, "sem_init");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | (alt ? SA_ONSTACK : 0);
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGUSR1, &sa, NULL) == 0 ? 0 : errno, "sigaction");
	check(pthread_create(&t, NULL, allocate, &a), "pthread_create");
	while (!__atomic_load_n(&a.ready, __ATOMIC_ACQUIRE)) {
		sched_yield();
	}
	/* One signal at a time: the handler's post says it was handled. */
	for (int i = 0; i < SITES; i++) {
		check(pthread_kill(t, SIGUSR1), "pthread_kill");
		while (sem_wait(&sem) != 0) {
			check(errno == EINTR ? 0 : errno, "sem_wait");
		}
		posted++;
	}
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELAXED);
	check(pthread_join(t, NULL), "pthread_join");
	printf("handled %d signals, %d posts from %d call sites%s\n", (int) handled, posted, SITES,
		alt ? " on an 8 KiB alternate stack" : "");
	return 0;
}

static void *post_all(void *arg)
{
	(void) arg;
	for (int i = 0; i < SITES; i++) {
		post_at(100 + i);
	}
	return NULL;
}

static int threads_sem(void)
{
	pthread_t t[2];
	int posted = 0;

	check(sem_init(&sem, 0, 0) == 0 ? 0 : errno, "sem_init");
	for (int i = 0; i < 2; i++) {
		check(pthread_create(&t[i], NULL, post_all, NULL), "pthread_create");
	}
	for (int i = 0; i < 2; i++) {
		check(pthread_join(t[i], NULL), "pthread_join");
	}
	while (sem_trywait(&sem) == 0) {
		posted++;
	}
	printf("%d posts from 2 threads at %d call sites\n", posted, SITES);
	return 0;
}

/* ---- errno ------------------------------------------------------------ */

static int errno_kept(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts;
	sem_t s;
	int bad = 0;

	check(sem_init(&s, 0, 1) == 0 ? 0 : errno, "sem_init");
#define KEEP(call) \
	do { \
		errno = 4242; \
		if ((call) != 0 || errno != 4242) { \
			printf("%s: errno %d\n", #call, errno); \
			bad++; \
		} \
	} while (0)
	KEEP(pthread_mutex_lock(&m));
	KEEP(pthread_mutex_unlock(&m));
	KEEP(pthread_mutex_trylock(&m));
	KEEP(pthread_mutex_unlock(&m));
	ts = deadline_after_us(CLOCK_REALTIME, 1000000);
	KEEP(pthread_mutex_timedlock(&m, &ts));
	KEEP(pthread_cond_signal(&c));
	KEEP(pthread_cond_broadcast(&c));
	KEEP(pthread_mutex_unlock(&m));
	KEEP(sem_wait(&s));
	KEEP(sem_post(&s));
	KEEP(sem_trywait(&s));
	KEEP(sem_post(&s));
	ts = deadline_after_us(CLOCK_REALTIME, 1000000);
	KEEP(sem_timedwait(&s, &ts));
	printf("errno kept by %s successful call\n", bad ? "not every" : "every");
	return bad ? 1 : 0;
}

/* ---- clockwait --------------------------------------------------------- */

static int clockwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts = { 0, 0 };
	clockid_t clocks[3];
	const char *names[3] = { "thread CPU-time clock", "clock -1", "clock -2" };

	check(pthread_getcpuclockid(pthread_self(), &clocks[0]), "pthread_getcpuclockid");
	clocks[1] = (clockid_t) -1;
	clocks[2] = (clockid_t) -2;
	for (int i = 0; i < 3; i++) {
		int ret;

		check(pthread_mutex_lock(&m), "pthread_mutex_lock");
		errno = 7;
		ret = pthread_cond_clockwait(&c, &m, clocks[i], &ts);
		printf("pthread_cond_clockwait, %s: %s, errno %d\n", names[i], strerror(ret), errno);
		check(pthread_mutex_unlock(&m), "pthread_mutex_unlock");
		errno = 7;
		ret = pthread_mutex_clocklock(&m, clocks[i], &ts);
		printf("pthread_mutex_clocklock, %s: %s, errno %d\n", names[i], strerror(ret), errno);
		if (ret == 0) {
			check(pthread_mutex_unlock(&m), "pthread_mutex_unlock");
		}
	}
	return 0;
}

/* ---- siglongjmp -------------------------------------------------------- */

static sigjmp_buf jump;

static void leave_wait(int sig)
{
	(void) sig;
	siglongjmp(jump, 1);
}

static int longjmp_out(long rounds, const char *addr_file)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, counted = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct sigaction sa;
	struct timespec ts;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = leave_wait;
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGALRM, &sa, NULL) == 0 ? 0 : errno, "sigaction");
	if (sigsetjmp(jump, 1) == 0) {
		check(pthread_mutex_lock(&m), "pthread_mutex_lock");
		alarm(1);
		ts = deadline_after_us(CLOCK_REALTIME, 60000000);
		pthread_cond_timedwait(&c, &m, &ts);
		printf("the wait was not interrupted\n");
		return 1;
	}
	/* Back here with m held or not, depending on where the signal
	 * landed: take it if free, then leave it free. */
	pthread_mutex_trylock(&m);
	pthread_mutex_unlock(&m);
	if (addr_file) {
		FILE *f = fopen(addr_file, "w");

		check(f ? 0 : errno, "fopen");
		fprintf(f, "%lu\n", (unsigned long) (uintptr_t) &counted);
		fclose(f);
	}
	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(&counted);
		pthread_mutex_unlock(&counted);
	}
	printf("left a wait by siglongjmp, then %ld lock rounds\n", rounds);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: hazard_context dlopen-ctor LIB | signal-sem | altstack | threads-sem | errno | clockwait | siglongjmp ROUNDS [FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
	}
	if (strcmp(argv[1], "dlopen-ctor") == 0 && argc == 3) {
		return dlopen_ctor(argv[2]);
	}
	if (strcmp(argv[1], "signal-sem") == 0) {
		return signal_sem(0);
	}
	if (strcmp(argv[1], "altstack") == 0) {
		return signal_sem(1);
	}
	if (strcmp(argv[1], "threads-sem") == 0) {
		return threads_sem();
	}
	if (strcmp(argv[1], "errno") == 0) {
		return errno_kept();
	}
	if (strcmp(argv[1], "clockwait") == 0) {
		return clockwait();
	}
	if (strcmp(argv[1], "siglongjmp") == 0 && (argc == 3 || argc == 4)) {
		return longjmp_out(parse_number_or(argv[2], 1, 10000000, usage), argc == 4 ? argv[3] : NULL);
	}
	usage();
	return 2;
}
