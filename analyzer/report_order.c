/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int report_lower_bounds(const struct gs_analysis *a)
{
	return a->discarded_events > 0 || a->discarded_packets > 0 || a->discarded_unknown;
}

static int pid_wanted(const struct report *r, int64_t pid)
{
	if (r->npids == 0) {
		return 1;
	}
	for (size_t i = 0; i < r->npids; i++) {
		if (r->pids[i] == pid) {
			return 1;
		}
	}
	return 0;
}

static uint64_t process_waited(const struct gs_process *p)
{
	uint64_t w = 0;

	for (const struct gs_gil *g = p->gils; g; g = g->next) {
		w += g->waited_ns;
	}
	return w;
}

/* qsort has no user argument: comparators pick the order by name. */
static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static int proc_by_pid(const void *x, const void *y)
{
	return cmp_i64((*(struct gs_process *const *) x)->pid, (*(struct gs_process *const *) y)->pid);
}

static int proc_by_wait(const void *x, const void *y)
{
	const struct gs_process *a = *(struct gs_process *const *) x;
	const struct gs_process *b = *(struct gs_process *const *) y;
	int c = cmp_u64_desc(process_waited(a), process_waited(b));

	return c ? c : cmp_i64(a->pid, b->pid);
}

struct gs_process **report_processes(const struct report *r, int worst_first, size_t *n)
{
	struct gs_process **v = calloc(r->a->procs.len + 1, sizeof(*v));
	size_t pos = 0;
	void *p;

	*n = 0;
	if (!v) {
		return NULL;
	}
	while (idmap_next(&r->a->procs, &pos, &p)) {
		if (pid_wanted(r, ((struct gs_process *) p)->pid)) {
			v[(*n)++] = p;
		}
	}
	qsort(v, *n, sizeof(*v), worst_first ? proc_by_wait : proc_by_pid);
	return v;
}

static int gil_by_wait(const void *x, const void *y)
{
	const struct gs_gil *a = *(struct gs_gil *const *) x;
	const struct gs_gil *b = *(struct gs_gil *const *) y;
	int c = cmp_u64_desc(a->waited_ns, b->waited_ns);

	return c ? c : cmp_u64_desc(a->c.acquisitions, b->c.acquisitions);
}

struct gs_gil **report_gils(const struct gs_process *p, int worst_first, size_t *n)
{
	struct gs_gil **v = calloc(p->ngils + 1, sizeof(*v));

	*n = 0;
	if (!v) {
		return NULL;
	}
	for (struct gs_gil *g = p->gils; g; g = g->next) {
		v[(*n)++] = g;
	}
	if (worst_first) {
		qsort(v, *n, sizeof(*v), gil_by_wait);
	}
	return v;
}

static int gt_by_tid(const void *x, const void *y)
{
	return cmp_i64((*(struct gs_gil_thread *const *) x)->thread->tid,
		(*(struct gs_gil_thread *const *) y)->thread->tid);
}

static int gt_by_wait(const void *x, const void *y)
{
	const struct gs_gil_thread *a = *(struct gs_gil_thread *const *) x;
	const struct gs_gil_thread *b = *(struct gs_gil_thread *const *) y;
	int c = cmp_u64_desc(a->waited_ns, b->waited_ns);

	return c ? c : gt_by_tid(x, y);
}

struct gs_gil_thread **report_threads(const struct gs_gil *g, int worst_first, size_t *n)
{
	struct gs_gil_thread **v = calloc(g->nthreads + 1, sizeof(*v));

	*n = 0;
	if (!v) {
		return NULL;
	}
	for (struct gs_gil_thread *gt = g->threads; gt; gt = gt->next_in_gil) {
		v[(*n)++] = gt;
	}
	qsort(v, *n, sizeof(*v), worst_first ? gt_by_wait : gt_by_tid);
	return v;
}

static int lock_by_wait(const void *x, const void *y)
{
	const struct gs_lock *a = *(struct gs_lock *const *) x;
	const struct gs_lock *b = *(struct gs_lock *const *) y;
	int c = cmp_u64_desc(a->wait.sum, b->wait.sum);

	if (c == 0) {
		c = cmp_u64_desc(a->contended + a->busy, b->contended + b->busy);
	}
	return c ? c : (a->address < b->address ? -1 : a->address > b->address);
}

struct gs_lock **report_locks(const struct gs_process *p, size_t *n)
{
	struct gs_lock **v = calloc(p->locks.len + 1, sizeof(*v));
	size_t pos = 0;
	void *l;

