/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The timeline behind giltrace report --svg/--html: a view of the
 * analysis core.  Hand-built event sequences are fed to the core with a
 * timeline observing it; the columns must hold exactly the core's
 * figures, placed where they happened, whatever the trace's length, and
 * the picture must print the core's numbers and stay bounded.
 */
#define _GNU_SOURCE
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/gil_analysis.h"
#include "frontend/render.h"
#include "frontend/timeline.h"

#define PID	1
#define GIL	0x1000
#define COND	0x2000

static struct gs_analysis an;
static struct timeline *tl;

static void setup(void)
{
	gs_init(&an, 0);
}

static void teardown(void)
{
	timeline_destroy(tl);
	tl = NULL;
	gs_free(&an);
}

static void start(unsigned int columns)
{
	tl = timeline_create(&an, columns);
	ck_assert_ptr_nonnull(tl);
}

/* One GIL event of process PID; a: waits / timed_out / waiters, b: signalled. */
static void feed(enum gs_event_type type, int64_t ts, int64_t tid, uint32_t a, uint32_t b)
{
	struct gs_event ev = {
		.type = type, .ts = ts, .vpid = PID, .vtid = tid, .procname = "python3",
		.addr = GIL, .addr2 = COND,
	};

	if (type == GS_EV_GIL_WAIT_END) {
		ev.timed_out = (uint8_t) a;
	} else if (type == GS_EV_GIL_RELEASE) {
		ev.waiters = a;
		ev.signalled = (uint8_t) b;
	} else {
		ev.waits = a;
	}
	gs_feed(&an, &ev);
}

static void finish(void)
{
	gs_finish(&an);
	ck_assert_int_eq(timeline_finish(tl), 0);
}

static const struct tl_row *row_of(int64_t tid)
{
	for (size_t i = 0; i < tl->nrows; i++) {
		if (tl->rows[i]->gt->thread->tid == tid) {
			return tl->rows[i];
		}
	}
	ck_abort_msg("thread %lld has no row", (long long) tid);
	return NULL;
}

/* Every row's columns add up to the core's own figures, exactly. */
static void assert_columns_are_the_core(void)
{
	for (size_t r = 0; r < tl->nrows; r++) {
		const struct tl_row *row = tl->rows[r];
		uint64_t hold = 0, wait = 0, failed = 0, timeouts = 0;

		for (unsigned int c = 0; c < tl->ncolumns; c++) {
			hold += row->cells[c].hold_ns;
			wait += row->cells[c].wait_ns;
			failed += row->cells[c].failed_wakeups;
			timeouts += row->cells[c].timeouts;
		}
		ck_assert_uint_eq(hold, row->gt->held_ns);
		ck_assert_uint_eq(wait, row->gt->waited_ns);
		ck_assert_uint_eq(failed, row->gt->c.failed_wakeups);
		ck_assert_uint_eq(timeouts, row->gt->c.timeouts);
	}
}

/*
 * Thread 10 holds 1000..3000; thread 20 tries from 1200, waits, is
 * woken, takes it at 3200 and holds until 4000.  8 columns of 512 ns
 * from 1000: each column gets exactly the part of each state inside it.
 */
START_TEST(test_columns_exact)
{
	start(8);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 1000, 10, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 1000, 10, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 1200, 20, 0, 0);
	feed(GS_EV_GIL_WAIT_BEGIN, 1600, 20, 0, 0);
	feed(GS_EV_GIL_RELEASE, 3000, 10, 1, 1);
	feed(GS_EV_GIL_WAIT_END, 3100, 20, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 3200, 20, 1, 0);
	feed(GS_EV_GIL_RELEASE, 4000, 20, 0, 0);
	finish();
	ck_assert_int_eq(tl->t0, 1000);
	ck_assert_int_eq(tl->t_end, 4000);
	ck_assert_uint_eq(tl->width, 512);
	ck_assert_uint_eq(timeline_used_columns(tl), 6);
	/* thread 10 holds 1000..3000: columns 0-2 full, 3 up to 3000 */
	ck_assert_uint_eq(row_of(10)->cells[0].hold_ns, 512);
	ck_assert_uint_eq(row_of(10)->cells[2].hold_ns, 512);
	ck_assert_uint_eq(row_of(10)->cells[3].hold_ns, 3000 - 2536);
	ck_assert_uint_eq(row_of(10)->cells[4].hold_ns, 0);
	/* thread 20 tries 1200..3200: 1200-1512, 1512-2024, ..., 3048-3200 */
	ck_assert_uint_eq(row_of(20)->cells[0].wait_ns, 1512 - 1200);
	ck_assert_uint_eq(row_of(20)->cells[1].wait_ns, 512);
	ck_assert_uint_eq(row_of(20)->cells[3].wait_ns, 512);
	ck_assert_uint_eq(row_of(20)->cells[4].wait_ns, 3200 - 3048);
	ck_assert_uint_eq(row_of(20)->cells[4].hold_ns, 3560 - 3200);
	ck_assert_uint_eq(row_of(20)->cells[5].hold_ns, 4000 - 3560);
	assert_columns_are_the_core();
	/* the histograms are the core's */
	ck_assert_uint_eq(tl->wait.count, 2);
	ck_assert_uint_eq(tl->wait.sum, 0 + 2000);
	ck_assert_uint_eq(tl->wakeup.count, 1);
	ck_assert_uint_eq(tl->wakeup.sum, 100);
}
END_TEST

