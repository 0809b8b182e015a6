/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The analysis core fed hand-built event sequences, each with the exact
 * counters, distributions and anomalies it must produce.  The expected
 * values are worked out by hand from the definitions in
 * giltrace-analyze(1), not taken from the code's output.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/gil_analysis.h"
#include "tests/core_lookup.h"
#include "analyzer/hist.h"
#include "analyzer/lock_state.h"

#define PID	100
#define GIL	0x1000
#define COND	0x2000

/* A step of a sequence: one event, in the fewest words. */
struct step {
	enum gs_event_type type;
	int64_t ts;
	int64_t tid;
	uint32_t a;		/* waits / timed_out / waiters */
	uint32_t b;		/* timeouts / signalled */
	int64_t pid;		/* 0: PID */
};

#define BEGIN(ts, tid)			{ GS_EV_GIL_ACQUIRE_BEGIN, ts, tid, 0, 0, 0 }
#define WAIT(ts, tid)			{ GS_EV_GIL_WAIT_BEGIN, ts, tid, 0, 0, 0 }
#define WOKEN(ts, tid)			{ GS_EV_GIL_WAIT_END, ts, tid, 0, 0, 0 }
#define TIMEOUT(ts, tid)		{ GS_EV_GIL_WAIT_END, ts, tid, 1, 0, 0 }
#define END(ts, tid, w, to)		{ GS_EV_GIL_ACQUIRE_END, ts, tid, w, to, 0 }
#define ABANDON(ts, tid, w, to)		{ GS_EV_GIL_ACQUIRE_ABANDON, ts, tid, w, to, 0 }
#define REL(ts, tid, waiters, sig)	{ GS_EV_GIL_RELEASE, ts, tid, waiters, sig, 0 }
#define IDENT(ts, tid, kind)		{ GS_EV_GIL_IDENTIFIED, ts, tid, kind, 0, 0 }
#define EXIT(ts, tid)			{ GS_EV_PROCESS_EXIT, ts, tid, 0, 0, 0 }

enum { KIND_CONDVAR, KIND_SEM };

static struct gs_analysis an;

/* ---- What the observer is told ------------------------------------ */

#define SEEN_MAX 64

struct seen {
	int64_t pid, tid;
	int state;		/* enum gs_state, or -1 - enum gs_instant for an instant */
	int64_t from, to;	/* an instant: at from */
};

/* Everything the observer was told in the current test, in order. */
static struct seen seen[SEEN_MAX];
static size_t nseen;

static void seen_add(const struct gs_gil_thread *gt, int state, int64_t from, int64_t to)
{
	ck_assert_uint_lt(nseen, SEEN_MAX);
	seen[nseen++] = (struct seen) { gt->thread->proc->pid, gt->thread->tid, state, from, to };
}

static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state,
		int64_t from, int64_t to)
{
	(void) arg;
	ck_assert_int_lt(from, to);
	seen_add(gt, (int) state, from, to);
}

static void on_instant(void *arg, const struct gs_gil_thread *gt, enum gs_instant what, int64_t ts)
{
	(void) arg;
	seen_add(gt, -1 - (int) what, ts, ts);
}

static const struct gs_observer observer = { on_interval, on_instant, NULL };

#define INSTANT_FAILED	(-1 - GS_INSTANT_FAILED_WAKEUP)
#define INSTANT_TIMEOUT	(-1 - GS_INSTANT_TIMEOUT)

/*
 * Whatever the sequence, a thread's blockers add up to its waited time
 * plus the surplus counted for attempts whose end was lost, and the
 * Python functions' holds and held time to the GIL's
 * (tests/check_py_analysis.c has the figures with Python frames).
 */
static void check_python_sums(const struct gs_gil *g)
{
	uint64_t holds = 0, held = 0;
	size_t pos = 0;
	void *v;

	for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		uint64_t parts = 0;
		size_t bpos = 0;
		void *b;

		while (idmap_next(&gt->blockers.by_key, &bpos, &b)) {
			parts += ((const struct py_blocker *) b)->ns;
		}
		ck_assert_uint_eq(parts, gt->waited_ns + gt->blockers.excess_ns);
	}
	while (idmap_next(&g->funcs.by_func, &pos, &v)) {
		holds += ((const struct py_fstat *) v)->holds;
		held += ((const struct py_fstat *) v)->held_ns;
	}
	ck_assert_uint_eq(holds, g->d.hold.count);
	ck_assert_uint_eq(held, g->held_ns);
}

/*
 * Whatever the sequence, what the observer was told adds up to each
 * thread's waited and held time and to its failed wake-ups and
 * timeouts: every view built on it shows the core's figures.
 */
static void check_observed_totals(void)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&an.procs, &pos, &v)) {
		for (struct gs_gil *g = ((struct gs_process *) v)->gils; g; g = g->next) {
			check_python_sums(g);
			for (struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
				uint64_t waited = 0, held = 0, failed = 0, timeouts = 0;

				for (size_t i = 0; i < nseen; i++) {
					if (seen[i].tid != gt->thread->tid || seen[i].pid != g->proc->pid) {
						continue;
					}
					if (seen[i].state == GS_STATE_HOLDING) {
						held += (uint64_t) (seen[i].to - seen[i].from);
					} else if (seen[i].state >= 0) {
						waited += (uint64_t) (seen[i].to - seen[i].from);
					}
					failed += seen[i].state == INSTANT_FAILED;
					timeouts += seen[i].state == INSTANT_TIMEOUT;
				}
				ck_assert_uint_eq(waited, gt->waited_ns);
				ck_assert_uint_eq(held, gt->held_ns);
				ck_assert_uint_eq(failed, gt->c.failed_wakeups);
				ck_assert_uint_eq(timeouts, gt->c.timeouts);
			}
		}
	}
}

