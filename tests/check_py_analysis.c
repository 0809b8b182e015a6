/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The Python side of the analysis core fed hand-built event sequences
 * with Python frames: thread names, the Python functions of a GIL, who
 * made whom wait, and what a view is told about a hold.  Every expected
 * figure is worked out by hand from the definitions in
 * giltrace-analyze(1) (PYTHON, BLOCKERS), in the comments beside it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/gil_analysis.h"
#include "tests/core_lookup.h"

#define PID	100
#define GIL	0x1000
#define COND	0x2000

/*
 * Code objects of the sequences, with co_lnotab tables (format 1) easy
 * to read by hand: spin_until is on line 37 at offsets 0-9, 38 at 10-19,
 * 39 from 20 on; blocking_calls on 50 at 0-7, 52 from 8 on; the others
 * on their first line throughout.
 */
#define SPIN	0x7000
#define BLOCK	0x7100
#define MODULE	0x7200
#define HOG	0x7300
#define UNNAMED	0x7f00		/* never named by a py_code event */

static const struct {
	uint64_t code;
	const char *name;
	const char *file;
	int32_t firstlineno;
	uint8_t table[4];
	uint32_t ntable;
} codes[] = {
	{ SPIN, "spin_until", "/src/gil_convoy.py", 37, { 10, 1, 10, 1 }, 4 },
	{ BLOCK, "blocking_calls", "/src/gil_convoy.py", 50, { 8, 2 }, 2 },
	{ MODULE, "<module>", "/src/gil_convoy.py", 1, { 0 }, 0 },
	{ HOG, "cpu_hog", "/src/gil_convoy.py", 30, { 0 }, 0 },
};

/* A step of a sequence: one event, in the fewest words. */
struct step {
	enum gs_event_type type;
	int64_t ts;
	int64_t tid;
	uint32_t a;		/* waits / timed_out / waiters */
	uint32_t b;		/* timeouts / signalled */
	uint64_t code;		/* the innermost frame's code object (0: none); a thread's target */
	uint32_t instr;		/* its byte offset */
	const char *str;	/* thread_name, py_frames_off */
};

#define BEGIN(ts, tid)				{ GS_EV_GIL_ACQUIRE_BEGIN, ts, tid, 0, 0, 0, 0, NULL }
#define WAIT(ts, tid)				{ GS_EV_GIL_WAIT_BEGIN, ts, tid, 0, 0, 0, 0, NULL }
#define WOKEN(ts, tid)				{ GS_EV_GIL_WAIT_END, ts, tid, 0, 0, 0, 0, NULL }
#define TIMEOUT(ts, tid)			{ GS_EV_GIL_WAIT_END, ts, tid, 1, 0, 0, 0, NULL }
#define END(ts, tid, w, to, code, instr)	{ GS_EV_GIL_ACQUIRE_END, ts, tid, w, to, code, instr, NULL }
#define ABANDON(ts, tid, w, to)			{ GS_EV_GIL_ACQUIRE_ABANDON, ts, tid, w, to, 0, 0, NULL }
#define REL(ts, tid, code, instr)		{ GS_EV_GIL_RELEASE, ts, tid, 1, 1, code, instr, NULL }
#define TARGET(ts, tid, code)			{ GS_EV_PY_THREAD_TARGET, ts, tid, 0, 0, code, 0, NULL }
#define NAME(ts, tid, s)			{ GS_EV_THREAD_NAME, ts, tid, 0, 0, 0, 0, s }
#define FRAMES_OFF(ts, tid, s)			{ GS_EV_PY_FRAMES_OFF, ts, tid, 0, 0, 0, 0, s }

static struct gs_analysis an;

/* ---- What a view is told about holds ----------------------------- */

#define HOLDS_MAX 16

struct told_hold {
	int64_t tid, from, to;
	const char *func;
	int32_t line;
};

static struct told_hold told[HOLDS_MAX];
static size_t ntold;

static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state, int64_t from, int64_t to)
{
	const struct py_where *w = gs_hold_where(gt->gil);

	(void) arg;
	/* the long sequences of the limits are not looked at */
	if (state != GS_STATE_HOLDING || ntold == HOLDS_MAX) {
		return;
	}
	told[ntold++] = (struct told_hold) { gt->thread->tid, from, to, w->func->name, w->line };
}

