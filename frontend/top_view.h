/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace top's figures: per interval, what each GIL and each of its
 * threads did since the previous interval, as differences of the
 * analysis core's cumulative counters (analyzer/gil_analysis.h).  Nothing
 * is kept per interval: one baseline per (GIL, thread), overwritten at
 * every interval, so memory grows with threads, never with time.
 *
 * Who held the GIL in an interval, and where in Python, is what the core
 * tells its observer (gs_observe): each hold as it is released, with its
 * thread and gs_hold_where()'s function and line.  Those are summed per
 * (thread, function, line) for the interval only, then dropped: the
 * core's per-function figures (py_functions.h) are the sums of the
 * intervals' (giltrace(1), top).
 *
 * Pure C on the analysis core, no babeltrace: the unit tests feed the
 * core by hand and check the intervals add up to its totals.
 */
#ifndef GILTRACE_FRONTEND_TOP_VIEW_H
#define GILTRACE_FRONTEND_TOP_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/hist.h"
#include "analyzer/idmap.h"
#include "analyzer/trace_reader.h"

/* A GIL idle this long (trace time) and free is no longer shown. */
#define TV_IDLE_NS	(INT64_C(60) * 1000000000)

/* (Thread, function, line) places of holds kept per interval; the holds
 * of further places go to their thread's "(other functions)" place. */
#define TV_HOLDERS_MAX 4096

/* What a GIL, or one thread with it, did in one interval. */
struct tv_measures {
	struct gs_counters c;		/* differences of the core's counters */
	uint64_t held_ns;		/* holding, a hold in progress included */
	uint64_t waited_ns;		/* inside attempts, one in progress included */
	struct hist wakeup;		/* the interval's wake-up latencies, owned */
};

struct tv_thread_rec {
	const struct gs_gil_thread *gt;
	struct tv_measures m;
};

/*
 * The holds of one thread released at one Python function and line in
 * an interval (gs_hold_where(): py_func_none without a frame).
 */
struct tv_holder {
	const struct gs_gil_thread *gt;
	struct py_where where;
	uint64_t holds;			/* released in the interval */
	uint64_t holds_ns;		/* their whole lengths, as the core's functions count them */
	uint64_t held_ns;		/* the part of those inside the interval: what ranks them */
};

struct tv_gil_rec {
	const struct gs_gil *g;
	struct tv_measures m;		/* sum over its threads */
	struct tv_thread_rec *threads;	/* owned: threads active in the interval */
	size_t nthreads;
	struct tv_holder *holders;	/* owned: most held_ns first; the first is the top holder */
	size_t nholders;
};

struct tv_interval {
	uint64_t number;		/* 1, 2, ... */
	int64_t start_ns;		/* trace time, ns from the clock's origin */
	int64_t end_ns;
	uint64_t events;		/* giltrace events fed in the interval */
	uint64_t discarded_events;	/* events LTTng lost in the interval */
	uint64_t discarded_packets;	/* packets lost in the interval (events of unknown number) */
	uint64_t unknown_events;	/* giltrace events of kinds this version does not know */
	int final;			/* the last one: the trace has ended */
	struct tv_gil_rec *gils;	/* owned: GILs shown, busiest first */
	size_t ngils;
};

/*
 * Whether a process still runs (the trace does not say when one exits).
 * Holds and attempts of a process that is gone count only up to its
 * GIL's last event, as in the final interval and in giltrace-analyze.
 */
typedef int (*tv_alive_func)(int64_t pid, void *arg);

/*
 * Where a GIL's trace ends, when that is known beforehand (a recorded
 * trace, read once already): holds and attempts in progress count up to
 * that time at most.  INT64_MAX: not known.
 */
typedef int64_t (*tv_gil_end_func)(const struct gs_gil *g, void *arg);

/* The baselines: where the previous interval left each (GIL, thread). */
struct top_view {
	struct gs_analysis *a;		/* not owned */
	struct idmap base;		/* struct gs_gil_thread * -> struct tv_base, owned */
	tv_alive_func alive;		/* NULL: every process runs until the end */
	void *alive_arg;
	struct idmap gone;		/* pid -> (void *) 1: processes seen gone */
	tv_gil_end_func gil_end;	/* NULL: not known */
	void *gil_end_arg;
	uint64_t number;		/* intervals taken */
	int64_t prev_ns;		/* end of the previous interval; 0 before the first */
	uint64_t prev_events;
	uint64_t prev_discarded;
	uint64_t prev_discarded_packets;
	const struct trace_read_stats *stats;	/* not owned; NULL: not known */
	uint64_t prev_unknown;
	struct idmap holders;		/* hash of (thread, function, line) -> struct tv_holder, owned:
					 * the holds released since the previous interval */
	int oom;			/* memory ran out placing a hold: tv_take() fails */
};

/* Observes a (gs_observe): call before anything is fed to it. */
void tv_init(struct top_view *v, struct gs_analysis *a);
void tv_set_alive(struct top_view *v, tv_alive_func alive, void *arg);
/* The reader's counts of the trace (its events of unknown kinds), which
 * the analysis core does not see. */
void tv_set_reader_stats(struct top_view *v, const struct trace_read_stats *stats);
void tv_set_gil_end(struct top_view *v, tv_gil_end_func gil_end, void *arg);

/*
 * Closes the interval ending at trace time now_ns (the latest time the
 * trace vouched for, >= every event fed) and fills iv with what happened
 * in it; the first interval begins at the first event.  Call before
 * gs_finish(): holds and attempts in progress count up to now_ns, or in
 * the final interval and for processes gone up to their GIL's last
 * event.  The holders are those of the holds released in the interval.
 * Returns 0, or -1 when out of memory (iv is then empty).
 */
int tv_take(struct top_view *v, int64_t now_ns, int final, struct tv_interval *iv);
void tv_interval_free(struct tv_interval *iv);
void tv_free(struct top_view *v);

/* How intervals are written. */
struct tv_format {
	int json;			/* one JSON object per line, else a table */
	int tty;			/* text: clear the screen before each interval */
	unsigned int max_threads;	/* text: threads listed per GIL */
	const char *wall;		/* text: wall-clock time of the interval, "HH:MM:SS" */
};

/* Each returns 0, or -1 if writing failed. */
int tv_print_interval(FILE *out, const struct tv_format *f, const struct tv_interval *iv);
/* Totals of the whole run, from v's finished analysis (gs_finish), over
 * the intervals it took. */
int tv_print_summary(FILE *out, const struct tv_format *f, const struct top_view *v);

/* "850 ns", "12.3 us", "4.56 ms", "1.23 s"; "-" for none. */
void tv_duration(char *buf, size_t size, uint64_t ns, int none);

#endif
