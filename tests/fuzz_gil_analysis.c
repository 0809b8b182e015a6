/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * libFuzzer harness for the analysis core: the input is read as a
 * sequence of synthetic events (6 bytes each) over two processes, four
 * threads and two locks, any order, any field values, time sometimes
 * going backwards, Python frames and code objects among them (the line
 * tables cut from the input itself).  After feeding, the results must
 * obey the invariants below (blockers add up to the waiting, the Python
 * functions to the GIL), what the observer was told must add up to them
 * exactly, and every report format must render them; AddressSanitizer
 * and UndefinedBehaviorSanitizer watch the rest.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... (tests/fuzz_gil_analysis.sh)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/idmap.h"
#include "analyzer/lock_state.h"
#include "analyzer/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "invariant broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

/* gil_identified kinds the decoder picks from: both real ones and junk. */
static const char *const kinds[] = { "mutex+condvar", "semaphore", "", "bogus" };

/* Long enough to be truncated by every fixed-size copy. */
static const char long_name[] =
	"CPython 3.99.99 with a runtime name far longer than any buffer it is copied into, \"quoted\", comma,";

static void check_hist(const struct hist *h)
{
	struct hist_summary s;

	hist_summarise(h, &s);
	if (s.count == 0) {
		return;
	}
	REQUIRE(s.min <= s.p50);
	REQUIRE(s.p50 <= s.p90);
	REQUIRE(s.p90 <= s.p99);
	REQUIRE(s.p99 <= s.max);
	REQUIRE(s.min <= s.mean && s.mean <= s.max);
	REQUIRE(s.sum >= s.max);
}

/* What the observer told about one (GIL, thread). */
struct told {
	uint64_t waited, held, failed, timeouts;
};

/* gs_gil_thread address -> struct told, for the current input. */
static struct idmap told;

static struct told *told_get(const struct gs_gil_thread *gt)
{
	struct told *t = idmap_get(&told, (uint64_t) (uintptr_t) gt);

	if (!t) {
		t = calloc(1, sizeof(*t));
		REQUIRE(t != NULL && idmap_put(&told, (uint64_t) (uintptr_t) gt, t) == 0);
	}
	return t;
}

static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state,
		int64_t from, int64_t to)
{
	struct told *t = told_get(gt);

	(void) arg;
	REQUIRE(from < to && (unsigned int) state < GS_STATE_COUNT);
	REQUIRE(from >= gt->gil->first_ts && to <= gt->gil->last_ts);
	if (state == GS_STATE_HOLDING) {
		/* a view can always label a hold */
		REQUIRE(gs_hold_where(gt->gil)->func && gs_hold_where(gt->gil)->func->name);
		t->held += (uint64_t) (to - from);
	} else {
		t->waited += (uint64_t) (to - from);
	}
}

static void on_instant(void *arg, const struct gs_gil_thread *gt, enum gs_instant what, int64_t ts)
{
	struct told *t = told_get(gt);

	(void) arg;
	REQUIRE(ts >= gt->gil->first_ts && ts <= gt->gil->last_ts);
	if (what == GS_INSTANT_FAILED_WAKEUP) {
		t->failed++;
	} else {
		t->timeouts++;
	}
}

static void check_told(const struct gs_gil_thread *gt)
{
	struct told *t = idmap_get(&told, (uint64_t) (uintptr_t) gt);
	struct told none = { 0 };

	if (!t) {
		t = &none;
	}
	REQUIRE(t->waited == gt->waited_ns);
	REQUIRE(t->held == gt->held_ns);
	REQUIRE(t->failed == gt->c.failed_wakeups);
	REQUIRE(t->timeouts == gt->c.timeouts);
}

static void told_free(void)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&told, &pos, &v)) {
		free(v);
	}
	idmap_free(&told);
}

static void check_dists(const struct gs_dists *d)
{
	check_hist(&d->wait);
	check_hist(&d->hold);
	check_hist(&d->wakeup);
	check_hist(&d->handoff);
}

