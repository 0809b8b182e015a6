/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* Geometry, in SVG user units (pixels at 100% zoom). */
#define LABEL_X		12
#define PLOT_X		400
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

/* Every share shown is the core's (gs_share(), giltrace-analyze(1)). */
static double percent(double share)
{
	return 100.0 * share;
}

/* --- row selection -------------------------------------------------------- */

static int by_activity(const void *a, const void *b)
{
	const struct gs_gil_thread *x = (*(const struct tl_row *const *) a)->gt;
	const struct gs_gil_thread *y = (*(const struct tl_row *const *) b)->gt;
	uint64_t ax = x->held_ns + x->waited_ns, ay = y->held_ns + y->waited_ns;

	return ax < ay ? 1 : ax > ay ? -1 : 0;
}

static int by_process_then_start(const void *a, const void *b)
{
	const struct gs_gil_thread *x = (*(const struct tl_row *const *) a)->gt;
	const struct gs_gil_thread *y = (*(const struct tl_row *const *) b)->gt;

	if (x->thread->proc->pid != y->thread->proc->pid) {
		return x->thread->proc->pid < y->thread->proc->pid ? -1 : 1;
	}
	if (x->first_ts != y->first_ts) {
		return x->first_ts < y->first_ts ? -1 : 1;
	}
	if (x->thread->tid != y->thread->tid) {
		return x->thread->tid < y->thread->tid ? -1 : 1;
	}
	return x->gil->address < y->gil->address ? -1 : x->gil->address > y->gil->address;
}

