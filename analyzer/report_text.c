/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Text for people, in the manner of mutrace and perf lock: what was lost
 * first, then per process and GIL the counters, the distributions, and
 * the threads that waited longest first, numbers aligned, units shown.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define DUR(buf, ns) (hist_duration(buf, sizeof(buf), ns, ""), buf)

static void text_header(FILE *out, const struct report *r, size_t nprocs)
{
	const struct gs_analysis *a = r->a;

	/* Both counts, so that the first reads as giltrace record's closing
	 * line and the second as the events the analysis stands on. */
	fprintf(out, "giltrace-analyze: %zu trace%s, %" PRIu64 " events recorded, read as %" PRIu64
		" giltrace events, %zu process%s\n",
		r->traces->len, r->traces->len == 1 ? "" : "s", r->stats->events, a->events,
		nprocs, nprocs == 1 ? "" : "es");
	if (report_lower_bounds(a)) {
		fprintf(out, "WARNING: LTTng discarded %" PRIu64 " events and %" PRIu64 " packets%s: "
			"every count below is a lower bound.\n", a->discarded_events, a->discarded_packets,
			a->discarded_unknown ? " (and some of unknown size)" : "");
		fputs("         Record again with larger buffers (lttng enable-channel --subbuf-size).\n", out);
	}
	if (r->stats->unknown_events) {
		char what[512];

		trace_unknown_describe(r->stats, what, sizeof(what));
		fprintf(out, "WARNING: %s,\n         and the figures below may be wrong: read it with that version's "
			"giltrace-analyze.\n", what);
	}
	if (r->stats->no_context) {
		fprintf(out, "WARNING: %" PRIu64 " events without vpid/vtid context were ignored.\n",
			r->stats->no_context);
	}
}

static void text_dist_row(FILE *out, const char *name, const struct hist *h)
{
	struct hist_summary s;
	char b[5][16];

	hist_summarise(h, &s);
	if (s.count == 0) {
		fprintf(out, "    %-18s %9s\n", name, "-");
		return;
	}
	fprintf(out, "    %-18s %9" PRIu64 " %9s %9s %9s %9s %9s\n", name, s.count,
		DUR(b[0], s.mean), DUR(b[1], s.p50), DUR(b[2], s.p90), DUR(b[3], s.p99), DUR(b[4], s.max));
}

static void text_counters(FILE *out, const struct gs_gil *g)
{
	const struct gs_counters *c = &g->c;

	fprintf(out, "    %-18s %9" PRIu64 "    %-18s %9" PRIu64 "\n",
		"acquisitions", c->acquisitions, "failed wake-ups", c->failed_wakeups);
	fprintf(out, "    %-18s %9" PRIu64 "    %-18s %9" PRIu64 "\n",
		"  contended", c->contended_acquisitions, "timeouts", c->timeouts);
	fprintf(out, "    %-18s %9" PRIu64 "    %-18s %9" PRIu64 "\n",
		"switches", c->switches, "missed hand-offs", c->missed_handoffs);
	fprintf(out, "    %-18s %9" PRIu64 "    %-18s %9" PRIu64 "\n",
		"releases", c->releases, "waits", c->waits);
	if (c->abandoned) {
		fprintf(out, "    %-18s %9" PRIu64 "\n", "abandoned attempts", c->abandoned);
	}
	if (c->unfinished_at_exit) {
		fprintf(out, "    %-18s %9" PRIu64 "  (threads still trying to take it when the process exited)\n",
			"unfinished at exit", c->unfinished_at_exit);
	}
}

/* Bytes of a thread's name the thread table shows. */
#define TEXT_NAME_WIDTH 24

