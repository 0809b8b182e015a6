/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil_analysis.h"
#include "lock_state.h"

/* ---- names ---------------------------------------------------------- */

/* Indexed by enum gs_anomaly; global so reports and tests share them. */
static const struct {
	const char *name;
	const char *help;
} anomaly_names[GS_AN_COUNT] = {
	[GS_AN_END_WITHOUT_BEGIN] = { "end_without_begin",
		"attempt ended without a gil_acquire_begin (trace began mid-attempt, or events lost)" },
	[GS_AN_WAIT_OUTSIDE_ATTEMPT] = { "wait_outside_attempt",
		"gil_wait_begin outside an attempt (events lost)" },
	[GS_AN_WAIT_END_WITHOUT_BEGIN] = { "wait_end_without_begin",
		"gil_wait_end without its gil_wait_begin (trace began mid-wait, or events lost)" },
	[GS_AN_WAIT_BEGIN_IN_WAIT] = { "wait_begin_in_wait",
		"gil_wait_begin while already waiting (events lost)" },
	[GS_AN_ATTEMPT_RESTARTED] = { "attempt_restarted",
		"attempt began while the thread's previous one was open (events lost, or the thread exited mid-attempt and its tid was reused)" },
	[GS_AN_ATTEMPT_WHILE_HOLDING] = { "attempt_while_holding",
		"attempt began while the thread held the GIL (its release was lost)" },
	[GS_AN_ACQUIRED_WHILE_HELD] = { "acquired_while_held",
		"GIL acquired while another thread held it (a release was lost)" },
	[GS_AN_RELEASE_BY_NON_HOLDER] = { "release_by_non_holder",
		"release by a thread that did not hold the GIL (events lost)" },
	[GS_AN_RELEASE_BEFORE_ACQUIRE] = { "release_before_acquire",
		"release before any acquisition was seen (trace began while the GIL was held)" },
	[GS_AN_SUMMARY_MISMATCH] = { "summary_mismatch",
		"waits/timeouts in gil_acquire_end differ from the waits seen (events lost)" },
	[GS_AN_OPEN_AT_END] = { "open_at_end",
		"attempt still open when the trace ended, its process not seen exiting (trace cut, process killed, or the thread exited mid-wait)" },
	[GS_AN_TIME_BACKWARDS] = { "time_backwards",
		"event older than the one before it (clamped)" },
};

const char *gs_anomaly_name(enum gs_anomaly an)
{
	return an < GS_AN_COUNT ? anomaly_names[an].name : "unknown";
}

const char *gs_anomaly_help(enum gs_anomaly an)
{
	return an < GS_AN_COUNT ? anomaly_names[an].help : "unknown";
}

const struct gs_counter_field gs_counter_fields[GS_COUNTER_COUNT] = {
	{ "acquisitions", offsetof(struct gs_counters, acquisitions) },
	{ "contended_acquisitions", offsetof(struct gs_counters, contended_acquisitions) },
	{ "releases", offsetof(struct gs_counters, releases) },
	{ "switches", offsetof(struct gs_counters, switches) },
	{ "waits", offsetof(struct gs_counters, waits) },
	{ "failed_wakeups", offsetof(struct gs_counters, failed_wakeups) },
	{ "timeouts", offsetof(struct gs_counters, timeouts) },
	{ "missed_handoffs", offsetof(struct gs_counters, missed_handoffs) },
	{ "abandoned_attempts", offsetof(struct gs_counters, abandoned) },
	{ "unfinished_at_exit", offsetof(struct gs_counters, unfinished_at_exit) },
};
/* A counter added to struct gs_counters must be added above too. */
_Static_assert(sizeof(struct gs_counters) == GS_COUNTER_COUNT * sizeof(uint64_t),
	"gs_counter_fields does not list every member of struct gs_counters");

const struct gs_dist_field gs_dist_fields[GS_DIST_COUNT] = {
	{ "wait_ns", offsetof(struct gs_dists, wait) },
	{ "hold_ns", offsetof(struct gs_dists, hold) },
	{ "wakeup_latency_ns", offsetof(struct gs_dists, wakeup) },
	{ "handoff_latency_ns", offsetof(struct gs_dists, handoff) },
};
/* A histogram added to struct gs_dists must be added above too. */
_Static_assert(sizeof(struct gs_dists) == GS_DIST_COUNT * sizeof(struct hist),
	"gs_dist_fields does not list every member of struct gs_dists");

const char *gs_state_name(enum gs_state state)
{
	static const char *const names[GS_STATE_COUNT] = {
		[GS_STATE_TRYING] = "trying",
		[GS_STATE_WAITING] = "waiting",
		[GS_STATE_RETRYING] = "retrying",
		[GS_STATE_TIMED_OUT] = "timed_out",
		[GS_STATE_HOLDING] = "holding",
	};

	return (unsigned int) state < GS_STATE_COUNT ? names[state] : "unknown";
}

const char *gs_kind_name(enum gs_gil_kind kind)
{
	switch (kind) {
	case GS_KIND_CONDVAR:
		return "mutex+condvar";
	case GS_KIND_SEMAPHORE:
		return "semaphore";
	default:
		return "unknown";
	}
}

static void copy_name(char *dst, size_t size, const char *src)
{
	if (!src) {
		return;
	}
	strncpy(dst, src, size - 1);
	dst[size - 1] = '\0';
}

static void sample(struct gs_analysis *a, struct hist *h, uint64_t v)
{
	if (hist_add(h, v) != 0) {
		a->oom = 1;
	}
}

/* ---- what the observer is told -------------------------------------- */

