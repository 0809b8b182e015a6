/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* Geometry, in SVG user units (pixels at 100% zoom). */
#define LABEL_X		12
#define PLOT_X		370
#define PLOT_W		690
#define HIST_X		(PLOT_X + PLOT_W + 50)
#define HIST_W		300
#define HIST_H		120
#define WIDTH		(HIST_X + HIST_W + 20)
#define TOP		96
#define ROW_H		32
#define BAR_Y		9	/* bar offset inside a row */
#define BAR_H		16
#define MARK_H		4

/* Colours: held, waited, present without the GIL, failed wake-up, timeout. */
#define C_HOLD		"#2f9e44"
#define C_WAIT		"#e03131"
#define C_IDLE		"#e9ecef"
#define C_FAILED	"#f08c00"
#define C_TIMEOUT	"#1c7ed6"

static void fmt_ns(char *buf, size_t size, double ns)
{
	if (ns < 1e3) {
		snprintf(buf, size, "%.0f ns", ns);
	} else if (ns < 1e6) {
		snprintf(buf, size, "%.3g µs", ns / 1e3);
	} else if (ns < 1e9) {
		snprintf(buf, size, "%.3g ms", ns / 1e6);
	} else {
		snprintf(buf, size, "%.3g s", ns / 1e9);
	}
}

static void put_escaped(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char) *s >= 0x20) {
				fputc(*s, out);
			}
		}
	}
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double) part / (double) whole : 0.0;
}

static uint64_t lifetime(const struct tl_thread *th)
{
	return th->last_ts > th->first_ts ? th->last_ts - th->first_ts : 0;
}

/* --- row selection -------------------------------------------------------- */

static int by_activity(const void *a, const void *b)
{
	const struct tl_thread *x = *(const struct tl_thread *const *) a;
	const struct tl_thread *y = *(const struct tl_thread *const *) b;
	uint64_t ax = x->hold_ns + x->wait_ns, ay = y->hold_ns + y->wait_ns;

	return ax < ay ? 1 : ax > ay ? -1 : 0;
}

