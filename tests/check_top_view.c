/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace top's intervals (frontend/top_view.c) over the analysis core
 * fed by hand, and the histogram differences they use.  Expected values
 * are worked out by hand from the sequences (see the comments beside
 * them), and the intervals must add up to the core's own totals.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/hist.h"
#include "frontend/top_view.h"
#include "tests/core_lookup.h"

#define PID	100
#define GIL	0x1000
#define COND	0x2000
#define SEC	INT64_C(1000000000)

struct step {
	enum gs_event_type type;
	int64_t ts;
	int64_t tid;
	uint32_t a;		/* waits / waiters */
	uint32_t b;		/* signalled */
};

#define IDENT(ts, tid)		{ GS_EV_GIL_IDENTIFIED, ts, tid, 0, 0 }
#define BEGIN(ts, tid)		{ GS_EV_GIL_ACQUIRE_BEGIN, ts, tid, 0, 0 }
#define WAIT(ts, tid)		{ GS_EV_GIL_WAIT_BEGIN, ts, tid, 0, 0 }
#define WOKEN(ts, tid)		{ GS_EV_GIL_WAIT_END, ts, tid, 0, 0 }
#define END(ts, tid, w)		{ GS_EV_GIL_ACQUIRE_END, ts, tid, w, 0 }
#define REL(ts, tid, n, sig)	{ GS_EV_GIL_RELEASE, ts, tid, n, sig }

/* The fixture's analysis and view; check forks per test. */
static struct gs_analysis an;
static struct top_view view;

static void setup(void)
{
	gs_init(&an, 0);
	tv_init(&view, &an);
}

static void teardown(void)
{
	tv_free(&view);
	gs_free(&an);
}

static void feed(const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct gs_event ev = {
			.type = steps[i].type,
			.ts = steps[i].ts,
			.vpid = PID,
			.vtid = steps[i].tid,
			.procname = "proc",
			.addr = GIL,
		};

		if (ev.type == GS_EV_GIL_IDENTIFIED) {
			ev.addr2 = COND;
			ev.kind = "mutex+condvar";
			ev.method = "callsite-symbol";
			ev.runtime = "CPython 3.11.7";
		} else if (ev.type == GS_EV_GIL_WAIT_BEGIN) {
			ev.addr2 = COND;
		} else if (ev.type == GS_EV_GIL_ACQUIRE_END) {
			ev.waits = steps[i].a;
		} else if (ev.type == GS_EV_GIL_RELEASE) {
			ev.waiters = steps[i].a;
			ev.signalled = (uint8_t) steps[i].b;
		}
		gs_feed(&an, &ev);
	}
}

#define FEED(steps) feed(steps, sizeof(steps) / sizeof(steps[0]))

/* What one thread did in one interval. */
struct want {
	int64_t tid;
	uint64_t acquisitions, releases, waits, failed_wakeups;
	uint64_t held_ns, waited_ns;
	uint64_t wakeups, wakeup_p99;
};

static const struct tv_thread_rec *rec_of(const struct tv_gil_rec *g, int64_t tid)
{
	for (size_t i = 0; i < g->nthreads; i++) {
		if (g->threads[i].gt->thread->tid == tid) {
			return &g->threads[i];
		}
	}
	return NULL;
}

static void check_thread(const struct tv_gil_rec *g, const struct want *w)
{
	const struct tv_thread_rec *t = rec_of(g, w->tid);

	ck_assert_msg(t != NULL, "thread %lld missing from the interval", (long long) w->tid);
	ck_assert_uint_eq(t->m.c.acquisitions, w->acquisitions);
	ck_assert_uint_eq(t->m.c.releases, w->releases);
	ck_assert_uint_eq(t->m.c.waits, w->waits);
	ck_assert_uint_eq(t->m.c.failed_wakeups, w->failed_wakeups);
	ck_assert_uint_eq(t->m.held_ns, w->held_ns);
	ck_assert_uint_eq(t->m.waited_ns, w->waited_ns);
	ck_assert_uint_eq(t->m.wakeup.count, w->wakeups);
	if (w->wakeups) {
		ck_assert_uint_eq(hist_percentile(&t->m.wakeup, 99), w->wakeup_p99);
	}
}