static const struct gs_observer observer = { on_interval, NULL, NULL };

/* ---- Feeding ------------------------------------------------------- */

static void feed_codes(int64_t pid, const char *runtime)
{
	struct gs_event ev = { .type = GS_EV_GIL_IDENTIFIED, .vpid = pid, .vtid = pid, .procname = "python3",
		.addr = GIL, .addr2 = COND, .kind = "mutex+condvar", .method = "callsite-symbol",
		.runtime = runtime };

	gs_feed(&an, &ev);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ev = (struct gs_event) { .type = GS_EV_PY_CODE, .vpid = pid, .vtid = pid, .procname = "python3",
			.addr = codes[i].code, .name = codes[i].name, .filename = codes[i].file,
			.firstlineno = codes[i].firstlineno, .linetable_format = PY_LT_LNOTAB,
			.linetable = codes[i].table, .nlinetable = codes[i].ntable };
		gs_feed(&an, &ev);
	}
}

static void feed_step(const struct step *s, int64_t pid)
{
	uint64_t code = s->code;
	uint32_t instr = s->instr;
	struct gs_event ev = {
		.type = s->type, .ts = s->ts, .vpid = pid, .vtid = s->tid, .procname = "python3",
		.addr = GIL,
	};

	switch (s->type) {
	case GS_EV_GIL_WAIT_BEGIN:
		ev.addr2 = COND;
		break;
	case GS_EV_GIL_WAIT_END:
		ev.timed_out = (uint8_t) s->a;
		break;
	case GS_EV_GIL_ACQUIRE_END:
	case GS_EV_GIL_ACQUIRE_ABANDON:
		ev.waits = s->a;
		ev.timeouts = s->b;
		break;
	case GS_EV_GIL_RELEASE:
		ev.waiters = s->a;
		ev.signalled = (uint8_t) s->b;
		break;
	case GS_EV_PY_THREAD_TARGET:
		ev.addr = s->code;
		break;
	case GS_EV_THREAD_NAME:
		ev.name = s->str;
		break;
	case GS_EV_PY_FRAMES_OFF:
		ev.reason = s->str;
		break;
	default:
		break;
	}
	if (code && (s->type == GS_EV_GIL_ACQUIRE_END || s->type == GS_EV_GIL_RELEASE)) {
		ev.pycode = &code;
		ev.pyinstr = &instr;
		ev.npycode = ev.npyinstr = 1;
	}
	gs_feed(&an, &ev);
}

/*
 * Whatever the sequence: each thread's blockers add up to its waited
 * time plus the counted surplus, and the functions' holds, held time,
 * acquisitions and abandoned attempts to the GIL's.
 */
static void check_sums(void)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&an.procs, &pos, &v)) {
		for (struct gs_gil *g = ((struct gs_process *) v)->gils; g; g = g->next) {
			uint64_t holds = 0, held = 0, acquisitions = 0, abandoned = 0;
			size_t fpos = 0;
			void *f;

			for (struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
				uint64_t parts = 0;
				size_t bpos = 0;
				void *b;

				while (idmap_next(&gt->blockers.by_key, &bpos, &b)) {
					parts += ((struct py_blocker *) b)->ns;
				}
				ck_assert_uint_eq(parts, gt->waited_ns + gt->blockers.excess_ns);
				ck_assert_int_eq(gt->blockers.pending, 0);
			}
			while (idmap_next(&g->funcs.by_func, &fpos, &f)) {
				const struct py_fstat *s = f;

				holds += s->holds;
				held += s->held_ns;
				acquisitions += s->acquisitions;
				abandoned += s->abandoned;
			}
			ck_assert_uint_eq(holds, g->d.hold.count);
			ck_assert_uint_eq(held, g->held_ns);
			ck_assert_uint_eq(acquisitions, g->c.acquisitions);
			ck_assert_uint_eq(abandoned, g->c.abandoned);
		}
	}
}

static void feed_in(const struct step *steps, size_t n, int64_t pid, const char *runtime)
{
	feed_codes(pid, runtime);
	for (size_t i = 0; i < n; i++) {
		feed_step(&steps[i], pid);
	}
	gs_finish(&an);
	check_sums();
}

