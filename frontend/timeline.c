/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define NO_SLOT SIZE_MAX

struct timeline *timeline_create(unsigned int ncolumns)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	unsigned int n = 2;

	if (!tl) {
		return NULL;
	}
	while (n < ncolumns && n < (1u << 16)) {
		n <<= 1;
	}
	tl->ncolumns = n;
	/* Start at 1 ns per column; doubling costs little and keeps tiny traces exact. */
	tl->width = 1;
	return tl;
}

void timeline_destroy(struct timeline *tl)
{
	size_t i;

	if (!tl) {
		return;
	}
	for (i = 0; i < tl->nthreads; i++) {
		free(tl->threads[i]->cells);
		free(tl->threads[i]);
	}
	free(tl->threads);
	free(tl->index);
	free(tl->gils);
	free(tl);
}

unsigned int tl_hist_bin(uint64_t ns)
{
	unsigned int bin = 0;

	while (ns > 1 && bin < TL_HIST_BINS - 1) {
		ns >>= 1;
		bin++;
	}
	return bin;
}

static void hist_add(struct tl_hist *h, uint64_t ns)
{
	h->bins[tl_hist_bin(ns)]++;
	h->count++;
	h->sum += ns;
	if (ns > h->max) {
		h->max = ns;
	}
}

/* --- columns ------------------------------------------------------------ */

static void merge_columns(struct timeline *tl)
{
	unsigned int half = tl->ncolumns / 2, i;
	size_t t;

	for (t = 0; t < tl->nthreads; t++) {
		struct tl_cell *c = tl->threads[t]->cells;

		for (i = 0; i < half; i++) {
			struct tl_cell a = c[2 * i], b = c[2 * i + 1];

			c[i].hold_ns = a.hold_ns + b.hold_ns;
			c[i].wait_ns = a.wait_ns + b.wait_ns;
			c[i].failed_wakeups = a.failed_wakeups + b.failed_wakeups;
			c[i].timeouts = a.timeouts + b.timeouts;
		}
		memset(&c[half], 0, half * sizeof(*c));
	}
	tl->width *= 2;
}

/* Widen the columns until ts falls inside them. */
static void fit(struct timeline *tl, uint64_t ts)
{
	while ((ts - tl->t0) / tl->width >= tl->ncolumns) {
		merge_columns(tl);
	}
}

static unsigned int column_of(const struct timeline *tl, uint64_t ts)
{
	return (unsigned int) ((ts - tl->t0) / tl->width);
}

/* Add [from, to) to the hold or wait time of the columns it spans. */
static void account(struct timeline *tl, struct tl_thread *th, uint64_t from, uint64_t to, bool hold)
{
	unsigned int col;

	if (to <= from) {
		return;
	}
	if (hold) {
		th->hold_ns += to - from;
	} else {
		th->wait_ns += to - from;
	}
	col = column_of(tl, from);
	while (from < to && col < tl->ncolumns) {
		uint64_t col_end = tl->t0 + (uint64_t) (col + 1) * tl->width;
		uint64_t end = to < col_end ? to : col_end;

		if (hold) {
			th->cells[col].hold_ns += end - from;
		} else {
			th->cells[col].wait_ns += end - from;
		}
		from = end;
		col++;
	}
}

/* --- lookups ------------------------------------------------------------ */

static size_t hash_thread(int64_t pid, int64_t tid, size_t cap)
{
	uint64_t h = ((uint64_t) pid * 0x9E3779B97F4A7C15ull) ^ ((uint64_t) tid * 0xC2B2AE3D27D4EB4Full);

	return (size_t) (h ^ (h >> 29)) & (cap - 1);
}

