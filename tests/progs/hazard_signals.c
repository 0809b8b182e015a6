/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_signals: signals delivered to threads blocked in intercepted
 * waits.  A signal handler installed without SA_RESTART makes sem_wait
 * and sem_timedwait fail with EINTR; with SA_RESTART the kernel
 * restarts the wait; a condition variable wait never reports the signal
 * and goes on waiting until it is signalled.  The signal is sent only
 * once the kernel shows the thread blocked in the wait.
 *
 * Prints one deterministic line per case; exits 1 if a case differs
 * from what POSIX and glibc specify.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "progs_util.h"
#include "task_state.h"

enum wait_kind { SEM_WAIT, SEM_TIMEDWAIT, COND_WAIT, COND_TIMEDWAIT };

struct signal_case {
	const char *name;
	enum wait_kind kind;
	int restart;			/* SA_RESTART on the handler */
	int want_ret;			/* what the wait returns */
	int want_err;			/* and errno for semaphores */
};

/* The objects waited on; file scope so that the handler-free waiter
 * thread and main share them without more plumbing. */
static sem_t sem;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int predicate;
static volatile sig_atomic_t handled;

struct waiter {
	const struct signal_case *c;
	pid_t tid;
	int ret, err;
};

static void on_signal(int sig)
{
	(void) sig;
	handled++;
}

static struct timespec far_deadline(void)
{
	return deadline_after_us(CLOCK_REALTIME, 3600ULL * 1000000);
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct timespec ts = far_deadline();

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	switch (w->c->kind) {
	case SEM_WAIT:
		w->ret = sem_wait(&sem);
		break;
	case SEM_TIMEDWAIT:
		w->ret = sem_timedwait(&sem, &ts);
		break;
	default:
		pthread_mutex_lock(&mutex);
		w->ret = 0;
		while (!predicate && w->ret == 0) {
			if (w->c->kind == COND_WAIT) {
				w->ret = pthread_cond_wait(&cond, &mutex);
			} else {
				w->ret = pthread_cond_timedwait(&cond, &mutex, &ts);
			}
		}
		pthread_mutex_unlock(&mutex);
		break;
	}
	w->err = w->ret == -1 ? errno : 0;
	return NULL;
}

static const void *wait_object(enum wait_kind kind, size_t *size)
{
	if (kind == SEM_WAIT || kind == SEM_TIMEDWAIT) {
		*size = sizeof(sem);
		return &sem;
	}
	*size = sizeof(cond);
	return &cond;
}

static void await_blocked(pid_t tid, enum wait_kind kind)
{
	const void *obj;
	size_t size;

	obj = wait_object(kind, &size);
	while (!task_blocked_on(tid, obj, size)) {
		pause_briefly();
	}
}

static int run_case(const struct signal_case *c)
{
	struct waiter w = { .c = c };
	struct sigaction sa;
	pthread_t t;
	int ok;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = c->restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sem_init(&sem, 0, 0);
	predicate = 0;
	handled = 0;
	pthread_create(&t, NULL, waiter_main, &w);
	while (!__atomic_load_n(&w.tid, __ATOMIC_ACQUIRE)) {
		pause_briefly();
	}
	await_blocked(w.tid, c->kind);
	pthread_kill(t, SIGUSR1);
	/* A wait that goes on after the handler is blocked again: only
	 * then release it, so that it could not have been released first. */
	if (c->want_err != EINTR) {
		while (!handled) {
			pause_briefly();
		}
		await_blocked(w.tid, c->kind);
		if (c->kind == SEM_WAIT || c->kind == SEM_TIMEDWAIT) {
			sem_post(&sem);
		} else {
			pthread_mutex_lock(&mutex);
			predicate = 1;
			pthread_cond_signal(&cond);
			pthread_mutex_unlock(&mutex);
		}
	}
	pthread_join(t, NULL);
	ok = handled == 1 && w.ret == c->want_ret && w.err == c->want_err;
	printf("%s ret=%d errno=%s handled=%d %s\n", c->name, w.ret,
		w.err ? strerrorname_np(w.err) : "0", (int) handled, ok ? "ok" : "WRONG");
	sem_destroy(&sem);
	return ok;
}

static const struct signal_case cases[] = {
	{ "sem_wait_no_restart", SEM_WAIT, 0, -1, EINTR },
	{ "sem_timedwait_no_restart", SEM_TIMEDWAIT, 0, -1, EINTR },
	{ "sem_wait_restart", SEM_WAIT, 1, 0, 0 },
	{ "cond_wait_no_restart", COND_WAIT, 0, 0, 0 },
	{ "cond_timedwait_no_restart", COND_TIMEDWAIT, 0, 0, 0 },
	{ "cond_wait_restart", COND_WAIT, 1, 0, 0 },
};

int main(void)
{
	int ok = 1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok &= run_case(&cases[i]);
	}
	return ok ? 0 : 1;
}
