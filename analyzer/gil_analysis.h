/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The analysis core: the one place that interprets GIL events.  A state
 * machine fed one giltrace event at a time, in timestamp order, that
 * keeps per process, per GIL and per thread the counters, times, shares
 * and distributions every view shows (giltrace-analyze's text, JSON and
 * CSV, giltrace top, the timeline picture), and tells an observer each
 * thread's state intervals and instants as they end (gs_observer).
 * Pure C, no babeltrace: the trace reader (trace_reader.h) feeds it
 * from a trace, the check tests and the fuzzer from hand-built
 * sequences.
 *
 * Memory grows with processes, threads and locks, never with events.
 *
 * With Python frames in the trace (giltrace(7)), it also names threads
 * (gs_thread_name()), ranks the Python functions of each GIL
 * (py_functions.h) and splits each thread's waiting among the holds and
 * hand-off gaps it was behind (py_blockers.h).
 *
 * Per thread the expected grammar is
 *   acquire_begin (wait_begin wait_end)* (acquire_end | acquire_abandon)
 * and a release by the thread that holds the GIL.  Input that breaks it
 * (events lost, the trace cut, a tid reused) is counted in the GIL's
 * anomalies and otherwise ignored or closed conservatively, so that no
 * counter is inflated by it.
 */
#ifndef GILTRACE_ANALYZER_GIL_ANALYSIS_H
#define GILTRACE_ANALYZER_GIL_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "callsite_table.h"
#include "hist.h"
#include "idmap.h"
#include "py_blockers.h"
#include "py_code_table.h"
#include "py_functions.h"

enum gs_event_type {
	/* GIL semantics */
	GS_EV_GIL_IDENTIFIED,
	GS_EV_GIL_NOT_FOUND,
	GS_EV_GIL_ACQUIRE_BEGIN,
	GS_EV_GIL_WAIT_BEGIN,
	GS_EV_GIL_WAIT_END,
	GS_EV_GIL_ACQUIRE_END,
	GS_EV_GIL_ACQUIRE_ABANDON,
	GS_EV_GIL_RELEASE,
	GS_EV_GIL_CYCLE,		/* compact: begin, end and release of one uncontended cycle */
	GS_EV_GIL_CYCLE_OPEN,		/* compact: another thread's cycle, opened for it */
	GS_EV_GIL_CALLSITE,
	/* Python */
	GS_EV_PY_CODE,
	GS_EV_PY_THREAD_TARGET,
	GS_EV_THREAD_NAME,
	GS_EV_PY_FRAMES_OFF,
	GS_EV_PROCESS_EXIT,		/* not Python's, but fed with these */
	/* lock calls (used with --all-locks) */
	GS_EV_MUTEX_LOCK_BEGIN,
	GS_EV_MUTEX_LOCK_END,
	GS_EV_MUTEX_TRYLOCK,
	GS_EV_MUTEX_TIMEDLOCK_BEGIN,
	GS_EV_MUTEX_TIMEDLOCK_END,
	GS_EV_MUTEX_UNLOCK,
	GS_EV_COND_WAIT_BEGIN,
	GS_EV_COND_WAIT_END,
	GS_EV_COND_SIGNAL,
	GS_EV_COND_BROADCAST,
	GS_EV_SEM_WAIT_BEGIN,
	GS_EV_SEM_WAIT_END,
	GS_EV_SEM_TRYWAIT,
	GS_EV_SEM_POST,
	GS_EV_COUNT
};

/*
 * One event.  Fields an event type does not carry are left 0/NULL.
 * Strings are borrowed for the duration of gs_feed() only.
 */