/* Call sites share out the GIL's figures without losing any. */
static void check_sites(const struct gs_gil *g)
{
	uint64_t acquisitions = 0, releases = 0, held = 0, failed = 0, abandoned = 0;
	size_t pos = 0, n = 0;
	void *v;

	while (idmap_next(&g->sites.by_addr, &pos, &v)) {
		const struct cs_site *s = v;

		REQUIRE(s->holds <= s->acquisitions);
		REQUIRE(s->contended <= s->acquisitions);
		REQUIRE(s->longest_hold_ns <= s->held_ns);
		REQUIRE(s->longest_wait_ns <= s->waited_ns);
		REQUIRE(s->failed_wakeups + s->timeouts <= s->waits);
		acquisitions += s->acquisitions;
		releases += s->releases;
		held += s->held_ns;
		failed += s->failed_wakeups;
		abandoned += s->abandoned;
		n++;
	}
	REQUIRE(n == g->sites.by_addr.len && n <= CS_SITES_MAX);
	REQUIRE(acquisitions == g->c.acquisitions);
	REQUIRE(releases == g->c.releases);
	REQUIRE(held == g->held_ns);
	REQUIRE(abandoned == g->c.abandoned);
	/* failed wake-ups of attempts still open at the end go nowhere */
	REQUIRE(failed <= g->c.failed_wakeups);
}

/* A thread's blockers add up to its waiting (plus the surplus of
 * attempts whose end was lost), none left pending. */
static void check_blockers(const struct gs_gil_thread *gt, const struct gs_analysis *a)
{
	const struct py_btable *b = &gt->blockers;
	uint64_t parts = 0;
	size_t pos = 0;
	void *v;

	while (idmap_next(&b->by_key, &pos, &v)) {
		const struct py_blocker *p = v;

		REQUIRE(p->ns > 0 && p->where.func);
		REQUIRE(!p->holder || p->holder != gt->thread);
		parts += p->ns;
	}
	REQUIRE(b->by_key.len <= PY_BLOCKERS_MAX);
	REQUIRE(parts == gt->waited_ns + b->excess_ns);
	REQUIRE(!b->excess_ns || a->anomalies[GS_AN_ATTEMPT_RESTARTED] || a->anomalies[GS_AN_END_WITHOUT_BEGIN]);
	REQUIRE(!b->pending && !b->pending_ns);
	REQUIRE(gs_thread_name(gt->thread) != NULL);
}

/* Python functions share out the GIL's figures without losing any. */
static void check_functions(const struct gs_gil *g)
{
	uint64_t holds = 0, held = 0, acquisitions = 0, abandoned = 0, failed = 0, waited = 0;
	size_t pos = 0;
	void *v;

	while (idmap_next(&g->funcs.by_func, &pos, &v)) {
		const struct py_fstat *s = v;

		REQUIRE(s->contended <= s->acquisitions);
		REQUIRE(s->attempts <= s->acquisitions + s->abandoned);
		REQUIRE(s->longest_hold_ns <= s->held_ns);
		REQUIRE(s->longest_wait_ns <= s->waited_ns);
		REQUIRE(s->failed_wakeups + s->timeouts <= s->waits);
		holds += s->holds;
		held += s->held_ns;
		acquisitions += s->acquisitions;
		abandoned += s->abandoned;
		failed += s->failed_wakeups;
		waited += s->waited_ns;
	}
	REQUIRE(g->funcs.by_func.len <= PY_FUNCS_MAX);
	REQUIRE(holds == g->d.hold.count);
	REQUIRE(held == g->held_ns);
	REQUIRE(acquisitions == g->c.acquisitions);
	REQUIRE(abandoned == g->c.abandoned);
	/* attempts still open at the end go nowhere */
	REQUIRE(failed <= g->c.failed_wakeups);
	REQUIRE(waited <= g->waited_ns);
	REQUIRE(!g->split_pending);
}