static int index_grow(struct timeline *tl)
{
	size_t cap = tl->index_cap ? tl->index_cap * 2 : 64, i;
	size_t *index = malloc(cap * sizeof(*index));

	if (!index) {
		return -1;
	}
	for (i = 0; i < cap; i++) {
		index[i] = NO_SLOT;
	}
	for (i = 0; i < tl->nthreads; i++) {
		size_t slot = hash_thread(tl->threads[i]->pid, tl->threads[i]->tid, cap);

		while (index[slot] != NO_SLOT) {
			slot = (slot + 1) & (cap - 1);
		}
		index[slot] = i;
	}
	free(tl->index);
	tl->index = index;
	tl->index_cap = cap;
	return 0;
}

static struct tl_thread *thread_get(struct timeline *tl, int64_t pid, int64_t tid, uint64_t ts)
{
	struct tl_thread *th;
	size_t slot;

	if (tl->index_cap) {
		slot = hash_thread(pid, tid, tl->index_cap);
		while (tl->index[slot] != NO_SLOT) {
			th = tl->threads[tl->index[slot]];
			if (th->pid == pid && th->tid == tid) {
				return th;
			}
			slot = (slot + 1) & (tl->index_cap - 1);
		}
	}
	/* Keep the hash at most half full. */
	if ((tl->nthreads + 1) * 2 > tl->index_cap && index_grow(tl) != 0) {
		return NULL;
	}
	if (tl->nthreads == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 16;
		struct tl_thread **grown = realloc(tl->threads, cap * sizeof(*grown));

		if (!grown) {
			return NULL;
		}
		tl->threads = grown;
		tl->cap = cap;
	}
	th = calloc(1, sizeof(*th));
	if (!th || !(th->cells = calloc(tl->ncolumns, sizeof(*th->cells)))) {
		free(th);
		return NULL;
	}
	th->pid = pid;
	th->tid = tid;
	th->first_ts = th->last_ts = th->since = ts;
	th->state = TL_UNKNOWN;
	slot = hash_thread(pid, tid, tl->index_cap);
	while (tl->index[slot] != NO_SLOT) {
		slot = (slot + 1) & (tl->index_cap - 1);
	}
	tl->index[slot] = tl->nthreads;
	tl->threads[tl->nthreads++] = th;
	return th;
}

static struct tl_gil *gil_get(struct timeline *tl, int64_t pid, uint64_t gil)
{
	struct tl_gil *grown;
	size_t i;

	for (i = 0; i < tl->ngils; i++) {
		if (tl->gils[i].pid == pid && tl->gils[i].gil == gil) {
			return &tl->gils[i];
		}
	}
	grown = realloc(tl->gils, (tl->ngils + 1) * sizeof(*grown));
	if (!grown) {
		return NULL;
	}
	tl->gils = grown;
	memset(&tl->gils[tl->ngils], 0, sizeof(*grown));
	tl->gils[tl->ngils].pid = pid;
	tl->gils[tl->ngils].gil = gil;
	return &tl->gils[tl->ngils++];
}

/* --- state machine ------------------------------------------------------ */

/* End the thread's current state at ts, accounting its time. */
static void close_state(struct timeline *tl, struct tl_thread *th, uint64_t ts)
{
	if (th->state == TL_WAITING) {
		account(tl, th, th->since, ts, false);
	} else if (th->state == TL_HOLDING) {
		account(tl, th, th->since, ts, true);
	}
	th->since = ts;
}

static void on_wait_end(struct timeline *tl, struct tl_thread *th, struct tl_gil *g,
	const struct tr_event *ev, uint64_t ts)
{
	if (ev->a1) {
		th->timeouts++;
		th->cells[column_of(tl, ts)].timeouts++;
		th->woken = false;
		return;
	}
	th->woken = true;
	if (g->signal_pending && th->wait_ts <= g->signal_ts) {
		hist_add(&tl->wakeup_hist, ts - g->signal_ts);
		g->signal_pending = false;
	}
}