#define FEED(steps) feed_in(steps, sizeof(steps) / sizeof(steps[0]), PID, "CPython 3.9.18")

static void setup(void)
{
	gs_init(&an, 0);
	gs_observe(&an, &observer);
	ntold = 0;
}

static void teardown(void)
{
	gs_free(&an);
}

/* The GIL of the sequences, and a thread's dealings with it. */
#define the_gil() core_gil(&an, PID, GIL)
#define thread_of(tid) core_thread(&an, PID, GIL, tid)

/* The entry of the function named name (a constant's name for those). */
static const struct py_fstat *func_of(const char *name)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&the_gil()->funcs.by_func, &pos, &v)) {
		if (strcmp(((struct py_fstat *) v)->func->name, name) == 0) {
			return v;
		}
	}
	ck_abort_msg("no function %s", name);
	return NULL;
}

/* Expected figures of one function. */
struct want_func {
	const char *name;
	uint64_t holds, held_ns, longest_hold_ns;
	int32_t longest_hold_line;
	uint64_t acquisitions, contended, abandoned, attempts, waits, failed_wakeups, timeouts;
	uint64_t waited_ns, longest_wait_ns;
	int32_t longest_wait_line;
};

static void check_funcs(const struct want_func *w, size_t n)
{
	ck_assert_uint_eq(the_gil()->funcs.by_func.len, n);
	for (size_t i = 0; i < n; i++) {
		const struct py_fstat *s = func_of(w[i].name);

		ck_assert_msg(s->holds == w[i].holds && s->held_ns == w[i].held_ns
				&& s->longest_hold_ns == w[i].longest_hold_ns
				&& s->longest_hold_line == w[i].longest_hold_line,
			"%s: holds %llu, held %llu, longest %llu at line %d", w[i].name,
			(unsigned long long) s->holds, (unsigned long long) s->held_ns,
			(unsigned long long) s->longest_hold_ns, s->longest_hold_line);
		ck_assert_msg(s->acquisitions == w[i].acquisitions && s->contended == w[i].contended
				&& s->abandoned == w[i].abandoned && s->attempts == w[i].attempts
				&& s->waits == w[i].waits && s->failed_wakeups == w[i].failed_wakeups
				&& s->timeouts == w[i].timeouts,
			"%s: acquisitions %llu contended %llu abandoned %llu attempts %llu waits %llu failed %llu timeouts %llu",
			w[i].name, (unsigned long long) s->acquisitions, (unsigned long long) s->contended,
			(unsigned long long) s->abandoned, (unsigned long long) s->attempts,
			(unsigned long long) s->waits, (unsigned long long) s->failed_wakeups,
			(unsigned long long) s->timeouts);
		ck_assert_msg(s->waited_ns == w[i].waited_ns && s->longest_wait_ns == w[i].longest_wait_ns
				&& s->longest_wait_line == w[i].longest_wait_line,
			"%s: waited %llu, longest %llu at line %d", w[i].name, (unsigned long long) s->waited_ns,
			(unsigned long long) s->longest_wait_ns, s->longest_wait_line);
	}
}

#define CHECK_FUNCS(w) check_funcs(w, sizeof(w) / sizeof(w[0]))

/* Expected blockers of one waiting thread: holder 0 for the gap. */
struct want_blocker {
	int64_t holder;
	const char *func;
	int32_t line;
	uint64_t ns;
};

static void check_blockers(int64_t tid, const struct want_blocker *w, size_t n, uint64_t excess)
{
	const struct py_btable *b = &thread_of(tid)->blockers;

	ck_assert_msg(b->by_key.len == n, "thread %lld: %zu blockers, want %zu", (long long) tid,
		b->by_key.len, n);
	ck_assert_uint_eq(b->excess_ns, excess);
	for (size_t i = 0; i < n; i++) {
		size_t pos = 0;
		void *v;
		int found = 0;

		while (idmap_next(&b->by_key, &pos, &v)) {
			const struct py_blocker *p = v;

			found |= (p->holder ? p->holder->tid : 0) == w[i].holder
				&& strcmp(p->where.func->name, w[i].func) == 0 && p->where.line == w[i].line
				&& p->ns == w[i].ns;
		}
		ck_assert_msg(found, "thread %lld: no %lld ns behind %lld %s:%d", (long long) tid,
			(long long) w[i].ns, (long long) w[i].holder, w[i].func, w[i].line);
	}
}

