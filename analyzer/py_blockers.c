/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <stdlib.h>
#include <string.h>

#include "gil_analysis.h"
#include "py_blockers.h"

/* Shared by every thread: constants, never freed. */
const struct py_func py_func_gap = { "(hand-off gap)", NULL, 0 };
const struct py_func py_func_other_blockers = { "(other blockers)", NULL, 0 };

/* Where the parts that are no hold are placed. */
static const struct py_where gap_where = { &py_func_gap, PY_NO_LINE };
static const struct py_where other_where = { &py_func_other_blockers, PY_NO_LINE };

static int blocker_is(const struct py_blocker *p, const struct gs_thread *holder, const struct py_where *w)
{
	return p->holder == holder && p->where.func == w->func && p->where.line == w->line;
}

/* The part of (holder, where), created on first use (the "other" part
 * once the table is full); NULL when out of memory. */
static struct py_blocker *blocker_get(struct py_btable *b, const struct gs_thread *holder,
		const struct py_where *w)
{
	uint64_t key = py_where_key(holder, w);
	struct py_blocker *p = idmap_get(&b->by_key, key);

	/* The key is a hash: a collision is told apart here. */
	while (p && !blocker_is(p, holder, w)) {
		key = key * 31 + 7;
		p = idmap_get(&b->by_key, key);
	}
	if (p) {
		return p;
	}
	/* Keep one slot for the "other blockers" part. */
	if (w != &other_where && b->by_key.len >= PY_BLOCKERS_MAX - 1) {
		b->dropped++;
		return blocker_get(b, NULL, &other_where);
	}
	p = calloc(1, sizeof(*p));
	if (!p || idmap_put(&b->by_key, key, p) != 0) {
		free(p);
		return NULL;
	}
	p->holder = holder;
	p->where = *w;
	return p;
}

/* ns of gt's waiting behind (holder, where). */
static int credit(struct gs_gil_thread *gt, const struct gs_thread *holder, const struct py_where *w,
		uint64_t ns)
{
	struct py_blocker *p;

	if (!ns) {
		return 0;
	}
	p = blocker_get(&gt->blockers, holder, w);
	if (!p) {
		return -1;
	}
	p->ns += ns;
	return 0;
}

int pb_segment_end(struct gs_gil *g, int64_t ts, const struct gs_thread *holder, const struct py_where *where)
{
	int rc = 0;

	if (!holder) {
		where = &gap_where;
	}
	for (struct gs_thread *w = g->attempting; w; w = w->att.att_next) {
		rc |= credit(w->att.gt, holder, where, gs_dur(w->att.split_ts, ts));
		if (ts > w->att.split_ts) {
			w->att.split_ts = ts;
		}
	}
	while (g->split_pending) {
		struct gs_gil_thread *gt = g->split_pending;
		struct py_btable *b = &gt->blockers;

		g->split_pending = b->pending_next;
		rc |= credit(gt, holder, where, b->pending_ns);
		b->pending_ns = 0;
		b->pending_next = NULL;
		b->pending = 0;
	}
	return rc;
}

int pb_attempt_close(struct gs_thread *t, int64_t counted_to)
{
	struct gs_attempt *att = &t->att;
	struct gs_gil_thread *gt = att->gt;
	struct gs_gil *g = gt->gil;
	struct py_btable *b = &gt->blockers;
	uint64_t rest = gs_dur(att->split_ts, counted_to);

	b->excess_ns += gs_dur(counted_to, att->split_ts);
	if (!rest) {
		return 0;
	}
	if (!g->holder) {
		return credit(gt, NULL, &gap_where, rest);
	}
	/* Behind a hold whose function its release will tell. */
	b->pending_ns += rest;
	if (!b->pending) {
		b->pending = 1;
		b->pending_next = g->split_pending;
		g->split_pending = gt;
	}
	return 0;
}

void pb_table_free(struct py_btable *b)
{
	idmap_free_values(&b->by_key);
	memset(b, 0, sizeof(*b));
}