/* The first at most size - 1 bytes of s, not cutting a UTF-8 character. */
static const char *text_cut(char *buf, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size) {
		len = size - 1;
		while (len && ((unsigned char) s[len] & 0xc0) == 0x80) {
			len--;
		}
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

static int text_threads(FILE *out, const struct gs_gil *g)
{
	size_t n;
	struct gs_gil_thread **v = report_threads(g, 1, &n);
	char b[3][16], name[TEXT_NAME_WIDTH + 1];

	if (!v) {
		return -1;
	}
	fputs("\n  Threads, longest waiting first:\n", out);
	fprintf(out, "    %8s %-*s %8s %8s %9s %9s %9s %9s %9s %9s %9s %11s %11s\n",
		"tid", TEXT_NAME_WIDTH, "name", "waiting", "holding", "acquired", "contended", "switches", "failed-wk",
		"timeouts", "missed-ho", "wait p99", "wake-up p50", "wake-up max");
	for (size_t i = 0; i < n; i++) {
		const struct gs_gil_thread *gt = v[i];
		const struct gs_counters *c = &gt->c;
		struct hist_summary w, u;

		hist_summarise(&gt->d.wait, &w);
		hist_summarise(&gt->d.wakeup, &u);
		fprintf(out, "    %8" PRId64 " %-*s %7.1f%% %7.1f%% %9" PRIu64 " %9" PRIu64 " %9" PRIu64
			" %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9s %11s %11s\n",
			gt->thread->tid, TEXT_NAME_WIDTH, text_cut(name, sizeof(name), gs_thread_name(gt->thread)),
			100.0 * gt->wait_share, 100.0 * gt->hold_share,
			c->acquisitions, c->contended_acquisitions, c->switches, c->failed_wakeups,
			c->timeouts, c->missed_handoffs,
			w.count ? DUR(b[0], w.p99) : "-",
			u.count ? DUR(b[1], u.p50) : "-",
			u.count ? DUR(b[2], u.max) : "-");
	}
	free(v);
	return 0;
}

/* Rows shown per call-site ranking; JSON lists every site. */
#define TEXT_SITES_BY_HOLD	10
#define TEXT_SITES_OTHER	5

/* A site's name, "*" appended when it lies inside the GIL machinery. */
static const char *site_name(char *buf, size_t size, const struct gs_gil *g, const struct cs_site *s)
{
	size_t len;

	cs_format(buf, size, &g->proc->names, s->addr);
	len = strlen(buf);
	if (s->in_machinery && len + 2 < size) {
		buf[len] = '*';
		buf[len + 1] = '\0';
	}
	return buf;
}

/* "Held 1.02s in total after acquisitions at X; the longest hold, ..." */
static void text_sites_headline(FILE *out, const struct gs_gil *g, const struct cs_site *top)
{
	char where[CS_SYMBOL_MAX + 64], released[CS_SYMBOL_MAX + 64], b[2][16];

	if (!top || top->held_ns == 0) {
		return;
	}
	fprintf(out, "    Held %s in total after acquisitions at %s", DUR(b[0], top->held_ns),
		site_name(where, sizeof(where), g, top));
	if (top->holds) {
		const struct cs_site *r = idmap_get(&g->sites.by_addr, top->longest_hold_release);

		fprintf(out, ";\n    the longest hold, %s, was released at %s", DUR(b[1], top->longest_hold_ns),
			r ? site_name(released, sizeof(released), g, r) : "an unknown site");
	}
	fputs(".\n", out);
}

static int text_sites_by_hold(FILE *out, const struct gs_gil *g)
{
	size_t n, shown = 0;
	struct cs_site **v = report_sites(g, REPORT_SITES_BY_HOLD, &n);
	char name[CS_SYMBOL_MAX + 64], b[3][16];

	if (!v) {
		return -1;
	}
	text_sites_headline(out, g, n ? v[0] : NULL);
	fprintf(out, "\n    By the hold that followed acquisitions there:\n      %9s %9s %9s %9s  %s\n",
		"held", "holds", "longest", "waited", "acquired at");
	for (size_t i = 0; i < n && shown < TEXT_SITES_BY_HOLD; i++) {
		const struct cs_site *s = v[i];

		if (!s->acquisitions) {
			continue;
		}
		fprintf(out, "      %9s %9" PRIu64 " %9s %9s  %s\n", DUR(b[0], s->held_ns), s->holds,
			s->holds ? DUR(b[1], s->longest_hold_ns) : "-", DUR(b[2], s->waited_ns),
			site_name(name, sizeof(name), g, s));
		shown++;
	}
	free(v);
	return 0;
}

/* The sites with the most of one measure (wait time, failed wake-ups). */
static int text_sites_by(FILE *out, const struct gs_gil *g, enum report_site_order order)
{
	size_t n, shown = 0;
	struct cs_site **v = report_sites(g, order, &n);
	char name[CS_SYMBOL_MAX + 64], b[2][16];

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n && shown < TEXT_SITES_OTHER; i++) {
		const struct cs_site *s = v[i];
		uint64_t key = order == REPORT_SITES_BY_WAIT ? s->waited_ns : s->failed_wakeups;

		if (!key) {
			break;
		}
		if (shown++ == 0) {
			fprintf(out, "\n    By %s of the attempts that ended there:\n      %9s %9s %9s %9s  %s\n",
				order == REPORT_SITES_BY_WAIT ? "the wait" : "failed wake-ups",
				"waited", "wait max", "attempts", "failed-wk", "attempts ended at");
		}
		fprintf(out, "      %9s %9s %9" PRIu64 " %9" PRIu64 "  %s\n",
			DUR(b[0], s->waited_ns), DUR(b[1], s->longest_wait_ns), s->acquisitions + s->abandoned,
			s->failed_wakeups, site_name(name, sizeof(name), g, s));
	}
	free(v);
	return 0;
}

