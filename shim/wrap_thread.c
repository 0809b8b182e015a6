/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The process ends when its last application thread does.
 *
 * glibc ends a process when the last thread started by pthread_create
 * ends, or when the main thread calls pthread_exit last: it counts its
 * threads and calls exit(0) at zero.  Preloading the shim brings
 * LTTng-UST into the process, and LTTng-UST starts listener threads
 * that never end (in the child of a fork too, through
 * liblttng-ust-fork).  They keep glibc's count above zero: a program
 * whose main thread calls pthread_exit, or a forked child whose last
 * thread returns (CPython forking from a thread), would hang for ever,
 * and not even SIGTERM would end it, since those threads block every
 * signal and the main thread is gone.
 *
 * So the shim keeps glibc's count without LTTng-UST's threads: it
 * interposes pthread_create (threads started from LTTng-UST's own code
 * are not counted), marks each counted thread with a thread-specific
 * value whose destructor runs however the thread ends, and calls exit(0)
 * when the last one goes, as glibc would have.
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "export.h"
#include "internal_callers.h"
#include "real.h"
#include "thread_exit.h"

/*
 * Application threads alive: the main thread, plus those started
 * through the wrapper.  Global because it is the process's count.
 */
static unsigned long app_threads = 1;

/*
 * Set when a thread could be started without being counted (no memory
 * for its start record): from then on the count may be short, and the
 * shim must never end the process on its own.
 */
static int count_lost;

/* Key whose destructor sees each counted thread end; set once. */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

struct thread_start {
	void *(*fn)(void *);
	void *arg;
};

static void app_thread_ended(void *unused)
{
	(void) unused;
	if (__atomic_sub_fetch(&app_threads, 1, __ATOMIC_ACQ_REL) == 0
			&& !__atomic_load_n(&count_lost, __ATOMIC_RELAXED)) {
		exit(0);	/* what glibc does when its last thread ends */
	}
}

static void exit_key_create(void)
{
	if (pthread_key_create(&exit_key, app_thread_ended) != 0) {
		__atomic_store_n(&count_lost, 1, __ATOMIC_RELAXED);
	}
}

/* Mark the calling thread as counted: its end decrements the count. */
static void mark_counted(void)
{
	pthread_once(&exit_key_once, exit_key_create);
	if (!__atomic_load_n(&count_lost, __ATOMIC_RELAXED)) {
		pthread_setspecific(exit_key, &app_threads);
	}
}

static void *counted_start(void *p)
{
	struct thread_start s = *(struct thread_start *) p;

	free(p);
	mark_counted();
	return s.fn(s.arg);
}

SHIM_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start)(void *), void *arg)
{
	struct thread_start *s;
	int ret;

	/* LTTng-UST's constructor starts its threads before ours ran. */
	if (!internal_callers_ready()) {
		internal_callers_init();
	}
	if (internal_caller(SHIM_CALLER())) {
		return real_pthread_create(thread, attr, start, arg);
	}
	s = malloc(sizeof(*s));
	if (!s) {
		__atomic_store_n(&count_lost, 1, __ATOMIC_RELAXED);
		return real_pthread_create(thread, attr, start, arg);
	}
	s->fn = start;
	s->arg = arg;
	__atomic_add_fetch(&app_threads, 1, __ATOMIC_ACQ_REL);
	ret = real_pthread_create(thread, attr, counted_start, s);
	if (ret != 0) {
		__atomic_sub_fetch(&app_threads, 1, __ATOMIC_ACQ_REL);
		free(s);
	}
	return ret;
}

void thread_exit_init(void)
{
	mark_counted();		/* the main thread, which runs constructors */
}

void thread_exit_after_fork_child(void)
{
	/* Only the forking thread goes on, counted as it was before. */
	__atomic_store_n(&app_threads, 1, __ATOMIC_RELAXED);
}