static void on_acquired(struct timeline *tl, struct tl_thread *th, struct tl_gil *g, uint64_t ts, bool got_it)
{
	/* An attempt begun before the trace has no known duration. */
	if (th->state == TL_WAITING && got_it) {
		hist_add(&tl->wait_hist, ts - th->since);
		/* A semaphore GIL's waits are invisible: its wake-up is this. */
		if (strcmp(g->kind, "semaphore") == 0 && g->signal_pending && th->since <= g->signal_ts) {
			hist_add(&tl->wakeup_hist, ts - g->signal_ts);
			g->signal_pending = false;
		}
	}
	close_state(tl, th, ts);
	th->state = got_it ? TL_HOLDING : TL_RUNNING;
	th->woken = false;
	if (got_it) {
		th->acquisitions++;
	}
}

static void on_release(struct tl_thread *th, struct tl_gil *g, const struct tr_event *ev, uint64_t ts)
{
	th->state = TL_RUNNING;
	if (ev->a2) {
		g->signal_pending = true;
		g->signal_ts = ts;
	}
}

static void on_identified(struct tl_gil *g, const struct tr_event *ev)
{
	if (ev->gil_kind) {
		strncpy(g->kind, ev->gil_kind, sizeof(g->kind) - 1);
	}
	if (ev->runtime) {
		strncpy(g->runtime, ev->runtime, sizeof(g->runtime) - 1);
	}
}

int timeline_feed(struct timeline *tl, const struct tr_event *ev)
{
	struct tl_thread *th;
	struct tl_gil *g;
	uint64_t ts = ev->ts;

	if (ev->kind == TR_OTHER) {
		return 0;
	}
	g = gil_get(tl, ev->pid, ev->gil);
	if (!g) {
		return -1;
	}
	if (ev->kind == TR_GIL_IDENTIFIED) {
		on_identified(g, ev);
		return 0;
	}
	if (!tl->started) {
		tl->t0 = tl->t_end = ts;
		tl->started = true;
	}
	/* The muxer delivers time order; never let a stray stamp go backwards. */
	if (ts < tl->t_end) {
		ts = tl->t_end;
	}
	fit(tl, ts);
	tl->t_end = ts;
	th = thread_get(tl, ev->pid, ev->tid, ts);
	if (!th) {
		return -1;
	}
	th->last_ts = ts;
	if (ev->procname && !th->procname[0]) {
		strncpy(th->procname, ev->procname, TL_NAME_LEN - 1);
	}
	switch (ev->kind) {
	case TR_GIL_ACQUIRE_BEGIN:
		close_state(tl, th, ts);
		th->state = TL_WAITING;
		th->woken = false;
		break;
	case TR_GIL_WAIT_BEGIN:
		if (th->state != TL_WAITING) {
			close_state(tl, th, ts);
			th->state = TL_WAITING;
		}
		th->wait_ts = ts;
		if (th->woken) {
			th->failed_wakeups++;
			th->cells[column_of(tl, ts)].failed_wakeups++;
			th->woken = false;
		}
		break;
	case TR_GIL_WAIT_END:
		on_wait_end(tl, th, g, ev, ts);
		break;
	case TR_GIL_ACQUIRE_END:
	case TR_GIL_ACQUIRE_ABANDON:
		on_acquired(tl, th, g, ts, ev->kind == TR_GIL_ACQUIRE_END);
		break;
	case TR_GIL_RELEASE:
		close_state(tl, th, ts);
		on_release(th, g, ev, ts);
		break;
	default:
		break;
	}
	return 0;
}

void timeline_finish(struct timeline *tl)
{
	size_t i;

	for (i = 0; i < tl->nthreads; i++) {
		struct tl_thread *th = tl->threads[i];

		if (th->state == TL_WAITING || th->state == TL_HOLDING) {
			close_state(tl, th, tl->t_end);
			th->last_ts = tl->t_end;
		}
	}
}

unsigned int timeline_used_columns(const struct timeline *tl)
{
	uint64_t span;

	if (!tl->started) {
		return 0;
	}
	span = tl->t_end - tl->t0;
	return (unsigned int) (span / tl->width) + 1 > tl->ncolumns ? tl->ncolumns :
		(unsigned int) (span / tl->width) + 1;
}