#define CHECK_BLOCKERS(tid, w, excess) check_blockers(tid, w, sizeof(w) / sizeof(w[0]), excess)

/* ---- Functions, blockers, names ----------------------------------- */

/*
 * The convoy: 101 spins in spin_until, 102 (blocking_calls) waits behind
 * it, then 101 waits behind 102, then the main thread behind 101.
 *   101 holds 11..50, released in spin_until at offset 20 (line 39);
 *   102 waits 20..57: behind that hold 20..50 (30), the gap 50..57 (7);
 *   102 holds 57..80, released in blocking_calls at 0 (line 50);
 *   101 waits 60..83: behind 102 60..80 (20), gap 80..83 (3), and its
 *       first attempt 10..11 was all gap (1);
 *   101 holds 83..100, released at offset 25 (line 39);
 *   100 waits 90..102: behind 101 90..100 (10), gap 100..102 (2), and
 *       resumes without a Python frame;
 *   100 holds 102..110, released in <module> (line 1).
 */
static const struct step convoy[] = {
	TARGET(1, 101, HOG), NAME(2, 101, "hog"), TARGET(3, 102, BLOCK),
	BEGIN(10, 101), END(11, 101, 0, 0, SPIN, 0),
	BEGIN(20, 102), WAIT(21, 102),
	REL(50, 101, SPIN, 20),
	WOKEN(55, 102), END(57, 102, 1, 0, BLOCK, 8),
	BEGIN(60, 101), WAIT(61, 101),
	REL(80, 102, BLOCK, 0),
	WOKEN(82, 101), END(83, 101, 1, 0, SPIN, 10),
	BEGIN(90, 100), WAIT(91, 100),
	REL(100, 101, SPIN, 25),
	WOKEN(101, 100), END(102, 100, 1, 0, 0, 0),
	REL(110, 100, MODULE, 0),
};

START_TEST(test_convoy_functions)
{
	static const struct want_func w[] = {
		/* two holds of 39 and 17, both released on line 39; acquired
		 * at 11 (line 37, waited 1) and at 83 (line 38, waited 23) */
		{ "spin_until", 2, 56, 39, 39, 2, 1, 0, 2, 1, 0, 0, 24, 23, 38 },
		{ "blocking_calls", 1, 23, 23, 50, 1, 1, 0, 1, 1, 0, 0, 37, 37, 52 },
		{ "<module>", 1, 8, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, PY_NO_LINE },
		{ "(no Python frame)", 0, 0, 0, PY_NO_LINE, 1, 1, 0, 1, 1, 0, 0, 12, 12, PY_NO_LINE },
	};

	FEED(convoy);
	CHECK_FUNCS(w);
	ck_assert_uint_eq(the_gil()->held_ns, 39 + 23 + 17 + 8);
}
END_TEST

START_TEST(test_convoy_blockers)
{
	static const struct want_blocker w102[] = {
		{ 101, "spin_until", 39, 30 }, { 0, "(hand-off gap)", PY_NO_LINE, 7 },
	};
	static const struct want_blocker w101[] = {
		{ 102, "blocking_calls", 50, 20 }, { 0, "(hand-off gap)", PY_NO_LINE, 3 + 1 },
	};
	static const struct want_blocker w100[] = {
		{ 101, "spin_until", 39, 10 }, { 0, "(hand-off gap)", PY_NO_LINE, 2 },
	};

	FEED(convoy);
	CHECK_BLOCKERS(102, w102, 0);
	CHECK_BLOCKERS(101, w101, 0);
	CHECK_BLOCKERS(100, w100, 0);
	ck_assert_uint_eq(thread_of(102)->waited_ns, 37);
}
END_TEST