/* An interval with the one GIL in it, checked thread by thread. */
static void take_and_check(int64_t now, int final, const struct want *w, size_t n, struct tv_interval *iv)
{
	struct tv_measures sum = { 0 };

	ck_assert_int_eq(tv_take(&view, now, final, iv), 0);
	ck_assert_uint_eq(iv->ngils, 1);
	ck_assert_uint_eq(iv->gils[0].g->address, GIL);
	ck_assert_uint_eq(iv->gils[0].nthreads, n);
	for (size_t i = 0; i < n; i++) {
		check_thread(&iv->gils[0], &w[i]);
		sum.c.acquisitions += w[i].acquisitions;
		sum.c.releases += w[i].releases;
		sum.c.failed_wakeups += w[i].failed_wakeups;
		sum.held_ns += w[i].held_ns;
		sum.waited_ns += w[i].waited_ns;
	}
	/* The GIL's line is the sum of its threads'. */
	ck_assert_uint_eq(iv->gils[0].m.c.acquisitions, sum.c.acquisitions);
	ck_assert_uint_eq(iv->gils[0].m.c.releases, sum.c.releases);
	ck_assert_uint_eq(iv->gils[0].m.c.failed_wakeups, sum.c.failed_wakeups);
	ck_assert_uint_eq(iv->gils[0].m.held_ns, sum.held_ns);
	ck_assert_uint_eq(iv->gils[0].m.waited_ns, sum.waited_ns);
}

/*
 * Thread 1 holds, thread 2 waits, is woken (5 ns after the signal),
 * finds the GIL retaken by thread 1 and waits again (a failed wake-up);
 * a hold and a wait are in progress at the end of interval 1.
 */
static const struct step chunk1[] = {
	IDENT(0, 1),
	BEGIN(0, 1), END(2, 1, 0),		/* t1 waited 2, holds from 2 */
	BEGIN(10, 2), WAIT(11, 2),		/* t2 attempts from 10 */
	REL(20, 1, 1, 1),			/* t1 held 18 */
	WOKEN(25, 2),				/* wake-up 5 */
	BEGIN(30, 1), END(31, 1, 0),		/* t1 waited 1, holds from 31 */
	WAIT(40, 2),				/* t2's failed wake-up */
};
/* t1 releases at 150 (held 119 in all, 50 of it after 100); t2 is woken
 * 10 ns after, acquires at 161 (waited 151 in all, 61 after 100), holds 29. */
static const struct step chunk2[] = {
	REL(150, 1, 1, 1),
	WOKEN(160, 2), END(161, 2, 2),
	REL(190, 2, 0, 0),
};
/* Only t1, uncontended: waited 1, held 9. */
static const struct step chunk3[] = {
	BEGIN(250, 1), END(251, 1, 0), REL(260, 1, 0, 0),
};

START_TEST(test_intervals_add_up)
{
	static const struct want w1[] = {
		{ 1, 2, 1, 0, 0, 18 + (100 - 31), 2 + 1, 0, 0 },
		{ 2, 0, 0, 2, 1, 0, 100 - 10, 1, 5 },
	};
	static const struct want w2[] = {
		{ 1, 0, 1, 0, 0, 150 - 100, 0, 0, 0 },
		{ 2, 1, 1, 0, 0, 29, 161 - 100, 1, 10 },
	};
	static const struct want w3[] = {
		{ 1, 1, 1, 0, 0, 9, 1, 0, 0 },
	};
	struct tv_interval iv;

	FEED(chunk1);
	take_and_check(100, 0, w1, 2, &iv);
	ck_assert_uint_eq(iv.number, 1);
	ck_assert_int_eq(iv.start_ns, 0);
	ck_assert_int_eq(iv.end_ns, 100);
	ck_assert_uint_eq(iv.events, sizeof(chunk1) / sizeof(chunk1[0]));
	tv_interval_free(&iv);
	FEED(chunk2);
	take_and_check(200, 0, w2, 2, &iv);
	ck_assert_int_eq(iv.start_ns, 100);
	ck_assert_uint_eq(iv.events, sizeof(chunk2) / sizeof(chunk2[0]));
	tv_interval_free(&iv);
	FEED(chunk3);
	/* Thread 2 did nothing: it is not listed. */
	take_and_check(300, 1, w3, 1, &iv);
	ck_assert_int_eq(iv.final, 1);
	tv_interval_free(&iv);

	/* The three intervals add up to the core's totals. */
	gs_finish(&an);
	{
		struct gs_gil_thread *t1 = gs_gil_thread_find(gs_gil_find(gs_process_find(&an, PID), GIL), 1);
		struct gs_gil_thread *t2 = gs_gil_thread_find(gs_gil_find(gs_process_find(&an, PID), GIL), 2);

		ck_assert_uint_eq(t1->c.acquisitions, 2 + 0 + 1);
		ck_assert_uint_eq(t1->c.releases, 1 + 1 + 1);
		ck_assert_uint_eq(t1->held_ns, 87 + 50 + 9);
		ck_assert_uint_eq(t1->waited_ns, 3 + 0 + 1);
		ck_assert_uint_eq(t2->c.acquisitions, 0 + 1);
		ck_assert_uint_eq(t2->c.failed_wakeups, 1);
		ck_assert_uint_eq(t2->held_ns, 29);
		ck_assert_uint_eq(t2->waited_ns, 90 + 61);
		ck_assert_uint_eq(t2->d.wakeup.count, 1 + 1);
	}
}
END_TEST

