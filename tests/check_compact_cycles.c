/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Compact cycles (giltrace(7)) read exactly as the events they stand
 * for: random well-formed GIL histories of a few threads, recorded once
 * in today's layout and once compacted the way the contract lets the
 * shim compact them (gil_cycle for a cycle nothing else touched,
 * gil_cycle_open before whatever event comes inside a pending one),
 * must give the same report, byte for byte (JSON and text: every
 * counter, distribution, share, call site, Python function and
 * blocker), and the observer the same intervals and instants per
 * thread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/report.h"

#define PID	100
#define GIL	0x1000
#define COND	0x2000
#define NTHREADS 3
#define NCODES	3
#define MAXEV	4000

/* Events of one history; the Python frames live in the step. */
struct step {
	struct gs_event ev;
	uint64_t code[1];
	uint32_t instr[1];
	uint64_t acode[1];
	uint32_t ainstr[1];
	uint64_t abt[1];
};

static struct step today[MAXEV], compact[MAXEV];
static size_t ntoday, ncompact;

/* Deterministic, so that a failure replays (seeded per loop index). */
static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t) (rng >> 33) % n;
}

static struct step *push(struct step *to, size_t *n, enum gs_event_type type, int64_t ts, int64_t tid)
{
	struct step *s;

	ck_assert_uint_lt(*n, MAXEV);
	s = &to[(*n)++];
	memset(s, 0, sizeof(*s));
	s->ev.type = type;
	s->ev.ts = ts;
	s->ev.vpid = PID;
	s->ev.vtid = tid;
	s->ev.procname = "proc";
	s->ev.addr = GIL;
	return s;
}

/* Frames and callers that differ per event, so that misplaced ones show. */
static void with_frames(struct step *s)
{
	s->code[0] = 0x7000 + 0x100 * rnd(NCODES);
	s->instr[0] = 2 * rnd(8);
	s->ev.caller = 0x400000 + rnd(4);
	s->ev.pycode = s->code;
	s->ev.pyinstr = s->instr;
	s->ev.npycode = s->ev.npyinstr = rnd(4) ? 1 : 0;
}

enum tstate { IDLE, TRYING, WAITING, HOLDING };

/*
 * A well-formed history of a condvar GIL (the grammar of giltrace(7)):
 * threads begin attempts, wait while it is held, wake (or time out),
 * take it when free, release it telling the waiters, now and then give
 * an attempt up.
 */
static void make_history(int sem)
{
	enum tstate st[NTHREADS + 1] = { IDLE };
	uint32_t waits[NTHREADS + 1] = { 0 }, timeouts[NTHREADS + 1] = { 0 };
	int64_t holder = 0, ts = 1000;
	struct step *s;
	size_t n = 200 + rnd(600);

	ntoday = 0;
	for (int64_t c = 0; c < NCODES; c++) {
		s = push(today, &ntoday, GS_EV_PY_CODE, ts, 1);
		s->ev.addr = 0x7000 + 0x100 * (uint64_t) c;
		s->ev.name = c == 0 ? "spin" : c == 1 ? "io" : "Thread.run";
		s->ev.filename = "app.py";
		s->ev.firstlineno = 10 * (int32_t) c + 1;
	}
	s = push(today, &ntoday, GS_EV_GIL_IDENTIFIED, ts, 1);
	s->ev.addr2 = COND;
	s->ev.kind = sem ? "semaphore" : "mutex+condvar";
	s->ev.method = "callsite-symbol";
	s->ev.runtime = sem ? "CPython 2.7.18" : "CPython 3.11.7";
	while (ntoday < n) {
		/* Stretches where thread 1 runs alone (the stress case),
		 * between stretches where all of them fight. */
		int64_t t = (ntoday / 40) % 2 ? 1 : 1 + rnd(NTHREADS);
		uint32_t attempting = 0;

		/* Equal times happen (a coarse clock); mostly they move on. */
		ts += rnd(5) ? 1 + rnd(2000) : 0;
		for (int i = 1; i <= NTHREADS; i++) {
			attempting += st[i] == TRYING || st[i] == WAITING;
		}
		switch (st[t]) {
		case IDLE:
			s = push(today, &ntoday, GS_EV_GIL_ACQUIRE_BEGIN, ts, t);
			s->ev.caller = 0x400100;
			st[t] = TRYING;
			waits[t] = timeouts[t] = 0;
			break;
		case TRYING:
			if (!rnd(25)) {
				s = push(today, &ntoday, GS_EV_GIL_ACQUIRE_ABANDON, ts, t);
				s->ev.waits = waits[t];
				s->ev.timeouts = timeouts[t];
				st[t] = IDLE;
			} else if (!holder) {
				s = push(today, &ntoday, GS_EV_GIL_ACQUIRE_END, ts, t);
				s->ev.waits = waits[t];
				s->ev.timeouts = timeouts[t];
				with_frames(s);
				st[t] = HOLDING;
				holder = t;
			} else if (!sem) {
				s = push(today, &ntoday, GS_EV_GIL_WAIT_BEGIN, ts, t);
				s->ev.addr2 = COND;
				waits[t]++;
				st[t] = WAITING;
			}
			break;
		case WAITING:
			s = push(today, &ntoday, GS_EV_GIL_WAIT_END, ts, t);
			s->ev.timed_out = (uint8_t) !rnd(4);
			timeouts[t] += s->ev.timed_out;
			st[t] = TRYING;
			break;
		case HOLDING:
			s = push(today, &ntoday, GS_EV_GIL_RELEASE, ts, t);
			s->ev.waiters = attempting;
			s->ev.signalled = (uint8_t) (attempting && rnd(3));
			with_frames(s);
			st[t] = IDLE;
			holder = 0;
			break;
		}
	}
}

