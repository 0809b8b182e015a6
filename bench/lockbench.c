/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * lockbench: the cost of the two lock patterns every interposer pays
 * for, measured inside one process so that start-up, the session daemon
 * registration and the trace's teardown stay out of the figures.
 *
 *   mutex:   uncontended pthread_mutex_lock + pthread_mutex_unlock on one
 *            thread, ns per pair, once while the process has a single
 *            thread (glibc then skips atomic instructions) and once with
 *            an idle second thread (as in any threaded program);
 *   condvar: two threads passing a turn back and forth through one mutex
 *            and one condition variable, ns per round trip (A to B to A).
 *            Both threads are pinned to one CPU: a hand-off between two
 *            CPUs of a virtual machine costs 6 to 45 us depending on
 *            whether the other vCPU was halted, which buries the
 *            interposer's cost; on one CPU it is two context switches.
 *
 * Each figure is the median over batches, so that a batch disturbed by
 * another process on these shared cores does not move it.  The preloaded
 * library (or none) and the tracing session are chosen by the caller
 * (bench/lockbench.sh); this program only measures.
 *
 * Output, one "key value" line per figure, for scripts:
 *   mutex_pair_1t_ns 2.8
 *   mutex_pair_ns 10.3
 *   condvar_roundtrip_ns 5123.4
 *
 * Exit status: 0 on success, 2 on a usage error, 1 if a thread cannot
 * be started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCHES_MAX 101

struct options {
	long pairs;		/* mutex lock+unlock pairs per batch */
	long roundtrips;	/* condvar round trips per batch */
	int batches;		/* batches per figure (odd: one median) */
};

/*
 * The objects under test.  Global: the compiler must not see that the
 * mutex is private to the loop (it cannot elide external calls anyway,
 * but the ping-pong threads must share these).
 */
static pthread_mutex_t bench_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pp_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int pp_turn;		/* whose move it is: 0 main, 1 partner, -1 stop */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof(*v), cmp_double);
	if (n % 2) {
		return v[n / 2];
	}
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double mutex_batch(long pairs)
{
	double t0 = now_ns();

	for (long i = 0; i < pairs; i++) {
		pthread_mutex_lock(&bench_mutex);
		pthread_mutex_unlock(&bench_mutex);
	}
	return (now_ns() - t0) / (double) pairs;
}

/* The partner: whenever the turn is 1, hand it back to 0; stop at -1. */
static void *pp_partner(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&pp_mutex);
	for (;;) {
		while (pp_turn == 0) {
			pthread_cond_wait(&pp_cond, &pp_mutex);
		}
		if (pp_turn < 0) {
			break;
		}
		pp_turn = 0;
		pthread_cond_signal(&pp_cond);
	}
	pthread_mutex_unlock(&pp_mutex);
	return NULL;
}

static double condvar_batch(long roundtrips)
{
	double t0 = now_ns();

	pthread_mutex_lock(&pp_mutex);
	for (long i = 0; i < roundtrips; i++) {
		pp_turn = 1;
		pthread_cond_signal(&pp_cond);
		while (pp_turn == 1) {
			pthread_cond_wait(&pp_cond, &pp_mutex);
		}
	}
	pthread_mutex_unlock(&pp_mutex);
	return (now_ns() - t0) / (double) roundtrips;
}

/* Pin this thread, and the partner it will create, to the current CPU. */
static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0) {
		return;		/* unpinned figures are noisier, not wrong */
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double mutex_figure(const struct options *o)
{
	double v[BATCHES_MAX];

	mutex_batch(o->pairs);		/* warm-up: resolve symbols, fault pages */
	for (int b = 0; b < o->batches; b++) {
		v[b] = mutex_batch(o->pairs);
	}
	return median(v, o->batches);
}

static int run(const struct options *o)
{
	double v[BATCHES_MAX];
	pthread_t partner;
	int err;

	pin_to_current_cpu();
	/* glibc skips atomic instructions while a process has one thread;
	 * liblttng-ust starts threads in its constructor, so a preloaded
	 * tracer loses that.  Both figures are printed. */
	printf("mutex_pair_1t_ns %.2f\n", mutex_figure(o));

	pp_turn = 0;
	err = pthread_create(&partner, NULL, pp_partner, NULL);
	if (err) {
		fprintf(stderr, "lockbench: Cannot start a thread: %s\n", strerror(err));
		return 1;
	}
	/* The partner waits for its turn: an idle second thread. */
	printf("mutex_pair_ns %.2f\n", mutex_figure(o));

	condvar_batch(o->roundtrips / 10 + 1);
	for (int b = 0; b < o->batches; b++) {
		v[b] = condvar_batch(o->roundtrips);
	}
	pthread_mutex_lock(&pp_mutex);
	pp_turn = -1;
	pthread_cond_broadcast(&pp_cond);
	pthread_mutex_unlock(&pp_mutex);
	pthread_join(partner, NULL);
	printf("condvar_roundtrip_ns %.1f\n", median(v, o->batches));
	return 0;
}

static long parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max) {
		return -1;
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: lockbench [-p PAIRS] [-r ROUNDTRIPS] [-b BATCHES]\n"
		"  PAIRS: mutex lock+unlock pairs per batch (default 1000000)\n"
		"  ROUNDTRIPS: condvar round trips per batch (default 5000)\n"
		"  BATCHES: batches per figure, median reported (default 9, at most %d)\n",
		BATCHES_MAX);
}

int main(int argc, char **argv)
{
	struct options o = { .pairs = 1000000, .roundtrips = 5000, .batches = 9 };

	for (int i = 1; i < argc; i++) {
		long v = -1;

		if (i + 1 < argc) {
			v = parse_count(argv[i + 1], strcmp(argv[i], "-b") ? 1000000000L : BATCHES_MAX);
		}
		if (v < 0) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "-p") == 0) {
			o.pairs = v;
		} else if (strcmp(argv[i], "-r") == 0) {
			o.roundtrips = v;
		} else if (strcmp(argv[i], "-b") == 0) {
			o.batches = (int) v;
		} else {
			usage();
			return 2;
		}
		i++;
	}
	return run(&o);
}