/* A quiet GIL stays in view (with no thread) until idle TV_IDLE_NS. */
START_TEST(test_idle_gil)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0), REL(10, 1, 0, 0),
	};
	struct tv_interval iv;

	FEED(s);
	ck_assert_int_eq(tv_take(&view, SEC, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	ck_assert_uint_eq(iv.gils[0].nthreads, 1);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 10 + TV_IDLE_NS, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	ck_assert_uint_eq(iv.gils[0].nthreads, 0);
	ck_assert_uint_eq(iv.gils[0].m.c.acquisitions, 0);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 11 + TV_IDLE_NS, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 0);
	tv_interval_free(&iv);
}
END_TEST

/* A GIL held for longer than the idle limit is still shown, held 100 %. */
START_TEST(test_long_hold)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(0, 1, 0),
	};
	struct tv_interval iv;

	FEED(s);
	ck_assert_int_eq(tv_take(&view, 2 * TV_IDLE_NS, 0, &iv), 0);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 2 * TV_IDLE_NS + SEC, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, (uint64_t) SEC);
	ck_assert(gs_share(iv.gils[0].m.held_ns, (uint64_t) (iv.end_ns - iv.start_ns)) == 1.0);
	tv_interval_free(&iv);
}
END_TEST

/* The process is gone: what it left open counts up to its last event. */
static int alive_calls;

static int never_alive(int64_t pid, void *arg)
{
	(void) arg;
	ck_assert_int_eq(pid, PID);
	alive_calls++;
	return 0;
}

START_TEST(test_gone_process)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(5, 1, 0),	/* t1 holds from 5 */
		BEGIN(10, 2),			/* t2 attempts from 10, the last event */
	};
	struct tv_interval iv;

	tv_set_alive(&view, never_alive, NULL);
	FEED(s);
	ck_assert_int_eq(tv_take(&view, 1000, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	ck_assert_uint_eq(iv.gils[0].nthreads, 1);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 10 - 5);
	ck_assert_uint_eq(iv.gils[0].m.waited_ns, 5 - 0);
	tv_interval_free(&iv);
	/* Held, but by a process that is gone: shown only while recent. */
	ck_assert_int_eq(tv_take(&view, 10 + TV_IDLE_NS, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 0);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 11 + TV_IDLE_NS, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 0);
	tv_interval_free(&iv);
	/* Asked once, remembered. */
	ck_assert_int_eq(alive_calls, 1);
}
END_TEST

/*
 * A recorded trace knows where each GIL's events end (giltrace top
 * --replay): a hold in progress counts up to that end, not to the
 * interval's, while the process may still run (here: a sub-interpreter's
 * GIL whose last event is at 10).
 */
static int64_t ends_at_10(const struct gs_gil *g, void *arg)
{
	(void) arg;
	ck_assert_uint_eq(g->address, GIL);
	return 10;
}

START_TEST(test_gil_end_known)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(5, 1, 0), REL(7, 1, 0, 0), BEGIN(8, 1), END(10, 1, 0),
	};
	struct tv_interval iv;

	tv_set_gil_end(&view, ends_at_10, NULL);
	FEED(s);
	ck_assert_int_eq(tv_take(&view, 9, 0, &iv), 0);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, (7 - 5) + 0);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 1000, 0, &iv), 0);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 10 - 10);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 2000, 1, &iv), 0);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 0);
	tv_interval_free(&iv);
	/* The intervals add up to the core's total. */
	gs_finish(&an);
	ck_assert_uint_eq(gs_gil_thread_find(gs_gil_find(gs_process_find(&an, PID), GIL), 1)->held_ns,
		(7 - 5) + (10 - 10));
}
END_TEST

