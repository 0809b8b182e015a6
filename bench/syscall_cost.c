/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * syscall_cost: how long one system call and one reading of the
 * monotonic clock take on this machine, for bench_machine's line in
 * bench/RESULTS.md.
 *
 *   syscall 950 ns, clock 24 ns
 *
 * Why: what a traced program keeps of its untraced rate depends on how
 * long its own work takes beside the tracer's, and the stress case's
 * own work is system calls.  Between two virtual machines of the same
 * kind a system call was seen to take 4 times as long (a kernel with
 * page-table isolation), and Debian 3.11's stress case to keep 0.57-0.60
 * on one and 0.73-0.81 on the other: ratios from different machines are
 * compared only with this line beside them.  The median of 7 rounds of
 * 200,000.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	7
#define CALLS	200000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median over ROUNDS of the time per call of what (1: a system call,
 * 0: a clock reading). */
static double per_call(int syscalls)
{
	double rounds[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < CALLS; i++) {
			if (syscalls) {
				/* getppid: no vDSO, no cache, nothing to do in the kernel. */
				syscall(SYS_getppid);
			} else {
				now_ns();
			}
		}
		rounds[r] = (now_ns() - t0) / CALLS;
	}
	qsort(rounds, ROUNDS, sizeof(rounds[0]), by_value);
	return rounds[ROUNDS / 2];
}

int main(void)
{
	printf("syscall %.0f ns, clock %.0f ns\n", per_call(1), per_call(0));
	return 0;
}