/* What must hold whatever the input. */
static void check_gil(const struct gs_gil *g, const struct gs_analysis *a)
{
	const struct gs_counters *c = &g->c;
	uint64_t acquisitions = 0, waits = 0;

	REQUIRE(c->contended_acquisitions <= c->acquisitions);
	REQUIRE(c->switches <= c->acquisitions);
	REQUIRE(c->failed_wakeups <= c->waits);
	REQUIRE(c->timeouts <= c->waits);
	REQUIRE(c->failed_wakeups + c->timeouts <= c->waits);
	/* one wait sample per acquisition that had its attempt */
	REQUIRE(g->d.wait.count <= c->acquisitions);
	REQUIRE(c->acquisitions <= g->d.wait.count + g->anomalies[GS_AN_END_WITHOUT_BEGIN]);
	REQUIRE(g->d.hold.count <= c->releases);
	/* each release's signal wakes at most one waiter, each release
	 * hands off at most once */
	REQUIRE(g->d.wakeup.count <= c->releases);
	REQUIRE(g->d.handoff.count <= c->releases);
	REQUIRE(g->d.handoff.count <= c->acquisitions);
	REQUIRE(g->hold_share >= 0.0 && g->hold_share <= 1.0);
	REQUIRE(g->wait_share >= 0.0);
	REQUIRE(g->held_ns <= (uint64_t) (g->last_ts - g->first_ts));
	check_dists(&g->d);
	for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		REQUIRE(gt->gil == g);
		REQUIRE(gt->wait_share >= 0.0 && gt->wait_share <= 1.0);
		REQUIRE(gt->hold_share >= 0.0 && gt->hold_share <= 1.0);
		REQUIRE(gt->c.failed_wakeups + gt->c.timeouts <= gt->c.waits);
		REQUIRE(gt->d.wait.sum <= gt->waited_ns);
		check_told(gt);
		check_dists(&gt->d);
		check_blockers(gt, a);
		acquisitions += gt->c.acquisitions;
		waits += gt->c.waits;
	}
	REQUIRE(acquisitions == c->acquisitions);
	REQUIRE(waits == c->waits);
	check_sites(g);
	check_functions(g);
}

static void check_lock(const struct gs_lock *l)
{
	REQUIRE(l->contended <= l->acquisitions);
	REQUIRE(l->owner_changes <= l->acquisitions);
	REQUIRE(l->wait.count <= l->acquisitions);
	check_hist(&l->wait);
	check_hist(&l->hold);
}

static void check_all(const struct gs_analysis *a)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&a->procs, &pos, &v)) {
		const struct gs_process *p = v;
		size_t lpos = 0;
		void *l;

		REQUIRE(p->codes.by_addr.len <= PY_CODES_MAX && p->codes.funcs.len <= PY_CODES_MAX);
		for (const struct gs_gil *g = p->gils; g; g = g->next) {
			check_gil(g, a);
		}
		while (idmap_next(&p->locks, &lpos, &l)) {
			check_lock(l);
		}
	}
}

static void render(const struct gs_analysis *a)
{
	/* Global so that every input renders into the same sink. */
	static FILE *devnull;
	char *path = "trace";
	struct trace_list traces = { .paths = &path, .len = 1, .cap = 1 };
	struct trace_read_stats stats = { .events = a->events, .giltrace_events = a->events };
	int64_t pid = 1;
	struct report r = { .a = a, .traces = &traces, .stats = &stats };

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		REQUIRE(devnull != NULL);
	}
	REQUIRE(report_text(devnull, &r) == 0);
	REQUIRE(report_json(devnull, &r) == 0);
	REQUIRE(report_csv(devnull, &r) == 0);
	r.pyfunctions = 1;
	REQUIRE(report_csv(devnull, &r) == 0);
	r.pyfunctions = 0;
	r.blockers = 1;
	REQUIRE(report_csv(devnull, &r) == 0);
	r.blockers = 0;
	r.pids = &pid;
	r.npids = 1;
	REQUIRE(report_text(devnull, &r) == 0);
}

/* Backtraces and names the decoder picks from: machinery and not. */
static const uint64_t frames[] = { 0x6010, 0x5010 };
static const char *const symbols[] = { "take_gil", "PyEval_RestoreThread", "[unknown]", long_name };

/* Python frames and names: four code objects (the last never named
 * unless the input says so), names of every kind. */
static const uint64_t pycodes[] = { 0x7000, 0x7100, 0x7200, 0x7300 };
static const uint32_t pyinstrs[] = { 0, 6, 40, 1000000 };
static const char *const pynames[] = { "spin_until", "Worker.run.<locals>.inner", "", long_name };

/* Python fields of an event from b[4] and b[5]; a line table cut from
 * the input (all, n bytes). */
