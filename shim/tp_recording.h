/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Is a name event recorded now, not just enabled?
 *
 * A name (gil_identified, gil_callsite, py_code, py_thread_target,
 * py_frames_off) is told once and trusted to be in the trace from then
 * on, so it must be told only when it is recorded.  The tracepoint's
 * state is not enough: LTTng-UST starting a session connects the
 * session's probes first and marks the session active only after a
 * round trip to the session daemon per channel (lttng_session_enable),
 * and every event in between is dropped.  A name told there was lost
 * for good: a forked child, a program started while the daemon was
 * slow to answer, could have its GIL unnamed in the whole trace.
 *
 * So an event counts as recorded when every session that has it enabled
 * is active with the event and its channel enabled: what the probe that
 * LTTng-UST generates checks before it writes (lttng/ust-events.h, the
 * base ABI of its structures).  The answer for a set of probes is kept
 * until the tracepoint's array of probes changes, which LTTng-UST does
 * on every session start and stop; only then are the probes walked
 * again, under the tracer's RCU read lock, as the tracepoint itself
 * does.
 */
#ifndef GILTRACE_SHIM_TP_RECORDING_H
#define GILTRACE_SHIM_TP_RECORDING_H

#include "giltrace_tp.h"

enum tp_name_event {
	TP_GIL_IDENTIFIED,
	TP_GIL_CALLSITE,
	TP_PY_CODE,
	TP_PY_THREAD_TARGET,
	TP_PY_FRAMES_OFF,
	TP_NAME_EVENTS
};

/* Recorders of a name event remembered (tp_recording_changes). */
#define TP_RECORDERS_SEEN 8

struct tp_recording {
	struct lttng_ust_tracepoint *tp;
	/* The array of probes last seen all recording, or NULL. */
	struct lttng_ust_tracepoint_probe *confirmed;
	/* The recorders of the last array confirmed (addresses, never read). */
	const void *seen[TP_RECORDERS_SEEN];
	unsigned int nseen;
};

/* Global: one per name event of the process's tracepoints. */
extern struct tp_recording tp_recording_table[TP_NAME_EVENTS];

/*
 * How many times a name event was confirmed recorded by a recorder (an
 * event of one session) that the array confirmed before it did not
 * have: a session started recording it since.  A session that starts
 * while another records leaves no GIL event unrecorded to say so (the
 * process may even be idle throughout), so names_stale_check compares
 * this count to the one it last acted on.  Read after tp_recorded: an
 * array is confirmed only once its count is.
 */
extern unsigned int tp_recording_changes_count;

static inline unsigned int tp_recording_changes(void)
{
	return __atomic_load_n(&tp_recording_changes_count, __ATOMIC_ACQUIRE);
}

int tp_recorded_slow(struct tp_recording *r);

/* Recorded by the array of probes last confirmed: tp_recorded's answer
 * while no session came or went, without its slow path. */
static inline int tp_recorded_confirmed(enum tp_name_event ev)
{
	struct lttng_ust_tracepoint_probe *probes =
		__atomic_load_n(&tp_recording_table[ev].tp->probes, __ATOMIC_RELAXED);

	return probes && probes == __atomic_load_n(&tp_recording_table[ev].confirmed, __ATOMIC_ACQUIRE);
}

static inline int tp_recorded(enum tp_name_event ev)
{
	struct tp_recording *r = &tp_recording_table[ev];
	struct lttng_ust_tracepoint_probe *probes;

	if (tp_recorded_confirmed(ev)) {
		return 1;
	}
	probes = __atomic_load_n(&r->tp->probes, __ATOMIC_RELAXED);
	if (!probes || !__atomic_load_n(&r->tp->state, __ATOMIC_RELAXED)) {
		/* Nothing connected: the next array, maybe at this one's
		 * address, is walked before it counts. */
		if (__atomic_load_n(&r->confirmed, __ATOMIC_RELAXED)) {
			__atomic_store_n(&r->confirmed, NULL, __ATOMIC_RELAXED);
		}
		return 0;
	}
	return tp_recorded_slow(r);
}

/* In the child of a fork: its tracer makes its sessions anew, and their
 * arrays of probes may come back at the parent's addresses. */
void tp_recording_after_fork_child(void);

#endif