static int by_process_then_start(const void *a, const void *b)
{
	const struct tl_thread *x = *(const struct tl_thread *const *) a;
	const struct tl_thread *y = *(const struct tl_thread *const *) b;

	if (x->pid != y->pid) {
		return x->pid < y->pid ? -1 : 1;
	}
	if (x->first_ts != y->first_ts) {
		return x->first_ts < y->first_ts ? -1 : 1;
	}
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The rows drawn: the most active threads, in process and start order. */
static size_t pick_rows(const struct timeline *tl, const struct tl_thread ***rows)
{
	size_t n = tl->nthreads;

	*rows = malloc((n ? n : 1) * sizeof(**rows));
	if (!*rows) {
		return 0;
	}
	memcpy(*rows, tl->threads, n * sizeof(**rows));
	if (n > RENDER_MAX_ROWS) {
		qsort(*rows, n, sizeof(**rows), by_activity);
		n = RENDER_MAX_ROWS;
	}
	qsort(*rows, n, sizeof(**rows), by_process_then_start);
	return n;
}

/* --- pieces ----------------------------------------------------------------- */

struct geom {
	unsigned int used;	/* columns covering the trace */
	double span;		/* ns covered by those columns */
	double colw;		/* pixels per column */
};

static double x_of_ts(const struct timeline *tl, const struct geom *g, uint64_t ts)
{
	return PLOT_X + (double) (ts - tl->t0) * PLOT_W / g->span;
}

static void header(FILE *out, const struct timeline *tl, const struct render_info *info, size_t rows)
{
	char dur[32];
	size_t i;

	fmt_ns(dur, sizeof(dur), (double) (tl->t_end - tl->t0));
	fprintf(out, "<text x=\"%d\" y=\"30\" class=\"title\">GIL timeline", LABEL_X);
	for (i = 0; i < tl->ngils; i++) {
		if (tl->gils[i].runtime[0]) {
			fputs(" — ", out);
			put_escaped(out, tl->gils[i].runtime);
			break;
		}
	}
	fputs("</text>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"50\" class=\"sub\">", LABEL_X);
	put_escaped(out, info->trace);
	fprintf(out, " · %s · %zu threads%s · %llu events", dur, tl->nthreads,
		rows < tl->nthreads ? " (most active shown)" : "", (unsigned long long) info->events);
	if (info->discarded_events) {
		fprintf(out, " · <tspan class=\"warn\">%llu events discarded by LTTng: counts are lower bounds</tspan>",
			(unsigned long long) info->discarded_events);
	}
	fputs("</text>\n", out);
	fprintf(out, "<g class=\"legend\" transform=\"translate(%d,62)\">"
		"<rect width=\"14\" height=\"12\" fill=\"" C_HOLD "\"/><text x=\"20\" y=\"10\">holding the GIL</text>"
		"<rect x=\"130\" width=\"14\" height=\"12\" fill=\"" C_WAIT "\"/><text x=\"150\" y=\"10\">trying to take it</text>"
		"<rect x=\"270\" width=\"14\" height=\"12\" fill=\"" C_IDLE "\" stroke=\"#adb5bd\"/><text x=\"290\" y=\"10\">running without it</text>"
		"<rect x=\"420\" y=\"0\" width=\"14\" height=\"%d\" fill=\"" C_FAILED "\"/><text x=\"440\" y=\"10\">failed wake-up</text>"
		"<rect x=\"545\" y=\"8\" width=\"14\" height=\"%d\" fill=\"" C_TIMEOUT "\"/><text x=\"565\" y=\"10\">wait timed out</text>"
		"</g>\n", LABEL_X, MARK_H, MARK_H);
}

/* Runs of equal pixel heights become one rectangle each. */
static void row_bars(FILE *out, const struct timeline *tl, const struct geom *g,
	const struct tl_thread *th, double y)
{
	unsigned int c, start = 0;
	int run_h = -1, run_w = -1;

	for (c = 0; c <= g->used; c++) {
		int hp = 0, wp = 0;

		if (c < g->used) {
			uint64_t col_start = tl->t0 + (uint64_t) c * tl->width;
			uint64_t eff = tl->t_end - col_start < tl->width ? tl->t_end - col_start : tl->width;
			const struct tl_cell *cell = &th->cells[c];

			if (eff == 0) {
				eff = 1;
			}
			hp = (int) (BAR_H * (double) cell->hold_ns / (double) eff + 0.5);
			wp = (int) (BAR_H * (double) cell->wait_ns / (double) eff + 0.5);
			hp = hp > BAR_H ? BAR_H : hp;
			wp = wp > BAR_H - hp ? BAR_H - hp : wp;
		}
		if (c > 0 && (c == g->used || hp != run_h || wp != run_w)) {
			double x0 = PLOT_X + start * g->colw, w = (c - start) * g->colw;

			if (run_h > 0) {
				fprintf(out, "<rect class=\"hold\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
					x0, y + BAR_Y + BAR_H - run_h, w, run_h);
			}
			if (run_w > 0) {
				fprintf(out, "<rect class=\"wait\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
					x0, y + BAR_Y + BAR_H - run_h - run_w, w, run_w);
			}
			start = c;
		}
		if (c == 0 || hp != run_h || wp != run_w) {
			run_h = hp;
			run_w = wp;
		}
	}
}

/* Failed wake-ups above the bar, timeouts below; adjacent columns merge. */
static void row_marks(FILE *out, const struct timeline *tl, const struct geom *g,
	const struct tl_thread *th, double y, bool timeouts)
{
	unsigned int c = 0, start;
	uint64_t sum;

	(void) tl;
	while (c < g->used) {
		uint32_t n = timeouts ? th->cells[c].timeouts : th->cells[c].failed_wakeups;

		if (!n) {
			c++;
			continue;
		}
		start = c;
		sum = 0;
		while (c < g->used && (n = timeouts ? th->cells[c].timeouts : th->cells[c].failed_wakeups)) {
			sum += n;
			c++;
		}
		fprintf(out, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"><title>%llu %s</title></rect>",
			timeouts ? "timeout" : "failed", PLOT_X + start * g->colw,
			timeouts ? y + BAR_Y + BAR_H + 1 : y + BAR_Y - MARK_H - 1,
			(c - start) * g->colw < 1.5 ? 1.5 : (c - start) * g->colw, MARK_H,
			(unsigned long long) sum, timeouts ? (sum == 1 ? "timeout" : "timeouts") :
			(sum == 1 ? "failed wake-up" : "failed wake-ups"));
	}
}

static void row(FILE *out, const struct timeline *tl, const struct geom *g, const struct tl_thread *th, double y)
{
	uint64_t life = lifetime(th);
	double x0 = x_of_ts(tl, g, th->first_ts), x1 = x_of_ts(tl, g, th->last_ts);

	/* Exact figures as data attributes, for scripts and tests. */
	fprintf(out, "<g class=\"thread\" data-pid=\"%lld\" data-tid=\"%lld\" data-acquisitions=\"%llu\" "
		"data-held-ns=\"%llu\" data-waited-ns=\"%llu\" data-failed-wakeups=\"%llu\" data-timeouts=\"%llu\">\n<title>",
		(long long) th->pid, (long long) th->tid, (unsigned long long) th->acquisitions,
		(unsigned long long) th->hold_ns, (unsigned long long) th->wait_ns,
		(unsigned long long) th->failed_wakeups, (unsigned long long) th->timeouts);
	put_escaped(out, th->procname);
	fprintf(out, " pid %lld tid %lld: %llu acquisitions, held %.1f%%, waiting %.1f%%, %llu failed wake-ups, %llu timeouts</title>\n",
		(long long) th->pid, (long long) th->tid, (unsigned long long) th->acquisitions,
		percent(th->hold_ns, life), percent(th->wait_ns, life),
		(unsigned long long) th->failed_wakeups, (unsigned long long) th->timeouts);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"name\">", LABEL_X, y + 14);
	put_escaped(out, th->procname[0] ? th->procname : "?");
	fprintf(out, " · tid %lld</text>\n", (long long) th->tid);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"stats\">held %.1f%% · waited %.1f%% · %llu failed wake-ups · %llu timeouts</text>\n",
		LABEL_X, y + 27, percent(th->hold_ns, life), percent(th->wait_ns, life),
		(unsigned long long) th->failed_wakeups, (unsigned long long) th->timeouts);
	fprintf(out, "<rect class=\"idle\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
		x0, y + BAR_Y, x1 - x0 < 1 ? 1 : x1 - x0, BAR_H);
	row_bars(out, tl, g, th, y);
	row_marks(out, tl, g, th, y, false);
	row_marks(out, tl, g, th, y, true);
	fputs("\n</g>\n", out);
}