static void feed(const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct gs_event ev = {
			.type = s->type,
			.ts = s->ts,
			.vpid = s->pid ? s->pid : PID,
			.vtid = s->tid,
			.procname = "proc",
			.addr = GIL,
		};

		switch (s->type) {
		case GS_EV_GIL_IDENTIFIED:
			ev.addr2 = COND;
			ev.kind = s->a == KIND_SEM ? "semaphore" : "mutex+condvar";
			ev.method = s->a == KIND_SEM ? "semaphore-caller" : "callsite-symbol";
			ev.runtime = s->a == KIND_SEM ? "CPython 2.7.18" : "CPython 3.11.7";
			break;
		case GS_EV_GIL_WAIT_BEGIN:
			ev.addr2 = COND;
			break;
		case GS_EV_GIL_WAIT_END:
			ev.timed_out = (uint8_t) s->a;
			ev.ret = s->a ? 110 : 0;
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
		default:
			break;
		}
		gs_feed(&an, &ev);
	}
	gs_finish(&an);
	check_observed_totals();
}

#define FEED(steps) feed(steps, sizeof(steps) / sizeof(steps[0]))

static void setup(void)
{
	gs_init(&an, 0);
	gs_observe(&an, &observer);
	nseen = 0;
}

static void teardown(void)
{
	gs_free(&an);
}

/* The GIL of the sequences, and a thread's dealings with it. */
#define the_gil() core_gil(&an, PID, GIL)
#define thread_of(tid) core_thread(&an, PID, GIL, tid)

/* Expected counters of one thread: -1 for "the GIL's totals". */
struct want {
	int64_t tid;
	uint64_t acquisitions, contended, releases, switches, waits;
	uint64_t failed_wakeups, timeouts, missed_handoffs, abandoned;
};

static void check_counters(const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct gs_counters *c = w[i].tid < 0 ? &the_gil()->c : &thread_of(w[i].tid)->c;

		ck_assert_uint_eq(c->acquisitions, w[i].acquisitions);
		ck_assert_uint_eq(c->contended_acquisitions, w[i].contended);
		ck_assert_uint_eq(c->releases, w[i].releases);
		ck_assert_uint_eq(c->switches, w[i].switches);
		ck_assert_uint_eq(c->waits, w[i].waits);
		ck_assert_uint_eq(c->failed_wakeups, w[i].failed_wakeups);
		ck_assert_uint_eq(c->timeouts, w[i].timeouts);
		ck_assert_uint_eq(c->missed_handoffs, w[i].missed_handoffs);
		ck_assert_uint_eq(c->abandoned, w[i].abandoned);
	}
}

#define CHECK_COUNTERS(w) check_counters(w, sizeof(w) / sizeof(w[0]))

static void check_no_anomalies(void)
{
	for (int i = 0; i < GS_AN_COUNT; i++) {
		ck_assert_msg(an.anomalies[i] == 0, "anomaly %s = %llu", gs_anomaly_name(i),
			(unsigned long long) an.anomalies[i]);
	}
}

/* count, sum, max of a distribution */
static void check_hist(const struct hist *h, uint64_t count, uint64_t sum, uint64_t max)
{
	ck_assert_uint_eq(h->count, count);
	ck_assert_uint_eq(h->sum, sum);
	if (count) {
		ck_assert_uint_eq(h->max, max);
	}
}

/* ---- Counters ---------------------------------------------------- */