START_TEST(test_convoy_names_and_holds_told)
{
	static const struct told_hold w[] = {
		{ 101, 11, 50, "spin_until", 39 },
		{ 102, 57, 80, "blocking_calls", 50 },
		{ 101, 83, 100, "spin_until", 39 },
		{ 100, 102, 110, "<module>", 1 },
	};

	FEED(convoy);
	/* its own name first, then its target's, MainThread for the main one */
	ck_assert_str_eq(gs_thread_name(thread_of(101)->thread), "hog");
	ck_assert_str_eq(gs_thread_name(thread_of(102)->thread), "blocking_calls");
	ck_assert_str_eq(gs_thread_name(thread_of(100)->thread), "MainThread");
	ck_assert_uint_eq(ntold, sizeof(w) / sizeof(w[0]));
	for (size_t i = 0; i < ntold; i++) {
		ck_assert_int_eq(told[i].tid, w[i].tid);
		ck_assert_int_eq(told[i].from, w[i].from);
		ck_assert_int_eq(told[i].to, w[i].to);
		ck_assert_str_eq(told[i].func, w[i].func);
		ck_assert_int_eq(told[i].line, w[i].line);
	}
}
END_TEST

/*
 * An attempt abandoned inside a hold: its time is pending until the
 * hold's release says where it was.  2 waits 5..20, abandons; 1 holds
 * 1..30 and releases in spin_until at 10 (line 38).
 */
START_TEST(test_abandoned_inside_hold)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, SPIN, 0),
		BEGIN(5, 2), WAIT(6, 2), TIMEOUT(16, 2), ABANDON(20, 2, 1, 1),
		REL(30, 1, SPIN, 10),
	};
	static const struct want_blocker w2[] = { { 1, "spin_until", 38, 15 } };
	static const struct want_func w[] = {
		{ "spin_until", 1, 29, 29, 38, 1, 0, 0, 1, 0, 0, 0, 1, 1, 37 },
		/* the abandon carries no frame */
		{ "(no Python frame)", 0, 0, 0, PY_NO_LINE, 0, 0, 1, 1, 1, 0, 1, 15, 15, PY_NO_LINE },
	};

	FEED(s);
	CHECK_BLOCKERS(2, w2, 0);
	CHECK_FUNCS(w);
}
END_TEST

/*
 * An attempt whose end is lost: 2 waits from 5, its last state change at
 * 6, 1 releases at 10 (2 split up to 10: 5 behind 1), 2 begins again at
 * 12: its first attempt counts 1 ns of waiting (5..6), split 5: 4 ns
 * surplus.  The new attempt is all gap: 12..14.
 */
START_TEST(test_lost_end_surplus)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, SPIN, 0),
		BEGIN(5, 2), WAIT(6, 2),
		REL(10, 1, SPIN, 10),
		BEGIN(12, 2), END(14, 2, 0, 0, BLOCK, 0),
	};
	static const struct want_blocker w2[] = {
		{ 1, "spin_until", 38, 5 }, { 0, "(hand-off gap)", PY_NO_LINE, 2 },
	};

	FEED(s);
	ck_assert_uint_eq(thread_of(2)->waited_ns, 1 + 2);
	CHECK_BLOCKERS(2, w2, 4);
	ck_assert_uint_eq(the_gil()->anomalies[GS_AN_ATTEMPT_RESTARTED], 1);
}
END_TEST

/*
 * The trace ends while 1 holds (since 1) and 2 waits (since 5): the
 * open hold has no release, so it is placed at (no Python frame), held
 * 19 ns; 2 waited 15 ns behind it.
 */
START_TEST(test_open_at_end)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, SPIN, 0),
		BEGIN(5, 2), WAIT(6, 2),
		BEGIN(20, 3),
	};
	static const struct want_blocker w2[] = { { 1, "(no Python frame)", PY_NO_LINE, 15 } };
	static const struct want_func w[] = {
		{ "spin_until", 0, 0, 0, PY_NO_LINE, 1, 0, 0, 1, 0, 0, 0, 1, 1, 37 },
		{ "(no Python frame)", 0, 19, 0, PY_NO_LINE, 0, 0, 0, 0, 0, 0, 0, 0, 0, PY_NO_LINE },
	};
	static const struct told_hold told_w = { 1, 1, 20, "(no Python frame)", PY_NO_LINE };

	FEED(s);
	CHECK_BLOCKERS(2, w2, 0);
	CHECK_FUNCS(w);
	ck_assert_uint_eq(ntold, 1);
	ck_assert_int_eq(told[0].from, told_w.from);
	ck_assert_int_eq(told[0].to, told_w.to);
	ck_assert_str_eq(told[0].func, told_w.func);
}
END_TEST

