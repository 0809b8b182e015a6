/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * libtracereader: reading LTTng traces with libbabeltrace2, for
 * giltrace-analyze, giltrace (record's closing count, top) and
 * bench/tracecount.  One concern a file:
 *
 *   trace_error.c     the program's name in messages, the error printer
 *   trace_find.c      the CTF traces below a path
 *   trace_metadata.c  the metadata check that keeps babeltrace 2.0 from
 *                     hanging on damaged metadata
 *   trace_decode.c    the sink: giltrace events into struct gs_event
 *   trace_graph.c     trace directories: ctf.fs sources, muxer, sink
 *   trace_live.c      a live session: lttng-live source, sink
 *   trace_isolate.c   a job in a child process that outlives
 *                     libbabeltrace2's crashes on damaged traces
 *
 * Failures append a cause to the current thread's babeltrace error
 * ("Cannot read trace: path=..."), labelled with the program's name;
 * trace_error_print() prints it.
 */
#ifndef GILTRACE_ANALYZER_TRACE_READER_H
#define GILTRACE_ANALYZER_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "gil_analysis.h"

/* ---- messages ------------------------------------------------------ */

/* The program's name, for the causes the library appends (their module)
 * and the lines it prints ("giltrace-analyze: ..."); once, first thing
 * in main(), with a string that lives as long as the program.  Until
 * then: "giltrace". */
void trace_reader_init(const char *prog);

/*
 * Prints the current babeltrace error as one line, "PROG: what: why":
 * the outermost cause (what failed), then the innermost one (why);
 * verbose: every cause below it.  fallback: the line without an error.
 * The error is released.
 */
void trace_error_print(int verbose, const char *fallback);

/* ---- trace directories --------------------------------------------- */

enum trace_read_status {
	TRACE_READ_OK = 0,
	TRACE_READ_NOT_FOUND,		/* no CTF trace at a path */
	TRACE_READ_BAD_TRACE,		/* a trace could not be decoded */
	TRACE_READ_NO_CONTEXT,		/* giltrace events lack vpid/vtid */
	TRACE_READ_MEMORY,
	TRACE_READ_ERROR,		/* babeltrace itself failed (plugins missing, ...) */
};

/* The exit statuses of a program that reads traces, as giltrace-analyze(1)
 * documents them; giltrace report's picture exits with the same ones. */
enum trace_exit {
	TRACE_EXIT_OK = 0,
	TRACE_EXIT_FAILURE = 1,		/* memory, output, babeltrace itself */
	TRACE_EXIT_USAGE = 2,
	TRACE_EXIT_NO_TRACE = 3,
	TRACE_EXIT_BAD_TRACE = 4,
	TRACE_EXIT_NO_EVENTS = 5,
	TRACE_EXIT_NO_CONTEXT = 6,
};

/* The exit status for a reading status. */
enum trace_exit trace_exit_status(enum trace_read_status st);

/* The trace directories found, sorted. */
struct trace_list {
	char **paths;			/* owned by this, each owned */
	size_t len;
	size_t cap;
};

/* Kinds of unknown events named (trace_read_stats), and their longest name. */
#define TRACE_UNKNOWN_NAMES	4
#define TRACE_UNKNOWN_NAME_LEN	96

struct trace_read_stats {
	uint64_t events;		/* every event message */
	uint64_t giltrace_events;	/* of which giltrace:* (not when only counting) */
	uint64_t no_context;		/* giltrace events without vpid/vtid (ignored) */
	/*
	 * giltrace:* events of kinds this reader does not know (left out):
	 * a trace recorded by a newer giltrace, whose figures this version
	 * cannot give.  The first kinds' names, each once; unknown_more:
	 * there were other kinds beside them.
	 */
	uint64_t unknown_events;
	unsigned int unknown_kinds;
	int unknown_more;
	char unknown_names[TRACE_UNKNOWN_NAMES][TRACE_UNKNOWN_NAME_LEN];
	/*
	 * What the tracer says it lost, summed modulo 2^64 on purpose:
	 * LTTng-UST 2.13's per-user buffers make babeltrace2 report some
	 * "discarded 2^64 - n", each cancelled by a later "discarded n".
	 * An analysis is given them too (gs_discarded()).
	 */
	uint64_t discarded_events;
	uint64_t discarded_packets;
	uint64_t discarded_unknown;	/* discard messages without a count */
	int64_t clock_ns;		/* latest time the trace vouched for: its last event,
					 * or a live source's inactivity message */
};

/*
 * The one warning for events of kinds this reader does not know
 * (trace_read_stats), without a leading program name or final newline:
 * "N giltrace events of kinds this version does not know were left out
 * (giltrace:x, ...)".  Empty when there were none.
 */
void trace_unknown_describe(const struct trace_read_stats *st, char *buf, size_t len);

/* Adds the CTF traces below input (a directory, or a trace's metadata
 * file) to list. */
enum trace_read_status trace_find(const char *input, struct trace_list *list);
void trace_list_free(struct trace_list *list);

/* Reads every trace of list into a, or only counts its events and
 * discards if a is NULL.  verbose: let the components log their
 * warnings. */
enum trace_read_status trace_read(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats);

/*
 * trace_read(), telling tick each giltrace event's time before the
 * analysis is fed it: everything fed so far is older, so a view can cut
 * an interval there (giltrace top --replay).
 */
typedef void (*trace_tick_fn)(void *arg, int64_t ts);
enum trace_read_status trace_read_ticked(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats, trace_tick_fn tick, void *arg);

/* trace_find() and trace_read() without an analysis: the events and
 * discards of the traces below input. */
enum trace_read_status trace_count(const char *input, struct trace_read_stats *stats);

/* ---- live reading -------------------------------------------------- */

/*
 * A session of an LTTng relay daemon, read while it is being recorded
 * (giltrace top), by the src.ctf.lttng-live source feeding the same sink
 * as trace_read().  The caller runs it one step at a time so that it can
 * print between steps.
 */
struct trace_live;

enum trace_live_status {
	TRACE_LIVE_OK,			/* messages were read: step again */
	TRACE_LIVE_AGAIN,		/* no new data yet: step again a little later */
	TRACE_LIVE_END,			/* the session is gone and everything was read */
	TRACE_LIVE_ERROR,		/* a cause was appended to the current error */
	TRACE_LIVE_MEMORY,
};

/* relay: "net://HOST:PORT" (the relay daemon's live port); host: the
 * traced machine's hostname; session: the live session's name. */
enum trace_read_status trace_live_open(const char *relay, const char *host, const char *session,
		struct gs_analysis *a, int verbose, struct trace_read_stats *stats,
		struct trace_live **live);
enum trace_live_status trace_live_step(struct trace_live *live);
/* Viewers attached to the session as the relay daemon counts them; -1 if
 * it does not list the session (yet), -2 on error (cause appended). */
int trace_live_viewers(struct trace_live *live);
void trace_live_close(struct trace_live *live);

/* ---- crash isolation ----------------------------------------------- */

/*
 * libbabeltrace2 2.0 aborts, faults or loops for ever on some damaged
 * traces (trace_isolate.c lists them).  isolate_run() runs fn(arg), a
 * job that reads traces with this library (and may do anything else:
 * report, write files), in a child process whose stderr the parent
 * passes on (as it comes with verbose, else once the child is gone).
 * Returns the child's exit status (fn's return value); or, when the
 * child crashed inside libbabeltrace2 or the watchdog stopped it there,
 * bad_trace_status after one line: "PROG: Cannot read trace: ...".  A
 * crash in other code stays a crash: the caller dies of the same signal.
 * Returns -1 (errno set) if the child cannot be started.
 */
int isolate_run(int (*fn)(void *), void *arg, int verbose, int bad_trace_status);

#endif
