/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Call-site attribution in the analysis core (analyzer/callsite_table.c):
 * which functions are GIL machinery, which frame an event goes to, and
 * the per-site figures of hand-built sequences, worked out by hand from
 * the rules in giltrace-analyze(1).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/callsite_table.h"
#include "analyzer/gil_analysis.h"
#include "tests/core_lookup.h"

#define PID	100
#define GIL	0x1000

/* Code addresses of the sequences below, and their names. */
#define TAKE		0x500010	/* take_gil: every acquisition's caller */
#define DROP		0x500020	/* drop_gil: every release's caller */
#define RESTORE		0x500030	/* PyEval_RestoreThread */
#define SAVE		0x500040	/* PyEval_SaveThread */
#define EXT_ACQ		0x700010	/* hold_gil, after Py_BLOCK_THREADS */
#define EXT_REL		0x700020	/* hold_gil, after Py_UNBLOCK_THREADS */
#define EVAL		0x500100	/* _PyEval_EvalFrameDefault */
#define STRIPPED	0x600010	/* no symbol: a stripped binary */

static const struct {
	uint64_t addr;
	const char *symbol;
	const char *binary;
} names[] = {
	{ TAKE, "take_gil.lto_priv.0", "/usr/lib/libpython3.13.so" },
	{ DROP, "drop_gil", "/usr/lib/libpython3.13.so" },
	{ RESTORE, "PyEval_RestoreThread", "/usr/lib/libpython3.13.so" },
	{ SAVE, "PyEval_SaveThread", "/usr/lib/libpython3.13.so" },
	{ EXT_ACQ, "hold_gil", "/tmp/gilhold.so" },
	{ EXT_REL, "hold_gil", "/tmp/gilhold.so" },
	{ EVAL, "_PyEval_EvalFrameDefault", "/usr/lib/libpython3.13.so" },
	{ STRIPPED, "[unknown]", "/usr/bin/python3.11" },
};

static struct gs_analysis an;

static void setup(void)
{
	gs_init(&an, 0);
}

static void teardown(void)
{
	gs_free(&an);
}

static void feed_event(enum gs_event_type type, int64_t ts, int64_t tid, uint64_t caller,
		const uint64_t *bt, uint32_t nbt)
{
	struct gs_event ev = {
		.type = type, .ts = ts, .vpid = PID, .vtid = tid, .procname = "proc",
		.addr = GIL, .caller = caller, .backtrace = bt, .nbacktrace = nbt,
	};

	gs_feed(&an, &ev);
}

static void feed_names(void)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gs_event ev = {
			.type = GS_EV_GIL_CALLSITE, .ts = 1, .vpid = PID, .vtid = PID,
			.addr = names[i].addr, .symbol = names[i].symbol, .offset = 0x10,
			.binary = names[i].binary, .binary_offset = names[i].addr & 0xffff,
		};

		gs_feed(&an, &ev);
	}
}

/* The GIL of the sequences, and a thread's dealings with it. */
#define the_gil() core_gil(&an, PID, GIL)

static const struct cs_site *site(uint64_t addr)
{
	const struct cs_site *s = idmap_get(&the_gil()->sites.by_addr, addr);

	ck_assert_msg(s != NULL, "no call site %#llx", (unsigned long long) addr);
	return s;
}

/* ---- Machinery names --------------------------------------------- */

