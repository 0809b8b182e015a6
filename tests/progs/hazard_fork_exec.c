/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_fork_exec: fork and exec under the shim.
 *
 *   hazard_fork_exec fork      a thread keeps locking while the main
 *                              thread forks; the child starts threads
 *                              that lock and wait, and exits normally
 *   hazard_fork_exec exec PROG [ARGS...]
 *                              lock a little, then exec PROG (traced too)
 *
 * stdout: deterministic lines; stderr: "child PID LOCKS ADDR" for the
 * fork case (the test looks for the child's own events in the trace).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_THREADS	4
#define CHILD_LOCKS	250

/* Locked by the parent's busy thread across the fork, and by the
 * child's threads after it; file scope for both sides. */
static pthread_mutex_t busy_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t child_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t child_cond = PTHREAD_COND_INITIALIZER;
static atomic_int stop_busy;
static unsigned long child_count;

static void *busy(void *arg)
{
	(void) arg;
	while (!atomic_load(&stop_busy)) {
		pthread_mutex_lock(&busy_mutex);
		pthread_mutex_unlock(&busy_mutex);
	}
	return NULL;
}

static void *child_worker(void *arg)
{
	(void) arg;
	for (int i = 0; i < CHILD_LOCKS; i++) {
		pthread_mutex_lock(&child_mutex);
		child_count++;
		pthread_cond_broadcast(&child_cond);
		pthread_mutex_unlock(&child_mutex);
	}
	return NULL;
}

static int child_main(void)
{
	pthread_t t[CHILD_THREADS];

	/* The mutex the busy thread held at the fork, if it did, belongs
	 * to a thread that does not exist here: start afresh. */
	pthread_mutex_init(&busy_mutex, NULL);
	for (int i = 0; i < CHILD_THREADS; i++) {
		pthread_create(&t[i], NULL, child_worker, NULL);
	}
	pthread_mutex_lock(&child_mutex);
	while (child_count < CHILD_THREADS * CHILD_LOCKS) {
		pthread_cond_wait(&child_cond, &child_mutex);
	}
	pthread_mutex_unlock(&child_mutex);
	for (int i = 0; i < CHILD_THREADS; i++) {
		pthread_join(t[i], NULL);
	}
	printf("child counted %lu\n", child_count);
	/* Locks of child_mutex: each worker's, and one above. */
	fprintf(stderr, "child %d %d %p\n", (int) getpid(), CHILD_THREADS * CHILD_LOCKS + 1,
		(void *) &child_mutex);
	return child_count == CHILD_THREADS * CHILD_LOCKS ? 0 : 1;
}

static int run_fork(void)
{
	pthread_t t;
	pid_t pid;
	int status;

	pthread_create(&t, NULL, busy, NULL);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&busy_mutex);
		pthread_mutex_unlock(&busy_mutex);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("hazard_fork_exec: fork");
		return 1;
	}
	if (pid == 0) {
		exit(child_main());
	}
	atomic_store(&stop_busy, 1);
	pthread_join(t, NULL);
	if (waitpid(pid, &status, 0) != pid) {
		perror("hazard_fork_exec: waitpid");
		return 1;
	}
	printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int run_exec(char **argv)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	fflush(stdout);
	execv(argv[0], argv);
	perror("hazard_fork_exec: execv");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fork") == 0) {
		return run_fork();
	}
	if (argc >= 3 && strcmp(argv[1], "exec") == 0) {
		return run_exec(argv + 2);
	}
	fprintf(stderr, "usage: hazard_fork_exec fork | exec PROG [ARGS...]\n");
	return 2;
}