static int text_sites(FILE *out, const struct gs_gil *g)
{
	if (g->sites.by_addr.len == 0) {
		return 0;
	}
	if (g->sites.max_depth) {
		fprintf(out, "\n  Call sites (backtraces of up to %" PRIu32 " frames; each event is placed at its\n"
			"  first frame outside the GIL machinery, * where none was):\n", g->sites.max_depth);
	} else {
		/* Every site would be the lock's own code: nothing to rank. */
		fputs("\n  Call sites: no backtraces recorded (giltrace record --callsites records them).\n", out);
		return 0;
	}
	if (text_sites_by_hold(out, g) != 0 || text_sites_by(out, g, REPORT_SITES_BY_WAIT) != 0
			|| text_sites_by(out, g, REPORT_SITES_BY_FAILED) != 0) {
		return -1;
	}
	if (g->sites.dropped) {
		fprintf(out, "    (%" PRIu64 " events of call sites beyond the first %d are counted under \"(other call sites)\")\n",
			g->sites.dropped, CS_SITES_MAX - 1);
	}
	return 0;
}

/* ---- Python ---------------------------------------------------------- */

/* Rows shown per Python function ranking (JSON lists every function);
 * threads and parts shown of who made whom wait (JSON: all). */
#define TEXT_FUNCS_BY_HOLD	10
#define TEXT_FUNCS_OTHER	5
#define TEXT_WAITERS		10
#define TEXT_PARTS		3

/* "spin_until (gil_convoy.py:37)": a function and where it begins. */
static const char *func_label(char *buf, size_t size, const struct py_func *f)
{
	struct py_where w = { f, f->filename ? f->firstlineno : PY_NO_LINE };

	py_where_format(buf, size, &w);
	return buf;
}

static const char *line_text(char *buf, size_t size, int32_t line)
{
	if (line == PY_NO_LINE) {
		return "-";
	}
	snprintf(buf, size, "%" PRId32, line);
	return buf;
}

/* ", taken at line 37" or ", taken in main (x.py:66)": where the longest
 * hold began, when known. */
static void text_hold_taken(FILE *out, const struct py_fstat *f)
{
	struct py_where taken = { f->longest_hold_taken_func, f->longest_hold_taken_line };
	char where[512];

	if (taken.func == &py_func_none || taken.line == PY_NO_LINE) {
		return;
	}
	/* By what the reader sees: a name and a file. */
	if (strcmp(taken.func->name, f->func->name) == 0 &&
	    strcmp(taken.func->filename ? taken.func->filename : "", f->func->filename ? f->func->filename : "") == 0) {
		fprintf(out, ", taken at line %" PRId32, taken.line);
		return;
	}
	py_where_format(where, sizeof(where), &taken);
	fprintf(out, ", taken in %s", where);
}

