/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The data behind the GIL timeline picture: a view of the analysis core.
 * It keeps no GIL state of its own: the core tells it each thread's state
 * intervals and instants (gs_observe), and it sorts them into a fixed
 * number of time columns per row, one row per (GIL, thread); whenever
 * the trace outgrows the columns their width doubles and neighbouring
 * columns merge, so memory is bounded by rows x columns.  Every other
 * figure the picture shows (a row's counts and shares, the histograms)
 * is the core's own, read once the analysis is finished, and so is each
 * thread's name (gs_thread_name()) and the place of each hold.
 */
#ifndef GILTRACE_FRONTEND_TIMELINE_H
#define GILTRACE_FRONTEND_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/hist.h"
#include "analyzer/idmap.h"

#define TL_DEFAULT_COLUMNS	512

/* What a row did in one column. */
struct tl_cell {
	uint64_t hold_ns;		/* holding */
	uint64_t wait_ns;		/* in any attempt state: trying to take the GIL */
	uint32_t failed_wakeups;
	uint32_t timeouts;
	/* The longest hold overlapping the column, whole, and the Python
	 * function and line the core placed it at (gs_hold_where()): what
	 * the picture names on hover. */
	uint64_t longest_hold_ns;
	struct py_where longest_where;
};

struct tl_row {
	const struct gs_gil_thread *gt;	/* the core's (GIL, thread): every figure but the columns */
	struct tl_cell *cells;		/* ncolumns, owned */
};

struct timeline {
	struct gs_analysis *a;		/* observed, not owned */
	unsigned int ncolumns;		/* power of two */
	int64_t t0;			/* the analysis's first event */
	uint64_t width;			/* ns per column, power of two */
	int64_t t_end;			/* the analysis's last event (timeline_finish) */
	int started;			/* t0 is known */
	int oom;			/* memory ran out: columns incomplete */
	struct tl_row **rows;		/* owned, in order of first interval */
	size_t nrows;
	size_t cap;
	struct idmap by_gt;		/* gs_gil_thread address -> struct tl_row */
	struct hist wait;		/* the core's wait_ns distributions, merged over GILs */
	struct hist wakeup;		/* and its wakeup_latency_ns */
};

/* Creates a timeline observing a (before anything is fed to it);
 * ncolumns is rounded up to a power of two, at least 2. */
struct timeline *timeline_create(struct gs_analysis *a, unsigned int ncolumns);

/* After gs_finish(a): a row for every (GIL, thread), the histograms.
 * Returns 0, or -1 when out of memory. */
int timeline_finish(struct timeline *tl);

void timeline_destroy(struct timeline *tl);

/* Columns actually covered by [t0, t_end]. */
unsigned int timeline_used_columns(const struct timeline *tl);

#endif
