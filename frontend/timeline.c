/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

/* ---- columns --------------------------------------------------------- */

static void merge_columns(struct timeline *tl)
{
	unsigned int half = tl->ncolumns / 2;

	for (size_t r = 0; r < tl->nrows; r++) {
		struct tl_cell *c = tl->rows[r]->cells;

		for (unsigned int i = 0; i < half; i++) {
			struct tl_cell x = c[2 * i], y = c[2 * i + 1];

			c[i] = y.longest_hold_ns > x.longest_hold_ns ? y : x;
			c[i].hold_ns = x.hold_ns + y.hold_ns;
			c[i].wait_ns = x.wait_ns + y.wait_ns;
			c[i].failed_wakeups = x.failed_wakeups + y.failed_wakeups;
			c[i].timeouts = x.timeouts + y.timeouts;
		}
		memset(&c[half], 0, half * sizeof(*c));
	}
	tl->width *= 2;
}

/* The columns begin at the analysis's first event and widen until ts
 * falls inside them; no interval starts before that first event. */
static void fit(struct timeline *tl, int64_t ts)
{
	if (!tl->started) {
		tl->t0 = tl->a->first_ts;
		tl->started = 1;
	}
	while ((uint64_t) (ts - tl->t0) / tl->width >= tl->ncolumns) {
		merge_columns(tl);
	}
}

static unsigned int column_of(const struct timeline *tl, int64_t ts)
{
	return (unsigned int) ((uint64_t) (ts - tl->t0) / tl->width);
}

/* ---- rows -------------------------------------------------------------- */

static struct tl_row *row_get(struct timeline *tl, const struct gs_gil_thread *gt)
{
	struct tl_row *row = idmap_get(&tl->by_gt, (uint64_t) (uintptr_t) gt);

	if (row) {
		return row;
	}
	if (tl->nrows == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 16;
		struct tl_row **grown = realloc(tl->rows, cap * sizeof(*grown));

		if (!grown) {
			return NULL;
		}
		tl->rows = grown;
		tl->cap = cap;
	}
	row = calloc(1, sizeof(*row));
	if (!row || !(row->cells = calloc(tl->ncolumns, sizeof(*row->cells)))
			|| idmap_put(&tl->by_gt, (uint64_t) (uintptr_t) gt, row) != 0) {
		if (row) {
			free(row->cells);
		}
		free(row);
		return NULL;
	}
	row->gt = gt;
	tl->rows[tl->nrows++] = row;
	return row;
}

/* ---- what the core tells ----------------------------------------------- */

/* A hold of len ns placed at w overlaps the cell. */
static void cell_hold(struct tl_cell *cell, uint64_t len, const struct py_where *w)
{
	if (len > cell->longest_hold_ns) {
		cell->longest_hold_ns = len;
		cell->longest_where = *w;
	}
}

/* [from, to) goes to the columns it spans. */
static void on_interval(void *arg, const struct gs_gil_thread *gt, enum gs_state state,
		int64_t from, int64_t to)
{
	struct timeline *tl = arg;
	struct tl_row *row = row_get(tl, gt);
	uint64_t len = gs_dur(from, to);
	unsigned int col;

	if (!row) {
		tl->oom = 1;
		return;
	}
	fit(tl, to);
	for (col = column_of(tl, from); from < to && col < tl->ncolumns; col++) {
		int64_t col_end = tl->t0 + (int64_t) ((uint64_t) (col + 1) * tl->width);
		int64_t end = to < col_end ? to : col_end;

		if (state == GS_STATE_HOLDING) {
			row->cells[col].hold_ns += (uint64_t) (end - from);
			cell_hold(&row->cells[col], len, gs_hold_where(gt->gil));
		} else {
			row->cells[col].wait_ns += (uint64_t) (end - from);
		}
		from = end;
	}
}

static void on_instant(void *arg, const struct gs_gil_thread *gt, enum gs_instant what, int64_t ts)
{
	struct timeline *tl = arg;
	struct tl_row *row = row_get(tl, gt);
	struct tl_cell *cell;

	if (!row) {
		tl->oom = 1;
		return;
	}
	fit(tl, ts);
	cell = &row->cells[column_of(tl, ts)];
	if (what == GS_INSTANT_FAILED_WAKEUP) {
		cell->failed_wakeups++;
	} else {
		cell->timeouts++;
	}
}

/* ---- life cycle -------------------------------------------------------- */

struct timeline *timeline_create(struct gs_analysis *a, unsigned int ncolumns)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	struct gs_observer obs = { on_interval, on_instant, tl };
	unsigned int n = 2;

	if (!tl) {
		return NULL;
	}
	while (n < ncolumns && n < (1u << 16)) {
		n <<= 1;
	}
	tl->a = a;
	tl->ncolumns = n;
	/* 1 ns per column to begin with: doubling costs little, and a
	 * tiny trace stays exact. */
	tl->width = 1;
	gs_observe(a, &obs);
	return tl;
}

int timeline_finish(struct timeline *tl)
{
	size_t pos = 0;
	void *v;

	if (tl->a->events == 0) {
		return tl->oom ? -1 : 0;
	}
	fit(tl, tl->a->last_ts);
	tl->t_end = tl->a->last_ts;
	while (idmap_next(&tl->a->procs, &pos, &v)) {
		for (const struct gs_gil *g = ((struct gs_process *) v)->gils; g; g = g->next) {
			/* A thread the core knows but never told anything of
			 * (a lone release, say) still gets its row. */
			for (const struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
				if (!row_get(tl, gt)) {
					return -1;
				}
			}
			if (hist_merge(&tl->wait, &g->d.wait) != 0 || hist_merge(&tl->wakeup, &g->d.wakeup) != 0) {
				return -1;
			}
		}
	}
	return tl->oom ? -1 : 0;
}

void timeline_destroy(struct timeline *tl)
{
	if (!tl) {
		return;
	}
	for (size_t i = 0; i < tl->nrows; i++) {
		free(tl->rows[i]->cells);
		free(tl->rows[i]);
	}
	free(tl->rows);
	idmap_free(&tl->by_gt);
	hist_free(&tl->wait);
	hist_free(&tl->wakeup);
	free(tl);
}

unsigned int timeline_used_columns(const struct timeline *tl)
{
	uint64_t used;

	if (!tl->started) {
		return 0;
	}
	used = (uint64_t) (tl->t_end - tl->t0) / tl->width + 1;
	return used > tl->ncolumns ? tl->ncolumns : (unsigned int) used;
}