struct gs_event {
	enum gs_event_type type;
	int64_t ts;			/* ns from the clock's origin */
	int64_t vpid;
	int64_t vtid;
	const char *procname;		/* may be NULL */
	uint64_t addr;			/* "gil", "addr" of a lock call, "code" (py_code), "target" */
	uint64_t addr2;			/* "cond" (gil_identified, gil_wait_begin), "mutex" (cond_wait_*) */
	uint64_t caller;
	int64_t ret;
	int64_t err;
	uint32_t waits;
	uint32_t timeouts;
	uint32_t waiters;
	uint8_t timed_out;
	uint8_t signalled;
	const char *kind;		/* gil_identified */
	const char *method;		/* gil_identified */
	const char *runtime;		/* gil_identified */
	const char *reason;		/* gil_not_found, py_frames_off */
	const uint64_t *backtrace;	/* gil_acquire_end, gil_release: frames above caller */
	uint32_t nbacktrace;
	const char *symbol;		/* gil_callsite (addr is the code address) */
	uint64_t offset;
	const char *binary;
	uint64_t binary_offset;
	/* gil_acquire_end, gil_release: the code objects of the innermost
	 * Python frames, innermost first, and each one's byte offset in
	 * co_code (the lengths may differ only in a damaged trace) */
	const uint64_t *pycode;
	uint32_t npycode;
	const uint32_t *pyinstr;
	uint32_t npyinstr;
	/* py_code (addr is the code object; py_thread_target: addr is its
	 * target), thread_name (name) */
	const char *name;
	const char *filename;
	int32_t firstlineno;
	uint8_t linetable_format;
	const uint8_t *linetable;	/* NULL with nlinetable > 0: too long to copy */
	uint32_t nlinetable;
	/*
	 * gil_cycle, gil_cycle_open (giltrace(7), "Compact cycles"): when
	 * the attempt began and when it ended with the GIL held (ns from
	 * the clock's origin, like ts; acquired_ts 0 in a gil_cycle_open
	 * of an attempt still going on; released_ts, the release's time,
	 * read just before the event), the caller of the begin, and the
	 * acquisition's caller, backtrace and Python frames (the release's
	 * are caller, backtrace, pycode and pyinstr above).
	 * gil_cycle_open: tid is the thread whose cycle it is.
	 */
	int64_t begin_ts;
	int64_t acquired_ts;
	int64_t released_ts;		/* gil_cycle: the release (0: the event's time) */
	int64_t tid;
	uint64_t begin_caller;
	uint64_t acquire_caller;
	const uint64_t *acquire_backtrace;
	uint32_t nacquire_backtrace;
	const uint64_t *acquire_pycode;
	uint32_t nacquire_pycode;
	const uint32_t *acquire_pyinstr;
	uint32_t nacquire_pyinstr;
};

/* Inconsistencies, counted per GIL (see gs_anomaly_name() for meaning). */
enum gs_anomaly {
	GS_AN_END_WITHOUT_BEGIN,
	GS_AN_WAIT_OUTSIDE_ATTEMPT,
	GS_AN_WAIT_END_WITHOUT_BEGIN,
	GS_AN_WAIT_BEGIN_IN_WAIT,
	GS_AN_ATTEMPT_RESTARTED,
	GS_AN_ATTEMPT_WHILE_HOLDING,
	GS_AN_ACQUIRED_WHILE_HELD,
	GS_AN_RELEASE_BY_NON_HOLDER,
	GS_AN_RELEASE_BEFORE_ACQUIRE,
	GS_AN_SUMMARY_MISMATCH,
	GS_AN_OPEN_AT_END,
	GS_AN_TIME_BACKWARDS,
	GS_AN_COUNT
};

enum gs_gil_kind {
	GS_KIND_UNKNOWN,
	GS_KIND_CONDVAR,		/* mutex + condition variable: waits visible */
	GS_KIND_SEMAPHORE,		/* CPython 2.7: waits invisible */
};

/* Every counter is a uint64_t: gs_counter_fields lists them. */
struct gs_counters {
	uint64_t acquisitions;
	uint64_t contended_acquisitions;
	uint64_t releases;
	uint64_t switches;
	uint64_t waits;
	uint64_t failed_wakeups;
	uint64_t timeouts;
	uint64_t missed_handoffs;
	uint64_t abandoned;		/* attempts ended by gil_acquire_abandon */
	uint64_t unfinished_at_exit;	/* attempts still open when the process exited */
};

/* The members of struct gs_counters, in order, with the keys the JSON
 * (giltrace-analyze's and giltrace top's) and CSV outputs give them: one
 * list for every loop over them. */