static void observe_interval(const struct gs_analysis *a, const struct gs_gil_thread *gt,
		enum gs_state state, int64_t from, int64_t to)
{
	if (a->obs.interval && to > from) {
		a->obs.interval(a->obs.arg, gt, state, from, to);
	}
}

static void observe_instant(const struct gs_analysis *a, const struct gs_gil_thread *gt,
		enum gs_instant what, int64_t ts)
{
	if (a->obs.instant) {
		a->obs.instant(a->obs.arg, gt, what, ts);
	}
}

/* A hold of gt from..to, placed at where: the one place held time is
 * counted. */
static void hold_counted(struct gs_analysis *a, struct gs_gil_thread *gt, int64_t from, int64_t to,
		const struct py_where *where)
{
	gt->held_ns += gs_dur(from, to);
	gt->gil->hold_where = *where;
	observe_interval(a, gt, GS_STATE_HOLDING, from, to);
}

/* ---- registry: processes, threads, GILs ---------------------------- */

void gs_init(struct gs_analysis *a, int all_locks)
{
	memset(a, 0, sizeof(*a));
	a->all_locks = all_locks;
}

void gs_observe(struct gs_analysis *a, const struct gs_observer *o)
{
	a->obs = *o;
}

static uint64_t thread_key(int64_t pid, int64_t tid)
{
	return ((uint64_t) pid << 32) ^ (uint32_t) tid ^ ((uint64_t) tid >> 32 << 48);
}

struct gs_process *gs_process_find(const struct gs_analysis *a, int64_t pid)
{
	return idmap_get(&a->procs, (uint64_t) pid);
}

const char *gs_thread_name(const struct gs_thread *t)
{
	if (t->name) {
		return t->name;
	}
	if (t->target) {
		return t->target->name;
	}
	if (t->tid == t->proc->pid && t->proc->py_frames) {
		return "MainThread";
	}
	/* Only ever told by another thread (its cycles in their events):
	 * it has the name it was created with, its process's. */
	return t->procname[0] ? t->procname : t->proc->procname;
}

const struct py_where *gs_hold_where(const struct gs_gil *g)
{
	return &g->hold_where;
}

static struct gs_process *process_get(struct gs_analysis *a, int64_t pid)
{
	struct gs_process *p = gs_process_find(a, pid);

	if (p) {
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p || idmap_put(&a->procs, (uint64_t) pid, p) != 0) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	return p;
}

/* The thread an event comes from, created on first sight. */
static struct gs_thread *thread_get(struct gs_analysis *a, const struct gs_event *ev)
{
	uint64_t key = thread_key(ev->vpid, ev->vtid);
	struct gs_thread *t;
	struct gs_process *p;

	/* (pid, tid) names one thread: no need to compare keys. */
	if (a->last_thread && a->last_thread->tid == ev->vtid
			&& a->last_thread->proc->pid == ev->vpid) {
		return a->last_thread;
	}
	/* The key folds pid and tid; a collision is told apart here. */
	t = idmap_get(&a->threads, key);
	while (t && (t->tid != ev->vtid || t->proc->pid != ev->vpid)) {
		key = key * 31 + 7;
		t = idmap_get(&a->threads, key);
	}
	if (!t) {
		p = process_get(a, ev->vpid);
		if (!p) {
			return NULL;
		}
		t = calloc(1, sizeof(*t));
		if (!t || idmap_put(&a->threads, key, t) != 0) {
			free(t);
			return NULL;
		}
		t->tid = ev->vtid;
		t->proc = p;
	}
	/* A thread first seen in another thread's gil_cycle_open is named
	 * by its own first event. */
	if (!t->procname[0] && ev->procname) {
		copy_name(t->procname, sizeof(t->procname), ev->procname);
		p = t->proc;
		if (!p->procname_from_main && (ev->vtid == ev->vpid || !p->procname[0])) {
			copy_name(p->procname, sizeof(p->procname), ev->procname);
			p->procname_from_main = ev->vtid == ev->vpid;
		}
	}
	a->last_thread = t;
	return t;
}

struct gs_gil *gs_gil_find(const struct gs_process *p, uint64_t address)
{
	for (struct gs_gil *g = p->gils; g; g = g->next) {
		if (g->address == address) {
			return g;
		}
	}
	return NULL;
}

static struct gs_gil *gil_get(struct gs_process *p, uint64_t address, int64_t ts)
{
	struct gs_gil *g = gs_gil_find(p, address);
	struct gs_gil **tail;

	if (g) {
		return g;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		return NULL;
	}
	g->address = address;
	g->proc = p;
	g->hold_where = (struct py_where) { &py_func_none, PY_NO_LINE };
	g->taken_where = g->hold_where;
	g->lnotab_signed = 1;
	g->first_ts = ts;
	g->last_ts = ts;
	copy_name(g->runtime, sizeof(g->runtime), "unknown");
	copy_name(g->method, sizeof(g->method), "unknown");
	/* Keep the order of first appearance. */
	for (tail = &p->gils; *tail; tail = &(*tail)->next) {
	}
	*tail = g;
	p->ngils++;
	return g;
}

struct gs_gil_thread *gs_gil_thread_find(const struct gs_gil *g, int64_t tid)
{
	for (struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		if (gt->thread->tid == tid) {
			return gt;
		}
	}
	return NULL;
}

static struct gs_gil_thread *gil_thread_get(struct gs_thread *t, struct gs_gil *g, int64_t ts)
{
	struct gs_gil_thread *gt, **tail;