START_TEST(test_uncontended)
{
	static const struct step s[] = {
		IDENT(0, 1, KIND_CONDVAR),
		BEGIN(10, 1), END(12, 1, 0, 0), REL(30, 1, 0, 0),
		BEGIN(31, 1), END(32, 1, 0, 0), REL(52, 1, 0, 0),
		BEGIN(60, 1), END(65, 1, 0, 0), REL(100, 1, 0, 0),
	};
	static const struct want w[] = {
		{ 1, 3, 0, 3, 1, 0, 0, 0, 0, 0 },
		{ -1, 3, 0, 3, 1, 0, 0, 0, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	check_hist(&thread_of(1)->d.wait, 3, 2 + 1 + 5, 5);
	check_hist(&thread_of(1)->d.hold, 3, 18 + 20 + 35, 35);
	check_hist(&thread_of(1)->d.wakeup, 0, 0, 0);
	check_hist(&thread_of(1)->d.handoff, 0, 0, 0);
	ck_assert_str_eq(the_gil()->runtime, "CPython 3.11.7");
	ck_assert_str_eq(the_gil()->method, "callsite-symbol");
	ck_assert_int_eq(the_gil()->kind, GS_KIND_CONDVAR);
	ck_assert_uint_eq(the_gil()->cond, COND);
}
END_TEST

/* Thread 2 waits, thread 1 hands over with a signal. */
START_TEST(test_contended_handoff)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1),
		WOKEN(25, 2), END(27, 2, 1, 0),
		REL(40, 2, 0, 0),
	};
	static const struct want w[] = {
		{ 1, 1, 0, 1, 1, 0, 0, 0, 0, 0 },
		{ 2, 1, 1, 1, 1, 1, 0, 0, 0, 0 },
		{ -1, 2, 1, 2, 2, 1, 0, 0, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	check_hist(&thread_of(2)->d.wait, 1, 17, 17);
	check_hist(&thread_of(2)->d.wakeup, 1, 5, 5);
	check_hist(&thread_of(2)->d.handoff, 1, 7, 7);
	check_hist(&thread_of(1)->d.hold, 1, 19, 19);
	check_hist(&thread_of(2)->d.hold, 1, 13, 13);
	check_hist(&the_gil()->d.wait, 2, 1 + 17, 17);
}
END_TEST

/*
 * Beazley's case: thread 2 is woken, but thread 1 took the GIL back
 * first, so thread 2 waits again: one failed wake-up, one missed
 * hand-off, and two wake-up latencies (one per signalling release).
 */
START_TEST(test_failed_wakeup)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1),
		BEGIN(21, 1), END(22, 1, 0, 0),		/* 1 takes it back */
		WOKEN(24, 2), WAIT(25, 2),		/* failed wake-up */
		REL(40, 1, 1, 1),
		WOKEN(43, 2), END(44, 2, 2, 0),
		REL(50, 2, 0, 0),
	};
	static const struct want w[] = {
		{ 1, 2, 0, 2, 1, 0, 0, 0, 0, 0 },
		{ 2, 1, 1, 1, 1, 2, 1, 0, 1, 0 },
		{ -1, 3, 1, 3, 2, 2, 1, 0, 1, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	check_hist(&thread_of(2)->d.wakeup, 2, 4 + 3, 4);
	/* Only the last release went to another thread. */
	check_hist(&thread_of(2)->d.handoff, 1, 4, 4);
	check_hist(&thread_of(1)->d.handoff, 0, 0, 0);
	check_hist(&thread_of(2)->d.wait, 1, 34, 34);
}
END_TEST

/* Timed-out waits are timeouts, not failed wake-ups. */
START_TEST(test_timeouts)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2), TIMEOUT(16, 2), WAIT(17, 2), TIMEOUT(22, 2),
		WAIT(23, 2),
		REL(30, 1, 1, 1),
		WOKEN(31, 2), END(32, 2, 3, 2),
	};
	static const struct want w[] = {
		{ 2, 1, 1, 0, 1, 3, 0, 2, 0, 0 },
		{ -1, 2, 1, 1, 2, 3, 0, 2, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	check_hist(&thread_of(2)->d.wakeup, 1, 1, 1);
}
END_TEST

/* A wake-up followed by a timeout, then a wake-up that succeeds: the
 * first wake-up failed (another wait followed in the same attempt). */
START_TEST(test_woken_then_timeout)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2), WOKEN(12, 2), WAIT(13, 2), TIMEOUT(18, 2),
		WAIT(19, 2), WOKEN(30, 2), END(31, 2, 3, 1),
	};
	static const struct want w[] = {
		{ 2, 1, 1, 0, 1, 3, 1, 1, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	/* thread 1 never released: thread 2's acquisition follows no
	 * release, which is an inconsistency. */
	ck_assert_uint_eq(the_gil()->anomalies[GS_AN_ACQUIRED_WHILE_HELD], 1);
	/* no signalling release: no wake-up latency */
	check_hist(&thread_of(2)->d.wakeup, 0, 0, 0);
}
END_TEST

/* Switches count acquisitions by a thread other than the last holder;
 * the first acquisition is one, as in CPython's own switch counter. */
START_TEST(test_switches)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0), REL(2, 1, 0, 0),
		BEGIN(3, 1), END(4, 1, 0, 0), REL(5, 1, 0, 0),
		BEGIN(6, 2), END(7, 2, 0, 0), REL(8, 2, 0, 0),
		BEGIN(9, 3), END(10, 3, 0, 0), REL(11, 3, 0, 0),
		BEGIN(12, 3), END(13, 3, 0, 0), REL(14, 3, 0, 0),
		BEGIN(15, 1), END(16, 1, 0, 0), REL(17, 1, 0, 0),
	};
	static const struct want w[] = {
		{ 1, 3, 0, 3, 2, 0, 0, 0, 0, 0 },
		{ 2, 1, 0, 1, 1, 0, 0, 0, 0, 0 },
		{ 3, 2, 0, 2, 1, 0, 0, 0, 0, 0 },
		{ -1, 6, 0, 6, 4, 0, 0, 0, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	/* hand-offs: 5->7, 8->10, 14->16 */
	check_hist(&the_gil()->d.handoff, 3, 2 + 2 + 2, 2);
}
END_TEST

/*
 * Missed hand-offs: during thread 3's attempt the GIL is released and
 * taken by thread 2, then by thread 2 again (the releaser itself), then
 * by thread 1: three.  A release before the attempt began does not
 * count, nor an acquisition not preceded by a release during it.
 */
START_TEST(test_missed_handoffs)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		REL(2, 1, 0, 0),			/* before 3's attempt */
		BEGIN(3, 3), WAIT(4, 3),
		BEGIN(5, 2), END(6, 2, 0, 0),		/* release was before: no */
		REL(7, 2, 1, 1),
		BEGIN(8, 2), END(9, 2, 0, 0),		/* 1: the releaser again */
		REL(10, 2, 1, 1),
		BEGIN(11, 1), END(12, 1, 0, 0),		/* 2 */
		REL(13, 1, 1, 1),
		BEGIN(14, 2), END(15, 2, 0, 0),		/* 3 */
		REL(16, 2, 1, 1),
		WOKEN(17, 3), END(18, 3, 1, 0),
		REL(19, 3, 0, 0),
	};
	static const struct want w[] = {
		{ 3, 1, 1, 1, 1, 1, 0, 0, 3, 0 },
		{ 2, 3, 0, 3, 2, 0, 0, 0, 0, 0 },
		{ 1, 2, 0, 2, 2, 0, 0, 0, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	/* The release at 7 signalled while 3 waited, but the next wake-up
	 * of a waiter is at 17: the pending signal is the one at 16. */
	check_hist(&thread_of(3)->d.wakeup, 1, 1, 1);
}
END_TEST

/* Python 2.7: waits invisible, wake-up is the acquisition itself. */
START_TEST(test_semaphore)
{
	static const struct step s[] = {
		IDENT(0, 1, KIND_SEM),
		BEGIN(1, 1), END(2, 1, 0, 0),
		BEGIN(10, 2),				/* held by 1: contended */
		REL(20, 1, 1, 1), BEGIN(21, 1), END(22, 1, 0, 0),	/* missed 1 */
		REL(30, 1, 1, 1), BEGIN(31, 1), END(32, 1, 0, 0),	/* missed 2 */
		REL(40, 1, 1, 1),
		END(45, 2, 0, 0),
		REL(50, 2, 0, 0),
		BEGIN(51, 2), END(52, 2, 0, 0),		/* free: uncontended */
		REL(53, 2, 0, 0),
	};
	static const struct want w[] = {
		{ 1, 3, 0, 3, 1, 0, 0, 0, 0, 0 },
		{ 2, 2, 1, 2, 1, 0, 0, 0, 2, 0 },
		{ -1, 5, 1, 5, 2, 0, 0, 0, 2, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	ck_assert_int_eq(the_gil()->kind, GS_KIND_SEMAPHORE);
	check_hist(&thread_of(2)->d.wakeup, 1, 5, 5);
	check_hist(&thread_of(2)->d.handoff, 1, 5, 5);
	check_hist(&thread_of(2)->d.wait, 2, 35 + 1, 35);
}
END_TEST

/* A semaphore attempt that began while the GIL was free but lost it to
 * another thread is contended too. */
START_TEST(test_semaphore_snatched)
{
	static const struct step s[] = {
		IDENT(0, 1, KIND_SEM),
		BEGIN(1, 1), END(2, 1, 0, 0), REL(3, 1, 0, 0),
		BEGIN(4, 2),				/* free now */
		BEGIN(5, 1), END(6, 1, 0, 0),		/* snatched, no release during: not missed */
		REL(7, 1, 1, 1),
		END(8, 2, 0, 0),
	};
	static const struct want w[] = {
		{ 2, 1, 1, 0, 1, 0, 0, 0, 0, 0 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
}
END_TEST

/* An attempt given up (thread exit at shutdown) is no acquisition. */
START_TEST(test_abandon)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1), BEGIN(21, 1), END(22, 1, 0, 0),
		WOKEN(23, 2), ABANDON(24, 2, 1, 0),
	};
	static const struct want w[] = {
		{ 2, 0, 0, 0, 0, 1, 0, 0, 1, 1 },
		{ -1, 2, 0, 1, 1, 1, 0, 0, 1, 1 },
	};

	FEED(s);
	CHECK_COUNTERS(w);
	check_no_anomalies();
	check_hist(&thread_of(2)->d.wait, 0, 0, 0);
	ck_assert_uint_eq(thread_of(2)->waited_ns, 14);
}
END_TEST

/* Shares: of the GIL's span, for the GIL and for each thread. */
START_TEST(test_shares)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(0, 1, 0, 0),
		BEGIN(10, 2), WAIT(10, 2),
		REL(60, 1, 1, 1),
		WOKEN(70, 2), END(70, 2, 1, 0), REL(100, 2, 0, 0),
	};

	FEED(s);
	/* span 0..100: held 0..60 and 70..100 */
	ck_assert_uint_eq(the_gil()->held_ns, 90);
	ck_assert_double_eq_tol(the_gil()->hold_share, 0.9, 1e-9);
	ck_assert_double_eq_tol(thread_of(1)->hold_share, 0.6, 1e-9);
	ck_assert_double_eq_tol(thread_of(2)->hold_share, 0.3, 1e-9);
	/* thread 2 seen 10..100, waiting 10..70: 60 of the GIL's 100 */
	ck_assert_double_eq_tol(thread_of(2)->wait_share, 0.6, 1e-9);
	ck_assert_double_eq_tol(thread_of(1)->wait_share, 0.0, 1e-9);
	ck_assert_double_eq_tol(the_gil()->wait_share, 0.6, 1e-9);
}
END_TEST