static void python_decode(const uint8_t *b, struct gs_event *ev, const uint8_t *all, size_t n)
{
	ev->pycode = pycodes + (b[5] & 1);
	ev->pyinstr = pyinstrs + ((b[5] >> 1) & 1);
	ev->npycode = (b[5] >> 2) & 3;
	ev->npyinstr = (b[5] & 0x10) ? ev->npycode : 1;
	ev->addr = pycodes[(b[4] >> 4) & 3] * ((b[4] & 0x0f) != 0);
	ev->name = pynames[(b[5] >> 5) & 3];
	ev->filename = (b[5] & 0x80) ? long_name : "/srv/app.py";
	ev->firstlineno = (int32_t) (b[4] & 0x0f) * 1000 - 1;
	ev->linetable_format = b[4] % 5;
	ev->linetable = all;
	ev->nlinetable = (uint32_t) (n < b[3] ? n : b[3]);
	if (b[3] == 255) {
		ev->linetable = NULL;	/* too long to copy */
	}
}

static void event_decode(const uint8_t *b, int64_t *ts, struct gs_event *ev, const uint8_t *all, size_t n)
{
	static const int64_t rets[] = { 0, 16, 110, -1 };

	ev->type = (enum gs_event_type) (b[0] % (GS_EV_COUNT + 1));	/* one invalid type */
	if (b[1] == 255) {
		*ts -= 50;		/* out of order */
	} else {
		*ts += b[1] > 200 ? (int64_t) b[1] * 100000 : b[1];
	}
	ev->ts = *ts;
	ev->vpid = 1 + (b[2] & 1);
	ev->vtid = 1 + ((b[2] >> 1) & 3);
	ev->addr = 0x1000 + ((b[2] >> 3) & 1) * 0x100;
	ev->addr2 = 0x2000 + ((b[2] >> 4) & 1) * 0x100;
	ev->procname = (b[2] & 0x20) ? NULL : (b[2] & 0x40) ? long_name : "python3";
	ev->timed_out = b[3] & 1;
	ev->signalled = (b[3] >> 1) & 1;
	ev->waiters = (b[3] >> 2) & 3;
	ev->kind = kinds[(b[3] >> 4) & 3];
	ev->method = (b[3] & 0x40) ? long_name : "callsite-symbol";
	ev->runtime = (b[3] & 0x80) ? long_name : NULL;
	ev->reason = ev->runtime;
	ev->waits = b[4] & 3;
	ev->timeouts = (b[4] >> 2) & 3;
	ev->ret = rets[b[5] & 3];
	ev->err = (b[5] & 4) ? 11 : 110;
	/* call sites: four callers, a backtrace or none, names or none */
	ev->caller = 0x5000 + (uint64_t) ((b[4] >> 4) & 3) * 0x10;
	if (b[4] & 0x40) {
		ev->backtrace = frames;
		ev->nbacktrace = (b[4] & 0x80) ? 2 : 1;
	}
	if (ev->type == GS_EV_GIL_CALLSITE) {
		ev->addr = ev->caller + ((b[5] >> 3) & 1) * 0x1000;
		ev->symbol = (b[5] & 0x10) ? symbols[(b[5] >> 5) & 3] : NULL;
		ev->binary = (b[5] & 0x80) ? long_name : "/usr/bin/python3";
	}
	if (ev->type == GS_EV_GIL_ACQUIRE_END || ev->type == GS_EV_GIL_RELEASE || ev->type >= GS_EV_PY_CODE) {
		uint64_t gil = ev->addr;

		python_decode(b, ev, all, n);
		if (ev->type < GS_EV_PY_CODE) {
			ev->addr = gil;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gs_observer observer = { on_interval, on_instant, NULL };
	struct gs_analysis a;
	int64_t ts = 1000;

	if (size == 0) {
		return 0;
	}
	gs_init(&a, data[0] & 1);
	gs_observe(&a, &observer);
	for (size_t i = 1; i + 6 <= size; i += 6) {
		struct gs_event ev = { 0 };

		event_decode(data + i, &ts, &ev, data, size);
		gs_feed(&a, &ev);
	}
	if (data[0] & 2) {
		gs_discarded(&a, data[0] >> 2, 1, data[0] >> 7);
	}
	gs_finish(&a);
	REQUIRE(!a.oom);
	check_all(&a);
	render(&a);
	gs_free(&a);
	told_free();
	return 0;
}
