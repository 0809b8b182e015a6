/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Whether a name event is recorded now (tp_recording.h). */
#include <sched.h>
#include <string.h>

#include <lttng/ust-events.h>

#include "tp_recording.h"

#define TP_OF(name) &lttng_ust_tracepoint_giltrace___##name

struct tp_recording tp_recording_table[TP_NAME_EVENTS] = {
	[TP_GIL_IDENTIFIED] = { .tp = TP_OF(gil_identified) },
	[TP_GIL_CALLSITE] = { .tp = TP_OF(gil_callsite) },
	[TP_PY_CODE] = { .tp = TP_OF(py_code) },
	[TP_PY_THREAD_TARGET] = { .tp = TP_OF(py_thread_target) },
	[TP_PY_FRAMES_OFF] = { .tp = TP_OF(py_frames_off) },
};

/* Global: what tp_recording_changes() reads, for the whole process. */
unsigned int tp_recording_changes_count;

/* Global: the seen lists of every name event are replaced by one thread
 * at a time, the count bumped before any of them confirms the array. */
static int seen_busy;

/* Would this probe write the event now?  What the generated probe asks
 * first; a probe of another kind (a notifier) writes no trace. */
static int probe_records(const struct lttng_ust_tracepoint_probe *p, int *recorders)
{
	const struct lttng_ust_event_common *ev = p->data;
	const struct lttng_ust_event_recorder *rec;
	const struct lttng_ust_channel_common *chan;

	if (!ev || ev->type != LTTNG_UST_EVENT_TYPE_RECORDER) {
		return 1;
	}
	(*recorders)++;
	rec = ev->child;
	chan = rec->chan->parent;
	return __atomic_load_n(&chan->session->active, __ATOMIC_RELAXED)
		&& __atomic_load_n(&chan->enabled, __ATOMIC_RELAXED)
		&& __atomic_load_n(&ev->enabled, __ATOMIC_RELAXED);
}

static int seen_has(const struct tp_recording *r, const void *recorder)
{
	for (unsigned int i = 0; i < r->nseen; i++) {
		if (r->seen[i] == recorder) {
			return 1;
		}
	}
	return 0;
}

/*
 * probes, all recording, become r's seen list; 1 if one of their
 * recorders was not on it (or did not fit), and it had one: the first
 * recorders the process sees come before any name was told for them,
 * and counting them would tell every name twice.  Recorders are compared by
 * address: one made while another lived has another address, so a
 * session started beside a recording one is always told apart; one made
 * after every earlier one was freed may not be (giltrace(7), CAVEATS).
 */
static int seen_replace(struct tp_recording *r, const struct lttng_ust_tracepoint_probe *probes)
{
	const struct lttng_ust_tracepoint_probe *p;
	const void *now[TP_RECORDERS_SEEN];
	unsigned int n = 0;
	int fresh = 0;

	for (p = probes; p->func; p++) {
		const struct lttng_ust_event_common *ev = p->data;

		if (!ev || ev->type != LTTNG_UST_EVENT_TYPE_RECORDER) {
			continue;
		}
		if (n == TP_RECORDERS_SEEN) {
			fresh = 1;
			break;
		}
		fresh |= !seen_has(r, ev);
		now[n++] = ev;
	}
	fresh = fresh && r->nseen > 0;
	memcpy(r->seen, now, n * sizeof(now[0]));
	r->nseen = n;
	return fresh;
}

/*
 * probes are all recording: confirm them, once their recorders are
 * counted.  A thread that finds a recorder seen already must find the
 * count bumped too, hence the lock.  Taken only at an array's first
 * confirmation, for a few dozen instructions, and never twice by one
 * thread: the shim's guard keeps its signal handlers out of here.
 */
static void confirm(struct tp_recording *r, struct lttng_ust_tracepoint_probe *probes)
{
	while (__atomic_exchange_n(&seen_busy, 1, __ATOMIC_ACQUIRE)) {
		sched_yield();
	}
	if (seen_replace(r, probes)) {
		__atomic_add_fetch(&tp_recording_changes_count, 1, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&r->confirmed, probes, __ATOMIC_RELEASE);
	__atomic_store_n(&seen_busy, 0, __ATOMIC_RELEASE);
}

int tp_recorded_slow(struct tp_recording *r)
{
	struct lttng_ust_tracepoint_probe *probes, *p;
	int recorders = 0, all = 1;

	if (!LTTNG_UST_TP_RCU_LINK_TEST()) {
		return 0;
	}
	lttng_ust_tp_rcu_read_lock();
	probes = lttng_ust_tp_rcu_dereference(r->tp->probes);
	for (p = probes; p && p->func; p++) {
		if (!probe_records(p, &recorders)) {
			all = 0;
			break;
		}
	}
	if (all && recorders) {
		confirm(r, probes);
	}
	lttng_ust_tp_rcu_read_unlock();
	return all && recorders;
}

void tp_recording_after_fork_child(void)
{
	for (unsigned int i = 0; i < TP_NAME_EVENTS; i++) {
		tp_recording_table[i].confirmed = NULL;
		tp_recording_table[i].nseen = 0;
	}
	seen_busy = 0;
}
