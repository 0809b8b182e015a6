/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * bench/libidlethread.so: no tracer at all, one thread more, preloaded as
 * bench/lib.sh's mode "idle".  The thread is started by the constructor
 * and sleeps in pause(2) for the life of the process, as LTTng-UST's two
 * listener threads wait on their sockets for the session daemon.
 *
 * Why: a process of one thread has a file table of its own, and Linux
 * then looks up the file of each read(2) and write(2) without taking a
 * reference to it (fdget's light path); once a second thread shares the
 * table, every such call takes a reference and drops it.  LTTng-UST
 * starts its threads in any process it is loaded into, so a
 * single-threaded program pays that with any tracer built on it, giltrace
 * included; the stress workload (two system calls a round trip) shows it
 * most.  This mode measures it alone, against which the traced figures
 * read (bench/RESULTS.md).  A benchmark reference only, never installed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static void *idle_thread(void *arg)
{
	sigset_t all;

	(void) arg;
	/* No signal of the program's is ever handled here. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		pause();
	}
	return NULL;
}

__attribute__((constructor)) static void idle_thread_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, idle_thread, NULL) == 0) {
		pthread_detach(t);
	}
}