#define GS_COUNTER_COUNT 10
struct gs_counter_field {
	const char *key;
	size_t offset;			/* of the uint64_t in struct gs_counters */
};
extern const struct gs_counter_field gs_counter_fields[GS_COUNTER_COUNT];

static inline uint64_t gs_counter(const struct gs_counters *c, size_t i)
{
	return *(const uint64_t *) ((const char *) c + gs_counter_fields[i].offset);
}

struct gs_dists {
	struct hist wait;		/* attempt begin to GIL held */
	struct hist hold;		/* GIL held to released */
	struct hist wakeup;		/* signalling release to the waiter's wake-up */
	struct hist handoff;		/* release to the next acquisition by another thread */
};

/* The members of struct gs_dists, in order, with the names the JSON and
 * CSV reports give them: one list for every loop over them. */
#define GS_DIST_COUNT 4
struct gs_dist_field {
	const char *key;
	size_t offset;			/* of the struct hist in struct gs_dists */
};
extern const struct gs_dist_field gs_dist_fields[GS_DIST_COUNT];

static inline const struct hist *gs_dist(const struct gs_dists *d, size_t i)
{
	return (const struct hist *) ((const char *) d + gs_dist_fields[i].offset);
}

struct gs_gil;
struct gs_thread;
struct gs_process;

/*
 * What a thread is doing with one GIL.  Every moment of a thread's
 * attempt is in one of the four attempt states, and the times of those
 * add up to its waited_ns; the holding intervals add up to its held_ns.
 * Running (neither holding nor trying) is whatever is left.
 */
enum gs_state {
	GS_STATE_TRYING,		/* attempting, not (yet) blocked in a wait */
	GS_STATE_WAITING,		/* blocked in a wait for the GIL */
	GS_STATE_RETRYING,		/* woken from a wait, trying again */
	GS_STATE_TIMED_OUT,		/* a wait timed out, trying again */
	GS_STATE_HOLDING,
	GS_STATE_COUNT
};

/* Moments worth a mark of their own. */
enum gs_instant {
	GS_INSTANT_FAILED_WAKEUP,	/* woken, found the GIL taken, waits again */
	GS_INSTANT_TIMEOUT,		/* a wait for the GIL timed out */
};

/*
 * A view's window on the analysis (gs_observe): each interval a thread
 * spent in a state, told when it ends (from < to, ns from the clock's
 * origin), and each instant as it happens.  Intervals cut by the end of
 * the trace are told by gs_finish().  Only what the counters and times
 * count is told: an attempt whose end was lost is told up to its last
 * known state change, a hold whose release was lost not at all.  A
 * holding interval's holder is gt->thread, and gs_hold_where() tells
 * its Python function and line.
 */
struct gs_gil_thread;
struct gs_observer {
	void (*interval)(void *arg, const struct gs_gil_thread *gt, enum gs_state state,
			int64_t from, int64_t to);
	void (*instant)(void *arg, const struct gs_gil_thread *gt, enum gs_instant what, int64_t ts);
	void *arg;
};

/* A thread's dealings with one GIL. */
struct gs_gil_thread {
	struct gs_gil *gil;
	struct gs_thread *thread;
	struct gs_gil_thread *next_in_gil;	/* the GIL's list of threads */
	struct gs_gil_thread *next_in_thread;	/* the thread's list of GILs */
	struct gs_counters c;
	struct gs_dists d;
	uint64_t waited_ns;		/* time inside attempts, abandoned and cut ones included */
	uint64_t held_ns;		/* time holding, to the GIL's last event if still held */
	int64_t first_ts;		/* the thread's first and last event about the GIL */
	int64_t last_ts;
	/* set by gs_finish(); see gs_share() */
	double wait_share;		/* waited_ns / the GIL's span */
	double hold_share;		/* held_ns / the GIL's span */
	struct py_btable blockers;	/* its waiting, split among what it was behind; owned */
};

