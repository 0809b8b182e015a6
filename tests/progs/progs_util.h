/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Small helpers the test programs share: deadlines and option values. */
#ifndef GILTRACE_PROGS_UTIL_H
#define GILTRACE_PROGS_UTIL_H

#include <stdlib.h>
#include <time.h>

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

#endif