/* ---- the compaction the contract allows ------------------------------ */

/* The one pending cycle of the GIL (at most one, as in the shim). */
static struct {
	int64_t tid;			/* 0: none */
	const struct step *begin;
	const struct step *end;		/* NULL: still attempting */
} pend;

static void copy_cycle(struct step *s)
{
	s->ev.begin_ts = pend.begin->ev.ts;
	s->ev.begin_caller = pend.begin->ev.caller;
	if (!pend.end) {
		return;
	}
	s->ev.acquired_ts = pend.end->ev.ts;
	s->ev.acquire_caller = pend.end->ev.caller;
	s->acode[0] = pend.end->code[0];
	s->ainstr[0] = pend.end->instr[0];
	s->ev.acquire_pycode = s->acode;
	s->ev.acquire_pyinstr = s->ainstr;
	s->ev.nacquire_pycode = s->ev.nacquire_pyinstr = pend.end->ev.npycode;
	s->abt[0] = 0x500000 + (uint64_t) pend.end->ev.ts % 3;
	s->ev.acquire_backtrace = s->abt;
	s->ev.nacquire_backtrace = 0;
}

/* The thread about to emit at ts opens the pending cycle first. */
static void open_pending(int64_t by, int64_t ts)
{
	struct step *s;

	if (!pend.tid) {
		return;
	}
	s = push(compact, &ncompact, GS_EV_GIL_CYCLE_OPEN, ts, by);
	s->ev.tid = pend.tid;
	copy_cycle(s);
	pend.tid = 0;
}

static void copy_step(const struct step *from)
{
	struct step *s = push(compact, &ncompact, from->ev.type, from->ev.ts, from->ev.vtid);

	*s = *from;
	s->ev.pycode = s->code;
	s->ev.pyinstr = s->instr;
}

static void compact_history(void)
{
	ncompact = 0;
	pend.tid = 0;
	for (size_t i = 0; i < ntoday; i++) {
		const struct step *e = &today[i];
		int64_t t = e->ev.vtid;

		if (e->ev.type == GS_EV_PY_CODE || e->ev.type == GS_EV_GIL_IDENTIFIED) {
			copy_step(e);
			continue;
		}
		if (pend.tid == t) {
			if (e->ev.type == GS_EV_GIL_ACQUIRE_END && e->ev.waits == 0 && !pend.end) {
				pend.end = e;
				continue;
			}
			if (e->ev.type == GS_EV_GIL_RELEASE && pend.end) {
				/* The event itself comes a little after the release
				 * it tells (the shim reads the release's time first). */
				struct step *s = push(compact, &ncompact, GS_EV_GIL_CYCLE, e->ev.ts, t);

				copy_cycle(s);
				s->ev.released_ts = e->ev.ts;
				s->ev.caller = e->ev.caller;
				/* With its waiters: another thread may be
				 * attempting all along, without an event. */
				s->ev.waiters = e->ev.waiters;
				s->ev.signalled = e->ev.signalled;
				s->code[0] = e->code[0];
				s->instr[0] = e->instr[0];
				s->ev.pycode = s->code;
				s->ev.pyinstr = s->instr;
				s->ev.npycode = s->ev.npyinstr = e->ev.npycode;
				pend.tid = 0;
				continue;
			}
		}
		open_pending(t, e->ev.ts);
		/* A begin with nothing pending becomes pending itself. */
		if (e->ev.type == GS_EV_GIL_ACQUIRE_BEGIN && rnd(8)) {
			pend.tid = t;
			pend.begin = e;
			pend.end = NULL;
			continue;
		}
		copy_step(e);
	}
	/* Still pending when the process ends: the shim opens it at exit
	 * (giltrace(7)), so the trace holds its begin and acquisition. */
	if (pend.tid) {
		open_pending(pend.tid, today[ntoday - 1].ev.ts);
	}
}

