/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The recording session, through liblttng-ctl: created for the run
 * (uniquely named, one user-space channel with the contexts readers
 * need) or an existing one the user named with --session.
 */
#ifndef GILTRACE_FRONTEND_SESSION_H
#define GILTRACE_FRONTEND_SESSION_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <lttng/lttng.h>

/* The channel giltrace records into, in its own or the user's session. */
#define GT_CHANNEL "giltrace"

/*
 * Default channel geometry for record and top, 4 x 4 MiB per CPU with
 * per-user buffers: bench/RESULTS.md found it loses no GIL event on the
 * stress cases even on an overloaded machine, where 4 x 1 MiB did.
 */
#define GT_DEFAULT_SUBBUF_SIZE	(UINT64_C(4) << 20)
#define GT_DEFAULT_NUM_SUBBUF	4

struct rec_config {
	const char *output;	/* absolute trace directory (own session) */
	const char *attach;	/* existing session's name, or NULL */
	bool all_locks;		/* every giltrace event, not only gil_* */
	uint64_t subbuf_size;	/* bytes, power of two */
	uint64_t num_subbuf;	/* power of two */
	/*
	 * Own session in live mode (giltrace top): the relay daemon's
	 * control and data URLs (tcp://HOST:PORT) and the live timer, which
	 * sets how often buffers reach viewers; output is then unused.
	 */
	const char *live_control;
	const char *live_data;
	uint64_t live_timer_us;
	/*
	 * Enable the events only once the session records (session_start):
	 * a program already running under the shim identifies its GIL, and
	 * says so once, as soon as its GIL events are enabled, which LTTng
	 * does a moment before the session is active.
	 */
	bool events_after_start;
	/*
	 * Own live session (giltrace top): the channel records nothing
	 * until session_release(), so that every event class is declared
	 * before a live reader can read the metadata (see session.c).
	 */
	bool hold_channel;
	/*
	 * Own session: keep at most tracefile_count files of tracefile_size
	 * bytes per stream, the oldest removed (0: unbounded), so that a
	 * trace nobody keeps cannot fill the disk during a long run.
	 */
	uint64_t tracefile_size;
	uint64_t tracefile_count;
};

struct rec_session {
	char name[LTTNG_NAME_MAX];
	char path[PATH_MAX];	/* where the trace is written */
	bool created;		/* ours: destroy it at the end */
	bool started;		/* started by us: stop it at the end */
	bool was_active;	/* --session found it recording: left so */
	unsigned int live_timer_us;	/* 0 unless a live session */
	bool all_locks;		/* every giltrace event, not only the GIL's */
	bool events_pending;	/* giltrace events enabled by session_start (or session_release) */
	bool channel_held;	/* hold_channel until session_release */
	struct lttng_handle *handle;
	struct lttng_process_attr_tracker_handle *tracker; /* vpid filter or NULL */
};

/* Create or attach, set up channel, events and contexts; -1 on error. */
int session_prepare(struct rec_session *s, const struct rec_config *cfg);

/*
 * Record only the listed processes (a shared daemon also serves other
 * programs).  The first call switches the vpid tracker to an
 * inclusion set; later calls add descendants as they are found.
 */
int session_track_pid(struct rec_session *s, pid_t pid);

struct pidset;

/*
 * Track COMMAND's process root and remember it in known, where
 * descendants_scan starts from; -1 and one line on failure.
 */
int session_track_root(struct rec_session *s, struct pidset *known, pid_t root);

/* descendants_scan's on_new: track a new descendant; arg is the rec_session. */
int session_track_new(pid_t pid, void *arg);

/* Start the session if it is not active yet. */
int session_start(struct rec_session *s);

/* Take process pid out of the processes recorded; -1 and one line on failure. */
int session_untrack_pid(struct rec_session *s, pid_t pid);

/*
 * hold_channel, once the session started and the processes whose
 * events it records have declared them: stop and start the session
 * again, which leaves all the metadata with the relay daemon (nothing
 * was recorded meanwhile), then let the channel record.  Nothing to do
 * if the channel is not held; -1 and one line on failure.
 */
int session_release(struct rec_session *s);

/* Stop the session if giltrace started it (its data all written out); -1 on failure. */
int session_stop(struct rec_session *s);

/* Stop what we started, destroy what we created; -1 if any step failed. */
int session_finish(struct rec_session *s);

#endif
