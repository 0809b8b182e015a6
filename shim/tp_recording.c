/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Whether a name event is recorded now (tp_recording.h). */
#include <lttng/ust-events.h>

#include "tp_recording.h"

#define TP_OF(name) &lttng_ust_tracepoint_giltrace___##name

struct tp_recording tp_recording_table[TP_NAME_EVENTS] = {
	[TP_GIL_IDENTIFIED] = { TP_OF(gil_identified), NULL },
	[TP_GIL_CALLSITE] = { TP_OF(gil_callsite), NULL },
	[TP_PY_CODE] = { TP_OF(py_code), NULL },
	[TP_PY_THREAD_TARGET] = { TP_OF(py_thread_target), NULL },
	[TP_PY_FRAMES_OFF] = { TP_OF(py_frames_off), NULL },
};

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
		__atomic_store_n(&r->confirmed, probes, __ATOMIC_RELAXED);
	}
	lttng_ust_tp_rcu_read_unlock();
	return all && recorders;
}

void tp_recording_after_fork_child(void)
{
	for (unsigned int i = 0; i < TP_NAME_EVENTS; i++) {
		tp_recording_table[i].confirmed = NULL;
	}
}