/*
 * A hold that ends without its release (1's release lost, 2 acquires at
 * 10): 2's wait behind it is placed at (1, no Python frame).  An
 * unnamed code object's frame is placed at (unnamed code object).
 */
START_TEST(test_lost_release_and_unnamed)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, SPIN, 0),
		BEGIN(4, 2), END(10, 2, 0, 0, UNNAMED, 4), REL(12, 2, UNNAMED, 6),
	};
	static const struct want_blocker w2[] = { { 1, "(no Python frame)", PY_NO_LINE, 6 } };

	FEED(s);
	CHECK_BLOCKERS(2, w2, 0);
	ck_assert_uint_eq(func_of("(unnamed code object)")->holds, 1);
	ck_assert_uint_eq(func_of("(unnamed code object)")->acquisitions, 1);
	ck_assert_int_eq(func_of("(unnamed code object)")->longest_hold_line, PY_NO_LINE);
	ck_assert_uint_eq(the_gil()->anomalies[GS_AN_ACQUIRED_WHILE_HELD], 1);
}
END_TEST

/*
 * A hold is placed where it was released, and where the longest one was
 * taken is kept: 1 takes the GIL in blocking_calls (line 50) and
 * releases it in spin_until (line 38) 10 ns later, then holds 3 ns
 * within spin_until; then a longer hold taken at line 39 replaces it.
 */
START_TEST(test_longest_hold_taken)
{
	static const struct step first[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, BLOCK, 0), REL(11, 1, SPIN, 10),
		BEGIN(12, 1), END(13, 1, 0, 0, SPIN, 20), REL(16, 1, SPIN, 0),
	};
	static const struct step longer[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, BLOCK, 0), REL(11, 1, SPIN, 10),
		BEGIN(12, 1), END(13, 1, 0, 0, SPIN, 20), REL(16, 1, SPIN, 0),
		BEGIN(20, 1), END(21, 1, 0, 0, SPIN, 20), REL(41, 1, SPIN, 0),
	};
	const struct py_fstat *s;

	FEED(first);
	s = func_of("spin_until");
	ck_assert_uint_eq(s->holds, 2);
	ck_assert_uint_eq(s->longest_hold_ns, 10);
	ck_assert_int_eq(s->longest_hold_line, 38);
	ck_assert_str_eq(s->longest_hold_taken_func->name, "blocking_calls");
	ck_assert_int_eq(s->longest_hold_taken_line, 50);
	ck_assert_uint_eq(func_of("blocking_calls")->holds, 0);
	gs_free(&an);

	gs_init(&an, 0);
	FEED(longer);
	s = func_of("spin_until");
	ck_assert_uint_eq(s->longest_hold_ns, 20);
	ck_assert_int_eq(s->longest_hold_line, 37);
	ck_assert_str_eq(s->longest_hold_taken_func->name, "spin_until");
	ck_assert_int_eq(s->longest_hold_taken_line, 39);
}
END_TEST

/*
 * co_lnotab's deltas are read as the GIL's runtime says: the table
 * (4, 150) puts offset 4 on line 37 + 150 on 2.7, 37 - 106 = none on 3.x.
 */
START_TEST(test_lnotab_by_runtime)
{
	static const uint8_t table[] = { 4, 150 };
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0, 0x9000, 0), REL(5, 1, 0x9000, 4),
	};
	struct gs_event ev = { .type = GS_EV_PY_CODE, .vpid = PID, .vtid = PID, .addr = 0x9000,
		.name = "jump", .filename = "j.py", .firstlineno = 37, .linetable_format = PY_LT_LNOTAB,
		.linetable = table, .nlinetable = 2 };

	gs_feed(&an, &ev);
	feed_in(s, sizeof(s) / sizeof(s[0]), PID, "CPython 2.7.18");
	ck_assert_int_eq(func_of("jump")->longest_hold_line, 187);
	ck_assert_int_eq(func_of("jump")->longest_wait_line, 37);
	gs_free(&an);

	gs_init(&an, 0);
	gs_feed(&an, &ev);
	feed_in(s, sizeof(s) / sizeof(s[0]), PID, "CPython 3.8.18");
	ck_assert_int_eq(func_of("jump")->longest_hold_line, PY_NO_LINE);
}
END_TEST