/* ---- comparing ------------------------------------------------------- */

#define SEEN_MAX 8192

struct seen {
	int64_t tid;
	int state;
	int64_t from, to;
};

struct run {
	struct gs_analysis a;
	struct seen seen[SEEN_MAX];
	size_t nseen;
	char *json, *text;
	size_t json_len, text_len;
};

static struct run run_today, run_compact;

static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state, int64_t from,
		int64_t to)
{
	struct run *r = arg;

	ck_assert_uint_lt(r->nseen, SEEN_MAX);
	r->seen[r->nseen++] = (struct seen) { gt->thread->tid, (int) state, from, to };
}

static void on_instant(void *arg, const struct gs_gil_thread *gt, enum gs_instant what, int64_t ts)
{
	on_interval(arg, gt, (enum gs_state) (-1 - (int) what), ts, ts);
}

/* Per thread the observer is told in time order: compare by thread. */
static int seen_cmp(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;

	if (a->tid != b->tid) {
		return a->tid < b->tid ? -1 : 1;
	}
	return 0;
}

static void analyse(struct run *r, const struct step *steps, size_t n)
{
	struct gs_observer obs = { on_interval, on_instant, r };
	struct trace_list traces = { NULL, 0, 0 };
	struct trace_read_stats stats;
	struct report rep;
	FILE *f;

	memset(&stats, 0, sizeof(stats));
	r->nseen = 0;
	gs_init(&r->a, 0);
	gs_observe(&r->a, &obs);
	for (size_t i = 0; i < n; i++) {
		gs_feed(&r->a, &steps[i].ev);
	}
	gs_finish(&r->a);
	memset(&rep, 0, sizeof(rep));
	rep.a = &r->a;
	rep.traces = &traces;
	rep.stats = &stats;
	f = open_memstream(&r->json, &r->json_len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_json(f, &rep), 0);
	fclose(f);
	f = open_memstream(&r->text, &r->text_len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_text(f, &rep), 0);
	fclose(f);
	/* A stable sort keeps each thread's own order. */
	for (size_t i = 1; i < r->nseen; i++) {
		for (size_t j = i; j > 0 && seen_cmp(&r->seen[j - 1], &r->seen[j]) > 0; j--) {
			struct seen tmp = r->seen[j];

			r->seen[j] = r->seen[j - 1];
			r->seen[j - 1] = tmp;
		}
	}
}

static void run_free(struct run *r)
{
	gs_free(&r->a);
	free(r->json);
	free(r->text);
	r->json = r->text = NULL;
}

/* The first line where two reports differ, short enough for check's
 * message. */
static void check_report(const char *got, const char *want)
{
	size_t i = 0, line = 0;

	while (got[i] && got[i] == want[i]) {
		if (got[i] == '\n') {
			line = i + 1;
		}
		i++;
	}
	if (got[i] != want[i]) {
		ck_abort_msg("reports differ at: %.120s | today: %.120s", got + line, want + line);
	}
}