static const struct {
	const char *symbol;
	int machinery;
} machinery_cases[] = {
	{ "take_gil", 1 },
	{ "take_gil.lto_priv.0", 1 },
	{ "drop_gil.isra.0", 1 },
	{ "PyEval_RestoreThread", 1 },
	{ "PyEval_SaveThread", 1 },
	{ "PyEval_AcquireThread", 1 },
	{ "PyEval_ReleaseLock", 1 },
	{ "PyGILState_Ensure", 1 },
	{ "_PyThreadState_Attach", 1 },
	{ "_Py_HandlePending", 1 },
	{ "eval_frame_handle_pending.part.0", 1 },
	{ "PyThread_acquire_lock", 1 },
	{ "PyThread_acquire_lock_timed", 1 },
	{ "PyThread_release_lock", 1 },
	/* the callers that matter */
	{ "lock_PyThread_acquire_lock", 0 },
	{ "PyEval_EvalFrameEx", 0 },
	{ "_PyEval_EvalFrameDefault", 0 },
	{ "PyThread_start_new_thread", 0 },
	{ "take_gil_soon", 0 },
	{ "time_sleep", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

START_TEST(test_machinery_names)
{
	ck_assert_msg(cs_is_machinery(machinery_cases[_i].symbol) == machinery_cases[_i].machinery,
		"%s", machinery_cases[_i].symbol ? machinery_cases[_i].symbol : "(null)");
}
END_TEST

/* ---- Which frame --------------------------------------------------- */

static const struct {
	uint64_t caller;
	uint64_t bt[4];
	uint32_t nbt;
	uint64_t want;
	int in_machinery;
} frame_cases[] = {
	/* Py_BLOCK_THREADS in an extension: past the C API */
	{ TAKE, { RESTORE, EXT_ACQ, EVAL }, 3, EXT_ACQ, 0 },
	/* drop_gil inlined into PyEval_SaveThread: the caller is skipped */
	{ SAVE, { EXT_REL, EVAL }, 2, EXT_REL, 0 },
	/* a stripped caller of the C API counts as outside */
	{ TAKE, { RESTORE, STRIPPED, EVAL }, 3, STRIPPED, 0 },
	/* an address never named counts as outside */
	{ TAKE, { 0x900000, RESTORE }, 2, 0x900000, 0 },
	/* backtrace too short: its outermost frame, flagged */
	{ TAKE, { RESTORE }, 1, RESTORE, 1 },
	/* no backtrace: the caller, flagged */
	{ TAKE, { 0 }, 0, TAKE, 1 },
};

START_TEST(test_frame)
{
	int in_machinery = -1;
	struct gs_process *p;

	feed_names();
	p = gs_process_find(&an, PID);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(cs_attribute(&p->names, frame_cases[_i].caller, frame_cases[_i].bt,
		frame_cases[_i].nbt, &in_machinery), frame_cases[_i].want);
	ck_assert_int_eq(in_machinery, frame_cases[_i].in_machinery);
}
END_TEST

/* ---- Figures per site ---------------------------------------------- */

static const uint64_t BT_EXT_ACQ[] = { RESTORE, EXT_ACQ, EVAL };
static const uint64_t BT_EXT_REL[] = { EXT_REL, EVAL };
static const uint64_t BT_EVAL[] = { EVAL };

/*
 * Thread 1 takes the GIL at the extension's acquire site twice and
 * releases it at the extension's release site; thread 2 waits (one
 * failed wake-up) and takes it in the eval loop.
 *
 *   t1: begin 100, end 110 (EXT_ACQ), release 360 (EXT_REL)   hold 250
 *   t2: begin 200, wait 210-365 woken, wait 366-370 woken,
 *       end 375 (EVAL, waits 2), release 400 (EVAL)           hold 25
 *   t1: begin 380, wait 390-405 woken, end 410 (EXT_ACQ, waits 1),
 *       release 1010 (EXT_REL)                                hold 600
 *   t2: begin 1000, end 1020 (EVAL), trace ends at 1100       open 80
 */
static void feed_sequence(void)
{
	feed_names();
	feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 100, 1, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_ACQUIRE_END, 110, 1, TAKE, BT_EXT_ACQ, 3);
	feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 200, 2, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_BEGIN, 210, 2, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_RELEASE, 360, 1, SAVE, BT_EXT_REL, 2);
	feed_event(GS_EV_GIL_WAIT_END, 365, 2, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_BEGIN, 366, 2, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_END, 370, 2, TAKE, NULL, 0);
	{
		struct gs_event ev = {
			.type = GS_EV_GIL_ACQUIRE_END, .ts = 375, .vpid = PID, .vtid = 2, .addr = GIL,
			.caller = TAKE, .backtrace = BT_EVAL, .nbacktrace = 1, .waits = 2,
		};

		gs_feed(&an, &ev);
	}
	feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 380, 1, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_BEGIN, 390, 1, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_RELEASE, 400, 2, DROP, BT_EVAL, 1);
	feed_event(GS_EV_GIL_WAIT_END, 405, 1, TAKE, NULL, 0);
	{
		struct gs_event ev = {
			.type = GS_EV_GIL_ACQUIRE_END, .ts = 410, .vpid = PID, .vtid = 1, .addr = GIL,
			.caller = TAKE, .backtrace = BT_EXT_ACQ, .nbacktrace = 3, .waits = 1,
		};

		gs_feed(&an, &ev);
	}
	feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 1000, 2, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_RELEASE, 1010, 1, SAVE, BT_EXT_REL, 2);
	feed_event(GS_EV_GIL_ACQUIRE_END, 1020, 2, TAKE, BT_EVAL, 1);
	feed_event(GS_EV_GIL_WAIT_BEGIN, 1100, 3, TAKE, NULL, 0);	/* ends the trace */
	gs_finish(&an);
}

