/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Small helpers the test programs share: failing calls, deadlines,
 * options and their values, and the work and "I/O" of their
 * free-running parts.
 * Needs _GNU_SOURCE (program_invocation_short_name).
 */
#ifndef GILTRACE_TESTS_PROGS_UTIL_H
#define GILTRACE_TESTS_PROGS_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "PROGRAM: WHAT: ERROR" on stderr, and exit 1. */
static inline void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(err));
	exit(1);
}

/* A pthread function's result: die unless 0. */
static inline void check(int err, const char *what)
{
	if (err) {
		die(what, err);
	}
}

/* The time us microseconds from now on clock, as a timed wait takes it. */
static inline struct timespec deadline_after_us(clockid_t clock, unsigned long long us)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += (time_t) (us / 1000000);
	ts.tv_nsec += (long) (us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* s as a decimal number in [lo, hi]; usage() (which exits) otherwise. */
static inline long parse_number_or(const char *s, long lo, long hi, void (*usage)(void))
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		usage();
	}
	return v;
}

/* An option without a value, and the flag it sets. */
struct flag_option {
	const char *name;
	int *flag;
};

/* Sets the flag of arg among flags (ended by a NULL name): 1, or 0 if
 * arg names none of them. */
static inline int parse_flag(const char *arg, const struct flag_option *flags)
{
	for (; flags->name; flags++) {
		if (strcmp(arg, flags->name) == 0) {
			*flags->flag = 1;
			return 1;
		}
	}
	return 0;
}

/* Some computation whose result does not depend on timing. */
static inline uint64_t compute(uint64_t x, int steps)
{
	for (int i = 0; i < steps; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		x ^= x >> 29;
	}
	return x;
}

/* --linger: the report written out, wait for a signal for ever, the
 * GIL free, as a service between requests does. */
static inline void linger(void)
{
	fflush(stdout);
	for (;;) {
		pause();
	}
}

/* "I/O": a short blocking system call (20 to 60 us by round). */
static inline void io_wait(int round)
{
	struct timespec ts = { 0, 20000 + (round % 5) * 10000 };

	nanosleep(&ts, NULL);
}

#endif