/* Several processes and GILs stay apart, even with equal tids. */
START_TEST(test_processes_apart)
{
	static const struct step s[] = {
		{ GS_EV_GIL_ACQUIRE_BEGIN, 0, 1, 0, 0, 200 },
		BEGIN(1, 1),
		{ GS_EV_GIL_ACQUIRE_END, 2, 1, 0, 0, 200 },
		END(3, 1, 0, 0),
		{ GS_EV_GIL_RELEASE, 4, 1, 0, 0, 200 },
	};
	struct gs_process *p2;

	FEED(s);
	ck_assert_uint_eq(thread_of(1)->c.acquisitions, 1);
	ck_assert_uint_eq(thread_of(1)->c.releases, 0);
	p2 = gs_process_find(&an, 200);
	ck_assert_ptr_nonnull(p2);
	ck_assert_uint_eq(gs_gil_thread_find(gs_gil_find(p2, GIL), 1)->c.releases, 1);
	check_no_anomalies();
}
END_TEST

/* ---- Anomalies --------------------------------------------------- */

struct anomaly_case {
	const char *name;
	struct step steps[12];
	size_t n;
	enum gs_anomaly an;
	uint64_t count;
	struct want want;	/* thread whose counters must not be skewed */
};

static const struct anomaly_case anomaly_cases[] = {
	{ "end without begin (trace began mid-attempt)",
		{ END(5, 1, 1, 0), REL(9, 1, 0, 0) }, 2,
		GS_AN_END_WITHOUT_BEGIN, 1, { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 } },
	{ "abandon without begin",
		{ ABANDON(5, 1, 0, 0) }, 1,
		GS_AN_END_WITHOUT_BEGIN, 1, { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
	{ "wait outside any attempt",
		{ WAIT(1, 1), BEGIN(3, 1), END(4, 1, 0, 0) }, 3,
		GS_AN_WAIT_OUTSIDE_ATTEMPT, 1, { 1, 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
	{ "wait end without its begin",
		{ BEGIN(1, 1), TIMEOUT(2, 1), END(3, 1, 0, 0) }, 3,
		GS_AN_WAIT_END_WITHOUT_BEGIN, 1, { 1, 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
	{ "wait begin while waiting",
		{ BEGIN(1, 1), WAIT(2, 1), WAIT(3, 1), WOKEN(4, 1), END(5, 1, 2, 0) }, 5,
		GS_AN_WAIT_BEGIN_IN_WAIT, 1, { 1, 1, 1, 0, 1, 2, 0, 0, 0, 0 } },
	{ "attempt restarted (lost end, or tid reused)",
		{ BEGIN(1, 1), WAIT(2, 1), WOKEN(3, 1), BEGIN(10, 1), END(11, 1, 0, 0) }, 5,
		GS_AN_ATTEMPT_RESTARTED, 1, { 1, 1, 0, 0, 1, 1, 0, 0, 0, 0 } },
	{ "attempt while holding (lost release)",
		{ BEGIN(1, 1), END(2, 1, 0, 0), BEGIN(3, 1), END(4, 1, 0, 0), REL(5, 1, 0, 0) }, 5,
		GS_AN_ATTEMPT_WHILE_HOLDING, 1, { 1, 2, 0, 1, 1, 0, 0, 0, 0, 0 } },
	{ "acquired while another held it",
		{ BEGIN(1, 1), END(2, 1, 0, 0), BEGIN(3, 2), END(4, 2, 0, 0) }, 4,
		GS_AN_ACQUIRED_WHILE_HELD, 1, { 2, 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
	{ "release by a non-holder",
		{ BEGIN(1, 1), END(2, 1, 0, 0), REL(3, 2, 0, 0) }, 3,
		GS_AN_RELEASE_BY_NON_HOLDER, 1, { 2, 0, 0, 1, 0, 0, 0, 0, 0, 0 } },
	{ "release before any acquisition (trace began mid-hold)",
		{ REL(3, 2, 0, 0), BEGIN(4, 2), END(5, 2, 0, 0) }, 3,
		GS_AN_RELEASE_BEFORE_ACQUIRE, 1, { 2, 1, 0, 1, 1, 0, 0, 0, 0, 0 } },
	{ "summary disagrees with the waits seen",
		{ BEGIN(1, 1), WAIT(2, 1), WOKEN(3, 1), END(4, 1, 2, 1) }, 4,
		GS_AN_SUMMARY_MISMATCH, 1, { 1, 1, 1, 0, 1, 1, 0, 0, 0, 0 } },
	{ "end while still waiting",
		{ BEGIN(1, 1), WAIT(2, 1), END(4, 1, 1, 0) }, 3,
		GS_AN_SUMMARY_MISMATCH, 1, { 1, 1, 1, 0, 1, 1, 0, 0, 0, 0 } },
	{ "attempt open at the end (trace cut, or thread exited mid-wait)",
		{ BEGIN(1, 1), END(2, 1, 0, 0), BEGIN(3, 2), WAIT(4, 2) }, 4,
		GS_AN_OPEN_AT_END, 1, { 2, 0, 0, 0, 0, 1, 0, 0, 0, 0 } },
	{ "time going backwards",
		{ BEGIN(10, 1), END(5, 1, 0, 0), REL(20, 1, 0, 0) }, 3,
		GS_AN_TIME_BACKWARDS, 1, { 1, 1, 0, 1, 1, 0, 0, 0, 0, 0 } },
};

START_TEST(test_anomaly)
{
	const struct anomaly_case *c = &anomaly_cases[_i];

	feed(c->steps, c->n);
	for (int i = 0; i < GS_AN_COUNT; i++) {
		ck_assert_msg(an.anomalies[i] == (i == (int) c->an ? c->count : 0),
			"%s: anomaly %s = %llu", c->name, gs_anomaly_name(i),
			(unsigned long long) an.anomalies[i]);
	}
	check_counters(&c->want, 1);
}
END_TEST

/* Durations never go negative, even out of order. */
START_TEST(test_time_backwards_durations)
{
	static const struct step s[] = {
		BEGIN(10, 1), END(5, 1, 0, 0), REL(7, 1, 0, 0),
	};

	FEED(s);
	check_hist(&thread_of(1)->d.wait, 1, 0, 0);
	check_hist(&thread_of(1)->d.hold, 1, 0, 0);
}
END_TEST

/*
 * A thread still trying to take the GIL when its process exits (a
 * daemon thread at interpreter exit): unfinished, counted, not an
 * anomaly, its wait cut at the GIL's last event as a cut trace's.
 * Without the exit (the trace cut), the same is open_at_end.
 */
START_TEST(test_unfinished_at_exit)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1), BEGIN(25, 1), END(30, 1, 0, 0),
		EXIT(40, 1),
	};

	FEED(s);
	check_no_anomalies();
	ck_assert_uint_eq(thread_of(2)->c.unfinished_at_exit, 1);
	ck_assert_uint_eq(thread_of(1)->c.unfinished_at_exit, 0);
	ck_assert_uint_eq(the_gil()->c.unfinished_at_exit, 1);
	ck_assert_uint_eq(thread_of(2)->waited_ns, 20);
	ck_assert_uint_eq(thread_of(2)->c.acquisitions, 0);
}
END_TEST

START_TEST(test_open_at_end_without_exit)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
	};

	FEED(s);
	ck_assert_uint_eq(an.anomalies[GS_AN_OPEN_AT_END], 1);
	ck_assert_uint_eq(the_gil()->c.unfinished_at_exit, 0);
}
END_TEST

/* A thread cut mid-attempt waits until the GIL's last event. */
START_TEST(test_open_at_end_wait_time)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1), BEGIN(25, 1), END(30, 1, 0, 0),
	};

	FEED(s);
	ck_assert_uint_eq(thread_of(2)->waited_ns, 20);
	/* not counted: the attempt never finished */
	ck_assert_uint_eq(thread_of(2)->c.missed_handoffs, 0);
	/* thread 1 still holds at the end: 1..20 and 30..30 */
	ck_assert_uint_eq(thread_of(1)->held_ns, 19);
}
END_TEST