/* Failed wake-ups and timeouts land in the column they happened in. */
START_TEST(test_marks_placed)
{
	start(4);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 0, 1, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 0, 1, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 1, 2, 0, 0);
	feed(GS_EV_GIL_WAIT_BEGIN, 2, 2, 0, 0);
	feed(GS_EV_GIL_WAIT_END, 3, 2, 0, 0);
	feed(GS_EV_GIL_WAIT_BEGIN, 5, 2, 0, 0);		/* failed wake-up at 5 */
	feed(GS_EV_GIL_WAIT_END, 6, 2, 1, 0);		/* timeout at 6 */
	feed(GS_EV_GIL_WAIT_BEGIN, 7, 2, 0, 0);
	feed(GS_EV_GIL_RELEASE, 7, 1, 1, 1);
	feed(GS_EV_GIL_WAIT_END, 7, 2, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 7, 2, 3, 1);
	finish();
	/* 4 columns over 0..7: 2 ns each */
	ck_assert_uint_eq(tl->width, 2);
	ck_assert_uint_eq(row_of(2)->cells[2].failed_wakeups, 1);
	ck_assert_uint_eq(row_of(2)->cells[3].timeouts, 1);
	assert_columns_are_the_core();
}
END_TEST

/* Many more events than columns: columns widen, nothing is lost. */
START_TEST(test_columns_merge_without_loss)
{
	int64_t ts = 5;

	start(4);
	for (int i = 0; i < 10000; i++) {
		int64_t w = 1 + (i % 7) * 13, h = 1 + (i % 5) * 1000;

		feed(GS_EV_GIL_ACQUIRE_BEGIN, ts, 3, 0, 0);
		feed(GS_EV_GIL_ACQUIRE_END, ts += w, 3, 0, 0);
		feed(GS_EV_GIL_RELEASE, ts += h, 3, 0, 0);
		ts += 17;
	}
	finish();
	ck_assert_uint_eq(tl->ncolumns, 4);
	/* Width is a power of two that covers the span in 4 columns. */
	ck_assert_uint_eq(tl->width & (tl->width - 1), 0);
	ck_assert_uint_lt((uint64_t) (tl->t_end - tl->t0) / tl->width, 4);
	ck_assert_uint_ge((uint64_t) (tl->t_end - tl->t0) / tl->width, 1);
	assert_columns_are_the_core();
	ck_assert_uint_gt(row_of(3)->gt->held_ns, 0);
}
END_TEST

/*
 * Traces that begin or end mid-way: a thread the core knows only from a
 * lone release still has a row (all zero); an attempt and a hold open at
 * the end reach the last column.
 */
START_TEST(test_partial_trace_rows)
{
	start(8);
	feed(GS_EV_GIL_RELEASE, 100, 5, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 300, 9, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 310, 9, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 350, 6, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 400, 7, 0, 0);
	finish();
	ck_assert_uint_eq(tl->nrows, 4);
	ck_assert_uint_eq(row_of(5)->gt->held_ns, 0);
	ck_assert_uint_eq(row_of(9)->gt->held_ns, 90);
	ck_assert_uint_eq(row_of(6)->gt->waited_ns, 50);
	ck_assert_uint_gt(row_of(9)->cells[timeline_used_columns(tl) - 1].hold_ns, 0);
	assert_columns_are_the_core();
}
END_TEST

/* Power-of-two bins of the core's histograms, as the picture draws them. */
START_TEST(test_log2_bins)
{
	static const struct {
		uint64_t ns;
		unsigned int bin;
	} table[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 31, 4 }, { 32, 5 }, { 63, 5 },
		{ 1023, 9 }, { 1024, 10 }, { 1500, 10 }, { UINT64_MAX, 63 },
	};
	uint64_t bins[HIST_LOG2_BINS];

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct hist h = { 0 };

		ck_assert_int_eq(hist_add(&h, table[i].ns), 0);
		hist_log2_bins(&h, bins);
		for (unsigned int k = 0; k < HIST_LOG2_BINS; k++) {
			ck_assert_msg(bins[k] == (k == table[i].bin), "%llu ns: bin %u holds %llu",
				(unsigned long long) table[i].ns, k, (unsigned long long) bins[k]);
		}
		hist_free(&h);
	}
}
END_TEST

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;

	while ((haystack = strstr(haystack, needle))) {
		n++;
		haystack++;
	}
	return n;
}