/* "Held 1.02s in total in X; the longest hold, 51.2ms, was released at
 * line 39, taken at line 37." */
static void text_funcs_headline(FILE *out, const struct py_fstat *top)
{
	char name[512], b[2][16];

	if (!top || top->held_ns == 0) {
		return;
	}
	fprintf(out, "    Held %s in total in %s", DUR(b[0], top->held_ns), func_label(name, sizeof(name), top->func));
	if (top->holds && top->longest_hold_line != PY_NO_LINE) {
		fprintf(out, ";\n    the longest hold, %s, was released at line %" PRId32, DUR(b[1], top->longest_hold_ns),
			top->longest_hold_line);
		text_hold_taken(out, top);
	}
	fputs(".\n", out);
}

static int text_funcs_by_hold(FILE *out, const struct gs_gil *g)
{
	size_t n, shown = 0;
	struct py_fstat **v = report_functions(g, REPORT_FUNCS_BY_HOLD, &n);
	char name[512], line[16], b[2][16];

	if (!v) {
		return -1;
	}
	text_funcs_headline(out, n ? v[0] : NULL);
	fprintf(out, "\n    By the time they held the GIL:\n      %9s %9s %9s %8s %6s  %s\n",
		"held", "holds", "longest", "at line", "share", "function");
	for (size_t i = 0; i < n && shown < TEXT_FUNCS_BY_HOLD; i++) {
		const struct py_fstat *f = v[i];

		if (!f->held_ns) {
			break;
		}
		fprintf(out, "      %9s %9" PRIu64 " %9s %8s %5.1f%%  %s\n", DUR(b[0], f->held_ns), f->holds,
			f->holds ? DUR(b[1], f->longest_hold_ns) : "-",
			f->holds ? line_text(line, sizeof(line), f->longest_hold_line) : "-",
			100.0 * gs_share(f->held_ns, gs_gil_span(g)), func_label(name, sizeof(name), f->func));
		shown++;
	}
	free(v);
	return 0;
}

/* The functions with the most of one measure (wait time, failed wake-ups). */
static int text_funcs_by(FILE *out, const struct gs_gil *g, enum report_func_order order)
{
	size_t n, shown = 0;
	struct py_fstat **v = report_functions(g, order, &n);
	char name[512], line[16], b[2][16];

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n && shown < TEXT_FUNCS_OTHER; i++) {
		const struct py_fstat *f = v[i];
		uint64_t key = order == REPORT_FUNCS_BY_WAIT ? f->waited_ns : f->failed_wakeups;

		if (!key) {
			break;
		}
		if (shown++ == 0) {
			fprintf(out, "\n    By %s of the attempts that resumed there:\n"
				"      %9s %9s %9s %8s %9s %9s  %s\n",
				order == REPORT_FUNCS_BY_WAIT ? "the wait" : "failed wake-ups",
				"waited", "attempts", "wait max", "at line", "failed-wk", "timeouts", "function");
		}
		fprintf(out, "      %9s %9" PRIu64 " %9s %8s %9" PRIu64 " %9" PRIu64 "  %s\n",
			DUR(b[0], f->waited_ns), f->attempts, f->attempts ? DUR(b[1], f->longest_wait_ns) : "-",
			f->attempts ? line_text(line, sizeof(line), f->longest_wait_line) : "-",
			f->failed_wakeups, f->timeouts, func_label(name, sizeof(name), f->func));
	}
	free(v);
	return 0;
}