/* ---- State intervals and instants, as the views get them ---------- */

static void check_seen(const struct seen *want, size_t n)
{
	ck_assert_uint_eq(nseen, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(seen[i].tid == want[i].tid && seen[i].state == want[i].state
				&& seen[i].from == want[i].from && seen[i].to == want[i].to,
			"told #%zu: tid %lld state %d %lld..%lld, want tid %lld state %d %lld..%lld", i,
			(long long) seen[i].tid, seen[i].state, (long long) seen[i].from, (long long) seen[i].to,
			(long long) want[i].tid, want[i].state, (long long) want[i].from, (long long) want[i].to);
	}
}

#define CHECK_SEEN(w) check_seen(w, sizeof(w) / sizeof(w[0]))
#define TOLD(tid, state, from, to)	{ PID, tid, state, from, to }
#define MARK(tid, what, ts)		{ PID, tid, what, ts, ts }

/* Beazley's case, as intervals: told as each one ends, in time order. */
START_TEST(test_states_failed_wakeup)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2),
		REL(20, 1, 1, 1),
		BEGIN(21, 1), END(22, 1, 0, 0),
		WOKEN(24, 2), WAIT(25, 2),
		REL(40, 1, 1, 1),
		WOKEN(43, 2), END(44, 2, 2, 0),
		REL(50, 2, 0, 0),
	};
	static const struct seen w[] = {
		TOLD(1, GS_STATE_TRYING, 0, 1),
		TOLD(2, GS_STATE_TRYING, 10, 11),
		TOLD(1, GS_STATE_HOLDING, 1, 20),
		TOLD(1, GS_STATE_TRYING, 21, 22),
		TOLD(2, GS_STATE_WAITING, 11, 24),
		TOLD(2, GS_STATE_RETRYING, 24, 25),
		MARK(2, INSTANT_FAILED, 25),
		TOLD(1, GS_STATE_HOLDING, 22, 40),
		TOLD(2, GS_STATE_WAITING, 25, 43),
		TOLD(2, GS_STATE_RETRYING, 43, 44),
		TOLD(2, GS_STATE_HOLDING, 44, 50),
	};

	FEED(s);
	CHECK_SEEN(w);
}
END_TEST