	if (t->cur && t->cur->gil == g) {
		return t->cur;
	}
	for (gt = t->gils; gt; gt = gt->next_in_thread) {
		if (gt->gil == g) {
			t->cur = gt;
			return gt;
		}
	}
	gt = calloc(1, sizeof(*gt));
	if (!gt) {
		return NULL;
	}
	gt->gil = g;
	gt->thread = t;
	gt->first_ts = ts;
	gt->last_ts = ts;
	gt->next_in_thread = t->gils;
	t->gils = gt;
	for (tail = &g->threads; *tail; tail = &(*tail)->next_in_gil) {
	}
	*tail = gt;
	g->nthreads++;
	t->cur = gt;
	return gt;
}

static void anomaly(struct gs_gil *g, enum gs_anomaly an)
{
	g->anomalies[an]++;
}

/* Nowhere in Python: no frame, or a hold without its release. */
static const struct py_where where_none = { &py_func_none, PY_NO_LINE };

/* The GIL's current hold or gap ends at ts (py_blockers.h). */
static void segment_end(struct gs_analysis *a, struct gs_gil *g, int64_t ts, const struct gs_thread *holder,
		const struct py_where *where)
{
	if (pb_segment_end(g, ts, holder, where) != 0) {
		a->oom = 1;
	}
}

/* ---- attempts ------------------------------------------------------ */

static void attempt_start(struct gs_thread *t, struct gs_gil_thread *gt, int64_t ts)
{
	struct gs_gil *g = gt->gil;
	struct gs_attempt *att = &t->att;

	memset(att, 0, sizeof(*att));
	att->gt = gt;
	att->begin_ts = ts;
	att->state = GS_STATE_TRYING;
	att->state_ts = ts;
	att->split_ts = ts;
	att->releases_counted = g->release_serial;
	att->held_at_begin = g->holder && g->holder != t;
	att->att_next = g->attempting;
	if (g->attempting) {
		g->attempting->att.att_prev = t;
	}
	g->attempting = t;
}

/*
 * The attempt's current state ends at ts and next begins: the one place
 * waited time is counted, piece by piece, so that what the observer is
 * told adds up to waited_ns exactly.
 */
static void attempt_state(struct gs_analysis *a, struct gs_thread *t, enum gs_state next, int64_t ts)
{
	struct gs_attempt *att = &t->att;

	att->gt->waited_ns += gs_dur(att->state_ts, ts);
	observe_interval(a, att->gt, att->state, att->state_ts, ts);
	att->state = next;
	att->state_ts = ts;
}

/* Ends the attempt's bookkeeping, its time counted up to its last state
 * change; counting the rest is the caller's. */
static void attempt_close(struct gs_analysis *a, struct gs_thread *t)
{
	struct gs_attempt *att = &t->att;
	struct gs_gil *g = att->gt->gil;

	if (pb_attempt_close(t, att->state_ts) != 0) {
		a->oom = 1;
	}
	if (att->att_prev) {
		att->att_prev->att.att_next = att->att_next;
	} else {
		g->attempting = att->att_next;
	}
	if (att->att_next) {
		att->att_next->att.att_prev = att->att_prev;
	}
	att->gt = NULL;
	att->att_prev = NULL;
	att->att_next = NULL;
}

/* The acquire_end/abandon summary must agree with the waits seen. */
static void attempt_check_summary(struct gs_thread *t, const struct gs_event *ev)
{
	struct gs_attempt *att = &t->att;

	if (att->in_wait || ev->waits != att->waits || ev->timeouts != att->timeouts) {
		anomaly(att->gt->gil, GS_AN_SUMMARY_MISMATCH);
	}
}

static void on_acquire_begin(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt, int64_t ts)
{
	struct gs_gil *g = gt->gil;

	if (t->att.gt) {
		/* Its end is lost: close it without counting anything
		 * more (its time up to its last state change is counted). */
		anomaly(t->att.gt->gil, GS_AN_ATTEMPT_RESTARTED);
		attempt_close(a, t);
	}
	if (g->holder == t) {
		/* The release is lost: the GIL is not held by t any more,
		 * but when it was released is unknown, so no hold sample. */
		anomaly(g, GS_AN_ATTEMPT_WHILE_HOLDING);
		segment_end(a, g, ts, t, &where_none);
		g->holder = NULL;
		g->hold_site = NULL;
	}
	attempt_start(t, gt, ts);
}

static void on_wait_begin(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt,
		const struct gs_event *ev, int64_t ts)
{
	struct gs_attempt *att = &t->att;
	struct gs_gil *g = gt->gil;

	if (g->kind == GS_KIND_UNKNOWN) {
		g->kind = GS_KIND_CONDVAR;
	}
	if (!g->cond) {
		g->cond = ev->addr2;
	}
	if (att->gt != gt) {
		anomaly(g, GS_AN_WAIT_OUTSIDE_ATTEMPT);
		return;
	}
	if (att->in_wait) {
		anomaly(g, GS_AN_WAIT_BEGIN_IN_WAIT);
	} else if (att->woken) {
		/* Woken, yet waiting again: the GIL was taken first. */
		gt->c.failed_wakeups++;
		att->failed++;
	}
	attempt_state(a, t, GS_STATE_WAITING, ts);
	if (att->woken) {
		observe_instant(a, gt, GS_INSTANT_FAILED_WAKEUP, ts);
	}
	att->woken = 0;
	att->in_wait = 1;
	att->wait_ts = ts;
	att->waits++;
	gt->c.waits++;
}