static int text_functions(FILE *out, const struct gs_gil *g)
{
	fputs("\n  Python functions (a hold is placed where it was released, an attempt where\n"
		"  the thread resumed):\n", out);
	if (text_funcs_by_hold(out, g) != 0 || text_funcs_by(out, g, REPORT_FUNCS_BY_WAIT) != 0
			|| text_funcs_by(out, g, REPORT_FUNCS_BY_FAILED) != 0) {
		return -1;
	}
	if (g->funcs.dropped) {
		fprintf(out, "    (%" PRIu64 " events of functions beyond the first %d are counted under \"%s\")\n",
			g->funcs.dropped, PY_FUNCS_MAX - 1, py_func_other.name);
	}
	return 0;
}

/* "behind spin_until (gil_convoy.py:39), held by cpu_hog (18521)" */
static const char *part_text(char *buf, size_t size, const struct py_blocker *b)
{
	char where[512];

	if (!b->holder) {
		snprintf(buf, size, b->where.func == &py_func_gap ? "in hand-off gaps (the GIL free, the thread not yet running)"
			: "behind other blockers");
		return buf;
	}
	py_where_format(where, sizeof(where), &b->where);
	snprintf(buf, size, "behind %s, held by %s (%" PRId64 ")", where, gs_thread_name(b->holder), b->holder->tid);
	return buf;
}

/* "98.0% of the wait of X (tid) was spent behind ...", then its next parts. */
static int text_waiter(FILE *out, const struct gs_gil_thread *gt)
{
	size_t n;
	struct py_blocker **v = report_blockers(gt, &n);
	char part[1024];

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n && i < TEXT_PARTS; i++) {
		double pct = 100.0 * gs_share(v[i]->ns, gt->waited_ns);

		if (i == 0) {
			fprintf(out, "    %.1f%% of the wait of %s (%" PRId64 ") was spent %s", pct,
				gs_thread_name(gt->thread), gt->thread->tid, part_text(part, sizeof(part), v[i]));
		} else {
			fprintf(out, ",\n      %.1f%% %s", pct, part_text(part, sizeof(part), v[i]));
		}
	}
	fputs(n > TEXT_PARTS ? ", ...\n" : ".\n", out);
	free(v);
	return 0;
}

static int text_blockers(FILE *out, const struct gs_gil *g)
{
	size_t n, shown = 0;
	struct gs_gil_thread **v = report_threads(g, 1, &n);
	int rc = 0;

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n && shown < TEXT_WAITERS && rc == 0; i++) {
		if (!v[i]->waited_ns) {
			break;
		}
		if (shown++ == 0) {
			fputs("\n  Who made whom wait (each thread's wait, split among the holds and hand-off\n"
				"  gaps it was behind; a hold placed where it was released):\n", out);
		}
		rc = text_waiter(out, v[i]);
	}
	free(v);
	return rc;
}

static void text_anomalies(FILE *out, const uint64_t *an)
{
	int any = 0;

	for (int i = 0; i < GS_AN_COUNT; i++) {
		any |= an[i] != 0;
	}
	if (!any) {
		return;
	}
	fputs("\n  Inconsistencies (counted here, kept out of the figures above):\n", out);
	for (int i = 0; i < GS_AN_COUNT; i++) {
		if (an[i]) {
			fprintf(out, "    %9" PRIu64 "  %s: %s\n", an[i], gs_anomaly_name(i), gs_anomaly_help(i));
		}
	}
}

static int text_gil(FILE *out, const struct gs_gil *g)
{
	char span[16];

	fprintf(out, "\n  GIL %#" PRIx64 " -- %s, %s (identified by %s)\n", g->address, g->runtime,
		gs_kind_name(g->kind), g->method);
	fprintf(out, "    held %.1f%% of %s by %u thread%s, at most %" PRIu32 " waiting at a release\n\n",
		100.0 * g->hold_share,
		DUR(span, gs_gil_span(g)),
		g->nthreads, g->nthreads == 1 ? "" : "s", g->max_waiters);
	text_counters(out, g);
	fprintf(out, "\n    %-18s %9s %9s %9s %9s %9s %9s\n", "", "count", "mean", "p50", "p90", "p99", "max");
	text_dist_row(out, "wait", &g->d.wait);
	text_dist_row(out, "hold", &g->d.hold);
	text_dist_row(out, "wake-up latency", &g->d.wakeup);
	text_dist_row(out, "hand-off latency", &g->d.handoff);
	if (text_threads(out, g) != 0 || text_sites(out, g) != 0) {
		return -1;
	}
	/* Without Python frames every function and hold would be "(no
	 * Python frame)": nothing to tell (JSON has the split by thread). */
	if (g->proc->py_frames && (text_functions(out, g) != 0 || text_blockers(out, g) != 0)) {
		return -1;
	}
	text_anomalies(out, g->anomalies);
	return 0;
}