	*n = 0;
	if (!v) {
		return NULL;
	}
	while (idmap_next(&p->locks, &pos, &l)) {
		if (ls_contended(l)) {
			v[(*n)++] = l;
		}
	}
	qsort(v, *n, sizeof(*v), lock_by_wait);
	return v;
}

static int site_cmp_addr(const struct cs_site *a, const struct cs_site *b)
{
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int site_by_hold(const void *x, const void *y)
{
	const struct cs_site *a = *(struct cs_site *const *) x;
	const struct cs_site *b = *(struct cs_site *const *) y;
	int c = cmp_u64_desc(a->held_ns, b->held_ns);

	if (c == 0) {
		c = cmp_u64_desc(a->acquisitions, b->acquisitions);
	}
	if (c == 0) {
		c = cmp_u64_desc(a->releases, b->releases);
	}
	return c ? c : site_cmp_addr(a, b);
}

static int site_by_wait(const void *x, const void *y)
{
	const struct cs_site *a = *(struct cs_site *const *) x;
	const struct cs_site *b = *(struct cs_site *const *) y;
	int c = cmp_u64_desc(a->waited_ns, b->waited_ns);

	return c ? c : site_by_hold(x, y);
}

static int site_by_failed(const void *x, const void *y)
{
	const struct cs_site *a = *(struct cs_site *const *) x;
	const struct cs_site *b = *(struct cs_site *const *) y;
	int c = cmp_u64_desc(a->failed_wakeups, b->failed_wakeups);

	return c ? c : site_by_wait(x, y);
}

struct cs_site **report_sites(const struct gs_gil *g, enum report_site_order order, size_t *n)
{
	static int (*const cmp[])(const void *, const void *) = {
		[REPORT_SITES_BY_HOLD] = site_by_hold,
		[REPORT_SITES_BY_WAIT] = site_by_wait,
		[REPORT_SITES_BY_FAILED] = site_by_failed,
	};
	struct cs_site **v = calloc(g->sites.by_addr.len + 1, sizeof(*v));
	size_t pos = 0;
	void *s;

	*n = 0;
	if (!v) {
		return NULL;
	}
	while (idmap_next(&g->sites.by_addr, &pos, &s)) {
		v[(*n)++] = s;
	}
	qsort(v, *n, sizeof(*v), cmp[order]);
	return v;
}

int report_lock_is_gil(const struct gs_process *p, const struct gs_lock *l)
{
	for (const struct gs_gil *g = p->gils; g; g = g->next) {
		if (l->address == g->address || (g->cond && l->address == g->cond)) {
			return 1;
		}
	}
	return 0;
}

/* ---- Python ---------------------------------------------------------- */

/* Global so that the JSON and the CSV (--pyfunctions) write one list. */
const struct report_func_field report_func_fields[REPORT_FUNC_FIELDS] = {
	{ "holds", REPORT_U64, offsetof(struct py_fstat, holds) },
	{ "held_ns", REPORT_U64, offsetof(struct py_fstat, held_ns) },
	{ "hold_share", REPORT_SHARE, offsetof(struct py_fstat, held_ns) },
	{ "longest_hold_ns", REPORT_U64, offsetof(struct py_fstat, longest_hold_ns) },
	{ "longest_hold_line", REPORT_LINE, offsetof(struct py_fstat, longest_hold_line) },
	{ "acquisitions", REPORT_U64, offsetof(struct py_fstat, acquisitions) },
	{ "contended_acquisitions", REPORT_U64, offsetof(struct py_fstat, contended) },
	{ "abandoned_attempts", REPORT_U64, offsetof(struct py_fstat, abandoned) },
	{ "attempts", REPORT_U64, offsetof(struct py_fstat, attempts) },
	{ "waits", REPORT_U64, offsetof(struct py_fstat, waits) },
	{ "failed_wakeups", REPORT_U64, offsetof(struct py_fstat, failed_wakeups) },
	{ "timeouts", REPORT_U64, offsetof(struct py_fstat, timeouts) },
	{ "waited_ns", REPORT_U64, offsetof(struct py_fstat, waited_ns) },
	{ "wait_share", REPORT_SHARE, offsetof(struct py_fstat, waited_ns) },
	{ "longest_wait_ns", REPORT_U64, offsetof(struct py_fstat, longest_wait_ns) },
	{ "longest_wait_line", REPORT_LINE, offsetof(struct py_fstat, longest_wait_line) },
};

int report_func_value(char *buf, size_t size, const struct report_func_field *f, const struct py_fstat *s,
		const struct gs_gil *g)
{
	const char *at = (const char *) s + f->offset;

	switch (f->type) {
	case REPORT_LINE:
		if (*(const int32_t *) at == PY_NO_LINE) {
			buf[0] = '\0';
			return 0;
		}
		snprintf(buf, size, "%" PRId32, *(const int32_t *) at);
		return 1;
	case REPORT_SHARE:
		snprintf(buf, size, "%.6f", gs_share(*(const uint64_t *) at, gs_gil_span(g)));
		return 1;
	default:
		snprintf(buf, size, "%" PRIu64, *(const uint64_t *) at);
		return 1;
	}
}

/* Functions are told apart by name, then file, then first line. */
static int func_cmp_name(const struct py_func *a, const struct py_func *b)
{
	int c = strcmp(a->name, b->name);

	if (c == 0) {
		c = strcmp(a->filename ? a->filename : "", b->filename ? b->filename : "");
	}
	return c ? c : cmp_i64(a->firstlineno, b->firstlineno);
}

static int func_by_hold(const void *x, const void *y)
{
	const struct py_fstat *a = *(struct py_fstat *const *) x;
	const struct py_fstat *b = *(struct py_fstat *const *) y;
	int c = cmp_u64_desc(a->held_ns, b->held_ns);

	if (c == 0) {
		c = cmp_u64_desc(a->acquisitions, b->acquisitions);
	}
	return c ? c : func_cmp_name(a->func, b->func);
}

static int func_by_wait(const void *x, const void *y)
{
	const struct py_fstat *a = *(struct py_fstat *const *) x;
	const struct py_fstat *b = *(struct py_fstat *const *) y;
	int c = cmp_u64_desc(a->waited_ns, b->waited_ns);

	return c ? c : func_by_hold(x, y);
}

static int func_by_failed(const void *x, const void *y)
{
	const struct py_fstat *a = *(struct py_fstat *const *) x;
	const struct py_fstat *b = *(struct py_fstat *const *) y;
	int c = cmp_u64_desc(a->failed_wakeups, b->failed_wakeups);

	return c ? c : func_by_wait(x, y);
}

struct py_fstat **report_functions(const struct gs_gil *g, enum report_func_order order, size_t *n)
{
	static int (*const cmp[])(const void *, const void *) = {
		[REPORT_FUNCS_BY_HOLD] = func_by_hold,
		[REPORT_FUNCS_BY_WAIT] = func_by_wait,
		[REPORT_FUNCS_BY_FAILED] = func_by_failed,
	};
	struct py_fstat **v = calloc(g->funcs.by_func.len + 1, sizeof(*v));
	size_t pos = 0;
	void *s;

	*n = 0;
	if (!v) {
		return NULL;
	}
	while (idmap_next(&g->funcs.by_func, &pos, &s)) {
		v[(*n)++] = s;
	}
	qsort(v, *n, sizeof(*v), cmp[order]);
	return v;
}

static int blocker_by_ns(const void *x, const void *y)
{
	const struct py_blocker *a = *(struct py_blocker *const *) x;
	const struct py_blocker *b = *(struct py_blocker *const *) y;
	int c = cmp_u64_desc(a->ns, b->ns);

	if (c == 0) {
		c = cmp_i64(a->holder ? a->holder->tid : -1, b->holder ? b->holder->tid : -1);
	}
	if (c == 0) {
		c = func_cmp_name(a->where.func, b->where.func);
	}
	return c ? c : cmp_i64(a->where.line, b->where.line);
}

struct py_blocker **report_blockers(const struct gs_gil_thread *gt, size_t *n)
{
	struct py_blocker **v = calloc(gt->blockers.by_key.len + 1, sizeof(*v));
	size_t pos = 0;
	void *b;

	*n = 0;
	if (!v) {
		return NULL;
	}
	while (idmap_next(&gt->blockers.by_key, &pos, &b)) {
		v[(*n)++] = b;
	}
	qsort(v, *n, sizeof(*v), blocker_by_ns);
	return v;
}

const char *report_blocker_kind(const struct py_blocker *b)
{
	if (b->holder) {
		return "hold";
	}
	return b->where.func == &py_func_gap ? "handoff_gap" : "other";
}