static void on_wait_end(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt,
		const struct gs_event *ev, int64_t ts)
{
	struct gs_attempt *att = &t->att;
	struct gs_gil *g = gt->gil;

	if (att->gt != gt || !att->in_wait) {
		anomaly(g, GS_AN_WAIT_END_WITHOUT_BEGIN);
		return;
	}
	att->in_wait = 0;
	if (ev->timed_out) {
		att->timeouts++;
		gt->c.timeouts++;
		att->woken = 0;
		attempt_state(a, t, GS_STATE_TIMED_OUT, ts);
		observe_instant(a, gt, GS_INSTANT_TIMEOUT, ts);
		return;
	}
	att->woken = 1;
	attempt_state(a, t, GS_STATE_RETRYING, ts);
	/* The first waiter to wake after a signalling release, if it was
	 * already waiting then, is the one the signal woke. */
	if (g->signal_pending && att->wait_ts <= g->signal_ts) {
		sample(a, &gt->d.wakeup, gs_dur(g->signal_ts, ts));
		g->signal_pending = 0;
	}
}

/* The GIL is now held by t, after an attempt or not. */
static void gil_taken(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt, int64_t ts)
{
	struct gs_gil *g = gt->gil;

	segment_end(a, g, ts, g->holder, &where_none);
	if (g->holder) {
		/* Nobody released it: a release is lost.  The holder's hold
		 * ends at an unknown time: no sample. */
		anomaly(g, GS_AN_ACQUIRED_WHILE_HELD);
		g->holder = NULL;
		g->hold_site = NULL;
	} else if (g->release_serial > g->release_paired && g->last_releaser
			&& g->last_releaser != t) {
		sample(a, &gt->d.handoff, gs_dur(g->last_release_ts, ts));
	}
	/* Every other attempter just watched a release go to someone else. */
	for (struct gs_thread *o = g->attempting; o; o = o->att.att_next) {
		if (o == t) {
			continue;
		}
		o->att.other_acquired = 1;
		if (g->release_serial > o->att.releases_counted) {
			o->att.missed++;
			o->att.releases_counted = g->release_serial;
		}
	}
	g->release_paired = g->release_serial;
	/* The first acquisition is a switch too, as in CPython's own
	 * switch counter (its last holder starts out as nobody). */
	if (g->last_holder != t) {
		gt->c.switches++;
	}
	gt->c.acquisitions++;
	g->holder = t;
	g->hold_ts = ts;
	g->last_holder = t;
}

static int attempt_contended(const struct gs_thread *t)
{
	const struct gs_attempt *att = &t->att;

	/* Semaphore waits are invisible: the thread waited if the GIL was
	 * held when it began or someone else got it meanwhile. */
	if (att->gt->gil->kind == GS_KIND_SEMAPHORE) {
		return att->held_at_begin || att->other_acquired;
	}
	return att->waits > 0;
}

/* ---- call sites ---------------------------------------------------- */

/* The call site entry of an event of g (see callsite_table.h); NULL when out
 * of memory. */
static struct cs_site *event_site(struct gs_analysis *a, struct gs_gil *g, const struct gs_event *ev)
{
	int in_machinery;
	uint64_t addr = cs_attribute(&g->proc->names, ev->caller, ev->backtrace, ev->nbacktrace,
		&in_machinery);
	struct cs_site *s = cs_site_get(&g->sites, addr, in_machinery);

	if (!s) {
		a->oom = 1;
	}
	if (ev->nbacktrace > g->sites.max_depth) {
		g->sites.max_depth = ev->nbacktrace;
	}
	return s;
}

/* An attempt's waits, ended here (acquired or abandoned). */
static void site_attempt(struct cs_site *s, const struct gs_attempt *att, uint64_t waited)
{
	s->waits += att->waits;
	s->failed_wakeups += att->failed;
	s->timeouts += att->timeouts;
	s->waited_ns += waited;
	if (waited > s->longest_wait_ns) {
		s->longest_wait_ns = waited;
	}
}

/* An acquisition at this event's site: what follows is held from there. */
static void site_acquired(struct gs_analysis *a, struct gs_gil *g, const struct gs_event *ev,
		const struct gs_attempt *att, uint64_t waited, int contended)
{
	struct cs_site *s = event_site(a, g, ev);

	g->hold_site = s;
	if (!s) {
		return;
	}
	s->acquisitions++;
	s->contended += contended != 0;
	if (att) {
		site_attempt(s, att, waited);
	}
}

/* A release at this event's site; held is the hold it ends, if its
 * acquisition was seen. */
static void site_released(struct gs_analysis *a, struct gs_gil *g, const struct gs_event *ev,
		int has_hold, uint64_t held)
{
	struct cs_site *r = event_site(a, g, ev);
	struct cs_site *s = g->hold_site;

	g->hold_site = NULL;
	if (r) {
		r->releases++;
	}
	if (!has_hold || !s) {
		return;
	}
	s->holds++;
	s->held_ns += held;
	if (held > s->longest_hold_ns || s->holds == 1) {
		s->longest_hold_ns = held;
		s->longest_hold_release = r ? r->addr : 0;
	}
}

/* ---- Python functions ---------------------------------------------- */

/* Where the thread of an event of g was in Python (py_code_table.h). */
static struct py_where event_where(struct gs_analysis *a, struct gs_gil *g, const struct gs_event *ev)
{
	uint32_t n = ev->npycode < ev->npyinstr ? ev->npycode : ev->npyinstr;
	struct py_where w;

	if (n) {
		g->proc->py_frames = 1;
	}
	if (py_codes_where(&g->proc->codes, ev->pycode, ev->pyinstr, n, g->lnotab_signed, &w) != 0) {
		a->oom = 1;
	}
	return w;
}

/* The entry of f in g's functions (py_functions.h); NULL when out of memory. */
static struct py_fstat *func_stat(struct gs_analysis *a, struct gs_gil *g, const struct py_func *f)
{
	struct py_fstat *s = py_ftable_get(&g->funcs, f);

