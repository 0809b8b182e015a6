/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/json_write.h"
#include "top_view.h"

/* Where the previous interval left one (GIL, thread). */
struct tv_base {
	struct gs_counters c;
	uint64_t held_ns;
	uint64_t waited_ns;
	struct hist wakeup;		/* copy of the cumulative histogram, owned */
};

/* ---- who held the GIL, where ---------------------------------------- */

static const struct py_where other_where = { &py_func_other, PY_NO_LINE };

static int holder_is(const struct tv_holder *h, const struct gs_gil_thread *gt, const struct py_where *w)
{
	return h->gt == gt && h->where.func == w->func && h->where.line == w->line;
}

/* The place (gt, w) of this interval, created on first use (the
 * thread's "other" place once the map is full); NULL when out of memory. */
static struct tv_holder *holder_get(struct top_view *v, const struct gs_gil_thread *gt,
		const struct py_where *w)
{
	uint64_t key = py_where_key(gt, w);
	struct tv_holder *h = idmap_get(&v->holders, key);

	/* The key is a hash: a collision is told apart here. */
	while (h && !holder_is(h, gt, w)) {
		key = key * 31 + 7;
		h = idmap_get(&v->holders, key);
	}
	if (h) {
		return h;
	}
	if (w != &other_where && v->holders.len >= TV_HOLDERS_MAX) {
		return holder_get(v, gt, &other_where);
	}
	h = calloc(1, sizeof(*h));
	if (!h || idmap_put(&v->holders, key, h) != 0) {
		free(h);
		return NULL;
	}
	h->gt = gt;
	h->where = *w;
	return h;
}

/* The core tells a hold as it is released (or cut by the end). */
static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state, int64_t from,
		int64_t to)
{
	struct top_view *v = arg;
	/* Before the first interval is taken, everything is inside it. */
	int64_t start = v->number ? v->prev_ns : INT64_MIN;
	struct tv_holder *h;

	if (state != GS_STATE_HOLDING) {
		return;
	}
	h = holder_get(v, gt, gs_hold_where(gt->gil));
	if (!h) {
		/* The holders of this interval are incomplete: say so. */
		v->oom = 1;
		return;
	}
	h->holds++;
	h->holds_ns += gs_dur(from, to);
	h->held_ns += gs_dur(from > start ? from : start, to);
}

static void holders_reset(struct top_view *v)
{
	idmap_free_values(&v->holders);
	memset(&v->holders, 0, sizeof(v->holders));
}

void tv_init(struct top_view *v, struct gs_analysis *a)
{
	struct gs_observer obs = { on_interval, NULL, v };

	memset(v, 0, sizeof(*v));
	v->a = a;
	gs_observe(a, &obs);
}

void tv_set_alive(struct top_view *v, tv_alive_func alive, void *arg)
{
	v->alive = alive;
	v->alive_arg = arg;
}

void tv_set_reader_stats(struct top_view *v, const struct trace_read_stats *stats)
{
	v->stats = stats;
}

void tv_set_gil_end(struct top_view *v, tv_gil_end_func gil_end, void *arg)
{
	v->gil_end = gil_end;
	v->gil_end_arg = arg;
}

/* Gone processes stay gone: asked once, remembered. */
static int process_gone(struct top_view *v, int64_t pid)
{
	if (!v->alive) {
		return 0;
	}
	if (idmap_get(&v->gone, (uint64_t) pid)) {
		return 1;
	}
	if (v->alive(pid, v->alive_arg)) {
		return 0;
	}
	/* Out of memory: asked again next time, no harm. */
	idmap_put(&v->gone, (uint64_t) pid, (void *) 1);
	return 1;
}