START_TEST(test_site_figures)
{
	const struct cs_site *a, *e;

	feed_sequence();
	ck_assert(!an.oom);
	a = site(EXT_ACQ);
	ck_assert_uint_eq(a->acquisitions, 2);
	ck_assert_uint_eq(a->holds, 2);
	ck_assert_uint_eq(a->held_ns, 250 + 600);
	ck_assert_uint_eq(a->longest_hold_ns, 600);
	ck_assert_uint_eq(a->longest_hold_release, EXT_REL);
	ck_assert_uint_eq(a->waits, 1);
	ck_assert_uint_eq(a->contended, 1);
	ck_assert_uint_eq(a->failed_wakeups, 0);
	ck_assert_uint_eq(a->waited_ns, 10 + 30);
	ck_assert_uint_eq(a->longest_wait_ns, 30);
	ck_assert_int_eq(a->in_machinery, 0);

	e = site(EVAL);
	ck_assert_uint_eq(e->acquisitions, 2);
	ck_assert_uint_eq(e->holds, 1);
	/* the open hold (1020 to the trace's end at 1100) counts in the total */
	ck_assert_uint_eq(e->held_ns, 25 + 80);
	ck_assert_uint_eq(e->longest_hold_ns, 25);
	ck_assert_uint_eq(e->longest_hold_release, EVAL);
	ck_assert_uint_eq(e->waits, 2);
	ck_assert_uint_eq(e->failed_wakeups, 1);
	ck_assert_uint_eq(e->waited_ns, 175 + 20);
	ck_assert_uint_eq(e->releases, 1);

	ck_assert_uint_eq(site(EXT_REL)->releases, 2);
	ck_assert_uint_eq(site(EXT_REL)->acquisitions, 0);
	ck_assert_uint_eq(the_gil()->sites.by_addr.len, 3);
	ck_assert_uint_eq(the_gil()->sites.max_depth, 3);
}
END_TEST

/* The sites' totals are the GIL's: nothing lost, nothing counted twice. */
START_TEST(test_site_totals)
{
	size_t pos = 0;
	void *v;
	uint64_t acq = 0, rel = 0, held = 0, failed = 0;
	const struct gs_gil *g;

	feed_sequence();
	g = the_gil();
	while (idmap_next(&g->sites.by_addr, &pos, &v)) {
		const struct cs_site *s = v;

		acq += s->acquisitions;
		rel += s->releases;
		held += s->held_ns;
		failed += s->failed_wakeups;
	}
	ck_assert_uint_eq(acq, g->c.acquisitions);
	ck_assert_uint_eq(rel, g->c.releases);
	ck_assert_uint_eq(held, g->held_ns);
	ck_assert_uint_eq(failed, g->c.failed_wakeups);
}
END_TEST

START_TEST(test_abandon_site)
{
	feed_names();
	feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 100, 1, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_BEGIN, 110, 1, TAKE, NULL, 0);
	feed_event(GS_EV_GIL_WAIT_END, 150, 1, TAKE, NULL, 0);
	{
		struct gs_event ev = {
			.type = GS_EV_GIL_ACQUIRE_ABANDON, .ts = 160, .vpid = PID, .vtid = 1,
			.addr = GIL, .caller = TAKE, .waits = 1,
		};

		gs_feed(&an, &ev);
	}
	gs_finish(&an);
	/* no backtrace: the caller, inside the machinery */
	ck_assert_uint_eq(site(TAKE)->abandoned, 1);
	ck_assert_uint_eq(site(TAKE)->waits, 1);
	ck_assert_uint_eq(site(TAKE)->waited_ns, 60);
	ck_assert_int_eq(site(TAKE)->in_machinery, 1);
}
END_TEST

/* ---- Names --------------------------------------------------------- */

START_TEST(test_names)
{
	const struct gs_process *p;
	const struct cs_name *n;
	char buf[128];

	feed_names();
	p = gs_process_find(&an, PID);
	ck_assert_ptr_nonnull(p);
	n = cs_names_find(&p->names, STRIPPED);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_null(n->symbol);
	cs_format(buf, sizeof(buf), &p->names, STRIPPED);
	ck_assert_str_eq(buf, "python3.11+0x10");
	cs_format(buf, sizeof(buf), &p->names, EXT_ACQ);
	ck_assert_str_eq(buf, "hold_gil+0x10 (gilhold.so)");
	cs_format(buf, sizeof(buf), &p->names, 0x123456);
	ck_assert_str_eq(buf, "0x123456");
	cs_format(buf, sizeof(buf), &p->names, 0);
	ck_assert_str_eq(buf, "(other call sites)");
	/* one copy of each binary's path */
	ck_assert_uint_eq(p->names.nbinaries, 3);
}
END_TEST