/* Names by preference; the latest thread_name wins, an empty one unnames. */
START_TEST(test_thread_names)
{
	static const struct step s[] = {
		NAME(1, 1, "first"), NAME(2, 1, "second"),
		NAME(3, 2, "gone"), NAME(4, 2, ""), TARGET(5, 2, BLOCK),
		TARGET(6, 3, UNNAMED),
		BEGIN(10, 1), END(11, 1, 0, 0, 0, 0), REL(12, 1, 0, 0),
		BEGIN(13, 2), END(14, 2, 0, 0, 0, 0), REL(15, 2, 0, 0),
		BEGIN(16, 3), END(17, 3, 0, 0, 0, 0), REL(18, 3, 0, 0),
	};

	FEED(s);
	ck_assert_str_eq(gs_thread_name(thread_of(1)->thread), "second");
	ck_assert_str_eq(gs_thread_name(thread_of(2)->thread), "blocking_calls");
	/* an unnamed target names nothing: the procname */
	ck_assert_str_eq(gs_thread_name(thread_of(3)->thread), "python3");
}
END_TEST

/* Without Python frames: procnames, and everything at (no Python frame). */
START_TEST(test_no_python)
{
	struct gs_event ev = { .type = GS_EV_GIL_ACQUIRE_BEGIN, .vpid = 7, .vtid = 7, .procname = "ruby",
		.addr = GIL };
	struct gs_process *p;
	const struct gs_gil *g;

	gs_feed(&an, &ev);
	ev.type = GS_EV_GIL_ACQUIRE_END;
	ev.ts = 1;
	gs_feed(&an, &ev);
	ev.type = GS_EV_GIL_RELEASE;
	ev.ts = 5;
	gs_feed(&an, &ev);
	gs_finish(&an);
	p = gs_process_find(&an, 7);
	g = gs_gil_find(p, GIL);
	ck_assert_int_eq(p->py_frames, 0);
	ck_assert_str_eq(gs_thread_name(g->threads->thread), "ruby");
	ck_assert_uint_eq(g->funcs.by_func.len, 1);
	ck_assert_uint_eq(((struct py_fstat *) idmap_get(&g->funcs.by_func,
		(uint64_t) (uintptr_t) &py_func_none))->held_ns, 4);
}
END_TEST

START_TEST(test_frames_off)
{
	static const struct step s[] = {
		FRAMES_OFF(1, PID, "CPython 3.99 has no known frame layout"), FRAMES_OFF(2, PID, "again"),
		BEGIN(10, PID), END(11, PID, 0, 0, 0, 0), REL(12, PID, 0, 0),
	};

	FEED(s);
	ck_assert_str_eq(gs_process_find(&an, PID)->py_frames_off, "CPython 3.99 has no known frame layout");
}
END_TEST

/* ---- Memory bounds -------------------------------------------------- */

/* More functions than a GIL keeps: the rest under (other functions),
 * the totals complete. */
START_TEST(test_functions_capped)
{
	const int n = PY_FUNCS_MAX + 10;
	uint64_t held = 0;

	feed_codes(PID, "CPython 3.9.18");
	for (int i = 0; i < n; i++) {
		char name[32];
		uint64_t code = 0x100000 + (uint64_t) i * 16;
		struct gs_event ev = { .type = GS_EV_PY_CODE, .vpid = PID, .vtid = 1, .addr = code,
			.name = name, .filename = "many.py", .firstlineno = i + 1,
			.linetable_format = PY_LT_LNOTAB };
		struct step s[] = {
			BEGIN(10 * i, 1), END(10 * i + 1, 1, 0, 0, code, 0), REL(10 * i + 3, 1, code, 0),
		};

		snprintf(name, sizeof(name), "f%d", i);
		gs_feed(&an, &ev);
		for (size_t k = 0; k < 3; k++) {
			feed_step(&s[k], PID);
		}
		held += 2;
	}
	gs_finish(&an);
	check_sums();
	ck_assert_uint_eq(the_gil()->funcs.by_func.len, PY_FUNCS_MAX);
	/* PY_FUNCS_MAX - 1 functions kept: 11 left over, acquired and released */
	ck_assert_uint_eq(func_of("(other functions)")->holds, 11);
	ck_assert_uint_eq(the_gil()->funcs.dropped, 2 * 11);
	ck_assert_uint_eq(the_gil()->held_ns, held);
}
END_TEST

