/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Streams the events of every CTF trace below a directory, in time
 * order, through libbabeltrace2 (src.ctf.fs per trace, utils.muxer, a
 * simple sink), decoding the giltrace GIL events into a small struct.
 * Memory does not grow with the number of events.
 */
#ifndef GILTRACE_FRONTEND_TRACE_READ_H
#define GILTRACE_FRONTEND_TRACE_READ_H

#include <stdint.h>

enum tr_kind {
	TR_OTHER = 0,		/* an event giltrace does not interpret here */
	TR_GIL_IDENTIFIED,
	TR_GIL_ACQUIRE_BEGIN,
	TR_GIL_WAIT_BEGIN,
	TR_GIL_WAIT_END,
	TR_GIL_ACQUIRE_END,
	TR_GIL_ACQUIRE_ABANDON,
	TR_GIL_RELEASE,
};

struct tr_event {
	enum tr_kind kind;
	uint64_t ts;		/* ns since the clock's origin */
	int64_t pid, tid;	/* vpid and vtid contexts, -1 if absent */
	const char *procname;	/* borrowed for the callback; NULL if absent */
	uint64_t gil;
	/*
	 * wait_begin: a1 = cond; wait_end: a1 = timed_out, a2 = ret;
	 * acquire_end/abandon: a1 = waits, a2 = timeouts;
	 * release: a1 = waiters, a2 = signalled; identified: a1 = cond.
	 */
	int64_t a1, a2;
	const char *gil_kind;	/* identified: "mutex+condvar" or "semaphore" */
	const char *runtime;	/* identified: e.g. "CPython 3.11.7" */
};

struct tr_stats {
	uint64_t events;		/* every event, giltrace's or not */
	uint64_t discarded_events;	/* as LTTng reported them */
	uint64_t discarded_packets;
};

/* Return non-zero to stop reading. */
typedef int (*tr_callback)(const struct tr_event *ev, void *arg);

enum tr_status {
	TR_OK = 0,
	TR_NO_TRACE,	/* no CTF trace below the path */
	TR_ERROR,	/* libbabeltrace2 failed; message printed */
	TR_STOPPED,	/* the callback asked to stop */
};

/* cb may be NULL to only count.  Prints one line on TR_ERROR; the caller words TR_NO_TRACE. */
enum tr_status tr_read(const char *path, tr_callback cb, void *arg, struct tr_stats *stats);

#endif
