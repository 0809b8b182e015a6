/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The data behind the GIL timeline picture, built from GIL events in
 * one pass with bounded memory: the trace's time span is cut into a
 * fixed number of columns, and whenever the trace outgrows them the
 * column width doubles and neighbouring columns merge.  Per thread and
 * column it keeps the time spent holding the GIL and the time spent
 * trying to take it, and the failed wake-ups and timeouts seen there.
 * Pure C, no trace reading: tests feed it events directly.
 */
#ifndef GILTRACE_FRONTEND_TIMELINE_H
#define GILTRACE_FRONTEND_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_read.h"

#define TL_DEFAULT_COLUMNS	512
#define TL_HIST_BINS		64	/* bin k: [2^k, 2^(k+1)) ns; bin 0 also holds 0 */
#define TL_NAME_LEN		17	/* procname context: 16 bytes + NUL */

enum tl_state {
	TL_UNKNOWN = 0,	/* no GIL event seen for this thread yet */
	TL_RUNNING,	/* neither holding the GIL nor trying to take it */
	TL_WAITING,	/* inside an acquire attempt */
	TL_HOLDING,	/* holding the GIL */
};

struct tl_cell {
	uint64_t hold_ns;
	uint64_t wait_ns;
	uint32_t failed_wakeups;
	uint32_t timeouts;
};

struct tl_hist {
	uint64_t bins[TL_HIST_BINS];
	uint64_t count, sum, max;
};

struct tl_thread {
	int64_t pid, tid;
	char procname[TL_NAME_LEN];
	uint64_t first_ts, last_ts;
	enum tl_state state;
	uint64_t since;			/* when the current state began */
	uint64_t wait_ts;		/* when the current wait began */
	bool woken;			/* last wait of this attempt ended woken */
	uint64_t hold_ns, wait_ns;	/* totals */
	uint64_t acquisitions, failed_wakeups, timeouts;
	struct tl_cell *cells;		/* ncolumns, owned */
};

struct tl_gil {
	int64_t pid;
	uint64_t gil;
	char kind[16];
	char runtime[48];
	uint64_t signal_ts;		/* last signalling release, while no waiter woke */
	bool signal_pending;
};

struct timeline {
	unsigned int ncolumns;		/* power of two */
	uint64_t t0;			/* time of the first GIL event */
	uint64_t width;			/* ns per column, power of two */
	uint64_t t_end;			/* time of the last GIL event */
	bool started;
	struct tl_thread **threads;	/* owned, in order of appearance */
	size_t nthreads, cap;
	size_t *index;			/* open-addressing hash of threads */
	size_t index_cap;
	struct tl_gil *gils;		/* owned */
	size_t ngils;
	struct tl_hist wait_hist;	/* attempt begin -> GIL held */
	/*
	 * Signalling release -> the first waiter to wake after it that was
	 * already waiting then (for a semaphore GIL, to take it): the same
	 * pairing as giltrace-analyze's wakeup_latency_ns.
	 */
	struct tl_hist wakeup_hist;
};

/* ncolumns is rounded up to a power of two (at least 2). */
struct timeline *timeline_create(unsigned int ncolumns);
void timeline_destroy(struct timeline *tl);

/* Feed one event (time order); returns -1 on allocation failure. */
int timeline_feed(struct timeline *tl, const struct tr_event *ev);

/* Close the states still open at the end of the trace. */
void timeline_finish(struct timeline *tl);

/* Columns actually covered by [t0, t_end]. */
unsigned int timeline_used_columns(const struct timeline *tl);

/* Histogram bin of a duration. */
unsigned int tl_hist_bin(uint64_t ns);

#endif