	if (!s) {
		a->oom = 1;
	}
	return s;
}

/* An acquisition, placed where the thread resumes; att is its attempt if seen. */
static void func_acquired(struct gs_analysis *a, struct gs_gil *g, const struct gs_event *ev,
		const struct gs_attempt *att, uint64_t waited, int contended)
{
	struct py_where w = event_where(a, g, ev);
	struct py_fstat *s = func_stat(a, g, w.func);

	g->taken_where = w;
	if (!s) {
		return;
	}
	s->acquisitions++;
	s->contended += contended != 0;
	if (att) {
		py_fstat_attempt(s, waited, w.line, att->waits, att->failed, att->timeouts);
	}
}

static void on_acquire_end(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt,
		const struct gs_event *ev, int64_t ts)
{
	struct gs_attempt *att = &t->att;
	struct gs_gil *g = gt->gil;
	int seen = att->gt == gt;	/* the attempt it ends was seen */
	uint64_t waited = 0;
	int contended;

	if (!seen) {
		/* The acquisition happened, whatever came before it. */
		anomaly(g, GS_AN_END_WITHOUT_BEGIN);
		if (att->gt) {
			attempt_close(a, t);
		}
		gil_taken(a, t, gt, ts);
		/* Only the event's own summary tells whether it waited. */
		contended = ev->waits > 0;
	} else {
		attempt_check_summary(t, ev);
		attempt_state(a, t, GS_STATE_TRYING, ts);
		gil_taken(a, t, gt, ts);
		waited = gs_dur(att->begin_ts, ts);
		sample(a, &gt->d.wait, waited);
		contended = attempt_contended(t);
	}
	if (contended) {
		gt->c.contended_acquisitions++;
	}
	site_acquired(a, g, ev, seen ? att : NULL, waited, contended);
	func_acquired(a, g, ev, seen ? att : NULL, waited, contended);
	if (!seen) {
		return;
	}
	gt->c.missed_handoffs += att->missed;
	/* A semaphore waiter's wake-up is its acquisition. */
	if (g->kind == GS_KIND_SEMAPHORE && g->signal_pending && att->begin_ts <= g->signal_ts) {
		sample(a, &gt->d.wakeup, gs_dur(g->signal_ts, ts));
		g->signal_pending = 0;
	}
	attempt_close(a, t);
}

static void on_acquire_abandon(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt,
		const struct gs_event *ev, int64_t ts)
{
	struct gs_attempt *att = &t->att;
	uint64_t waited = gs_dur(att->begin_ts, ts);
	struct cs_site *s;
	struct py_fstat *f;

	if (att->gt != gt) {
		anomaly(gt->gil, GS_AN_END_WITHOUT_BEGIN);
		return;
	}
	attempt_check_summary(t, ev);
	attempt_state(a, t, GS_STATE_TRYING, ts);
	s = event_site(a, gt->gil, ev);
	if (s) {
		s->abandoned++;
		site_attempt(s, att, waited);
	}
	/* gil_acquire_abandon carries no Python frame. */
	f = func_stat(a, gt->gil, &py_func_none);
	if (f) {
		f->abandoned++;
		py_fstat_attempt(f, waited, PY_NO_LINE, att->waits, att->failed, att->timeouts);
	}
	gt->c.abandoned++;
	gt->c.missed_handoffs += att->missed;
	attempt_close(a, t);
}

/* The hold of gt's thread ends with its release, placed at where. */
static void hold_released(struct gs_analysis *a, struct gs_gil_thread *gt, const struct py_where *where,
		int64_t ts)
{
	struct gs_gil *g = gt->gil;
	uint64_t held = gs_dur(g->hold_ts, ts);
	struct py_fstat *f = func_stat(a, g, where->func);

	if (f) {
		py_fstat_hold(f, held, where->line, &g->taken_where);
	}
	segment_end(a, g, ts, gt->thread, where);
	sample(a, &gt->d.hold, held);
	hold_counted(a, gt, g->hold_ts, ts, where);
}

static void on_release(struct gs_analysis *a, struct gs_thread *t, struct gs_gil_thread *gt,
		const struct gs_event *ev, int64_t ts)
{
	struct gs_gil *g = gt->gil;
	struct py_where w = event_where(a, g, ev);

	if (g->holder == t) {
		hold_released(a, gt, &w, ts);
	} else {
		anomaly(g, g->last_holder ? GS_AN_RELEASE_BY_NON_HOLDER : GS_AN_RELEASE_BEFORE_ACQUIRE);
		/* Another thread's hold, if any, ends here: its release is lost. */
		segment_end(a, g, ts, g->holder, &where_none);
	}
	site_released(a, g, ev, g->holder == t, gs_dur(g->hold_ts, ts));
	gt->c.releases++;
	g->holder = NULL;
	g->last_releaser = t;
	g->last_release_ts = ts;
	g->release_serial++;
	if (ev->signalled) {
		g->signal_pending = 1;
		g->signal_ts = ts;
	}
	if (ev->waiters > g->max_waiters) {
		g->max_waiters = ev->waiters;
	}
}

/* co_lnotab's line deltas are signed from CPython 3.6 on; a GIL whose
 * version is unknown is 2.7's if it is a semaphore. */
static int gil_lnotab_signed(const struct gs_gil *g)
{
	int major, minor;

	if (sscanf(g->runtime, "CPython %d.%d", &major, &minor) == 2) {
		return major > 3 || (major == 3 && minor >= 6);
	}
	return g->kind != GS_KIND_SEMAPHORE;
}