/* The rows drawn: the most active threads, in process and start order. */
static size_t pick_rows(const struct timeline *tl, const struct tl_row ***rows)
{
	size_t n = tl->nrows;

	*rows = malloc((n ? n : 1) * sizeof(**rows));
	if (!*rows) {
		return 0;
	}
	if (n) {
		memcpy(*rows, tl->rows, n * sizeof(**rows));
	}
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

static double x_of_ts(const struct timeline *tl, const struct geom *g, int64_t ts)
{
	return PLOT_X + (double) (ts - tl->t0) * PLOT_W / g->span;
}

/* The runtime of the first GIL whose runtime is known, or NULL. */
static const char *runtime_of(const struct timeline *tl)
{
	for (size_t i = 0; i < tl->nrows; i++) {
		const char *rt = tl->rows[i]->gt->gil->runtime;

		if (strcmp(rt, "unknown") != 0) {
			return rt;
		}
	}
	return NULL;
}

static void header(FILE *out, const struct timeline *tl, const struct render_info *info, size_t rows)
{
	const char *runtime = runtime_of(tl);
	char dur[32];

	fmt_ns(dur, sizeof(dur), (double) (tl->t_end - tl->t0));
	fprintf(out, "<text x=\"%d\" y=\"30\" class=\"title\">GIL timeline", LABEL_X);
	if (runtime) {
		fputs(" — ", out);
		put_escaped(out, runtime);
	}
	fputs("</text>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"50\" class=\"sub\">", LABEL_X);
	put_escaped(out, info->trace);
	fprintf(out, " · %s · %zu threads%s · %llu events", dur, tl->nrows,
		rows < tl->nrows ? " (most active shown)" : "", (unsigned long long) info->events);
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

/* What one column of a row shows: bar heights, and the hold named on
 * hover (none where no hold is drawn). */
struct col_look {
	int hold_px;
	int wait_px;
	const struct py_func *func;
	int32_t line;
};

static struct col_look col_look(const struct timeline *tl, const struct tl_row *th, unsigned int c)
{
	int64_t col_start = tl->t0 + (int64_t) ((uint64_t) c * tl->width);
	uint64_t rest = (uint64_t) (tl->t_end - col_start);
	uint64_t eff = rest < tl->width ? rest : tl->width;
	const struct tl_cell *cell = &th->cells[c];
	struct col_look l = { 0, 0, NULL, PY_NO_LINE };

	if (eff == 0) {
		eff = 1;
	}
	l.hold_px = (int) (BAR_H * (double) cell->hold_ns / (double) eff + 0.5);
	l.wait_px = (int) (BAR_H * (double) cell->wait_ns / (double) eff + 0.5);
	l.hold_px = l.hold_px > BAR_H ? BAR_H : l.hold_px;
	l.wait_px = l.wait_px > BAR_H - l.hold_px ? BAR_H - l.hold_px : l.wait_px;
	if (l.hold_px > 0 && cell->longest_hold_ns) {
		l.func = cell->longest_where.func;
		l.line = cell->longest_where.line;
	}
	return l;
}

static bool look_same(const struct col_look *a, const struct col_look *b)
{
	return a->hold_px == b->hold_px && a->wait_px == b->wait_px && a->func == b->func && a->line == b->line;
}

/*
 * A run's hold, named on hover by its longest hold and, in a process
 * with Python frames, the function and line the core placed it at; the
 * same as data attributes, for scripts and tests.
 */
static void hold_rect(FILE *out, const struct gs_gil_thread *gt, const struct col_look *l, uint64_t longest,
		double x0, double y, double w)
{
	struct py_where where = { l->func, l->line };
	char len[32], place[512];
	bool py = l->func && gt->thread->proc->py_frames;

	fprintf(out, "<rect class=\"hold\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
		"data-longest-hold-ns=\"%" PRIu64 "\"", x0, y + BAR_Y + BAR_H - l->hold_px, w, l->hold_px, longest);
	if (py) {
		fputs(" data-function=\"", out);
		put_escaped(out, l->func->name);
		fputc('"', out);
		/* A function is its name, file and first line, as in the report. */
		if (l->func->filename) {
			fputs(" data-file=\"", out);
			put_escaped(out, l->func->filename);
			fprintf(out, "\" data-firstlineno=\"%" PRId32 "\"", l->func->firstlineno);
		}
		if (l->line != PY_NO_LINE) {
			fprintf(out, " data-line=\"%" PRId32 "\"", l->line);
		}
	}
	fmt_ns(len, sizeof(len), (double) longest);
	fputs("><title>", out);
	if (py) {
		py_where_format(place, sizeof(place), &where);
		put_escaped(out, place);
		fputs(": ", out);
	}
	fprintf(out, "the longest hold here, %s</title></rect>", len);
}

/* Runs of equal pixel heights and the same hold named become one
 * rectangle each. */
static void row_bars(FILE *out, const struct timeline *tl, const struct geom *g,
	const struct tl_row *th, double y)
{
	unsigned int c, start = 0;
	struct col_look run = { -1, -1, NULL, PY_NO_LINE }, l = run;
	uint64_t longest = 0;

	for (c = 0; c <= g->used; c++) {
		if (c < g->used) {
			l = col_look(tl, th, c);
		}
		if (c > 0 && (c == g->used || !look_same(&l, &run))) {
			double x0 = PLOT_X + start * g->colw, w = (c - start) * g->colw;

			if (run.hold_px > 0) {
				hold_rect(out, th->gt, &run, longest, x0, y, w);
			}
			if (run.wait_px > 0) {
				fprintf(out, "<rect class=\"wait\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
					x0, y + BAR_Y + BAR_H - run.hold_px - run.wait_px, w, run.wait_px);
			}
			start = c;
		}
		if (c == g->used) {
			break;
		}
		if (c == 0 || !look_same(&l, &run)) {
			run = l;
			longest = 0;
		}
		if (th->cells[c].longest_hold_ns > longest) {
			longest = th->cells[c].longest_hold_ns;
		}
	}
}

/* Failed wake-ups above the bar, timeouts below; adjacent columns merge. */
static void row_marks(FILE *out, const struct geom *g, const struct tl_row *th, double y, bool timeouts)
{
	unsigned int c = 0, start;
	uint64_t sum;

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

/* "blocking_calls · tid 42" (gs_thread_name()), and the GIL where its
 * process has several. */
static void row_name(FILE *out, const struct gs_gil_thread *gt)
{
	const char *name = gs_thread_name(gt->thread);

	put_escaped(out, name[0] ? name : "?");
	fprintf(out, " · tid %" PRId64, gt->thread->tid);
	if (gt->thread->proc->ngils > 1) {
		fprintf(out, " · GIL %#" PRIx64, gt->gil->address);
	}
}

static void row(FILE *out, const struct timeline *tl, const struct geom *g, const struct tl_row *th, double y)
{
	const struct gs_gil_thread *gt = th->gt;
	double x0 = x_of_ts(tl, g, gt->first_ts), x1 = x_of_ts(tl, g, gt->last_ts);

	/* Exact figures as data attributes, for scripts and tests. */
	fprintf(out, "<g class=\"thread\" data-pid=\"%" PRId64 "\" data-tid=\"%" PRId64 "\" data-gil=\"%#" PRIx64
		"\" data-acquisitions=\"%" PRIu64 "\" data-held-ns=\"%" PRIu64 "\" data-waited-ns=\"%" PRIu64
		"\" data-hold-share=\"%.6f\" data-wait-share=\"%.6f\" data-failed-wakeups=\"%" PRIu64
		"\" data-timeouts=\"%" PRIu64 "\" data-name=\"",
		gt->thread->proc->pid, gt->thread->tid, gt->gil->address, gt->c.acquisitions, gt->held_ns,
		gt->waited_ns, gt->hold_share, gt->wait_share, gt->c.failed_wakeups, gt->c.timeouts);
	put_escaped(out, gs_thread_name(gt->thread));
	fputs("\">\n<title>", out);
	put_escaped(out, gs_thread_name(gt->thread));
	fputs(" (", out);
	put_escaped(out, gt->thread->procname);
	fprintf(out, ") pid %" PRId64 " tid %" PRId64 ": %" PRIu64 " acquisitions, holding %.1f%%, waiting %.1f%%, %"
		PRIu64 " failed wake-ups, %" PRIu64 " timeouts</title>\n",
		gt->thread->proc->pid, gt->thread->tid, gt->c.acquisitions, percent(gt->hold_share),
		percent(gt->wait_share), gt->c.failed_wakeups, gt->c.timeouts);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"name\">", LABEL_X, y + 14);
	row_name(out, gt);
	fputs("</text>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"stats\">holding %.1f%% · waiting %.1f%% · %" PRIu64
		" failed wake-ups · %" PRIu64 " timeouts</text>\n",
		LABEL_X, y + 27, percent(gt->hold_share), percent(gt->wait_share), gt->c.failed_wakeups,
		gt->c.timeouts);
	fprintf(out, "<rect class=\"idle\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
		x0, y + BAR_Y, x1 - x0 < 1 ? 1 : x1 - x0, BAR_H);
	row_bars(out, tl, g, th, y);
	row_marks(out, g, th, y, false);
	row_marks(out, g, th, y, true);
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

static void histogram(FILE *out, const struct hist *h, const char *id, const char *title, double y)
{
	unsigned int lo = HIST_LOG2_BINS, hi = 0, b;
	uint64_t top = 0, bins[HIST_LOG2_BINS];
	char mean[32], max[32], edge[32];
	double bw;

	hist_log2_bins(h, bins);
	for (b = 0; b < HIST_LOG2_BINS; b++) {
		if (bins[b]) {
			lo = b < lo ? b : lo;
			hi = b;
			top = bins[b] > top ? bins[b] : top;
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
		double bh = (double) HIST_H * log1p((double) bins[b]) / log1p((double) top);

		if (bins[b]) {
			fmt_ns(edge, sizeof(edge), (double) (UINT64_C(1) << b));
			fprintf(out, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%s and up: %llu</title></rect>",
				HIST_X + (b - lo) * bw + 0.5, y + HIST_H - (bh < 1 ? 1 : bh), bw - 1, bh < 1 ? 1 : bh,
				edge, (unsigned long long) bins[b]);
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
	const struct tl_row **rows;
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
		"role=\"img\" aria-label=\"GIL timeline\" data-column-ns=\"%" PRIu64 "\">\n", WIDTH, height, WIDTH,
		height, tl->width);
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
	histogram(out, &tl->wait, "wait-hist", "Wait for the GIL (attempt → held)", TOP + 4);
	histogram(out, &tl->wakeup, "wakeup-hist", "Wake-up latency (signal → waiter up)", TOP + HIST_H + 84);
	fputs("</svg>\n", out);
	free(rows);
	return ferror(out) ? -1 : 0;
}

static void html_table(FILE *out, const struct timeline *tl)
{
	const struct tl_row **rows;
	size_t n = tl->nrows;

	rows = malloc((n ? n : 1) * sizeof(*rows));
	if (!rows) {
		return;
	}
	if (n) {
		memcpy(rows, tl->rows, n * sizeof(*rows));
	}
	qsort(rows, n, sizeof(*rows), by_process_then_start);
	fputs("<table>\n<thead><tr><th>process</th><th>thread</th><th>pid</th><th>tid</th><th>GIL</th><th>acquisitions</th>"
		"<th>holding</th><th>waiting</th><th>failed wake-ups</th><th>timeouts</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct gs_gil_thread *gt = rows[i]->gt;

		fputs("<tr><td>", out);
		put_escaped(out, gt->thread->procname);
		fputs("</td><td>", out);
		put_escaped(out, gs_thread_name(gt->thread));
		fprintf(out, "</td><td>%" PRId64 "</td><td>%" PRId64 "</td><td>%#" PRIx64 "</td><td>%" PRIu64
			"</td><td>%.1f%%</td><td>%.1f%%</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
			gt->thread->proc->pid, gt->thread->tid, gt->gil->address, gt->c.acquisitions,
			percent(gt->hold_share), percent(gt->wait_share), gt->c.failed_wakeups, gt->c.timeouts);
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
	fputs("<p>Each row is a thread, named as it named itself, else by the function it was started to run. "
		"In every time column the bar's green part is the share of the column it "
		"held the GIL, the red part the share it spent trying to take it (waiting); grey is time it ran "
		"without the GIL (I/O, sleeping, C code that released it). Orange marks above a row are failed wake-ups: the "
		"thread was woken to take the GIL and found it taken again. Blue marks below are waits that timed out, "
		"which in CPython 3 ask the holder to drop the GIL. Hovering over a held stretch names the longest "
		"hold in it and the Python function and line where it released the GIL. Percentages are shares of the GIL's span (its first to "
		"last event), as giltrace-analyze reports them: a GIL's threads' holding shares add up to its "
		"utilisation.</p>\n", out);
	html_table(out, tl);
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
