/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Reading LTTng traces with libbabeltrace2: one ctf.fs source per CTF
 * trace found below the given paths, all merged in time order by a
 * utils.muxer filter into a simple sink that turns giltrace:* events into
 * struct gs_event and feeds the analysis core.
 *
 * Failures append a cause to the current thread's babeltrace error
 * ("Cannot read trace: path=..."), to be printed by the caller.
 */
#ifndef GILTRACE_ANALYZER_TRACE_READ_H
#define GILTRACE_ANALYZER_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "gil_analysis.h"

enum trace_read_status {
	TRACE_READ_OK = 0,
	TRACE_READ_NOT_FOUND,		/* no CTF trace at a path */
	TRACE_READ_BAD_TRACE,		/* a trace could not be decoded */
	TRACE_READ_NO_CONTEXT,		/* giltrace events lack vpid/vtid */
	TRACE_READ_MEMORY,
	TRACE_READ_ERROR,		/* babeltrace itself failed (plugins missing, ...) */
};

/* The trace directories found, sorted. */
struct trace_list {
	char **paths;			/* owned by this, each owned */
	size_t len;
	size_t cap;
};

struct trace_read_stats {
	uint64_t events;		/* every event message */
	uint64_t giltrace_events;	/* of which giltrace:* */
	uint64_t no_context;		/* giltrace events without vpid/vtid (ignored) */
	int64_t clock_ns;		/* latest time the trace vouched for: its last event,
					 * or a live source's inactivity message */
};

/* Adds the CTF traces below input (a directory, or a trace's metadata
 * file) to list. */
enum trace_read_status trace_find(const char *input, struct trace_list *list);
void trace_list_free(struct trace_list *list);

/* Reads every trace of list into a.  verbose: let the components log
 * their warnings. */
enum trace_read_status trace_read(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats);

/*
 * Live reading (giltrace top): a session of an LTTng relay daemon, read
 * while it is being recorded, by the src.ctf.lttng-live source feeding
 * the same sink as trace_read().  The caller runs it one step at a time
 * so that it can print between steps.
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

#endif