static void on_identified(struct gs_gil *g, const struct gs_event *ev)
{
	copy_name(g->runtime, sizeof(g->runtime), ev->runtime ? ev->runtime : "unknown");
	copy_name(g->method, sizeof(g->method), ev->method ? ev->method : "unknown");
	if (ev->kind && strcmp(ev->kind, "semaphore") == 0) {
		g->kind = GS_KIND_SEMAPHORE;
	} else if (ev->kind && strcmp(ev->kind, "mutex+condvar") == 0) {
		g->kind = GS_KIND_CONDVAR;
	}
	if (ev->addr2) {
		g->cond = ev->addr2;
	}
	g->lnotab_signed = gil_lnotab_signed(g);
}

static void on_not_found(struct gs_analysis *a, struct gs_process *p, const struct gs_event *ev)
{
	if (p->not_found) {
		return;
	}
	p->not_found = strdup(ev->reason ? ev->reason : "");
	if (!p->not_found) {
		a->oom = 1;
	}
}

/* ---- Python events ------------------------------------------------- */

/* The name pthread_setname_np gives is 15 bytes; more is a damaged trace. */
#define THREAD_NAME_MAX 255

static void on_thread_name(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev)
{
	free(t->name);
	t->name = NULL;
	/* The latest name wins; an empty one names nothing. */
	if (!ev->name || !ev->name[0]) {
		return;
	}
	t->name = strndup(ev->name, THREAD_NAME_MAX);
	if (!t->name) {
		a->oom = 1;
	}
}

/* The code object the thread was started to run, named before (0: none). */
static void on_thread_target(struct gs_thread *t, const struct gs_event *ev)
{
	const struct py_code *pc = ev->addr ? py_codes_find(&t->proc->codes, ev->addr) : NULL;

	t->proc->py_frames = 1;
	t->target = pc && pc->func != &py_func_unnamed ? pc->func : NULL;
}

static void on_frames_off(struct gs_analysis *a, struct gs_process *p, const struct gs_event *ev)
{
	if (p->py_frames_off) {
		return;
	}
	p->py_frames_off = strdup(ev->reason ? ev->reason : "");
	if (!p->py_frames_off) {
		a->oom = 1;
	}
}

/* Events about Python code and threads, not about a GIL. */
static void feed_python(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev)
{
	struct gs_process *p = t->proc;

	switch (ev->type) {
	case GS_EV_PY_CODE:
		p->py_frames = 1;
		if (py_codes_add(&p->codes, ev->addr, ev->name, ev->filename, ev->firstlineno,
				ev->linetable_format, ev->linetable, ev->nlinetable) != 0) {
			a->oom = 1;
		}
		break;
	case GS_EV_PY_THREAD_TARGET:
		on_thread_target(t, ev);
		break;
	case GS_EV_THREAD_NAME:
		on_thread_name(a, t, ev);
		break;
	case GS_EV_PY_FRAMES_OFF:
		on_frames_off(a, p, ev);
		break;
	case GS_EV_PROCESS_EXIT:
		p->exited = 1;
		break;
	default:
		break;
	}
}

/* ---- feeding ------------------------------------------------------- */

static void feed_gil(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev, int64_t ts)
{
	struct gs_process *p = t->proc;
	struct gs_gil *g;
	struct gs_gil_thread *gt;

	if (ev->type == GS_EV_GIL_NOT_FOUND) {
		on_not_found(a, p, ev);
		return;
	}
	/* The Python events come after the GIL's, before the lock calls'. */
	if (ev->type >= GS_EV_PY_CODE) {
		feed_python(a, t, ev);
		return;
	}
	if (ev->type == GS_EV_GIL_CALLSITE) {
		/* addr is a code address, not a GIL. */
		if (cs_names_add(&p->names, ev->addr, ev->symbol, ev->offset, ev->binary,
				ev->binary_offset) != 0) {
			a->oom = 1;
		}
		return;
	}
	g = gil_get(p, ev->addr, ts);
	if (!g) {
		a->oom = 1;
		return;
	}
	/* A compact cycle's begin and acquisition come later than their
	 * times (feed_compact): a GIL's and a thread's first and last
	 * events are the earliest and latest, not the first and last fed. */
	if (ts < g->first_ts) {
		g->first_ts = ts;
	}
	if (ts > g->last_ts) {
		g->last_ts = ts;
	}
	if (ev->type == GS_EV_GIL_IDENTIFIED) {
		on_identified(g, ev);
		return;
	}
	gt = gil_thread_get(t, g, ts);
	if (!gt) {
		a->oom = 1;
		return;
	}
	if (ts < gt->first_ts) {
		gt->first_ts = ts;
	}
	if (ts > gt->last_ts) {
		gt->last_ts = ts;
	}
	switch (ev->type) {
	case GS_EV_GIL_ACQUIRE_BEGIN:
		on_acquire_begin(a, t, gt, ts);
		break;
	case GS_EV_GIL_WAIT_BEGIN:
		on_wait_begin(a, t, gt, ev, ts);
		break;
	case GS_EV_GIL_WAIT_END:
		on_wait_end(a, t, gt, ev, ts);
		break;
	case GS_EV_GIL_ACQUIRE_END:
		on_acquire_end(a, t, gt, ev, ts);
		break;
	case GS_EV_GIL_ACQUIRE_ABANDON:
		on_acquire_abandon(a, t, gt, ev, ts);
		break;
	case GS_EV_GIL_RELEASE:
		on_release(a, t, gt, ev, ts);
		break;
	default:
		break;
	}
}

/* ---- compact cycles ------------------------------------------------ */