/* The final interval ends what is open at the GIL's last event too. */
START_TEST(test_final_interval)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(5, 1, 0), BEGIN(10, 2),
	};
	struct tv_interval iv;

	FEED(s);
	ck_assert_int_eq(tv_take(&view, 8, 0, &iv), 0);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 8 - 5);
	tv_interval_free(&iv);
	ck_assert_int_eq(tv_take(&view, 1000, 1, &iv), 0);
	ck_assert_uint_eq(iv.gils[0].m.held_ns, 10 - 8);
	ck_assert_uint_eq(iv.gils[0].m.waited_ns, 0);
	tv_interval_free(&iv);
	/* As the core closes them at the end. */
	gs_finish(&an);
	ck_assert_uint_eq(gs_gil_thread_find(gs_gil_find(gs_process_find(&an, PID), GIL), 1)->held_ns, 10 - 5);
}
END_TEST

/* Lines that start with a JSON object, per type. */
static void count_lines(const char *text, unsigned int *intervals, unsigned int *summaries)
{
	*intervals = *summaries = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		*intervals += strncmp(l, "{\"type\":\"interval\"", 18) == 0;
		*summaries += strncmp(l, "{\"type\":\"summary\"", 17) == 0;
	}
}

START_TEST(test_json_lines)
{
	struct tv_format f = { .json = 1, .max_threads = 10 };
	struct tv_interval iv;
	unsigned int nint, nsum;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	FEED(chunk1);
	ck_assert_int_eq(tv_take(&view, 100, 0, &iv), 0);
	ck_assert_int_eq(tv_print_interval(out, &f, &iv), 0);
	tv_interval_free(&iv);
	gs_finish(&an);
	ck_assert_int_eq(tv_print_summary(out, &f, &view), 0);
	fclose(out);
	count_lines(text, &nint, &nsum);
	ck_assert_uint_eq(nint, 1);
	ck_assert_uint_eq(nsum, 1);
	/* One object per line, nothing else. */
	ck_assert_uint_eq(len, (size_t) (strchr(strchr(text, '\n') + 1, '\n') + 1 - text));
	ck_assert_ptr_nonnull(strstr(text, "\"gil\":\"0x1000\",\"runtime\":\"CPython 3.11.7\""));
	ck_assert_ptr_nonnull(strstr(text, "\"interval\":1,\"final\":false,\"start_ns\":0,\"end_ns\":100,\"span_ns\":100"));
	/* t1 held 87 of 100 ns; the GIL 87 too (t2 held nothing). */
	/* No Python frames: the thread's name is its procname. */
	ck_assert_ptr_nonnull(strstr(text, "{\"tid\":1,\"procname\":\"proc\",\"name\":\"proc\",\"hold_share\":0.870000"));
	ck_assert_ptr_nonnull(strstr(text, "\"wakeups\":1,\"wakeup_p99_ns\":5"));
	free(text);
}
END_TEST

/* ---- top holders ---------------------------------------------------- */

/* Two code objects, each on its first line throughout (no line table). */
#define HOG	0x7300
#define SPIN	0x7000

/* One event with the innermost Python frame at code (0: none). */
static void feed_py(enum gs_event_type type, int64_t ts, int64_t tid, uint64_t code)
{
	uint32_t instr = 0;
	struct gs_event ev = { .type = type, .ts = ts, .vpid = PID, .vtid = tid, .procname = "python3",
		.addr = GIL };

	if (type == GS_EV_GIL_IDENTIFIED) {
		ev.addr2 = COND;
		ev.kind = "mutex+condvar";
		ev.method = "callsite-symbol";
		ev.runtime = "CPython 3.11.7";
	}
	if (code) {
		ev.pycode = &code;
		ev.pyinstr = &instr;
		ev.npycode = ev.npyinstr = 1;
	}
	gs_feed(&an, &ev);
}

static void feed_code(uint64_t code, const char *name, int32_t line)
{
	struct gs_event ev = { .type = GS_EV_PY_CODE, .vpid = PID, .vtid = PID, .procname = "python3",
		.addr = code, .name = name, .filename = "/src/longhold.py", .firstlineno = line,
		.linetable_format = PY_LT_LNOTAB };

	gs_feed(&an, &ev);
}