/* Named again (a forked child, an exec'd image): the latest name wins. */
START_TEST(test_renamed)
{
	struct gs_event ev = {
		.type = GS_EV_GIL_CALLSITE, .ts = 2, .vpid = PID, .vtid = PID, .addr = EXT_ACQ,
		.symbol = "other_function", .offset = 4, .binary = "/tmp/other.so",
	};
	const struct gs_process *p;
	char buf[128];

	feed_names();
	gs_feed(&an, &ev);
	p = gs_process_find(&an, PID);
	cs_format(buf, sizeof(buf), &p->names, EXT_ACQ);
	ck_assert_str_eq(buf, "other_function+0x4 (other.so)");
}
END_TEST

/* ---- Bounds -------------------------------------------------------- */

/* Past CS_SITES_MAX - 1 sites, events go to the "other" entry. */
START_TEST(test_sites_cap)
{
	const uint32_t cycles = CS_SITES_MAX + 9;
	uint64_t acq = 0;
	size_t pos = 0;
	void *v;

	for (uint32_t i = 0; i < cycles; i++) {
		uint64_t where = 0x100000 + (uint64_t) i * 16;

		feed_event(GS_EV_GIL_ACQUIRE_BEGIN, 10 * i, 1, TAKE, NULL, 0);
		feed_event(GS_EV_GIL_ACQUIRE_END, 10 * i + 1, 1, TAKE, &where, 1);
		feed_event(GS_EV_GIL_RELEASE, 10 * i + 5, 1, DROP, &where, 1);
	}
	gs_finish(&an);
	ck_assert(!an.oom);
	ck_assert_uint_eq(the_gil()->sites.by_addr.len, CS_SITES_MAX);
	/* cycles 0 .. CS_SITES_MAX - 2 have their own site; the other ten
	 * put an acquisition and a release each in "other" */
	ck_assert_uint_eq(the_gil()->sites.dropped, 2 * 10);
	ck_assert_uint_eq(site(0)->acquisitions, 10);
	ck_assert_uint_eq(site(0)->holds, 10);
	ck_assert_uint_eq(site(0)->held_ns, 10 * 4);
	while (idmap_next(&the_gil()->sites.by_addr, &pos, &v)) {
		acq += ((const struct cs_site *) v)->acquisitions;
	}
	ck_assert_uint_eq(acq, cycles);
}
END_TEST

START_TEST(test_names_cap)
{
	const struct gs_process *p;

	for (uint32_t i = 0; i < CS_NAMES_MAX + 3; i++) {
		struct gs_event ev = {
			.type = GS_EV_GIL_CALLSITE, .ts = 1, .vpid = PID, .vtid = PID,
			.addr = 0x100000 + (uint64_t) i, .symbol = "f", .binary = "/bin/x",
		};

		gs_feed(&an, &ev);
	}
	p = gs_process_find(&an, PID);
	ck_assert_uint_eq(p->names.by_addr.len, CS_NAMES_MAX);
	ck_assert_uint_eq(p->names.dropped, 3);
	ck_assert(!an.oom);
}
END_TEST

/* The fuzzer's events: no strings at all. */
START_TEST(test_null_strings)
{
	struct gs_event ev = { .type = GS_EV_GIL_CALLSITE, .ts = 1, .vpid = PID, .vtid = PID, .addr = TAKE };
	char buf[64];

	gs_feed(&an, &ev);
	cs_format(buf, sizeof(buf), &gs_process_find(&an, PID)->names, TAKE);
	ck_assert_str_eq(buf, "0x500010");
}
END_TEST

static Suite *callsite_table_suite(void)
{
	Suite *s = suite_create("callsite_table");
	TCase *tc;

	tc = tcase_create("Attribution");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_machinery_names, 0, sizeof(machinery_cases) / sizeof(machinery_cases[0]));
	tcase_add_loop_test(tc, test_frame, 0, sizeof(frame_cases) / sizeof(frame_cases[0]));
	tcase_add_test(tc, test_site_figures);
	tcase_add_test(tc, test_site_totals);
	tcase_add_test(tc, test_abandon_site);
	suite_add_tcase(s, tc);

	tc = tcase_create("Names");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_renamed);
	tcase_add_test(tc, test_null_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("Bounds");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sites_cap);
	tcase_add_test(tc, test_names_cap);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(callsite_table_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
