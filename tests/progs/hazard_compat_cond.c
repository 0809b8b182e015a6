/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_compat_cond: a program linked against glibc's pre-2.3.2
 * condition variable ABI (pthread_cond_*@GLIBC_2.2.5 on x86-64), as old
 * binaries are.  The compat functions keep a pointer to a separately
 * allocated condvar in the object; handing such an object to the
 * current functions (or the reverse) hangs or crashes, so the shim must
 * forward each version to its own counterpart.
 *
 * Two threads take turns 1000 times (wait while it is not their turn,
 * then signal); a timed wait then times out.  Prints the deterministic
 * outcome on stdout and, on stderr, the condvar's address and how many
 * waits and signals were made, for the trace to be compared with.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__asm__(".symver compat_cond_init, pthread_cond_init@GLIBC_2.2.5");
__asm__(".symver compat_cond_destroy, pthread_cond_destroy@GLIBC_2.2.5");
__asm__(".symver compat_cond_wait, pthread_cond_wait@GLIBC_2.2.5");
__asm__(".symver compat_cond_timedwait, pthread_cond_timedwait@GLIBC_2.2.5");
__asm__(".symver compat_cond_signal, pthread_cond_signal@GLIBC_2.2.5");
__asm__(".symver compat_cond_broadcast, pthread_cond_broadcast@GLIBC_2.2.5");
int compat_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr);
int compat_cond_destroy(pthread_cond_t *cond);
int compat_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex);
int compat_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *abstime);
int compat_cond_signal(pthread_cond_t *cond);
int compat_cond_broadcast(pthread_cond_t *cond);

#define ROUNDS 1000

/* Shared by the two players; file scope as in any turn-taking program. */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static int turn;
static unsigned long waits[2], signals[2];

static void fail(const char *what, int ret)
{
	fprintf(stderr, "hazard_compat_cond: %s returned %d\n", what, ret);
	exit(1);
}

static void *player(void *arg)
{
	int me = (int) (long) arg;
	int ret;

	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&mutex);
		while (turn != me) {
			waits[me]++;
			ret = compat_cond_wait(&cond, &mutex);
			if (ret) {
				fail("pthread_cond_wait@GLIBC_2.2.5", ret);
			}
		}
		turn = 1 - me;
		signals[me]++;
		compat_cond_signal(&cond);
		pthread_mutex_unlock(&mutex);
	}
	return NULL;
}

int main(void)
{
	struct timespec past = { 1, 0 };
	pthread_t t[2];
	int ret;

	if (compat_cond_init(&cond, NULL)) {
		fail("pthread_cond_init@GLIBC_2.2.5", -1);
	}
	for (long i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, player, (void *) i);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
	}
	printf("turns %d each, last turn %d\n", ROUNDS, turn);
	pthread_mutex_lock(&mutex);
	ret = compat_cond_timedwait(&cond, &mutex, &past);
	pthread_mutex_unlock(&mutex);
	printf("timedwait@GLIBC_2.2.5 %d\n", ret);
	compat_cond_broadcast(&cond);
	compat_cond_destroy(&cond);
	fprintf(stderr, "cond %p waits %lu signals %lu\n", (void *) &cond,
		waits[0] + waits[1] + 1, signals[0] + signals[1]);
	return ret == ETIMEDOUT ? 0 : 1;
}