static char *render_to_string(bool html)
{
	struct render_info info = { "/trace", 123, 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(html ? render_html(out, tl, &info) : render_svg(out, tl, &info), 0);
	fclose(out);
	return buf;
}

/*
 * A long trace of 100 threads: the picture keeps at most
 * RENDER_MAX_ROWS rows and a number of shapes bounded by rows x
 * columns, not by events.
 */
START_TEST(test_render_is_bounded)
{
	unsigned int seed = 12345;
	uint64_t shapes_bound;
	int64_t ts = 1000;
	char *svg;

	start(TL_DEFAULT_COLUMNS);
	for (int i = 0; i < 400000; i++) {
		int64_t tid = 100 + (int64_t) (rand_r(&seed) % 100);

		feed(GS_EV_GIL_ACQUIRE_BEGIN, ts += 3, tid, 0, 0);
		feed(GS_EV_GIL_WAIT_BEGIN, ts += 5, tid, 0, 0);
		feed(GS_EV_GIL_WAIT_END, ts += rand_r(&seed) % 5000, tid, i % 3 == 0, 0);
		feed(GS_EV_GIL_ACQUIRE_END, ts += 7, tid, 1, i % 3 == 0);
		feed(GS_EV_GIL_RELEASE, ts += rand_r(&seed) % 9000, tid, 1, 1);
	}
	finish();
	ck_assert_uint_eq(tl->nrows, 100);
	assert_columns_are_the_core();
	svg = render_to_string(false);
	ck_assert_uint_eq(count(svg, "<g class=\"thread\""), RENDER_MAX_ROWS);
	/* Per row: background, hold and wait runs, two marker kinds. */
	shapes_bound = (uint64_t) RENDER_MAX_ROWS * (1 + 4 * TL_DEFAULT_COLUMNS) + 200;
	ck_assert_uint_le(count(svg, "<rect"), shapes_bound);
	ck_assert_uint_lt(strlen(svg), 4u << 20);
	ck_assert_ptr_nonnull(strstr(svg, "(most active shown)"));
	free(svg);
}
END_TEST

/*
 * What a row says is the core's: counts, and shares of the GIL's span
 * (here 0..250, thread 42 holding 150..250 and trying 100..150, thread
 * 7 holding 0..50); names are escaped.
 */
START_TEST(test_render_text)
{
	struct gs_event ev = { .type = GS_EV_GIL_IDENTIFIED, .ts = 0, .vpid = PID, .vtid = 42,
		.procname = "a<b&c", .addr = GIL, .kind = "mutex+condvar", .runtime = "CPython 3.11.2",
		.method = "callsite-symbol" };
	char *svg, *html;

	start(8);
	gs_feed(&an, &ev);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 0, 7, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 0, 7, 0, 0);
	feed(GS_EV_GIL_RELEASE, 50, 7, 0, 0);
	feed(GS_EV_GIL_ACQUIRE_BEGIN, 100, 42, 0, 0);
	feed(GS_EV_GIL_WAIT_BEGIN, 110, 42, 0, 0);
	feed(GS_EV_GIL_WAIT_END, 120, 42, 0, 0);
	feed(GS_EV_GIL_WAIT_BEGIN, 130, 42, 0, 0);
	feed(GS_EV_GIL_WAIT_END, 140, 42, 1, 0);
	feed(GS_EV_GIL_ACQUIRE_END, 150, 42, 2, 1);
	feed(GS_EV_GIL_RELEASE, 250, 42, 0, 0);
	finish();
	svg = render_to_string(false);
	ck_assert_ptr_nonnull(strstr(svg, "GIL timeline — CPython 3.11.2"));
	/* Without Python frames a thread's name is its procname. */
	ck_assert_ptr_nonnull(strstr(svg, "a&lt;b&amp;c (a&lt;b&amp;c) pid 1 tid 42: 1 acquisitions, holding 40.0%, "
		"waiting 20.0%, 1 failed wake-ups, 1 timeouts"));
	ck_assert_ptr_nonnull(strstr(svg, ">a&lt;b&amp;c · tid 42</text>"));
	/* No function named without frames: the hover says how long only. */
	ck_assert_ptr_nonnull(strstr(svg, "data-longest-hold-ns=\"100\"><title>the longest hold here, 100 ns</title>"));
	ck_assert_ptr_null(strstr(svg, "data-function"));
	ck_assert_ptr_nonnull(strstr(svg, "data-hold-share=\"0.400000\" data-wait-share=\"0.200000\""));
	ck_assert_ptr_nonnull(strstr(svg, "holding 20.0% · waiting 0.0% · 0 failed wake-ups"));
	ck_assert_ptr_null(strstr(svg, "a<b"));
	html = render_to_string(true);
	ck_assert_ptr_nonnull(strstr(html, "<!DOCTYPE html>"));
	ck_assert_ptr_nonnull(strstr(html, "<td>a&lt;b&amp;c</td><td>1</td><td>42</td><td>0x1000</td><td>1</td>"
		"<td>40.0%</td><td>20.0%</td><td>1</td><td>1</td>"));
	free(svg);
	free(html);
}
END_TEST