/*
 * An event of a compact cycle that happened before the event carrying
 * it was fed: counted as an event of today's layout, and fed at its own
 * time, never before the last event of its GIL (the shim opens a
 * pending cycle before any other event on its GIL, so only a damaged
 * trace needs the clamp, counted as time going backwards).
 */
static void feed_past(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev, int64_t ts,
		int64_t *floor)
{
	if (ts < *floor) {
		a->anomalies[GS_AN_TIME_BACKWARDS]++;
		ts = *floor;
	}
	*floor = ts;
	a->events++;
	if (ts < a->first_ts) {
		a->first_ts = ts;
	}
	feed_gil(a, t, ev, ts);
}

/* The earliest time an event of the GIL of ev may be fed at. */
static int64_t gil_floor(const struct gs_process *p, const struct gs_event *ev)
{
	const struct gs_gil *g = gs_gil_find(p, ev->addr);

	return g ? g->last_ts : INT64_MIN;
}

/*
 * The begin and, if it happened, the acquisition of ev's cycle
 * (gil_cycle, gil_cycle_open), as gil_acquire_begin and gil_acquire_end
 * of thread t would have told them: an acquisition without a wait.
 */
static void feed_cycle_start(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev,
		int64_t *floor)
{
	struct gs_event e;

	memset(&e, 0, sizeof(e));
	e.vpid = ev->vpid;
	e.vtid = t->tid;
	e.addr = ev->addr;
	e.type = GS_EV_GIL_ACQUIRE_BEGIN;
	e.caller = ev->begin_caller;
	feed_past(a, t, &e, ev->begin_ts, floor);
	if (ev->type == GS_EV_GIL_CYCLE_OPEN && ev->acquired_ts == 0) {
		return;
	}
	e.type = GS_EV_GIL_ACQUIRE_END;
	e.caller = ev->acquire_caller;
	e.backtrace = ev->acquire_backtrace;
	e.nbacktrace = ev->nacquire_backtrace;
	e.pycode = ev->acquire_pycode;
	e.npycode = ev->nacquire_pycode;
	e.pyinstr = ev->acquire_pyinstr;
	e.npyinstr = ev->nacquire_pyinstr;
	feed_past(a, t, &e, ev->acquired_ts, floor);
}

/*
 * A compact cycle (giltrace(7), "Compact cycles") is read as the events
 * of today's layout it stands for, at their own times, so that every
 * figure, distribution and observed interval is the one those events
 * give.  gil_cycle: the thread's begin, acquisition and release, the
 * release at the event's time.  gil_cycle_open: another thread's
 * begin and acquisition so far, told before an event that comes after
 * them; the rest of that cycle follows in today's events.
 */
static void feed_compact(struct gs_analysis *a, struct gs_thread *t, const struct gs_event *ev, int64_t ts)
{
	int64_t floor = gil_floor(t->proc, ev);
	struct gs_event e;

	if (ev->type == GS_EV_GIL_CYCLE_OPEN) {
		struct gs_event who = *ev;

		who.vtid = ev->tid;
		/* The event is another thread's: its procname is not this one's. */
		who.procname = NULL;
		t = thread_get(a, &who);
		if (!t) {
			a->oom = 1;
			return;
		}
		feed_cycle_start(a, t, ev, &floor);
		return;
	}
	feed_cycle_start(a, t, ev, &floor);
	e = *ev;
	/* waiters and signalled are the release's (0 in a trace of before
	 * they were recorded: only cycles without waiters were compact). */
	e.type = GS_EV_GIL_RELEASE;
	/* The release's own reading of the clock, so that a hold lasts what
	 * the shim measured (Trace Compass places it by that too). */
	feed_past(a, t, &e, ev->released_ts ? ev->released_ts : ts, &floor);
}

void gs_feed(struct gs_analysis *a, const struct gs_event *ev)
{
	struct gs_thread *t;
	int64_t ts = ev->ts;

	if ((unsigned int) ev->type >= GS_EV_COUNT || a->finished) {
		return;
	}
	if (ev->type >= GS_EV_MUTEX_LOCK_BEGIN && !a->all_locks) {
		return;
	}
	/* The muxer delivers events in time order; anything else would
	 * make negative durations.  Clamp and count. */
	if (a->events && ts < a->last_ts) {
		a->anomalies[GS_AN_TIME_BACKWARDS]++;
		ts = a->last_ts;
	}
	if (!a->events) {
		a->first_ts = ts;
	}
	a->events++;
	a->last_ts = ts;
	t = thread_get(a, ev);
	if (!t) {
		a->oom = 1;
		return;
	}
	if (ev->type == GS_EV_GIL_CYCLE || ev->type == GS_EV_GIL_CYCLE_OPEN) {
		/* Counted as the events it stands for. */
		a->events--;
		feed_compact(a, t, ev, ts);
		return;
	}
	if (ev->type >= GS_EV_MUTEX_LOCK_BEGIN) {
		if (ls_feed(t, ev, ts) != 0) {
			a->oom = 1;
		}
		return;
	}
	feed_gil(a, t, ev, ts);
}

void gs_discarded(struct gs_analysis *a, uint64_t events, uint64_t packets, int unknown)
{
	a->discarded_events += events;
	a->discarded_packets += packets;
	if (unknown) {
		a->discarded_unknown = 1;
	}
}

/* ---- the end ------------------------------------------------------- */

/* The writable counter i of c (gs_counter() is the read-only one). */
static uint64_t *counter_at(struct gs_counters *c, size_t i)
{
	return (uint64_t *) ((char *) c + gs_counter_fields[i].offset);
}

void gs_counters_add(struct gs_counters *to, const struct gs_counters *c)
{
	for (size_t i = 0; i < GS_COUNTER_COUNT; i++) {
		*counter_at(to, i) += gs_counter(c, i);
	}
}