/* The attempt a thread is inside, if any. */
struct gs_attempt {
	struct gs_gil_thread *gt;	/* NULL: no attempt */
	int64_t begin_ts;
	int64_t wait_ts;		/* begin of the current wait */
	uint64_t releases_counted;	/* the GIL's release serial last paired with an acquisition */
	uint32_t waits;
	uint32_t timeouts;
	uint32_t missed;
	uint32_t failed;		/* failed wake-ups */
	uint8_t in_wait;
	uint8_t woken;			/* last wait of this attempt ended woken */
	uint8_t other_acquired;		/* another thread got the GIL during it */
	uint8_t held_at_begin;		/* another thread held the GIL when it began */
	enum gs_state state;		/* where in the attempt the thread is */
	int64_t state_ts;		/* since when (the time before it is in waited_ns) */
	struct gs_thread *att_prev;	/* the GIL's list of attempting threads */
	struct gs_thread *att_next;
	int64_t split_ts;		/* its time before this is split among blockers */
};

/* A blocking lock call in progress (--all-locks). */
struct gs_lock;
struct gs_lock_call {
	struct gs_lock *lock;		/* NULL: none */
	int64_t ts;
	uint64_t serial;		/* the lock's acquisitions (mutex) or posts (semaphore) at the call */
	uint8_t contended;
};

#define GS_NAME_MAX 32

struct gs_thread {
	int64_t tid;
	char procname[GS_NAME_MAX];
	struct gs_process *proc;
	struct gs_gil_thread *gils;	/* owned by this */
	struct gs_gil_thread *cur;	/* the one used last */
	struct gs_attempt att;
	struct gs_lock_call call;
	char *name;			/* the name it gave itself (thread_name), owned */
	const struct py_func *target;	/* its start function (py_thread_target), or NULL */
};

struct gs_gil {
	uint64_t address;
	uint64_t cond;
	char runtime[64];
	char method[GS_NAME_MAX];
	enum gs_gil_kind kind;
	struct gs_process *proc;
	struct gs_gil *next;		/* the process's list */
	struct gs_gil_thread *threads;	/* not owned: owned by their threads */
	unsigned int nthreads;

	/* live state */
	struct gs_thread *holder;	/* NULL: free, or unknown before any acquisition */
	int64_t hold_ts;
	struct gs_thread *last_holder;	/* NULL: never acquired */
	struct gs_thread *last_releaser;
	int64_t last_release_ts;
	uint64_t release_serial;	/* releases so far */
	uint64_t release_paired;	/* serial of the release the last acquisition followed */
	int64_t signal_ts;		/* last release that signalled a waiter ... */
	uint8_t signal_pending;		/* ... and no waiter woke for it yet */
	struct gs_thread *attempting;	/* list through gs_attempt.att_next */
	struct cs_site *hold_site;	/* where the holder acquired it, if known */
	uint32_t max_waiters;
	int64_t first_ts;
	int64_t last_ts;

	/* totals, set by gs_finish() */
	struct gs_counters c;
	struct gs_dists d;
	uint64_t held_ns;
	uint64_t waited_ns;
	double hold_share;		/* held_ns / span: the GIL's utilisation */
	double wait_share;		/* waited_ns / span: threads waiting, on average (may exceed 1) */
	uint64_t anomalies[GS_AN_COUNT];
	struct cs_table sites;		/* call sites, owned */
	struct py_ftable funcs;		/* Python functions, owned */
	struct gs_gil_thread *split_pending;	/* threads with time pending on the current hold */
	struct py_where hold_where;	/* the hold being told (gs_hold_where()) */
	struct py_where taken_where;	/* where the holder took it (its gil_acquire_end) */
	int lnotab_signed;		/* how its runtime's co_lnotab reads (py_linetable.h) */
};

struct gs_process {
	int64_t pid;
	char procname[GS_NAME_MAX];
	int procname_from_main;		/* procname came from the main thread */
	struct gs_gil *gils;		/* owned by this */
	unsigned int ngils;
	char *not_found;		/* gil_not_found reason, owned by this */
	struct idmap locks;		/* address -> struct gs_lock, owned by this */
	struct cs_names names;		/* gil_callsite names of its code addresses, owned */
	struct py_codes codes;		/* py_code names of its code objects, owned */
	int py_frames;			/* a Python frame or code object was seen */
	char *py_frames_off;		/* py_frames_off reason, owned by this */
	int exited;			/* its process_exit was seen */
};