/* Timed-out waits; a hold still open at the end is told by gs_finish. */
START_TEST(test_states_timeouts)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2), TIMEOUT(16, 2), WAIT(17, 2), TIMEOUT(22, 2),
		WAIT(23, 2),
		REL(30, 1, 1, 1),
		WOKEN(31, 2), END(32, 2, 3, 2), BEGIN(40, 1),
	};
	static const struct seen w[] = {
		TOLD(1, GS_STATE_TRYING, 0, 1),
		TOLD(2, GS_STATE_TRYING, 10, 11),
		TOLD(2, GS_STATE_WAITING, 11, 16),
		MARK(2, INSTANT_TIMEOUT, 16),
		TOLD(2, GS_STATE_TIMED_OUT, 16, 17),
		TOLD(2, GS_STATE_WAITING, 17, 22),
		MARK(2, INSTANT_TIMEOUT, 22),
		TOLD(2, GS_STATE_TIMED_OUT, 22, 23),
		TOLD(1, GS_STATE_HOLDING, 1, 30),
		TOLD(2, GS_STATE_WAITING, 23, 31),
		TOLD(2, GS_STATE_RETRYING, 31, 32),
		/* gs_finish: the open attempt, then the hold, cut at 40 */
		TOLD(2, GS_STATE_HOLDING, 32, 40),
	};

	FEED(s);
	CHECK_SEEN(w);
	/* thread 1's attempt began at the very end: nothing to tell */
	ck_assert_uint_eq(thread_of(1)->waited_ns, 1);
	ck_assert_uint_eq(thread_of(2)->held_ns, 8);
}
END_TEST

/*
 * An attempt whose end was lost (a new one begins): its time is told
 * and counted up to its last known state change, not beyond.
 */
START_TEST(test_states_restarted)
{
	static const struct step s[] = {
		BEGIN(0, 1), WAIT(5, 1),
		BEGIN(20, 1), END(25, 1, 0, 0), REL(30, 1, 0, 0),
	};
	static const struct seen w[] = {
		TOLD(1, GS_STATE_TRYING, 0, 5),
		TOLD(1, GS_STATE_TRYING, 20, 25),
		TOLD(1, GS_STATE_HOLDING, 25, 30),
	};

	FEED(s);
	CHECK_SEEN(w);
	ck_assert_uint_eq(thread_of(1)->waited_ns, 5 + 5);
	ck_assert_uint_eq(the_gil()->anomalies[GS_AN_ATTEMPT_RESTARTED], 1);
}
END_TEST

/* giltrace top's question: held and waited so far, what is in
 * progress counted up to now; after gs_finish nothing is. */
START_TEST(test_progress)
{
	static const struct step s[] = {
		BEGIN(0, 1), END(1, 1, 0, 0),
		BEGIN(10, 2), WAIT(11, 2), WOKEN(14, 2), WAIT(15, 2),
	};
	uint64_t held, waited;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct gs_event ev = { .type = s[i].type, .ts = s[i].ts, .vpid = PID, .vtid = s[i].tid,
			.addr = GIL, .addr2 = COND };

		gs_feed(&an, &ev);
	}
	gs_gil_thread_progress(thread_of(1), 100, &held, &waited);
	ck_assert_uint_eq(held, 99);
	ck_assert_uint_eq(waited, 1);
	gs_gil_thread_progress(thread_of(2), 100, &held, &waited);
	ck_assert_uint_eq(held, 0);
	ck_assert_uint_eq(waited, 90);
	gs_finish(&an);
	/* the GIL's last event was at 15 */
	gs_gil_thread_progress(thread_of(1), 100, &held, &waited);
	ck_assert_uint_eq(held, 14);
	gs_gil_thread_progress(thread_of(2), 100, &held, &waited);
	ck_assert_uint_eq(waited, 5);
	check_observed_totals();
}
END_TEST

/* Events with an out-of-range type are ignored. */
START_TEST(test_bad_type)
{
	struct gs_event ev = { .type = (enum gs_event_type) 999, .vpid = 1, .vtid = 1 };

	gs_feed(&an, &ev);
	ev.type = (enum gs_event_type) -1;
	gs_feed(&an, &ev);
	gs_finish(&an);
	ck_assert_uint_eq(an.events, 0);
}
END_TEST