/* More code objects than a process keeps: the rest are unnamed. */
START_TEST(test_codes_capped)
{
	struct gs_process *p;
	struct step s[] = {
		BEGIN(1, 1), END(2, 1, 0, 0, 0x10 + (uint64_t) PY_CODES_MAX * 16, 0), REL(3, 1, 0x10, 0),
	};

	for (uint64_t i = 0; i <= PY_CODES_MAX; i++) {
		struct gs_event ev = { .type = GS_EV_PY_CODE, .vpid = PID, .vtid = 1, .addr = 0x10 + i * 16,
			.name = "same", .filename = "same.py", .firstlineno = 1, .linetable_format = PY_LT_LNOTAB };

		gs_feed(&an, &ev);
	}
	for (size_t k = 0; k < 3; k++) {
		feed_step(&s[k], PID);
	}
	gs_finish(&an);
	p = gs_process_find(&an, PID);
	ck_assert_uint_eq(p->codes.by_addr.len, PY_CODES_MAX);
	ck_assert_uint_eq(p->codes.dropped, 1);
	/* one function: the same name, file and line */
	ck_assert_uint_eq(p->codes.funcs.len, 1);
	ck_assert_uint_eq(func_of("(unnamed code object)")->acquisitions, 1);
	ck_assert_uint_eq(func_of("same")->holds, 1);
}
END_TEST

/* A thread behind more (holder, line) than it keeps: the rest under
 * (other blockers), still adding up. */
START_TEST(test_blockers_capped)
{
	const int n = PY_BLOCKERS_MAX + 5;

	feed_codes(PID, "CPython 3.9.18");
	feed_step(&(struct step) BEGIN(0, 2), PID);
	/* each hold by a holder of its own */
	for (int i = 0; i < n; i++) {
		struct step s[] = {
			BEGIN(10 * i + 1, 1000 + i), END(10 * i + 2, 1000 + i, 0, 0, SPIN, 0),
			REL(10 * i + 7, 1000 + i, SPIN, 0),
		};

		for (size_t k = 0; k < 3; k++) {
			feed_step(&s[k], PID);
		}
	}
	feed_step(&(struct step) END(10 * n + 1, 2, 0, 0, SPIN, 0), PID);
	gs_finish(&an);
	check_sums();
	ck_assert_uint_eq(thread_of(2)->blockers.by_key.len, PY_BLOCKERS_MAX);
	/* the gap took a slot too: PY_BLOCKERS_MAX - 2 holders kept */
	ck_assert_uint_eq(thread_of(2)->blockers.dropped, (uint64_t) n - (PY_BLOCKERS_MAX - 2));
}
END_TEST

static Suite *py_analysis_suite(void)
{
	Suite *s = suite_create("py_analysis");
	TCase *tc = tcase_create("Functions and blockers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_convoy_functions);
	tcase_add_test(tc, test_convoy_blockers);
	tcase_add_test(tc, test_convoy_names_and_holds_told);
	tcase_add_test(tc, test_abandoned_inside_hold);
	tcase_add_test(tc, test_lost_end_surplus);
	tcase_add_test(tc, test_open_at_end);
	tcase_add_test(tc, test_lost_release_and_unnamed);
	tcase_add_test(tc, test_longest_hold_taken);
	tcase_add_test(tc, test_lnotab_by_runtime);
	suite_add_tcase(s, tc);
	tc = tcase_create("Names");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_thread_names);
	tcase_add_test(tc, test_no_python);
	tcase_add_test(tc, test_frames_off);
	suite_add_tcase(s, tc);
	tc = tcase_create("Limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_functions_capped);
	tcase_add_test(tc, test_codes_capped);
	tcase_add_test(tc, test_blockers_capped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(py_analysis_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