/* Ticks at 1, 2 or 5 times a power of ten, about eight of them. */
static void time_axis(FILE *out, const struct timeline *tl, const struct geom *g, double y)
{
	double span = (double) (tl->t_end - tl->t0), step = 1, t;
	char label[32];

	while (step * 8 < span) {
		if (step * 2 * 8 >= span) {
			step *= 2;
		} else if (step * 5 * 8 >= span) {
			step *= 5;
		} else {
			step *= 10;
		}
	}
	fprintf(out, "<g class=\"axis\"><line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
		PLOT_X, y, PLOT_X + PLOT_W, y);
	for (t = 0; t <= g->span && t <= span; t += step) {
		double x = PLOT_X + t * PLOT_W / g->span;

		fmt_ns(label, sizeof(label), t);
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/><text x=\"%.2f\" y=\"%.1f\">%s</text>",
			x, y, x, y + 5, x, y + 18, t == 0 ? "0" : label);
	}
	fputs("</g>\n", out);
}

static void histogram(FILE *out, const struct tl_hist *h, const char *id, const char *title, double y)
{
	unsigned int lo = TL_HIST_BINS, hi = 0, b;
	uint64_t top = 0;
	char mean[32], max[32], edge[32];
	double bw;

	for (b = 0; b < TL_HIST_BINS; b++) {
		if (h->bins[b]) {
			lo = b < lo ? b : lo;
			hi = b;
			top = h->bins[b] > top ? h->bins[b] : top;
		}
	}
	fprintf(out, "<g class=\"hist\" id=\"%s\" data-count=\"%llu\" data-total-ns=\"%llu\" data-max-ns=\"%llu\">"
		"<text x=\"%d\" y=\"%.1f\" class=\"htitle\">%s</text>\n",
		id, (unsigned long long) h->count, (unsigned long long) h->sum, (unsigned long long) h->max,
		HIST_X, y, title);
	if (!h->count) {
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"stats\">none in this trace</text></g>\n", HIST_X, y + 20);
		return;
	}
	fmt_ns(mean, sizeof(mean), (double) h->sum / (double) h->count);
	fmt_ns(max, sizeof(max), (double) h->max);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"stats\">%llu samples · mean %s · max %s</text>\n",
		HIST_X, y + 16, (unsigned long long) h->count, mean, max);
	/* Show at least eight bins so that a narrow distribution reads as one. */
	while (hi - lo + 1 < 8) {
		if (lo > 0) {
			lo--;
		} else {
			hi++;
		}
	}
	bw = (double) HIST_W / (hi - lo + 1);
	y += 24;
	for (b = lo; b <= hi; b++) {
		/* Counts on a log scale: the tail matters as much as the peak. */
		double bh = (double) HIST_H * log1p((double) h->bins[b]) / log1p((double) top);

		if (h->bins[b]) {
			fmt_ns(edge, sizeof(edge), (double) (UINT64_C(1) << b));
			fprintf(out, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%s and up: %llu</title></rect>",
				HIST_X + (b - lo) * bw + 0.5, y + HIST_H - (bh < 1 ? 1 : bh), bw - 1, bh < 1 ? 1 : bh,
				edge, (unsigned long long) h->bins[b]);
		}
	}
	fprintf(out, "\n<line class=\"base\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
		HIST_X, y + HIST_H, HIST_X + HIST_W, y + HIST_H);
	for (b = lo; b <= hi; b += (hi - lo + 1) > 12 ? 3 : 2) {
		fmt_ns(edge, sizeof(edge), (double) (UINT64_C(1) << b));
		fprintf(out, "<text x=\"%.2f\" y=\"%.1f\" class=\"tick\">%s</text>", HIST_X + (b - lo) * bw, y + HIST_H + 14, edge);
	}
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\" style=\"text-anchor:end\">%llu</text>"
		"<text x=\"%d\" y=\"%.1f\" class=\"tick\" style=\"text-anchor:end\">1</text>",
		HIST_X - 3, y + 8, (unsigned long long) top, HIST_X - 3, y + HIST_H);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"stats\">bar height: count, on a log scale</text>",
		HIST_X, y + HIST_H + 30);
	fputs("</g>\n", out);
}