static int text_locks(FILE *out, const struct gs_process *p)
{
	size_t n;
	struct gs_lock **v = report_locks(p, &n);
	char b[4][16];

	if (!v) {
		return -1;
	}
	fprintf(out, "\n  Contended locks, longest total wait first: %zu\n", n);
	if (n) {
		fprintf(out, "    %-18s %-12s %9s %9s %9s %9s %10s %9s %9s %9s\n", "address", "kind",
			"acquired", "contended", "busy", "changes", "wait total", "wait p99", "wait max",
			"hold max");
	}
	for (size_t i = 0; i < n; i++) {
		const struct gs_lock *l = v[i];
		char kind[16];

		snprintf(kind, sizeof(kind), "%s%s", ls_kind_name(l->kind), report_lock_is_gil(p, l) ? "*" : "");
		fprintf(out, "    %#-18" PRIx64 " %-12s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
			" %10s %9s %9s %9s\n", l->address, kind, l->acquisitions, l->contended, l->busy,
			l->owner_changes,
			l->wait.count ? DUR(b[0], l->wait.sum) : "-",
			l->wait.count ? DUR(b[1], hist_percentile(&l->wait, 99)) : "-",
			l->wait.count ? DUR(b[2], l->wait.max) : "-",
			l->hold.count ? DUR(b[3], l->hold.max) : "-");
	}
	if (n) {
		fputs("    (* the GIL's own lock; condvar: acquired = waits returned)\n", out);
	}
	free(v);
	return 0;
}

static int text_process(FILE *out, const struct report *r, const struct gs_process *p)
{
	size_t n;
	struct gs_gil **v = report_gils(p, 1, &n);
	int rc = 0;

	if (!v) {
		return -1;
	}
	fprintf(out, "\nProcess %" PRId64 " (%s)\n", p->pid, p->procname[0] ? p->procname : "?");
	if (p->py_frames_off) {
		fprintf(out, "  Python frames not recorded: %s\n", p->py_frames_off);
	}
	if (p->codes.dropped || p->codes.tables_dropped) {
		fprintf(out, "  (%" PRIu64 " code objects beyond the first %d are \"%s\", %" PRIu64
			" line tables beyond %u bytes are not kept: their lines are unknown)\n", p->codes.dropped,
			PY_CODES_MAX, py_func_unnamed.name, p->codes.tables_dropped, PY_TABLE_BYTES_MAX);
	}
	if (n == 0) {
		/* The shim's reason already says "no GIL recognised ...". */
		fprintf(out, "  %s\n", p->not_found ? p->not_found : "no GIL event from this process");
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = text_gil(out, v[i]);
	}
	if (rc == 0 && r->a->all_locks) {
		rc = text_locks(out, p);
	}
	free(v);
	return rc;
}

int report_text(FILE *out, const struct report *r)
{
	size_t n;
	struct gs_process **procs = report_processes(r, 1, &n);
	int rc = 0;

	if (!procs) {
		return -1;
	}
	text_header(out, r, n);
	if (r->a->anomalies[GS_AN_TIME_BACKWARDS]) {
		fprintf(out, "WARNING: %" PRIu64 " events were out of time order.\n",
			r->a->anomalies[GS_AN_TIME_BACKWARDS]);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = text_process(out, r, procs[i]);
	}
	free(procs);
	return rc;
}