void gs_counters_sub(struct gs_counters *d, const struct gs_counters *now, const struct gs_counters *before)
{
	for (size_t i = 0; i < GS_COUNTER_COUNT; i++) {
		uint64_t n = gs_counter(now, i), b = gs_counter(before, i);

		*counter_at(d, i) = n > b ? n - b : 0;
	}
}

void gs_gil_thread_progress(const struct gs_gil_thread *gt, int64_t now, uint64_t *held, uint64_t *waited)
{
	const struct gs_gil *g = gt->gil;
	const struct gs_thread *t = gt->thread;

	*held = gt->held_ns;
	*waited = gt->waited_ns;
	if (g->holder == t) {
		*held += gs_dur(g->hold_ts, now);
	}
	if (t->att.gt == gt) {
		*waited += gs_dur(t->att.state_ts, now);
	}
}

/* The writable histogram i of d (gs_dist() is the read-only one). */
static struct hist *dist_at(struct gs_dists *d, size_t i)
{
	return (struct hist *) ((char *) d + gs_dist_fields[i].offset);
}

/* Merges all of them even if one runs out of memory. */
static int dists_merge(struct gs_dists *to, const struct gs_dists *d)
{
	int rc = 0;

	for (size_t i = 0; i < GS_DIST_COUNT; i++) {
		rc |= hist_merge(dist_at(to, i), gs_dist(d, i));
	}
	return rc;
}

/*
 * What is still open at the end is cut at the GIL's last event.  In a
 * process seen exiting, that is a thread the exit found still trying to
 * take the GIL (CPython 3.14 on hangs such threads for good): counted,
 * not an anomaly.  Elsewhere the trace was cut, or the process killed.
 */
static void close_open(struct gs_analysis *a)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&a->threads, &pos, &v)) {
		struct gs_thread *t = v;
		struct gs_gil_thread *gt = t->att.gt;

		if (!gt) {
			continue;
		}
		if (t->proc->exited) {
			gt->c.unfinished_at_exit++;
		} else {
			anomaly(gt->gil, GS_AN_OPEN_AT_END);
		}
		attempt_state(a, t, t->att.state, gt->gil->last_ts);
		gt->last_ts = gt->gil->last_ts;
		attempt_close(a, t);
	}
}

static void gil_totals(struct gs_analysis *a, struct gs_gil *g)
{
	uint64_t span = gs_gil_span(g);

	if (g->holder) {
		struct gs_gil_thread *gt = gil_thread_get(g->holder, g, g->last_ts);
		struct py_fstat *f = func_stat(a, g, &py_func_none);

		if (gt) {
			hold_counted(a, gt, g->hold_ts, g->last_ts, &where_none);
			gt->last_ts = g->last_ts;
		}
		/* Still held: counted in the total, not as a hold, and
		 * placed nowhere in Python: it has no release. */
		if (g->hold_site) {
			g->hold_site->held_ns += gs_dur(g->hold_ts, g->last_ts);
		}
		if (f) {
			f->held_ns += gs_dur(g->hold_ts, g->last_ts);
		}
		segment_end(a, g, g->last_ts, g->holder, &where_none);
		/* Nothing is in progress after the end (gs_gil_thread_progress). */
		g->holder = NULL;
	}
	for (struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		gs_counters_add(&g->c, &gt->c);
		if (dists_merge(&g->d, &gt->d) != 0) {
			a->oom = 1;
		}
		g->held_ns += gt->held_ns;
		g->waited_ns += gt->waited_ns;
		gt->wait_share = gs_share(gt->waited_ns, span);
		gt->hold_share = gs_share(gt->held_ns, span);
	}
	g->hold_share = gs_share(g->held_ns, span);
	g->wait_share = gs_share(g->waited_ns, span);
	for (int i = 0; i < GS_AN_COUNT; i++) {
		a->anomalies[i] += g->anomalies[i];
	}
}

void gs_finish(struct gs_analysis *a)
{
	size_t pos = 0;
	void *v;

	if (a->finished) {
		return;
	}
	close_open(a);
	while (idmap_next(&a->procs, &pos, &v)) {
		struct gs_process *p = v;

		for (struct gs_gil *g = p->gils; g; g = g->next) {
			gil_totals(a, g);
		}
	}
	a->finished = 1;
}

static void dists_free(struct gs_dists *d)
{
	for (size_t i = 0; i < GS_DIST_COUNT; i++) {
		hist_free(dist_at(d, i));
	}
}

void gs_free(struct gs_analysis *a)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&a->threads, &pos, &v)) {
		struct gs_thread *t = v;
		struct gs_gil_thread *gt = t->gils;

		while (gt) {
			struct gs_gil_thread *next = gt->next_in_thread;

			dists_free(&gt->d);
			pb_table_free(&gt->blockers);
			free(gt);
			gt = next;
		}
		free(t->name);
		free(t);
	}
	pos = 0;
	while (idmap_next(&a->procs, &pos, &v)) {
		struct gs_process *p = v;
		struct gs_gil *g = p->gils;

		while (g) {
			struct gs_gil *next = g->next;

			dists_free(&g->d);
			cs_table_free(&g->sites);
			py_ftable_free(&g->funcs);
			free(g);
			g = next;
		}
		ls_free_process(p);
		cs_names_free(&p->names);
		py_codes_free(&p->codes);
		free(p->py_frames_off);
		free(p->not_found);
		free(p);
	}
	idmap_free(&a->threads);
	idmap_free(&a->procs);
	memset(a, 0, sizeof(*a));
}
