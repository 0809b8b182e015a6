/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_exit: processes that end when their last thread ends, not by
 * exit().  glibc then calls exit(0) itself (atexit handlers run).  The
 * shim brings LTTng-UST's never-ending threads into the process; they
 * must not keep it alive.
 *
 *   hazard_exit main-pthread-exit   main calls pthread_exit while a
 *                                   worker runs; the worker ends last
 *   hazard_exit fork-from-thread    a worker forks; in the child that
 *                                   thread starts and joins another,
 *                                   then ends with pthread_exit, as
 *                                   CPython's threads do after a fork
 *
 * stdout: deterministic lines, the last from an atexit handler.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The lock every thread takes, so that each goes through the shim. */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *what)
{
	pthread_mutex_lock(&mutex);
	printf("%s\n", what);
	fflush(stdout);
	pthread_mutex_unlock(&mutex);
}

static void at_exit(void)
{
	say("atexit handler ran");
}

static void *last_worker(void *arg)
{
	(void) arg;
	usleep(100000);		/* not needed for correctness: main leaves first */
	say("worker ends last");
	return NULL;
}

static void *helper(void *arg)
{
	(void) arg;
	say("child's second thread");
	return NULL;
}

static void *forker(void *arg)
{
	pthread_t t;
	pid_t pid;
	int status;

	(void) arg;
	pid = fork();
	if (pid < 0) {
		perror("hazard_exit: fork");
		exit(1);
	}
	if (pid > 0) {
		if (waitpid(pid, &status, 0) != pid) {
			perror("hazard_exit: waitpid");
			exit(1);
		}
		printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
	}
	/* The child: this thread is its only one; it ends by pthread_exit. */
	pthread_create(&t, NULL, helper, NULL);
	pthread_join(t, NULL);
	say("child's forking thread ends");
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: hazard_exit main-pthread-exit | fork-from-thread\n");
		return 2;
	}
	if (strcmp(argv[1], "main-pthread-exit") == 0) {
		atexit(at_exit);
		pthread_create(&t, NULL, last_worker, NULL);
		say("main leaves with pthread_exit");
		pthread_exit(NULL);
	}
	if (strcmp(argv[1], "fork-from-thread") == 0) {
		pthread_create(&t, NULL, forker, NULL);
		pthread_join(t, NULL);	/* never returns: the forker exits the parent */
		return 1;
	}
	fprintf(stderr, "usage: hazard_exit main-pthread-exit | fork-from-thread\n");
	return 2;
}