/* A thread named by the program itself. */
static void feed_name(int64_t tid, const char *name)
{
	struct gs_event ev = { .type = GS_EV_THREAD_NAME, .vpid = PID, .vtid = tid, .procname = "python3",
		.name = name };

	gs_feed(&an, &ev);
}

static void check_holder(const struct tv_holder *h, int64_t tid, const char *func, int32_t line,
		uint64_t holds, uint64_t holds_ns, uint64_t held_ns)
{
	ck_assert_int_eq(h->gt->thread->tid, tid);
	ck_assert_str_eq(h->where.func->name, func);
	ck_assert_int_eq(h->where.line, line);
	ck_assert_uint_eq(h->holds, holds);
	ck_assert_uint_eq(h->holds_ns, holds_ns);
	ck_assert_uint_eq(h->held_ns, held_ns);
}

/* The figures of func in the core's own table of the GIL. */
static const struct py_fstat *core_func(const char *func)
{
	size_t pos = 0;
	void *f;

	while (idmap_next(&core_gil(&an, PID, GIL)->funcs.by_func, &pos, &f)) {
		if (strcmp(((const struct py_fstat *) f)->func->name, func) == 0) {
			return f;
		}
	}
	ck_abort_msg("no function %s in the core", func);
	return NULL;
}

/*
 * Thread 101 holds 0-30 in hog (line 3), thread 102 31-60 in spin
 * (line 10), thread 101 61-130 in hog again: the last hold crosses the
 * end of the first interval (100) and belongs to the second, where it is
 * released; only its part after 100 ranks it there.
 */
START_TEST(test_top_holder)
{
	struct tv_interval iv;
	const struct tv_gil_rec *g;

	feed_py(GS_EV_GIL_IDENTIFIED, 0, PID, 0);
	feed_code(HOG, "hog", 3);
	feed_code(SPIN, "spin", 10);
	feed_name(101, "hogger");
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 0, 101, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 0, 101, HOG);
	feed_py(GS_EV_GIL_RELEASE, 30, 101, HOG);
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 30, 102, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 31, 102, SPIN);
	feed_py(GS_EV_GIL_RELEASE, 60, 102, SPIN);
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 60, 101, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 61, 101, HOG);

	ck_assert_int_eq(tv_take(&view, 100, 0, &iv), 0);
	ck_assert_uint_eq(iv.ngils, 1);
	g = &iv.gils[0];
	/* The hold in progress has no function yet: not a holder. */
	ck_assert_uint_eq(g->nholders, 2);
	check_holder(&g->holders[0], 101, "hog", 3, 1, 30, 30);
	check_holder(&g->holders[1], 102, "spin", 10, 1, 29, 29);
	ck_assert_str_eq(gs_thread_name(g->holders[0].gt->thread), "hogger");
	tv_interval_free(&iv);

	feed_py(GS_EV_GIL_RELEASE, 130, 101, HOG);
	ck_assert_int_eq(tv_take(&view, 200, 1, &iv), 0);
	g = &iv.gils[0];
	ck_assert_uint_eq(g->nholders, 1);
	check_holder(&g->holders[0], 101, "hog", 3, 1, 69, 30);
	tv_interval_free(&iv);

	/* The intervals' whole holds are the core's per function. */
	gs_finish(&an);
	ck_assert_uint_eq(core_func("hog")->holds, 2);
	ck_assert_uint_eq(core_func("hog")->held_ns, 30 + 69);
	ck_assert_uint_eq(core_func("spin")->held_ns, 29);
}
END_TEST

START_TEST(test_top_holder_text)
{
	struct tv_format f = { .max_threads = 10 };
	struct tv_interval iv;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	feed_py(GS_EV_GIL_IDENTIFIED, 0, PID, 0);
	feed_code(HOG, "hog", 3);
	feed_name(101, "hogger");
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 0, 101, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 0, 101, HOG);
	feed_py(GS_EV_GIL_RELEASE, 25, 101, HOG);
	ck_assert_int_eq(tv_take(&view, 100, 0, &iv), 0);
	ck_assert_int_eq(tv_print_interval(out, &f, &iv), 0);
	tv_interval_free(&iv);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "\n  101 hogger                 25.0%"));
	ck_assert_ptr_nonnull(strstr(text, "\n  top holder: 101 hogger in hog (longhold.py:3), 25.0% of the interval\n"));
	free(text);
}
END_TEST

