/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "analyzer/trace_reader.h"
#include "top_replay.h"
#include "util.h"

struct replay {
	const char *path;
	int64_t interval_ns;
	struct tv_format fmt;		/* wall: the interval's end, trace time */
	FILE *out;
	struct gs_analysis a;
	struct gs_analysis whole;	/* the whole trace, read first: when processes end */
	struct top_view view;
	struct trace_read_stats stats;	/* the reading's, as it goes (the view's events of unknown kinds) */
	int started;			/* the first event came: intervals are cut */
	int64_t next_ns;		/* the end of the interval being filled */
	int failed;			/* writing or memory failed */
};

/* The trace's clock is the real time's (LTTng's origin is the epoch). */
static void trace_clock(char *buf, size_t size, int64_t ns)
{
	time_t s = (time_t) (ns / 1000000000);
	struct tm tm;

	if (!localtime_r(&s, &tm) || strftime(buf, size, "%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "-");
	}
}

static void interval_print(struct replay *r, int64_t end_ns, int final)
{
	struct tv_interval iv;
	char wall[16];

	if (r->failed) {
		return;
	}
	trace_clock(wall, sizeof(wall), end_ns);
	r->fmt.wall = wall;
	if (tv_take(&r->view, end_ns, final, &iv) != 0) {
		gt_err("Out of memory: interval %" PRIu64 " not shown", r->view.number);
		r->failed = 1;
		return;
	}
	if (tv_print_interval(r->out, &r->fmt, &iv) != 0) {
		gt_err("Cannot write the view: %s", strerror(errno));
		r->failed = 1;
	}
	tv_interval_free(&iv);
}

/*
 * Before an event at ts is fed: every interval end it passes closes an
 * interval, all at once if several (an idle stretch is one interval);
 * everything fed so far is older than that end.
 */
static void tick(void *arg, int64_t ts)
{
	struct replay *r = arg;
	int64_t end;

	if (!r->started) {
		r->started = 1;
		r->next_ns = ts + r->interval_ns;
		return;
	}
	if (ts < r->next_ns) {
		return;
	}
	end = r->next_ns + (ts - r->next_ns) / r->interval_ns * r->interval_ns;
	interval_print(r, end, 0);
	r->next_ns = end + r->interval_ns;
}

/*
 * Where the GIL's trace ends: its last event in the whole trace.  Live,
 * top asks the system whether a process still runs; here the trace says
 * it, for each GIL (a sub-interpreter's ends before its process), and a
 * hold or attempt in progress counts up to that last event only, as in
 * giltrace-analyze.
 */
static int64_t gil_end(const struct gs_gil *g, void *arg)
{
	const struct replay *r = arg;
	const struct gs_process *p = gs_process_find(&r->whole, g->proc->pid);
	const struct gs_gil *whole = p ? gs_gil_find(p, g->address) : NULL;

	return whole ? whole->last_ts : INT64_MAX;
}

/* The whole trace first (when each process ends), then interval by
 * interval. */
static int replay_read(struct replay *r)
{
	struct trace_list list = { 0 };
	enum trace_read_status st = trace_find(r->path, &list);

	if (st == TRACE_READ_OK) {
		st = trace_read(&list, &r->whole, 0, &r->stats);
	}
	if (st == TRACE_READ_OK) {
		st = trace_read_ticked(&list, &r->a, 0, &r->stats, tick, r);
	}
	trace_list_free(&list);
	if (st != TRACE_READ_OK) {
		trace_error_print(0, "Cannot read the traces");
		return trace_exit_status(st);
	}
	gt_warn_unknown_events(&r->stats);
	if (r->a.events == 0) {
		gt_err("No giltrace GIL events in the trace: path=\"%s\"", r->path);
		return TRACE_EXIT_NO_EVENTS;
	}
	return TRACE_EXIT_OK;
}

/* The job, in the crash isolation's child. */
static int replay_job(void *arg)
{
	struct replay *r = arg;
	int status;

	gs_init(&r->a, 0);
	gs_init(&r->whole, 0);
	tv_init(&r->view, &r->a);
	tv_set_gil_end(&r->view, gil_end, r);
	tv_set_reader_stats(&r->view, &r->stats);
	status = replay_read(r);
	if (status == TRACE_EXIT_OK) {
		/* The trace ended at its last event. */
		interval_print(r, r->a.last_ts, 1);
		gs_finish(&r->a);
		if (!r->failed && tv_print_summary(r->out, &r->fmt, &r->view) != 0) {
			gt_err("Cannot write the view: %s", strerror(errno));
			r->failed = 1;
		}
	}
	if (status == TRACE_EXIT_OK && (r->failed || r->a.oom)) {
		status = TRACE_EXIT_FAILURE;
	}
	tv_free(&r->view);
	gs_free(&r->a);
	gs_free(&r->whole);
	return status;
}

int top_replay(const char *path, int64_t interval_ns, const struct tv_format *fmt, FILE *out)
{
	struct replay r = { .path = path, .interval_ns = interval_ns, .fmt = *fmt, .out = out };
	int status;

	r.fmt.tty = 0;
	fflush(out);
	status = isolate_run(replay_job, &r, 0, TRACE_EXIT_BAD_TRACE);
	if (status < 0) {
		gt_err("Cannot start the process that reads the trace: %s", strerror(errno));
		return TRACE_EXIT_FAILURE;
	}
	return status;
}