/* ---- Histogram --------------------------------------------------- */

START_TEST(test_hist_exact_small)
{
	struct hist h = { 0 };

	for (uint64_t v = 0; v < 64; v++) {
		ck_assert_int_eq(hist_add(&h, v), 0);
	}
	/* nearest rank: 50 % of 64 values is the 32nd, value 31 */
	ck_assert_uint_eq(hist_percentile(&h, 50), 31);
	ck_assert_uint_eq(hist_percentile(&h, 90), 57);
	ck_assert_uint_eq(hist_percentile(&h, 100), 63);
	ck_assert_uint_eq(h.min, 0);
	ck_assert_uint_eq(h.max, 63);
	ck_assert_uint_eq(h.sum, 63 * 64 / 2);
	hist_free(&h);
}
END_TEST

/* Any value's percentile is within 1/64 of it. */
START_TEST(test_hist_precision)
{
	static const uint64_t values[] = {
		64, 65, 100, 1000, 4097, 123456, 999999, 1000000007ULL,
		(1ULL << 40) + 12345, UINT64_MAX / 3, UINT64_MAX,
	};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct hist h = { 0 };
		uint64_t v = values[i];
		uint64_t p;

		/* two values so that the percentile is not the exact max */
		ck_assert_int_eq(hist_add(&h, v), 0);
		ck_assert_int_eq(hist_add(&h, UINT64_MAX), 0);
		p = hist_percentile(&h, 50);
		ck_assert_msg((p > v ? p - v : v - p) <= v / 64, "value %llu reported as %llu",
			(unsigned long long) v, (unsigned long long) p);
		hist_free(&h);
	}
}
END_TEST

START_TEST(test_hist_summary)
{
	struct hist h = { 0 }, m = { 0 };
	struct hist_summary s;

	/* 1..1000 us */
	for (uint64_t v = 1; v <= 1000; v++) {
		ck_assert_int_eq(hist_add(&h, v * 1000), 0);
	}
	ck_assert_int_eq(hist_merge(&m, &h), 0);
	ck_assert_int_eq(hist_merge(&m, &h), 0);
	hist_summarise(&m, &s);
	ck_assert_uint_eq(s.count, 2000);
	ck_assert_uint_eq(s.sum, 2 * 500500000ULL);
	ck_assert_uint_eq(s.mean, 500500);
	ck_assert_uint_eq(s.min, 1000);
	ck_assert_uint_eq(s.max, 1000000);
	ck_assert_uint_le(s.p50 > 500000 ? s.p50 - 500000 : 500000 - s.p50, 500000 / 64);
	ck_assert_uint_le(s.p90 > 900000 ? s.p90 - 900000 : 900000 - s.p90, 900000 / 64);
	ck_assert_uint_le(s.p99 > 990000 ? s.p99 - 990000 : 990000 - s.p99, 990000 / 64);
	hist_free(&h);
	hist_free(&m);
}
END_TEST

START_TEST(test_hist_empty)
{
	struct hist h = { 0 };
	struct hist_summary s;

	hist_summarise(&h, &s);
	ck_assert_uint_eq(s.count, 0);
	ck_assert_uint_eq(s.mean, 0);
	ck_assert_uint_eq(s.p99, 0);
	ck_assert_uint_eq(s.max, 0);
}
END_TEST

/* ---- Locks (--all-locks) ----------------------------------------- */

struct lstep {
	enum gs_event_type type;
	int64_t ts;
	int64_t tid;
	uint64_t addr;
	uint64_t addr2;
	int64_t ret;
	int64_t err;
};

#define M1 0x5000
#define C1 0x6000
#define S1 0x7000

static struct gs_lock *lock_of(uint64_t addr, enum gs_lock_kind kind)
{
	struct gs_process *p = gs_process_find(&an, PID);
	size_t pos = 0;
	void *v;

	ck_assert_ptr_nonnull(p);
	while (idmap_next(&p->locks, &pos, &v)) {
		struct gs_lock *l = v;

		if (l->address == addr && l->kind == kind) {
			return l;
		}
	}
	ck_abort_msg("lock %#llx not found", (unsigned long long) addr);
	return NULL;
}

static void lfeed(const struct lstep *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct gs_event ev = {
			.type = s[i].type, .ts = s[i].ts, .vpid = PID, .vtid = s[i].tid,
			.addr = s[i].addr, .addr2 = s[i].addr2, .ret = s[i].ret, .err = s[i].err,
		};

		gs_feed(&an, &ev);
	}
	gs_finish(&an);
	check_observed_totals();
}

START_TEST(test_locks_mutex)
{
	static const struct lstep s[] = {
		{ GS_EV_MUTEX_LOCK_BEGIN, 0, 1, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_LOCK_END, 1, 1, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_LOCK_BEGIN, 2, 2, M1, 0, 0, 0 },	/* held by 1 */
		{ GS_EV_MUTEX_TRYLOCK, 3, 3, M1, 0, 16, 0 },	/* EBUSY */
		{ GS_EV_MUTEX_UNLOCK, 10, 1, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_LOCK_END, 12, 2, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_UNLOCK, 20, 2, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_TRYLOCK, 21, 2, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_UNLOCK, 22, 2, M1, 0, 0, 0 },
	};
	struct gs_lock *l;

	gs_free(&an);
	gs_init(&an, 1);
	lfeed(s, sizeof(s) / sizeof(s[0]));
	l = lock_of(M1, GS_LOCK_MUTEX);
	ck_assert_uint_eq(l->acquisitions, 3);
	ck_assert_uint_eq(l->contended, 1);
	ck_assert_uint_eq(l->busy, 1);
	ck_assert_uint_eq(l->owner_changes, 1);
	check_hist(&l->wait, 2, 1 + 10, 10);
	check_hist(&l->hold, 3, 9 + 8 + 1, 9);
	ck_assert_int_eq(ls_contended(l), 1);
}
END_TEST

