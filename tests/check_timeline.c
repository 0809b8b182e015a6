/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The timeline behind giltrace report --svg/--html, fed hand-built GIL
 * event sequences with exact expected values, and its rendering kept
 * bounded whatever the trace's length.
 */
#define _GNU_SOURCE
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/render.h"
#include "frontend/timeline.h"

/* Shorthands for one event of process 1. */
static struct tr_event ev(enum tr_kind kind, uint64_t ts, int64_t tid, int64_t a1, int64_t a2)
{
	struct tr_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.ts = ts;
	e.pid = 1;
	e.tid = tid;
	e.gil = 0x1000;
	e.a1 = a1;
	e.a2 = a2;
	e.procname = "python3";
	return e;
}

static void feed_all(struct timeline *tl, const struct tr_event *events, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(timeline_feed(tl, &events[i]), 0);
	}
	timeline_finish(tl);
}

static struct tl_thread *find(struct timeline *tl, int64_t tid)
{
	size_t i;

	for (i = 0; i < tl->nthreads; i++) {
		if (tl->threads[i]->tid == tid) {
			return tl->threads[i];
		}
	}
	ck_abort_msg("thread %lld not in the timeline", (long long) tid);
	return NULL;
}

static void assert_cells_sum_to_totals(const struct timeline *tl)
{
	size_t t;
	unsigned int c;

	for (t = 0; t < tl->nthreads; t++) {
		const struct tl_thread *th = tl->threads[t];
		uint64_t hold = 0, wait = 0, failed = 0, timeouts = 0;

		for (c = 0; c < tl->ncolumns; c++) {
			hold += th->cells[c].hold_ns;
			wait += th->cells[c].wait_ns;
			failed += th->cells[c].failed_wakeups;
			timeouts += th->cells[c].timeouts;
		}
		ck_assert_uint_eq(hold, th->hold_ns);
		ck_assert_uint_eq(wait, th->wait_ns);
		ck_assert_uint_eq(failed, th->failed_wakeups);
		ck_assert_uint_eq(timeouts, th->timeouts);
	}
}

/* Thread 10 takes the GIL at once; thread 20 waits, is signalled, takes it. */
START_TEST(test_hold_wait_and_latencies)
{
	const struct tr_event events[] = {
		ev(TR_GIL_ACQUIRE_BEGIN, 1000, 10, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 1500, 10, 0, 0),
		ev(TR_GIL_ACQUIRE_BEGIN, 1200, 20, 0, 0), /* muxer order is time order */
	};
	const struct tr_event rest[] = {
		ev(TR_GIL_WAIT_BEGIN, 1600, 20, 0x2000, 0),
		ev(TR_GIL_RELEASE, 3000, 10, 1, 1),
		ev(TR_GIL_WAIT_END, 3100, 20, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 3200, 20, 1, 0),
		ev(TR_GIL_RELEASE, 4000, 20, 0, 0),
	};
	struct timeline *tl = timeline_create(8);
	struct tl_thread *a, *b;
	size_t i;

	ck_assert_int_eq(timeline_feed(tl, &events[0]), 0);
	ck_assert_int_eq(timeline_feed(tl, &events[1]), 0);
	/* A stamp earlier than the last one is clamped to it (1500). */
	ck_assert_int_eq(timeline_feed(tl, &events[2]), 0);
	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		ck_assert_int_eq(timeline_feed(tl, &rest[i]), 0);
	}
	timeline_finish(tl);
	a = find(tl, 10);
	b = find(tl, 20);
	ck_assert_uint_eq(a->hold_ns, 1500);
	ck_assert_uint_eq(a->wait_ns, 500);
	ck_assert_uint_eq(b->wait_ns, 3200 - 1500);
	ck_assert_uint_eq(b->hold_ns, 800);
	ck_assert_uint_eq(a->acquisitions, 1);
	ck_assert_uint_eq(b->acquisitions, 1);
	ck_assert_uint_eq(tl->wait_hist.count, 2);
	ck_assert_uint_eq(tl->wait_hist.sum, 500 + 1700);
	ck_assert_uint_eq(tl->wait_hist.max, 1700);
	ck_assert_uint_eq(tl->wait_hist.bins[tl_hist_bin(500)], 1);
	ck_assert_uint_eq(tl->wait_hist.bins[tl_hist_bin(1700)], 1);
	ck_assert_uint_eq(tl->wakeup_hist.count, 1);
	ck_assert_uint_eq(tl->wakeup_hist.sum, 100);
	ck_assert_uint_eq(tl->t0, 1000);
	ck_assert_uint_eq(tl->t_end, 4000);
	ck_assert_str_eq(a->procname, "python3");
	assert_cells_sum_to_totals(tl);
	timeline_destroy(tl);
}
END_TEST

