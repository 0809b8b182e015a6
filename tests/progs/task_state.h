/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Where another thread of this process is blocked, as the kernel sees
 * it.  The test programs make their own counts exact by construction:
 * a thread acts only once the kernel shows another thread blocked in a
 * given wait, never after guessing from time.
 *
 * /proc/self/task/TID/syscall holds "NR ARG0 ..." while the thread is
 * in a system call ("running" otherwise); a thread blocked in a futex
 * wait shows SYS_futex and the futex word's address, which lies inside
 * the pthread or semaphore object it waits on.
 */
#ifndef GILTRACE_TESTS_TASK_STATE_H
#define GILTRACE_TESTS_TASK_STATE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Is thread tid blocked in a futex wait on a word inside [obj, obj + size)? */
static inline int task_blocked_on(pid_t tid, const void *obj, size_t size)
{
	char path[64], buf[160];
	unsigned long nr, word;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lx", &nr, &word) != 2 || nr != SYS_futex) {
		return 0;
	}
	return word >= (uintptr_t) obj && word < (uintptr_t) obj + size;
}

/* Between two looks at another thread: give the CPU away a little. */
static inline void pause_briefly(void)
{
	struct timespec ts = { 0, 50000 };

	nanosleep(&ts, NULL);
}

#endif
