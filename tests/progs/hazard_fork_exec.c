/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_fork_exec: fork and exec under the shim.
 *
 *   hazard_fork_exec fork      a thread keeps locking while the main
 *                              thread forks; the child starts threads
 *                              that lock and wait, and exits normally
 *   hazard_fork_exec exec PROG [ARGS...]
 *                              lock a little, then exec PROG (traced too);
 *                              before, every exec function fails as it
 *                              should (-1, errno), and execl, execlp and
 *                              execle run sh in children with their
 *                              arguments and environment intact
 *
 * stdout: deterministic lines; stderr: "child PID LOCKS ADDR" for the
 * fork case (the test looks for the child's own events in the trace).
 */
#define _GNU_SOURCE
#include <errno.h>
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

/* Each exec function, failing: -1 and errno as the C library sets them.
 * Silent but for what differs (stdout is the exec'd program's). */
static int exec_failures(void)
{
	static char *const argv[] = { "none", NULL };
	static char *const envp[] = { NULL };
	const char *missing = "/nonexistent/giltrace-hazard";
	int bad = 0;

#define EXPECT_FAIL(call, errno_want) \
	do { \
		int ret_; \
		errno = 0; \
		ret_ = (call); \
		if (ret_ != -1 || errno != (errno_want)) { \
			fprintf(stderr, "hazard_fork_exec: %s: %d, errno %d\n", #call, ret_, errno); \
			bad = 1; \
		} \
	} while (0)
	EXPECT_FAIL(execv(missing, argv), ENOENT);
	EXPECT_FAIL(execve(missing, argv, envp), ENOENT);
	EXPECT_FAIL(execvp(missing, argv), ENOENT);
	EXPECT_FAIL(execvpe(missing, argv, envp), ENOENT);
	EXPECT_FAIL(fexecve(-1, argv, envp), EINVAL);
	EXPECT_FAIL(execl(missing, "none", "a", (char *) NULL), ENOENT);
	EXPECT_FAIL(execlp(missing, "none", "a", "b", (char *) NULL), ENOENT);
	EXPECT_FAIL(execle(missing, "none", (char *) NULL, envp), ENOENT);
#undef EXPECT_FAIL
	return bad;
}

/* execl, execlp and execle in children: sh exits 0 only if it got the
 * arguments and the environment it was given. */
static int exec_variadic(void)
{
	static char *const envp[] = { "GT_HAZARD=from-execle", NULL };
	int bad = 0;

	for (int which = 0; which < 3; which++) {
		pid_t pid;
		int status;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			if (which == 0) {
				execl("/bin/sh", "sh", "-c", "test \"$0 $1\" = \"zero one\"", "zero", "one",
					(char *) NULL);
			} else if (which == 1) {
				execlp("sh", "sh", "-c", "test \"$0\" = zero", "zero", (char *) NULL);
			} else {
				execle("/bin/sh", "sh", "-c", "test \"$GT_HAZARD\" = from-execle", (char *) NULL, envp);
			}
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "hazard_fork_exec: %s did not pass its arguments on\n",
				which == 0 ? "execl" : which == 1 ? "execlp" : "execle");
			bad = 1;
		}
	}
	return bad;
}

static int run_exec(char **argv)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	if (exec_failures() | exec_variadic()) {
		return 1;
	}

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