/* The picture's one style sheet, shared by the SVG and HTML outputs. */
static const char *style =
	"<style>\n"
	"text{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:11px;fill:#212529}\n"
	".title{font-size:18px;font-weight:bold}.sub{font-size:12px;fill:#495057}.warn{fill:#c92a2a;font-weight:bold}\n"
	".name{font-size:12px;font-weight:bold}.stats{fill:#495057}.htitle{font-size:13px;font-weight:bold}\n"
	".hold{fill:" C_HOLD "}.wait{fill:" C_WAIT "}.idle{fill:" C_IDLE "}\n"
	".failed{fill:" C_FAILED "}.timeout{fill:" C_TIMEOUT "}.bar{fill:#5c7cfa}\n"
	".axis line,.base{stroke:#868e96;stroke-width:1}.axis text,.tick{font-size:10px;fill:#495057;text-anchor:middle}\n"
	"</style>\n";

int render_svg(FILE *out, const struct timeline *tl, const struct render_info *info)
{
	const struct tl_thread **rows;
	size_t n = pick_rows(tl, &rows), i;
	struct geom g;
	double rows_end, hist_end, height;

	if (!rows) {
		return -1;
	}
	g.used = timeline_used_columns(tl);
	if (g.used == 0) {
		g.used = 1;
	}
	g.span = (double) g.used * (double) tl->width;
	g.colw = (double) PLOT_W / g.used;
	rows_end = TOP + (double) n * ROW_H;
	hist_end = TOP + 2 * (HIST_H + 80);
	height = (rows_end + 40 > hist_end ? rows_end + 40 : hist_end) + 10;

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
		"role=\"img\" aria-label=\"GIL timeline\">\n", WIDTH, height, WIDTH, height);
	fputs(style, out);
	fprintf(out, "<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", WIDTH, height);
	header(out, tl, info, n);
	if (n == 0) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"name\">No GIL activity in this trace.</text>\n", LABEL_X, TOP + 20);
	}
	for (i = 0; i < n; i++) {
		row(out, tl, &g, rows[i], TOP + (double) i * ROW_H);
	}
	if (n) {
		time_axis(out, tl, &g, rows_end + 4);
	}
	histogram(out, &tl->wait_hist, "wait-hist", "Wait for the GIL (attempt → held)", TOP + 4);
	histogram(out, &tl->wakeup_hist, "wakeup-hist", "Wake-up latency (signal → waiter up)", TOP + HIST_H + 84);
	fputs("</svg>\n", out);
	free(rows);
	return ferror(out) ? -1 : 0;
}