/* ---- histogram differences ------------------------------------------ */

struct diff_case {
	uint64_t before[4];
	size_t nbefore;
	uint64_t added[4];
	size_t nadded;
	uint64_t min, max;	/* of the difference */
};

/* Values in the added set, relative to before's extremes. */
static const struct diff_case diff_cases[] = {
	/* Nothing before: everything exact. */
	{ { 0 }, 0, { 5, 7 }, 2, 5, 7 },
	/* New maximum: exact; minimum is its bucket's low bound (4992). */
	{ { 100, 1000 }, 2, { 5000 }, 1, 4992, 5000 },
	/* New minimum: exact; maximum is its bucket's high bound. */
	{ { 100, 1000 }, 2, { 50 }, 1, 50, 50 },
	/* Neither: bucket bounds, 5000 in [4992, 5119]. */
	{ { 100, 10000 }, 2, { 5000 }, 1, 4992, 5119 },
	/* Below 32 ns buckets are exact. */
	{ { 3, 30 }, 2, { 7, 7, 8 }, 3, 7, 8 },
};

START_TEST(test_hist_diff)
{
	const struct diff_case *c = &diff_cases[_i];
	struct hist before = { 0 }, now = { 0 }, d = { 0 }, copy = { 0 };
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nbefore; i++) {
		ck_assert_int_eq(hist_add(&before, c->before[i]), 0);
	}
	ck_assert_int_eq(hist_copy(&now, &before), 0);
	for (size_t i = 0; i < c->nadded; i++) {
		ck_assert_int_eq(hist_add(&now, c->added[i]), 0);
		sum += c->added[i];
	}
	ck_assert_int_eq(hist_diff(&d, &now, &before), 0);
	ck_assert_uint_eq(d.count, c->nadded);
	ck_assert_uint_eq(d.sum, sum);
	ck_assert_uint_eq(d.min, c->min);
	ck_assert_uint_eq(d.max, c->max);
	/* A copy differs from its original by nothing. */
	ck_assert_int_eq(hist_copy(&copy, &now), 0);
	ck_assert_uint_eq(copy.count, now.count);
	hist_free(&d);
	ck_assert_int_eq(hist_diff(&d, &now, &copy), 0);
	ck_assert_uint_eq(d.count, 0);
	hist_free(&before);
	hist_free(&now);
	hist_free(&d);
	hist_free(&copy);
}
END_TEST

/* The difference's p99 is as close as the histogram's own. */
START_TEST(test_hist_diff_percentile)
{
	struct hist before = { 0 }, now = { 0 }, d = { 0 };
	uint64_t p99;

	for (uint64_t v = 1; v <= 1000; v++) {
		ck_assert_int_eq(hist_add(&before, v * 1000), 0);
	}
	ck_assert_int_eq(hist_copy(&now, &before), 0);
	/* 100 values 2000..2099 us: p99 is the 99th, 2098 us. */
	for (uint64_t v = 0; v < 100; v++) {
		ck_assert_int_eq(hist_add(&now, 2000000 + v * 1000), 0);
	}
	ck_assert_int_eq(hist_diff(&d, &now, &before), 0);
	p99 = hist_percentile(&d, 99);
	ck_assert_uint_ge(p99, 2098000 - 2098000 / 64);
	ck_assert_uint_le(p99, 2098000 + 2098000 / 64);
	hist_free(&before);
	hist_free(&now);
	hist_free(&d);
}
END_TEST

static Suite *top_view_suite(void)
{
	Suite *s = suite_create("top_view");
	TCase *tc = tcase_create("Intervals");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_intervals_add_up);
	tcase_add_test(tc, test_idle_gil);
	tcase_add_test(tc, test_long_hold);
	tcase_add_test(tc, test_gone_process);
	tcase_add_test(tc, test_final_interval);
	tcase_add_test(tc, test_gil_end_known);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_top_holder);
	tcase_add_test(tc, test_top_holder_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("Histogram differences");
	tcase_add_loop_test(tc, test_hist_diff, 0, sizeof(diff_cases) / sizeof(diff_cases[0]));
	tcase_add_test(tc, test_hist_diff_percentile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(top_view_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