START_TEST(test_hist_bins)
{
	static const struct {
		uint64_t ns;
		unsigned int bin;
	} table[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 1023, 9 }, { 1024, 10 },
		{ UINT64_MAX, TL_HIST_BINS - 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		ck_assert_uint_eq(tl_hist_bin(table[i].ns), table[i].bin);
	}
}
END_TEST

/* Wake-up latency pairs a signalling release with the first waiter to
 * wake after it that was already waiting then; the latest signal counts. */
START_TEST(test_wakeup_pairing)
{
	const struct tr_event events[] = {
		ev(TR_GIL_ACQUIRE_BEGIN, 100, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 110, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_BEGIN, 120, 2, 0, 0),
		ev(TR_GIL_WAIT_BEGIN, 130, 2, 0x2000, 0),
		ev(TR_GIL_RELEASE, 200, 1, 1, 1),	/* signal at 200 ... */
		ev(TR_GIL_ACQUIRE_BEGIN, 210, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 220, 1, 0, 0),	/* ... 1 takes it back */
		ev(TR_GIL_RELEASE, 300, 1, 1, 1),	/* latest signal: 300 */
		ev(TR_GIL_ACQUIRE_BEGIN, 305, 3, 0, 0),
		ev(TR_GIL_WAIT_BEGIN, 310, 3, 0x2000, 0), /* began after it */
		ev(TR_GIL_WAIT_END, 340, 3, 0, 0),	/* not the one it woke */
		ev(TR_GIL_WAIT_END, 350, 2, 0, 0),	/* 50 ns after 300 */
		ev(TR_GIL_ACQUIRE_END, 360, 2, 1, 0),
		ev(TR_GIL_WAIT_BEGIN, 370, 3, 0x2000, 0), /* 3: failed wake-up */
		ev(TR_GIL_RELEASE, 400, 2, 1, 1),
		ev(TR_GIL_WAIT_END, 480, 3, 1, 0),	/* timed out: no sample */
		ev(TR_GIL_ACQUIRE_END, 490, 3, 2, 1),
	};
	struct timeline *tl = timeline_create(8);

	feed_all(tl, events, sizeof(events) / sizeof(events[0]));
	ck_assert_uint_eq(tl->wakeup_hist.count, 1);
	ck_assert_uint_eq(tl->wakeup_hist.sum, 50);
	ck_assert_uint_eq(find(tl, 3)->failed_wakeups, 1);
	ck_assert_uint_eq(find(tl, 3)->timeouts, 1);
	timeline_destroy(tl);
}
END_TEST

/* A semaphore GIL (CPython 2.7): waits are invisible, the acquisition is the wake-up. */
START_TEST(test_wakeup_semaphore)
{
	struct tr_event events[] = {
		ev(TR_GIL_IDENTIFIED, 50, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_BEGIN, 100, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 110, 1, 0, 0),
		ev(TR_GIL_ACQUIRE_BEGIN, 120, 2, 0, 0),
		ev(TR_GIL_RELEASE, 200, 1, 1, 1),
		ev(TR_GIL_ACQUIRE_END, 270, 2, 0, 0),
	};
	struct timeline *tl = timeline_create(8);

	events[0].gil_kind = "semaphore";
	feed_all(tl, events, sizeof(events) / sizeof(events[0]));
	ck_assert_uint_eq(tl->wakeup_hist.count, 1);
	ck_assert_uint_eq(tl->wakeup_hist.sum, 70);
	ck_assert_uint_eq(tl->wait_hist.count, 2);
	ck_assert_uint_eq(tl->wait_hist.sum, 10 + 150);
	timeline_destroy(tl);
}
END_TEST

