/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_threads: hundreds of threads under the shim, and a process
 * that never has a GIL.  N threads (default 500) wait at a gate (a
 * condition variable the main thread broadcasts once all are there),
 * then each locks one shared mutex LOCKS times.
 *
 *   hazard_threads [N [LOCKS]]
 *
 * stdout: the deterministic outcome; stderr: the shared mutex's and the
 * gate's addresses with the number of locks and gate waits made, for the
 * trace to be compared with.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The shared objects; file scope as in any such program. */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gate_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static pthread_cond_t arrived_cond = PTHREAD_COND_INITIALIZER;
static int open_gate, arrived, nthreads = 500, nlocks = 20;
static unsigned long counter, gate_waits;

static void *worker(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&gate_mutex);
	arrived++;
	pthread_cond_signal(&arrived_cond);
	while (!open_gate) {
		gate_waits++;
		pthread_cond_wait(&gate, &gate_mutex);
	}
	pthread_mutex_unlock(&gate_mutex);
	for (int i = 0; i < nlocks; i++) {
		pthread_mutex_lock(&mutex);
		counter++;
		pthread_mutex_unlock(&mutex);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *t;

	if (argc > 1) {
		nthreads = atoi(argv[1]);
	}
	if (argc > 2) {
		nlocks = atoi(argv[2]);
	}
	t = calloc((size_t) nthreads, sizeof(*t));
	if (!t || nthreads < 1 || nlocks < 0) {
		fprintf(stderr, "usage: hazard_threads [N [LOCKS]]\n");
		return 2;
	}
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&t[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "hazard_threads: pthread_create failed at thread %d\n", i);
			return 1;
		}
	}
	pthread_mutex_lock(&gate_mutex);
	while (arrived < nthreads) {
		pthread_cond_wait(&arrived_cond, &gate_mutex);
	}
	open_gate = 1;
	pthread_cond_broadcast(&gate);
	pthread_mutex_unlock(&gate_mutex);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
	}
	free(t);
	printf("threads %d locks %lu\n", nthreads, counter);
	fprintf(stderr, "mutex %p locks %lu gate %p waits %lu\n", (void *) &mutex, counter,
		(void *) &gate, gate_waits);
	return counter == (unsigned long) nthreads * (unsigned long) nlocks ? 0 : 1;
}