static void check_same(void)
{
	analyse(&run_today, today, ntoday);
	analyse(&run_compact, compact, ncompact);
	check_report(run_compact.json, run_today.json);
	check_report(run_compact.text, run_today.text);
	ck_assert_uint_eq(run_compact.nseen, run_today.nseen);
	for (size_t i = 0; i < run_today.nseen; i++) {
		ck_assert_int_eq(run_compact.seen[i].tid, run_today.seen[i].tid);
		ck_assert_int_eq(run_compact.seen[i].state, run_today.seen[i].state);
		ck_assert_int_eq(run_compact.seen[i].from, run_today.seen[i].from);
		ck_assert_int_eq(run_compact.seen[i].to, run_today.seen[i].to);
	}
	ck_assert_int_eq(run_compact.a.first_ts, run_today.a.first_ts);
	ck_assert_int_eq(run_compact.a.last_ts, run_today.a.last_ts);
	run_free(&run_today);
	run_free(&run_compact);
}

/* How many events the compact layout saved, over every history. */
static size_t saved, cycles, opened, with_waiters;

static void count_compact(void)
{
	saved += ntoday - ncompact;
	for (size_t i = 0; i < ncompact; i++) {
		cycles += compact[i].ev.type == GS_EV_GIL_CYCLE;
		with_waiters += compact[i].ev.type == GS_EV_GIL_CYCLE && compact[i].ev.waiters > 0;
		opened += compact[i].ev.type == GS_EV_GIL_CYCLE_OPEN;
	}
}

START_TEST(test_condvar_histories)
{
	rng = 0x9e3779b97f4a7c15ull * (uint64_t) (_i + 1);
	make_history(0);
	compact_history();
	count_compact();
	check_same();
}
END_TEST

START_TEST(test_semaphore_histories)
{
	rng = 0xc2b2ae3d27d4eb4full * (uint64_t) (_i + 1);
	make_history(1);
	compact_history();
	count_compact();
	check_same();
}
END_TEST

/* The generator must produce both compact events, or the test proves
 * nothing about them. */
START_TEST(test_histories_compact)
{
	saved = cycles = opened = with_waiters = 0;
	for (int i = 0; i < 50; i++) {
		rng = 0x9e3779b97f4a7c15ull * (uint64_t) (i + 1);
		make_history(i & 1);
		compact_history();
		count_compact();
	}
	ck_assert_uint_gt(cycles, 50);
	ck_assert_uint_gt(with_waiters, 10);
	ck_assert_uint_gt(opened, 100);
	ck_assert_uint_gt(saved, 2 * cycles);
}
END_TEST

/* A time older than its GIL's last event (a damaged trace) is clamped
 * and counted, never fed backwards. */
START_TEST(test_cycle_backwards)
{
	struct gs_event ev = { .type = GS_EV_GIL_ACQUIRE_BEGIN, .ts = 100, .vpid = PID, .vtid = 1,
		.addr = GIL };
	struct gs_gil *g;

	gs_init(&run_today.a, 0);
	gs_feed(&run_today.a, &ev);
	ev.type = GS_EV_GIL_ACQUIRE_ABANDON;
	ev.ts = 200;
	gs_feed(&run_today.a, &ev);
	ev.type = GS_EV_GIL_CYCLE;
	ev.vtid = 2;
	ev.ts = 300;
	ev.begin_ts = 150;
	ev.acquired_ts = 250;
	ev.released_ts = 290;
	gs_feed(&run_today.a, &ev);
	gs_finish(&run_today.a);
	g = gs_process_find(&run_today.a, PID)->gils;
	ck_assert_uint_eq(run_today.a.anomalies[GS_AN_TIME_BACKWARDS], 1);
	ck_assert_uint_eq(g->c.acquisitions, 1);
	ck_assert_uint_eq(g->d.wait.sum, 50);
	/* The hold ends at the release's own time, not the event's. */
	ck_assert_uint_eq(g->d.hold.sum, 40);
	ck_assert_uint_eq(run_today.a.events, 5);
	gs_free(&run_today.a);
}
END_TEST

static Suite *compact_cycles_suite(void)
{
	Suite *s = suite_create("compact_cycles");
	TCase *tc = tcase_create("Histories");

	tcase_add_loop_test(tc, test_condvar_histories, 0, 300);
	tcase_add_loop_test(tc, test_semaphore_histories, 0, 300);
	tcase_add_test(tc, test_histories_compact);
	tcase_add_test(tc, test_cycle_backwards);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compact_cycles_suite());
	int failed;

	/*
	 * One process for all 602 tests: each history starts from nothing
	 * (make_history, analyse), and a fork per test is what made this
	 * test take 248 s under AddressSanitizer (its shadow memory is
	 * copied at every fork) against 30 s without.
	 */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