/* Failed wake-ups and timeouts, per the contract's definition. */
static const struct {
	const char *name;
	const char *waits;	/* per wait: 'w' woken, 't' timed out */
	unsigned int failed, timeouts;
} wait_cases[] = {
	{ "uncontended", "", 0, 0 },
	{ "woken once, took it", "w", 0, 0 },
	{ "woken, lost, woken", "ww", 1, 0 },
	{ "three failed reacquisitions", "wwww", 3, 0 },
	{ "timed out, then woken", "tw", 0, 1 },
	{ "woken then timed out", "wt", 1, 1 },
	{ "timeouts only", "ttt", 0, 3 },
	{ "mixed", "wtwwt", 3, 2 },
};

START_TEST(test_failed_wakeups_and_timeouts)
{
	struct timeline *tl = timeline_create(16);
	struct tl_thread *th;
	const char *w = wait_cases[_i].waits;
	uint64_t ts = 100;
	struct tr_event e;

	e = ev(TR_GIL_ACQUIRE_BEGIN, ts, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	for (; *w; w++) {
		e = ev(TR_GIL_WAIT_BEGIN, ts += 10, 7, 0x2000, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_WAIT_END, ts += 10, 7, *w == 't', 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
	}
	e = ev(TR_GIL_ACQUIRE_END, ts += 10, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	/* A new attempt starts clean: its first wait is no failure. */
	e = ev(TR_GIL_RELEASE, ts += 10, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	e = ev(TR_GIL_ACQUIRE_BEGIN, ts += 10, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	e = ev(TR_GIL_WAIT_BEGIN, ts += 10, 7, 0x2000, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	e = ev(TR_GIL_WAIT_END, ts += 10, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	e = ev(TR_GIL_ACQUIRE_END, ts += 10, 7, 0, 0);
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	timeline_finish(tl);
	th = find(tl, 7);
	ck_assert_msg(th->failed_wakeups == wait_cases[_i].failed, "%s: %llu failed wake-ups, want %u",
		wait_cases[_i].name, (unsigned long long) th->failed_wakeups, wait_cases[_i].failed);
	ck_assert_msg(th->timeouts == wait_cases[_i].timeouts, "%s: %llu timeouts, want %u",
		wait_cases[_i].name, (unsigned long long) th->timeouts, wait_cases[_i].timeouts);
	ck_assert_uint_eq(th->acquisitions, 2);
	assert_cells_sum_to_totals(tl);
	timeline_destroy(tl);
}
END_TEST

/* Many more events than columns: columns widen, nothing is lost. */
START_TEST(test_columns_merge_without_loss)
{
	struct timeline *tl = timeline_create(4);
	uint64_t ts = 5, hold = 0, wait = 0;
	struct tr_event e;
	int i;

	for (i = 0; i < 10000; i++) {
		uint64_t w = 1 + (uint64_t) (i % 7) * 13, h = 1 + (uint64_t) (i % 5) * 1000;

		e = ev(TR_GIL_ACQUIRE_BEGIN, ts, 3, 0, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_ACQUIRE_END, ts += w, 3, 0, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_RELEASE, ts += h, 3, 0, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		ts += 17;
		wait += w;
		hold += h;
	}
	timeline_finish(tl);
	ck_assert_uint_eq(find(tl, 3)->hold_ns, hold);
	ck_assert_uint_eq(find(tl, 3)->wait_ns, wait);
	ck_assert_uint_eq(tl->ncolumns, 4);
	/* Width is a power of two that covers the span in 4 columns. */
	ck_assert_uint_eq(tl->width & (tl->width - 1), 0);
	ck_assert_uint_lt((tl->t_end - tl->t0) / tl->width, 4);
	ck_assert_uint_ge((tl->t_end - tl->t0) / tl->width, 1);
	ck_assert_uint_le(timeline_used_columns(tl), 4);
	assert_cells_sum_to_totals(tl);
	timeline_destroy(tl);
}
END_TEST

/* Traces that begin or end mid-way, and abandoned attempts. */
START_TEST(test_partial_and_abandoned)
{
	const struct tr_event events[] = {
		/* 5 held the GIL before the trace began: nothing to account. */
		ev(TR_GIL_RELEASE, 100, 5, 0, 0),
		/* 6 waited before the trace began: its wait end has no begin. */
		ev(TR_GIL_WAIT_END, 110, 6, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 120, 6, 1, 0),
		ev(TR_GIL_RELEASE, 200, 6, 0, 0),
		/* 8 gives up (interpreter shutdown). */
		ev(TR_GIL_ACQUIRE_BEGIN, 210, 8, 0, 0),
		ev(TR_GIL_ACQUIRE_ABANDON, 260, 8, 0, 0),
		/* 9 still holds the GIL when the trace ends. */
		ev(TR_GIL_ACQUIRE_BEGIN, 300, 9, 0, 0),
		ev(TR_GIL_ACQUIRE_END, 310, 9, 0, 0),
		ev(TR_GIL_ACQUIRE_BEGIN, 400, 5, 0, 0),
	};
	struct timeline *tl = timeline_create(8);

	feed_all(tl, events, sizeof(events) / sizeof(events[0]));
	ck_assert_uint_eq(find(tl, 5)->hold_ns, 0);
	ck_assert_uint_eq(find(tl, 5)->wait_ns, 0);
	ck_assert_uint_eq(find(tl, 6)->hold_ns, 80);
	ck_assert_uint_eq(find(tl, 6)->wait_ns, 0);
	ck_assert_uint_eq(find(tl, 6)->acquisitions, 1);
	ck_assert_uint_eq(find(tl, 8)->wait_ns, 50);
	ck_assert_uint_eq(find(tl, 8)->acquisitions, 0);
	ck_assert_uint_eq(find(tl, 9)->hold_ns, 90);
	ck_assert_uint_eq(find(tl, 9)->last_ts, 400);
	/* 5's attempt at the end is still open: waiting until the end. */
	ck_assert_uint_eq(find(tl, 5)->wait_ns, 0);
	/* Only 9's attempt has a known duration; 6's began before the trace. */
	ck_assert_uint_eq(tl->wait_hist.count, 1);
	ck_assert_uint_eq(tl->wait_hist.sum, 10);
	ck_assert_uint_eq(tl->wakeup_hist.count, 0);
	assert_cells_sum_to_totals(tl);
	timeline_destroy(tl);
}
END_TEST

/* Non-GIL events and GIL identification do not start the timeline. */
START_TEST(test_other_events_ignored)
{
	struct timeline *tl = timeline_create(8);
	struct tr_event e = ev(TR_OTHER, 50, 1, 0, 0);

	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	e = ev(TR_GIL_IDENTIFIED, 60, 1, 0, 0);
	e.gil_kind = "mutex+condvar";
	e.runtime = "CPython 3.11.2";
	ck_assert_int_eq(timeline_feed(tl, &e), 0);
	ck_assert(!tl->started);
	ck_assert_uint_eq(tl->nthreads, 0);
	ck_assert_uint_eq(tl->ngils, 1);
	ck_assert_str_eq(tl->gils[0].runtime, "CPython 3.11.2");
	ck_assert_str_eq(tl->gils[0].kind, "mutex+condvar");
	timeline_destroy(tl);
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

static char *render_to_string(const struct timeline *tl, bool html)
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
	struct timeline *tl = timeline_create(TL_DEFAULT_COLUMNS);
	uint64_t ts = 1000, shapes_bound;
	unsigned int seed = 12345;
	struct tr_event e;
	char *svg;
	int i;

	for (i = 0; i < 400000; i++) {
		int64_t tid = 100 + (int64_t) (rand_r(&seed) % 100);

		e = ev(TR_GIL_ACQUIRE_BEGIN, ts += 3, tid, 0, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_WAIT_BEGIN, ts += 5, tid, 0x2000, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_WAIT_END, ts += (uint64_t) (rand_r(&seed) % 5000), tid, i % 3 == 0, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_ACQUIRE_END, ts += 7, tid, 1, 0);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
		e = ev(TR_GIL_RELEASE, ts += (uint64_t) (rand_r(&seed) % 9000), tid, 1, 1);
		ck_assert_int_eq(timeline_feed(tl, &e), 0);
	}
	timeline_finish(tl);
	ck_assert_uint_eq(tl->nthreads, 100);
	svg = render_to_string(tl, false);
	ck_assert_uint_eq(count(svg, "<g class=\"thread\""), RENDER_MAX_ROWS);
	/* Per row: background, hold and wait runs, two marker kinds. */
	shapes_bound = (uint64_t) RENDER_MAX_ROWS * (1 + 4 * TL_DEFAULT_COLUMNS) + 200;
	ck_assert_uint_le(count(svg, "<rect"), shapes_bound);
	ck_assert_uint_lt(strlen(svg), 4u << 20);
	ck_assert_ptr_nonnull(strstr(svg, "(most active shown)"));
	free(svg);
	timeline_destroy(tl);
}
END_TEST

/* What the rows say is what the timeline counted; names are escaped. */
START_TEST(test_render_text)
{
	struct tr_event events[] = {
		ev(TR_GIL_ACQUIRE_BEGIN, 100, 42, 0, 0),
		ev(TR_GIL_WAIT_BEGIN, 110, 42, 0x2000, 0),
		ev(TR_GIL_WAIT_END, 120, 42, 0, 0),
		ev(TR_GIL_WAIT_BEGIN, 130, 42, 0x2000, 0),
		ev(TR_GIL_WAIT_END, 140, 42, 1, 0),
		ev(TR_GIL_ACQUIRE_END, 150, 42, 2, 1),
		ev(TR_GIL_RELEASE, 250, 42, 0, 0),
	};
	struct timeline *tl = timeline_create(8);
	char *svg, *html;
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		events[i].procname = "a<b&c";
	}
	feed_all(tl, events, sizeof(events) / sizeof(events[0]));
	svg = render_to_string(tl, false);
	ck_assert_ptr_nonnull(strstr(svg, "a&lt;b&amp;c pid 1 tid 42: 1 acquisitions, held 66.7%, waiting 33.3%, 1 failed wake-ups, 1 timeouts"));
	ck_assert_ptr_null(strstr(svg, "a<b"));
	html = render_to_string(tl, true);
	ck_assert_ptr_nonnull(strstr(html, "<!DOCTYPE html>"));
	ck_assert_ptr_nonnull(strstr(html, "<td>42</td><td>1</td><td>66.7%</td><td>33.3%</td><td>1</td><td>1</td>"));
	free(svg);
	free(html);
	timeline_destroy(tl);
}
END_TEST

static Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *core = tcase_create("Core");
	TCase *render = tcase_create("Render");

	tcase_add_test(core, test_hold_wait_and_latencies);
	tcase_add_test(core, test_hist_bins);
	tcase_add_test(core, test_wakeup_pairing);
	tcase_add_test(core, test_wakeup_semaphore);
	tcase_add_loop_test(core, test_failed_wakeups_and_timeouts, 0,
		(int) (sizeof(wait_cases) / sizeof(wait_cases[0])));
	tcase_add_test(core, test_columns_merge_without_loss);
	tcase_add_test(core, test_partial_and_abandoned);
	tcase_add_test(core, test_other_events_ignored);
	tcase_add_test(render, test_render_is_bounded);
	tcase_add_test(render, test_render_text);
	/* 2 shared cores, and sanitizer builds: be generous. */
	tcase_set_timeout(render, 120);
	suite_add_tcase(s, core);
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
