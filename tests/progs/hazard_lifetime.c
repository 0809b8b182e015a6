/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_lifetime: how a process ends when its threads were not all made
 * by pthread_create through the PLT, and what runs as they end.  glibc
 * starts some threads itself (C11 thrd_create, SIGEV_THREAD timers, POSIX
 * AIO notifications); the shim must neither end the process early nor
 * keep it alive, and the program's thread-specific-data destructors must
 * all run.  The output and exit status must be the same with the shim,
 * with or without a session (tests/e2e_shim_unchanged.sh).
 *
 *   hazard_lifetime thrd-exit    main calls thrd_exit; a thrd_create
 *                                thread prints, then calls exit(7)
 *   hazard_lifetime timer-exit   main calls pthread_exit; a SIGEV_THREAD
 *                                timer prints, then calls exit(3)
 *   hazard_lifetime aio-exit     main calls pthread_exit; the SIGEV_THREAD
 *                                notification of an aio_read prints, then
 *                                calls exit(5)
 *   hazard_lifetime tsd          main calls pthread_exit; the last thread
 *                                ends with values in two keys of the
 *                                program, whose destructors print
 *   hazard_lifetime thrd-fork    a thrd_create thread forks; the child's
 *                                only thread calls thrd_exit (status 0);
 *                                the parent reports how the child ended
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "progs_util.h"

/* Posted by main just before it leaves, so that the others mostly run
 * after (not needed for correctness: the output is the same either way). */
static sem_t main_leaving;

static void say(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

static void after_main(void)
{
	while (sem_wait(&main_leaving) != 0 && errno == EINTR) {
	}
	usleep(50000);
}

/* ---- thrd-exit ------------------------------------------------------- */

static int thrd_worker(void *arg)
{
	(void) arg;
	after_main();
	say("C11 thread: exit(7)");
	exit(7);
}

static int thrd_exit_case(void)
{
	thrd_t t;

	if (thrd_create(&t, thrd_worker, NULL) != thrd_success) {
		die("thrd_create", EAGAIN);
	}
	say("main: thrd_exit");
	sem_post(&main_leaving);
	thrd_exit(0);
}

/* ---- timer-exit, aio-exit ---------------------------------------------- */

static void notified(union sigval v)
{
	after_main();
	printf("%s notification: exit(%d)\n", v.sival_int == 3 ? "timer" : "aio", v.sival_int);
	fflush(stdout);
	exit(v.sival_int);
}

static int timer_exit_case(void)
{
	struct sigevent sev;
	struct itimerspec its;
	timer_t timer;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = notified;
	sev.sigev_value.sival_int = 3;
	check(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0 ? 0 : errno, "timer_create");
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 20000000;
	check(timer_settime(timer, 0, &its, NULL) == 0 ? 0 : errno, "timer_settime");
	say("main: pthread_exit");
	sem_post(&main_leaving);
	pthread_exit(NULL);
}

static int aio_exit_case(void)
{
	static char buf[16];
	static struct aiocb cb;
	int fd = open("/dev/zero", O_RDONLY);

	check(fd >= 0 ? 0 : errno, "open /dev/zero");
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = notified;
	cb.aio_sigevent.sigev_value.sival_int = 5;
	check(aio_read(&cb) == 0 ? 0 : errno, "aio_read");
	say("main: pthread_exit");
	sem_post(&main_leaving);
	pthread_exit(NULL);
}

/* ---- tsd ------------------------------------------------------------------ */

static pthread_key_t keys[2];

static void destroyed(void *value)
{
	printf("destructor of the program's key %s ran\n", (const char *) value);
	fflush(stdout);
}

static void at_exit(void)
{
	say("atexit handler ran");
}

static void *tsd_worker(void *arg)
{
	(void) arg;
	pthread_setspecific(keys[0], "one");
	pthread_setspecific(keys[1], "two");
	after_main();
	say("last thread ends");
	return NULL;
}

static int tsd_case(void)
{
	pthread_t t;

	atexit(at_exit);
	check(pthread_key_create(&keys[0], destroyed), "pthread_key_create");
	check(pthread_key_create(&keys[1], destroyed), "pthread_key_create");
	check(pthread_create(&t, NULL, tsd_worker, NULL), "pthread_create");
	say("main: pthread_exit");
	sem_post(&main_leaving);
	pthread_exit(NULL);
}

/* ---- thrd-fork --------------------------------------------------------- */

static int forker(void *arg)
{
	pid_t pid = fork();
	int status;

	(void) arg;
	if (pid < 0) {
		die("fork", errno);
	}
	if (pid == 0) {
		thrd_exit(0);	/* the child's only thread */
	}
	if (waitpid(pid, &status, 0) != pid) {
		die("waitpid", errno);
	}
	if (WIFEXITED(status)) {
		printf("child exited with status %d\n", WEXITSTATUS(status));
	} else {
		printf("child died of signal %d\n", WTERMSIG(status));
	}
	return 0;
}

static int thrd_fork_case(void)
{
	thrd_t t;
	int res;

	if (thrd_create(&t, forker, NULL) != thrd_success || thrd_join(t, &res) != thrd_success) {
		die("thrd_create", EAGAIN);
	}
	say("parent done");
	return 0;
}

int main(int argc, char **argv)
{
	check(sem_init(&main_leaving, 0, 0) == 0 ? 0 : errno, "sem_init");
	if (argc == 2 && strcmp(argv[1], "thrd-exit") == 0) {
		return thrd_exit_case();
	}
	if (argc == 2 && strcmp(argv[1], "timer-exit") == 0) {
		return timer_exit_case();
	}
	if (argc == 2 && strcmp(argv[1], "aio-exit") == 0) {
		return aio_exit_case();
	}
	if (argc == 2 && strcmp(argv[1], "tsd") == 0) {
		return tsd_case();
	}
	if (argc == 2 && strcmp(argv[1], "thrd-fork") == 0) {
		return thrd_fork_case();
	}
	fprintf(stderr, "usage: hazard_lifetime thrd-exit | timer-exit | aio-exit | tsd | thrd-fork\n");
	return 2;
}