struct gs_analysis {
	int all_locks;			/* follow lock-call events too */
	struct idmap procs;		/* pid -> struct gs_process, owned */
	struct idmap threads;		/* (pid, tid) -> struct gs_thread, owned */
	struct gs_thread *last_thread;	/* lookup cache */
	uint64_t events;		/* giltrace events fed */
	uint64_t discarded_events;
	uint64_t discarded_packets;
	int discarded_unknown;		/* a discard of unknown size was seen */
	int64_t first_ts;
	int64_t last_ts;
	int finished;
	int oom;			/* memory ran out: the report is incomplete */
	struct gs_observer obs;		/* a view's, or none (NULL functions) */
	uint64_t anomalies[GS_AN_COUNT];	/* sum over GILs, set by gs_finish() */
};

void gs_init(struct gs_analysis *a, int all_locks);
/* From now on, tell o (copied) the state intervals and instants. */
void gs_observe(struct gs_analysis *a, const struct gs_observer *o);
void gs_feed(struct gs_analysis *a, const struct gs_event *ev);
/* Events or packets LTTng lost: every counter becomes a lower bound. */
void gs_discarded(struct gs_analysis *a, uint64_t events, uint64_t packets, int unknown);
/* Closes what is open at the end of the trace and computes the totals. */
void gs_finish(struct gs_analysis *a);
void gs_free(struct gs_analysis *a);

const char *gs_anomaly_name(enum gs_anomaly an);
const char *gs_anomaly_help(enum gs_anomaly an);
const char *gs_kind_name(enum gs_gil_kind kind);

/* Helpers for the reports. */
struct gs_process *gs_process_find(const struct gs_analysis *a, int64_t pid);
/*
 * A thread's name, by preference: the name it gave itself
 * (thread_name), its start function's qualified name
 * (py_thread_target), "MainThread" for the main thread of a process
 * with Python frames, its procname, or its process's when no event of
 * its own says it (all its cycles told by other threads).
 */
const char *gs_thread_name(const struct gs_thread *t);
/*
 * During an observer's interval() call for GS_STATE_HOLDING of a thread
 * of g: the Python function and line the hold is placed at (its
 * release's innermost frame; py_func_none without one, or for a hold
 * still open at the end of the trace).  What a view labels a hold with.
 */
const struct py_where *gs_hold_where(const struct gs_gil *g);
struct gs_gil *gs_gil_find(const struct gs_process *p, uint64_t address);
struct gs_gil_thread *gs_gil_thread_find(const struct gs_gil *g, int64_t tid);

/* Time from one timestamp to a later one; 0 if it is not later. */
static inline uint64_t gs_dur(int64_t from, int64_t to)
{
	return to > from ? (uint64_t) (to - from) : 0;
}

/* From a GIL's first event to its last. */
static inline uint64_t gs_gil_span(const struct gs_gil *g)
{
	return gs_dur(g->first_ts, g->last_ts);
}

/*
 * The one definition of a share, used by every view: a time divided by
 * the window it was measured in, 0 for an empty window.  The window is
 * the GIL's span for giltrace-analyze, the picture and top's summary,
 * the interval for top's intervals.  A thread's hold and wait shares are
 * at most 1; a GIL's are the sums over its threads (its hold share is
 * its utilisation, its wait share the mean number of threads waiting).
 */
static inline double gs_share(uint64_t part, uint64_t window)
{
	return window ? (double) part / (double) window : 0.0;
}

/*
 * A thread's time held and waited so far, counting a hold or an attempt
 * still in progress up to now (giltrace top, before gs_finish(); after
 * it nothing is in progress).
 */
void gs_gil_thread_progress(const struct gs_gil_thread *gt, int64_t now, uint64_t *held, uint64_t *waited);

/* A state's name for people and for the JSON ("holding", "waiting", ...). */
const char *gs_state_name(enum gs_state state);
/* to += c, counter by counter (a GIL's totals; giltrace top's sums). */
void gs_counters_add(struct gs_counters *to, const struct gs_counters *c);

/* d = now - before, counter by counter, 0 where before is larger (giltrace top's intervals). */
void gs_counters_sub(struct gs_counters *d, const struct gs_counters *now, const struct gs_counters *before);

#endif