START_TEST(test_locks_cond_sem)
{
	static const struct lstep s[] = {
		{ GS_EV_MUTEX_LOCK_BEGIN, 0, 1, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_LOCK_END, 1, 1, M1, 0, 0, 0 },
		{ GS_EV_COND_WAIT_BEGIN, 2, 1, C1, M1, 0, 0 },	/* releases M1 */
		{ GS_EV_MUTEX_LOCK_BEGIN, 3, 2, M1, 0, 0, 0 },	/* free: uncontended */
		{ GS_EV_MUTEX_LOCK_END, 4, 2, M1, 0, 0, 0 },
		{ GS_EV_COND_SIGNAL, 5, 2, C1, 0, 0, 0 },
		{ GS_EV_MUTEX_UNLOCK, 6, 2, M1, 0, 0, 0 },
		{ GS_EV_COND_WAIT_END, 8, 1, C1, M1, 0, 0 },
		{ GS_EV_MUTEX_UNLOCK, 9, 1, M1, 0, 0, 0 },
		{ GS_EV_SEM_WAIT_BEGIN, 10, 1, S1, 0, 0, 0 },
		{ GS_EV_SEM_TRYWAIT, 11, 2, S1, 0, -1, 11 },	/* EAGAIN */
		{ GS_EV_SEM_POST, 12, 2, S1, 0, 0, 0 },
		{ GS_EV_SEM_WAIT_END, 14, 1, S1, 0, 0, 0 },
		{ GS_EV_SEM_POST, 15, 1, S1, 0, 0, 0 },
		{ GS_EV_SEM_WAIT_BEGIN, 16, 2, S1, 0, 0, 0 },
		{ GS_EV_SEM_WAIT_END, 17, 2, S1, 0, 0, 0 },	/* no post meanwhile */
	};
	struct gs_lock *m, *c, *sem;

	gs_free(&an);
	gs_init(&an, 1);
	lfeed(s, sizeof(s) / sizeof(s[0]));
	m = lock_of(M1, GS_LOCK_MUTEX);
	c = lock_of(C1, GS_LOCK_COND);
	sem = lock_of(S1, GS_LOCK_SEM);
	ck_assert_uint_eq(m->acquisitions, 2);
	ck_assert_uint_eq(m->contended, 0);
	check_hist(&m->hold, 3, 1 + 2 + 1, 2);
	ck_assert_uint_eq(c->acquisitions, 1);
	ck_assert_uint_eq(c->signals, 1);
	check_hist(&c->wait, 1, 6, 6);
	ck_assert_uint_eq(sem->acquisitions, 2);
	ck_assert_uint_eq(sem->contended, 1);
	ck_assert_uint_eq(sem->busy, 1);
	ck_assert_uint_eq(sem->posts, 2);
	ck_assert_uint_eq(sem->owner_changes, 1);
	check_hist(&sem->wait, 2, 4 + 1, 4);
}
END_TEST

/* Without --all-locks, lock calls are not even looked at. */
START_TEST(test_locks_off)
{
	static const struct lstep s[] = {
		{ GS_EV_MUTEX_LOCK_BEGIN, 0, 1, M1, 0, 0, 0 },
		{ GS_EV_MUTEX_LOCK_END, 1, 1, M1, 0, 0, 0 },
	};

	lfeed(s, 2);
	ck_assert_uint_eq(an.events, 0);
	ck_assert_ptr_null(gs_process_find(&an, PID));
}
END_TEST

/* ---- Discards ---------------------------------------------------- */

START_TEST(test_discarded)
{
	gs_discarded(&an, 10, 0, 0);
	gs_discarded(&an, 5, 2, 0);
	gs_discarded(&an, 0, 0, 1);
	ck_assert_uint_eq(an.discarded_events, 15);
	ck_assert_uint_eq(an.discarded_packets, 2);
	ck_assert_int_eq(an.discarded_unknown, 1);
}
END_TEST

static Suite *gil_analysis_suite(void)
{
	Suite *s = suite_create("gil_analysis");
	TCase *tc;

	tc = tcase_create("Counters");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_uncontended);
	tcase_add_test(tc, test_contended_handoff);
	tcase_add_test(tc, test_failed_wakeup);
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_woken_then_timeout);
	tcase_add_test(tc, test_switches);
	tcase_add_test(tc, test_missed_handoffs);
	tcase_add_test(tc, test_semaphore);
	tcase_add_test(tc, test_semaphore_snatched);
	tcase_add_test(tc, test_abandon);
	tcase_add_test(tc, test_shares);
	tcase_add_test(tc, test_processes_apart);
	suite_add_tcase(s, tc);

	tc = tcase_create("Anomalies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_anomaly, 0, sizeof(anomaly_cases) / sizeof(anomaly_cases[0]));
	tcase_add_test(tc, test_time_backwards_durations);
	tcase_add_test(tc, test_open_at_end_wait_time);
	tcase_add_test(tc, test_unfinished_at_exit);
	tcase_add_test(tc, test_open_at_end_without_exit);
	tcase_add_test(tc, test_bad_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("States");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_states_failed_wakeup);
	tcase_add_test(tc, test_states_timeouts);
	tcase_add_test(tc, test_states_restarted);
	tcase_add_test(tc, test_progress);
	suite_add_tcase(s, tc);

	tc = tcase_create("Histogram");
	tcase_add_test(tc, test_hist_exact_small);
	tcase_add_test(tc, test_hist_precision);
	tcase_add_test(tc, test_hist_summary);
	tcase_add_test(tc, test_hist_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("Locks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_locks_mutex);
	tcase_add_test(tc, test_locks_cond_sem);
	tcase_add_test(tc, test_locks_off);
	tcase_add_test(tc, test_discarded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gil_analysis_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