static void html_table(FILE *out, const struct timeline *tl)
{
	const struct tl_thread **rows;
	size_t n = tl->nthreads, i;

	rows = malloc((n ? n : 1) * sizeof(*rows));
	if (!rows) {
		return;
	}
	memcpy(rows, tl->threads, n * sizeof(*rows));
	qsort(rows, n, sizeof(*rows), by_process_then_start);
	fputs("<table>\n<thead><tr><th>process</th><th>pid</th><th>tid</th><th>acquisitions</th>"
		"<th>held</th><th>waited</th><th>failed wake-ups</th><th>timeouts</th></tr></thead>\n<tbody>\n", out);
	for (i = 0; i < n; i++) {
		const struct tl_thread *th = rows[i];
		uint64_t life = lifetime(th);

		fputs("<tr><td>", out);
		put_escaped(out, th->procname);
		fprintf(out, "</td><td>%lld</td><td>%lld</td><td>%llu</td><td>%.1f%%</td><td>%.1f%%</td><td>%llu</td><td>%llu</td></tr>\n",
			(long long) th->pid, (long long) th->tid, (unsigned long long) th->acquisitions,
			percent(th->hold_ns, life), percent(th->wait_ns, life),
			(unsigned long long) th->failed_wakeups, (unsigned long long) th->timeouts);
	}
	fputs("</tbody>\n</table>\n", out);
	free(rows);
}

int render_html(FILE *out, const struct timeline *tl, const struct render_info *info)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>GIL timeline — ", out);
	put_escaped(out, info->trace);
	fputs("</title>\n<style>\n"
		"body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:16px;color:#212529}\n"
		"table{border-collapse:collapse;margin-top:12px}th,td{padding:3px 10px;border-bottom:1px solid #dee2e6;text-align:right}\n"
		"th:first-child,td:first-child{text-align:left}p{max-width:75em;color:#495057}\n"
		"</style>\n</head>\n<body>\n", out);
	if (render_svg(out, tl, info) != 0) {
		return -1;
	}
	fputs("<p>Each row is a thread. In every time column the bar's green part is the share of the column it "
		"held the GIL, the red part the share it spent trying to take it (waiting); grey is time it ran "
		"without the GIL (I/O, sleeping, C code that released it). Orange marks above a row are failed wake-ups: the "
		"thread was woken to take the GIL and found it taken again. Blue marks below are waits that timed out, "
		"which in CPython 3 ask the holder to drop the GIL. Percentages are of the thread's time in the trace.</p>\n", out);
	html_table(out, tl);
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