static uint64_t minus(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

static int counters_zero(const struct gs_counters *c)
{
	static const struct gs_counters zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

static struct tv_base *base_get(struct top_view *v, const struct gs_gil_thread *gt)
{
	uint64_t key = (uint64_t) (uintptr_t) gt;
	struct tv_base *b = idmap_get(&v->base, key);

	if (b) {
		return b;
	}
	b = calloc(1, sizeof(*b));
	if (!b || idmap_put(&v->base, key, b) != 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* One thread's interval; moves its baseline to now.  -1: out of memory. */
static int thread_take(struct top_view *v, const struct gs_gil_thread *gt, int64_t now,
		struct tv_measures *m)
{
	struct tv_base *b = base_get(v, gt);
	uint64_t held, waited;

	if (!b) {
		return -1;
	}
	gs_gil_thread_progress(gt, now, &held, &waited);
	gs_counters_sub(&m->c, &gt->c, &b->c);
	b->c = gt->c;
	/* A hold cut by lost events can shrink what was counted so far. */
	m->held_ns = minus(held, b->held_ns);
	m->waited_ns = minus(waited, b->waited_ns);
	b->held_ns = held;
	b->waited_ns = waited;
	if (gt->d.wakeup.count != b->wakeup.count) {
		if (hist_diff(&m->wakeup, &gt->d.wakeup, &b->wakeup) != 0
				|| hist_copy(&b->wakeup, &gt->d.wakeup) != 0) {
			return -1;
		}
	}
	return 0;
}

static int measures_active(const struct tv_measures *m)
{
	return !counters_zero(&m->c) || m->held_ns || m->waited_ns;
}

static uint64_t busy(const struct tv_measures *m)
{
	return m->held_ns + m->waited_ns;
}

static int thread_cmp(const void *x, const void *y)
{
	const struct tv_thread_rec *a = x, *b = y;

	if (busy(&a->m) != busy(&b->m)) {
		return busy(&a->m) > busy(&b->m) ? -1 : 1;
	}
	return a->gt->thread->tid < b->gt->thread->tid ? -1 : a->gt->thread->tid > b->gt->thread->tid;
}

static int gil_cmp(const void *x, const void *y)
{
	const struct tv_gil_rec *a = x, *b = y;

	if (busy(&a->m) != busy(&b->m)) {
		return busy(&a->m) > busy(&b->m) ? -1 : 1;
	}
	if (a->g->proc->pid != b->g->proc->pid) {
		return a->g->proc->pid < b->g->proc->pid ? -1 : 1;
	}
	return a->g->address < b->g->address ? -1 : a->g->address > b->g->address;
}

static void measures_free(struct tv_measures *m)
{
	hist_free(&m->wakeup);
}

static int holder_cmp(const void *x, const void *y)
{
	const struct tv_holder *a = x, *b = y;

	if (a->held_ns != b->held_ns) {
		return a->held_ns > b->held_ns ? -1 : 1;
	}
	if (a->gt->thread->tid != b->gt->thread->tid) {
		return a->gt->thread->tid < b->gt->thread->tid ? -1 : 1;
	}
	if (a->where.func != b->where.func) {
		return strcmp(a->where.func->name, b->where.func->name);
	}
	return a->where.line < b->where.line ? -1 : a->where.line > b->where.line;
}

/* The interval's holders of g, the top holder first.  -1: out of memory. */
static int gil_holders(const struct top_view *v, const struct gs_gil *g, struct tv_gil_rec *rec)
{
	size_t pos = 0, n = 0;
	void *p;

	while (idmap_next(&v->holders, &pos, &p)) {
		n += ((struct tv_holder *) p)->gt->gil == g;
	}
	if (!n) {
		return 0;
	}
	rec->holders = calloc(n, sizeof(*rec->holders));
	if (!rec->holders) {
		return -1;
	}
	for (pos = 0; idmap_next(&v->holders, &pos, &p);) {
		if (((struct tv_holder *) p)->gt->gil == g) {
			rec->holders[rec->nholders++] = *(struct tv_holder *) p;
		}
	}
	qsort(rec->holders, rec->nholders, sizeof(*rec->holders), holder_cmp);
	return 0;
}

/*
 * A GIL's interval: every thread's baseline moves, the active ones are
 * recorded.  *shown: whether the GIL belongs in the interval at all.
 */
static int gil_take(struct top_view *v, const struct gs_gil *g, int64_t now, int ended,
		struct tv_gil_rec *rec, int *shown)
{
	size_t cap = g->nthreads ? g->nthreads : 1;
	int64_t end = v->gil_end ? v->gil_end(g, v->gil_end_arg) : INT64_MAX;
	/* What is still open in a trace that ended stops at its last event. */
	int64_t until = ended && g->last_ts < now ? g->last_ts : now;

	if (end < until) {
		until = end;
	}
	ended = ended || end <= now;

	memset(rec, 0, sizeof(*rec));
	rec->g = g;
	rec->threads = calloc(cap, sizeof(*rec->threads));
	if (!rec->threads) {
		return -1;
	}
	for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		struct tv_thread_rec *tr = &rec->threads[rec->nthreads];

		memset(tr, 0, sizeof(*tr));
		tr->gt = gt;
		if (thread_take(v, gt, until, &tr->m) != 0) {
			measures_free(&tr->m);
			return -1;
		}
		if (!measures_active(&tr->m)) {
			measures_free(&tr->m);
			continue;
		}
		gs_counters_add(&rec->m.c, &tr->m.c);
		rec->m.held_ns += tr->m.held_ns;
		rec->m.waited_ns += tr->m.waited_ns;
		if (hist_merge(&rec->m.wakeup, &tr->m.wakeup) != 0) {
			measures_free(&tr->m);
			return -1;
		}
		rec->nthreads++;
	}
	qsort(rec->threads, rec->nthreads, sizeof(*rec->threads), thread_cmp);
	if (gil_holders(v, g, rec) != 0) {
		return -1;
	}
	/* Quiet GILs stay in view a while: for monitoring, zero is news. */
	*shown = rec->nthreads > 0 || (!ended && (g->holder || g->attempting)) || now - g->last_ts <= TV_IDLE_NS;
	return 0;
}

static void gil_rec_free(struct tv_gil_rec *rec)
{
	for (size_t i = 0; i < rec->nthreads; i++) {
		measures_free(&rec->threads[i].m);
	}
	free(rec->threads);
	free(rec->holders);
	measures_free(&rec->m);
	memset(rec, 0, sizeof(*rec));
}

static size_t gil_count(const struct gs_analysis *a)
{
	size_t pos = 0, n = 0;
	void *p;

	while (idmap_next(&a->procs, &pos, &p)) {
		n += ((struct gs_process *) p)->ngils;
	}
	return n;
}

int tv_take(struct top_view *v, int64_t now_ns, int final, struct tv_interval *iv)
{
	const struct gs_analysis *a = v->a;
	size_t pos = 0, cap = gil_count(a);
	void *p;
	int rc = 0;

	memset(iv, 0, sizeof(*iv));
	iv->start_ns = v->number ? v->prev_ns : a->first_ts;
	iv->end_ns = now_ns > iv->start_ns ? now_ns : iv->start_ns;
	iv->number = ++v->number;
	iv->final = final;
	iv->events = minus(a->events, v->prev_events);
	iv->discarded_events = minus(a->discarded_events, v->prev_discarded);
	v->prev_ns = iv->end_ns;
	v->prev_events = a->events;
	v->prev_discarded = a->discarded_events;
	iv->discarded_packets = minus(a->discarded_packets, v->prev_discarded_packets);
	v->prev_discarded_packets = a->discarded_packets;
	if (v->stats) {
		iv->unknown_events = minus(v->stats->unknown_events, v->prev_unknown);
		v->prev_unknown = v->stats->unknown_events;
	}
	iv->gils = calloc(cap ? cap : 1, sizeof(*iv->gils));
	if (!iv->gils || v->oom) {
		free(iv->gils);
		iv->gils = NULL;
		holders_reset(v);
		v->oom = 0;
		return -1;
	}
	while (rc == 0 && idmap_next(&a->procs, &pos, &p)) {
		const struct gs_process *proc = p;
		int ended = final || process_gone(v, proc->pid);

		for (const struct gs_gil *g = proc->gils; g && rc == 0; g = g->next) {
			struct tv_gil_rec *rec = &iv->gils[iv->ngils];
			int shown = 0;

			rc = gil_take(v, g, iv->end_ns, ended, rec, &shown);
			if (rc == 0 && shown) {
				iv->ngils++;
			} else {
				gil_rec_free(rec);
			}
		}
	}
	/* The next interval's holds start afresh. */
	holders_reset(v);
	if (rc != 0) {
		tv_interval_free(iv);
		return -1;
	}
	qsort(iv->gils, iv->ngils, sizeof(*iv->gils), gil_cmp);
	return 0;
}

void tv_interval_free(struct tv_interval *iv)
{
	for (size_t i = 0; i < iv->ngils; i++) {
		gil_rec_free(&iv->gils[i]);
	}
	free(iv->gils);
	iv->gils = NULL;
	iv->ngils = 0;
}

void tv_free(struct top_view *v)
{
	size_t pos = 0;
	void *b;

	while (idmap_next(&v->base, &pos, &b)) {
		hist_free(&((struct tv_base *) b)->wakeup);
		free(b);
	}
	idmap_free(&v->base);
	idmap_free(&v->gone);
	holders_reset(v);
	memset(v, 0, sizeof(*v));
}

/* ---- writing -------------------------------------------------------- */

void tv_duration(char *buf, size_t size, uint64_t ns, int none)
{
	if (none) {
		snprintf(buf, size, "-");
		return;
	}
	hist_duration(buf, size, ns, " ");
}

/* The members every record has, for a GIL or a thread (keys in giltrace(1)). */
static void json_measures(FILE *out, const struct gs_counters *c, uint64_t held, uint64_t waited,
		int64_t span, const struct hist *wakeup)
{
	uint64_t window = span > 0 ? (uint64_t) span : 0;

	json_write_share(out, &json_compact, "hold_share", gs_share(held, window));
	json_write_share(out, &json_compact, "wait_share", gs_share(waited, window));
	json_write_u64(out, &json_compact, "held_ns", held);
	json_write_u64(out, &json_compact, "waited_ns", waited);
	json_write_counters(out, &json_compact, c);
	fprintf(out, "\"wakeups\":%" PRIu64 ",\"wakeup_p99_ns\":", wakeup->count);
	if (wakeup->count) {
		fprintf(out, "%" PRIu64, hist_percentile(wakeup, 99));
	} else {
		fputs("null", out);
	}
}

static void json_gil_head(FILE *out, const char *type, const struct gs_gil *g)
{
	fprintf(out, "{\"type\":\"%s\",\"pid\":%" PRId64 ",\"procname\":", type, g->proc->pid);
	json_write_string(out, g->proc->procname);
	fprintf(out, ",\"gil\":\"%#" PRIx64 "\",\"runtime\":", g->address);
	json_write_string(out, g->runtime);
	fputs(",\"kind\":", out);
	json_write_string(out, gs_kind_name(g->kind));
}

/* A thread's keys, as giltrace-analyze's JSON names them. */
static void json_thread_head(FILE *out, const struct gs_gil_thread *gt, int first)
{
	fprintf(out, "%s{\"tid\":%" PRId64 ",\"procname\":", first ? "" : ",", gt->thread->tid);
	json_write_string(out, gt->thread->procname);
	fputs(",\"name\":", out);
	json_write_string(out, gs_thread_name(gt->thread));
	fputc(',', out);
}

static void json_line(FILE *out, int32_t line)
{
	if (line == PY_NO_LINE) {
		fputs("null", out);
	} else {
		fprintf(out, "%" PRId32, line);
	}
}

/* A holder: the thread's keys, then the place's as the report's
 * functions and blockers name them (null when unknown). */
static void json_holder(FILE *out, const struct tv_holder *h, int64_t span, int first)
{
	const struct py_func *f = h->where.func;

	json_thread_head(out, h->gt, first);
	fputs("\"function\":", out);
	json_write_string(out, f->name);
	fputs(",\"file\":", out);
	if (f->filename) {
		json_write_string(out, f->filename);
	} else {
		fputs("null", out);
	}
	/* A function is its name, file and first line, as in the report. */
	fputs(",\"firstlineno\":", out);
	json_line(out, f->filename ? f->firstlineno : PY_NO_LINE);
	fputs(",\"line\":", out);
	json_line(out, h->where.line);
	fputc(',', out);
	json_write_share(out, &json_compact, "hold_share", gs_share(h->held_ns, span > 0 ? (uint64_t) span : 0));
	json_write_u64(out, &json_compact, "held_ns", h->held_ns);
	json_write_u64(out, &json_compact, "holds", h->holds);
	fprintf(out, "\"holds_ns\":%" PRIu64 "}", h->holds_ns);
}

static void json_holders(FILE *out, const struct tv_gil_rec *r, int64_t span)
{
	fputs(",\"top_holder\":", out);
	if (r->nholders) {
		json_holder(out, &r->holders[0], span, 1);
	} else {
		fputs("null", out);
	}
	fputs(",\"holders\":[", out);
	for (size_t k = 0; k < r->nholders; k++) {
		json_holder(out, &r->holders[k], span, k == 0);
	}
	fputc(']', out);
}

static void json_interval(FILE *out, const struct tv_interval *iv)
{
	int64_t span = iv->end_ns - iv->start_ns;

	for (size_t i = 0; i < iv->ngils; i++) {
		const struct tv_gil_rec *r = &iv->gils[i];

		json_gil_head(out, "interval", r->g);
		fprintf(out, ",\"interval\":%" PRIu64 ",\"final\":%s,\"start_ns\":%" PRId64 ",\"end_ns\":%" PRId64
			",\"span_ns\":%" PRId64 ",\"events\":%" PRIu64 ",\"discarded_events\":%" PRIu64
			",\"discarded_packets\":%" PRIu64 ",\"unknown_events\":%" PRIu64 ",",
			iv->number, iv->final ? "true" : "false", iv->start_ns, iv->end_ns, span,
			iv->events, iv->discarded_events, iv->discarded_packets, iv->unknown_events);
		json_measures(out, &r->m.c, r->m.held_ns, r->m.waited_ns, span, &r->m.wakeup);
		fputs(",\"threads\":[", out);
		for (size_t k = 0; k < r->nthreads; k++) {
			const struct tv_thread_rec *t = &r->threads[k];

			json_thread_head(out, t->gt, k == 0);
			json_measures(out, &t->m.c, t->m.held_ns, t->m.waited_ns, span, &t->m.wakeup);
			fputc('}', out);
		}
		fputc(']', out);
		json_holders(out, r, span);
		fputs("}\n", out);
	}
}

/* One row of the table: a GIL's "all threads" or one thread. */
static void text_row(FILE *out, const char *label, const struct gs_counters *c, uint64_t held,
		uint64_t waited, int64_t span, const struct hist *wakeup)
{
	uint64_t window = span > 0 ? (uint64_t) span : 0;
	char p99[16];

	tv_duration(p99, sizeof(p99), wakeup->count ? hist_percentile(wakeup, 99) : 0, wakeup->count == 0);
	/* The label is cut already: padded by bytes, as the text report's. */
	fprintf(out, "  %-24s %6.1f%% %6.1f%% %9" PRIu64 " %8" PRIu64 " %10s\n", label,
		100.0 * gs_share(held, window), 100.0 * gs_share(waited, window),
		c->acquisitions, c->failed_wakeups, p99);
}

static void text_gil_head(FILE *out, const struct gs_gil *g)
{
	fprintf(out, "\npid %" PRId64 " %s  GIL %#" PRIx64 "  %s\n", g->proc->pid, g->proc->procname,
		g->address, g->runtime);
	fprintf(out, "  %-24s %7s %7s %9s %8s %10s\n", "THREAD", "HOLDING", "WAITING", "ACQUIRED", "FAILED",
		"WAKE p99");
}

/* Bytes of the table's thread column. */
#define TV_LABEL_WIDTH 24

/* "tid name", cut to the column without cutting a UTF-8 character. */
static const char *thread_label(char *buf, size_t size, const struct gs_gil_thread *gt)
{
	size_t len;

	snprintf(buf, size, "%" PRId64 " %s", gt->thread->tid, gs_thread_name(gt->thread));
	len = strlen(buf);
	if (len > TV_LABEL_WIDTH) {
		len = TV_LABEL_WIDTH;
		while (len && ((unsigned char) buf[len] & 0xc0) == 0x80) {
			len--;
		}
		buf[len] = '\0';
	}
	return buf;
}

/* "  top holder: 4242 worker in hog (longhold.py:5), 87.3% of the interval" */
static void text_top_holder(FILE *out, const struct tv_gil_rec *r, int64_t span)
{
	const struct tv_holder *h = r->holders;
	char where[512];

	if (!r->nholders) {
		return;
	}
	py_where_format(where, sizeof(where), &h->where);
	fprintf(out, "  top holder: %" PRId64 " %s in %s, %.1f%% of the interval\n", h->gt->thread->tid,
		gs_thread_name(h->gt->thread), where,
		100.0 * gs_share(h->held_ns, span > 0 ? (uint64_t) span : 0));
}

static void text_interval(FILE *out, const struct tv_format *f, const struct tv_interval *iv)
{
	int64_t span = iv->end_ns - iv->start_ns;
	char label[GS_NAME_MAX + 64];

	if (f->tty) {
		/* Home and clear: the table redraws in place. */
		fputs("\033[H\033[2J", out);
	} else if (iv->number > 1) {
		fputc('\n', out);
	}
	fprintf(out, "giltrace top  %s  %sinterval %" PRIu64 ": %.2f s, %" PRIu64 " events\n",
		f->wall ? f->wall : "", iv->final ? "final " : "", iv->number, (double) span / 1e9, iv->events);
	if (iv->discarded_events || iv->discarded_packets) {
		fprintf(out, "WARNING: %" PRIu64 " events and %" PRIu64 " packets lost in this interval: "
			"counts are lower bounds\n", iv->discarded_events, iv->discarded_packets);
	}
	if (iv->unknown_events) {
		fprintf(out, "WARNING: %" PRIu64 " giltrace event%s of kinds this version does not know left "
			"out in this interval: the figures may be wrong\n", iv->unknown_events,
			iv->unknown_events == 1 ? "" : "s");
	}
	if (iv->ngils == 0) {
		fputs("  no GIL activity\n", out);
	}
	for (size_t i = 0; i < iv->ngils; i++) {
		const struct tv_gil_rec *r = &iv->gils[i];

		text_gil_head(out, r->g);
		text_row(out, "all threads", &r->m.c, r->m.held_ns, r->m.waited_ns, span, &r->m.wakeup);
		for (size_t k = 0; k < r->nthreads && k < f->max_threads; k++) {
			const struct tv_thread_rec *t = &r->threads[k];

			thread_label(label, sizeof(label), t->gt);
			text_row(out, label, &t->m.c, t->m.held_ns, t->m.waited_ns, span, &t->m.wakeup);
		}
		if (r->nthreads > f->max_threads) {
			fprintf(out, "  ... %zu more threads\n", r->nthreads - f->max_threads);
		}
		text_top_holder(out, r, span);
	}
}

int tv_print_interval(FILE *out, const struct tv_format *f, const struct tv_interval *iv)
{
	if (f->json) {
		json_interval(out, iv);
	} else {
		text_interval(out, f, iv);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- the summary ---------------------------------------------------- */

/* The reader's events of unknown kinds, as giltrace-analyze --format=json
 * says them. */
static void json_unknown(FILE *out, const struct trace_read_stats *st)
{
	fprintf(out, ",\"unknown_events\":%" PRIu64 ",\"unknown_event_kinds\":[", st ? st->unknown_events : 0);
	for (unsigned int i = 0; st && i < st->unknown_kinds; i++) {
		if (i) {
			fputc(',', out);
		}
		json_write_string(out, st->unknown_names[i]);
	}
	fputc(']', out);
}

static void summary_gil(FILE *out, const struct tv_format *f, const struct top_view *v,
		const struct gs_gil *g)
{
	const struct gs_analysis *a = v->a;
	uint64_t intervals = v->number;
	/* Signed, as an interval's span: the rows share its code. */
	int64_t span = (int64_t) gs_gil_span(g);
	char label[GS_NAME_MAX + 64];
	unsigned int n = 0;

	if (f->json) {
		json_gil_head(out, "summary", g);
		fprintf(out, ",\"identified_by\":");
		json_write_string(out, g->method);
		fprintf(out, ",\"intervals\":%" PRIu64 ",\"span_ns\":%" PRId64 ",\"events\":%" PRIu64
			",\"discarded_events\":%" PRIu64 ",\"discarded_packets\":%" PRIu64,
			intervals, span, a->events, a->discarded_events, a->discarded_packets);
		json_unknown(out, v->stats);
		fputc(',', out);
		json_measures(out, &g->c, g->held_ns, g->waited_ns, span, &g->d.wakeup);
		fputs(",\"threads\":[", out);
		for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
			json_thread_head(out, gt, gt == g->threads);
			json_measures(out, &gt->c, gt->held_ns, gt->waited_ns, span, &gt->d.wakeup);
			fputc('}', out);
		}
		fputs("]}\n", out);
		return;
	}
	text_gil_head(out, g);
	text_row(out, "all threads", &g->c, g->held_ns, g->waited_ns, span, &g->d.wakeup);
	for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		if (n++ >= f->max_threads) {
			continue;
		}
		thread_label(label, sizeof(label), gt);
		text_row(out, label, &gt->c, gt->held_ns, gt->waited_ns, span, &gt->d.wakeup);
	}
	if (n > f->max_threads) {
		fprintf(out, "  ... %u more threads\n", n - f->max_threads);
	}
	fprintf(out, "  %" PRIu64 " contended acquisitions, %" PRIu64 " timeouts, %" PRIu64
		" missed hand-offs, %" PRIu32 " waiters at most\n",
		g->c.contended_acquisitions, g->c.timeouts, g->c.missed_handoffs, g->max_waiters);
}

int tv_print_summary(FILE *out, const struct tv_format *f, const struct top_view *v)
{
	const struct gs_analysis *a = v->a;
	uint64_t intervals = v->number;
	size_t pos = 0, ngils = gil_count(a);
	void *p;

	if (!f->json) {
		fprintf(out, "\ngiltrace top: summary of %.2f s, %" PRIu64 " intervals, %" PRIu64
			" events, %" PRIu64 " discarded%s\n", (double) gs_dur(a->first_ts, a->last_ts) / 1e9,
			intervals, a->events, a->discarded_events,
			a->discarded_packets ? " and packets lost: counts are lower bounds" : "");
	}
	while (idmap_next(&a->procs, &pos, &p)) {
		const struct gs_process *proc = p;

		for (const struct gs_gil *g = proc->gils; g; g = g->next) {
			summary_gil(out, f, v, g);
		}
		/* Why there is no figure, if there is none at all (helper
		 * processes such as shells have no GIL: no news). */
		if (ngils == 0 && proc->not_found && !f->json) {
			fprintf(out, "\npid %" PRId64 " %s: no GIL found: %s\n", proc->pid, proc->procname,
				proc->not_found);
		}
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