/* A Python event of thread tid: code is the innermost frame (0: none). */
static void feed_py(enum gs_event_type type, int64_t ts, int64_t tid, uint64_t code)
{
	uint32_t instr = 0;
	struct gs_event ev = { .type = type, .ts = ts, .vpid = PID, .vtid = tid, .procname = "python3",
		.addr = GIL };

	if (code) {
		ev.pycode = &code;
		ev.pyinstr = &instr;
		ev.npycode = ev.npyinstr = 1;
	}
	gs_feed(&an, &ev);
}

/*
 * Thread 101, named "hogger" by itself, holds 0..900 in hog (line 3,
 * its code object having no line table), thread 102 holds 900..1000 in
 * spin (line 10) and 1000..1020 in hog: 4 columns of 256 ns.  The rows
 * are labelled with the names; each held stretch is named on hover by
 * the longest hold overlapping it, whole, also after columns merged.
 */
START_TEST(test_hold_places)
{
	struct gs_event code = { .type = GS_EV_PY_CODE, .vpid = PID, .vtid = PID, .procname = "python3",
		.addr = 0x7300, .name = "hog", .filename = "/src/longhold.py", .firstlineno = 3,
		.linetable_format = PY_LT_LNOTAB };
	struct gs_event name = { .type = GS_EV_THREAD_NAME, .vpid = PID, .vtid = 101, .procname = "python3",
		.name = "hogger" };
	const struct tl_row *r;
	char *svg;

	start(4);
	gs_feed(&an, &code);
	code.addr = 0x7000;
	code.name = "spin";
	code.firstlineno = 10;
	gs_feed(&an, &code);
	gs_feed(&an, &name);
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 0, 101, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 0, 101, 0x7300);
	feed_py(GS_EV_GIL_RELEASE, 900, 101, 0x7300);
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 900, 102, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 900, 102, 0x7000);
	feed_py(GS_EV_GIL_RELEASE, 1000, 102, 0x7000);
	feed_py(GS_EV_GIL_ACQUIRE_BEGIN, 1000, 102, 0);
	feed_py(GS_EV_GIL_ACQUIRE_END, 1000, 102, 0x7000);
	feed_py(GS_EV_GIL_RELEASE, 1020, 102, 0x7300);
	finish();
	ck_assert_uint_eq(tl->width, 256);
	r = row_of(101);
	for (unsigned int c = 0; c < 4; c++) {
		ck_assert_uint_eq(r->cells[c].longest_hold_ns, 900);
		ck_assert_str_eq(r->cells[c].longest_where.func->name, "hog");
	}
	/* Column 3 (768..1024) of 102: the spin hold (100) is longer than the last (20). */
	r = row_of(102);
	ck_assert_uint_eq(r->cells[3].longest_hold_ns, 100);
	ck_assert_str_eq(r->cells[3].longest_where.func->name, "spin");
	ck_assert_int_eq(r->cells[3].longest_where.line, 10);
	svg = render_to_string(false);
	ck_assert_ptr_nonnull(strstr(svg, ">hogger · tid 101</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "data-name=\"hogger\""));
	ck_assert_ptr_nonnull(strstr(svg, "data-longest-hold-ns=\"900\" data-function=\"hog\" "
		"data-file=\"/src/longhold.py\" data-firstlineno=\"3\" data-line=\"3\"><title>hog (longhold.py:3): the longest hold here, 900 ns</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>spin (longhold.py:10): the longest hold here, 100 ns</title>"));
	free(svg);
}
END_TEST

static Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *columns = tcase_create("Columns");
	TCase *render = tcase_create("Render");

	tcase_add_checked_fixture(columns, setup, teardown);
	tcase_add_test(columns, test_columns_exact);
	tcase_add_test(columns, test_marks_placed);
	tcase_add_test(columns, test_columns_merge_without_loss);
	tcase_add_test(columns, test_partial_trace_rows);
	tcase_add_test(columns, test_log2_bins);
	tcase_add_checked_fixture(render, setup, teardown);
	tcase_add_test(render, test_render_is_bounded);
	tcase_add_test(render, test_render_text);
	tcase_add_test(render, test_hold_places);
	/* 2 shared cores, and sanitizer builds: be generous. */
	tcase_set_timeout(render, 120);
	suite_add_tcase(s, columns);
	suite_add_tcase(s, render);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(timeline_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
