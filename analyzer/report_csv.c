/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * CSV: one row per (process, GIL, thread), RFC 4180 quoting.  With
 * --all-locks, one row per contended lock instead, with --callsites one
 * row per (process, GIL, call site), with --pyfunctions one per
 * (process, GIL, Python function), with --blockers one per (process,
 * GIL, waiting thread, blocker) (the columns differ).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void csv_string(FILE *out, const char *s)
{
	if (!s) {
		s = "";
	}
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"') {
			fputc('"', out);
		}
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_header(FILE *out)
{
	fputs("pid,procname,gil,runtime,identified_by,tid,thread_procname", out);
	for (size_t i = 0; i < GS_COUNTER_COUNT; i++) {
		fprintf(out, ",%s", gs_counter_fields[i].key);
	}
	fputs(",waited_ns,held_ns,wait_share,hold_share", out);
	/* Column prefixes: the distributions' keys, as in the rows. */
	for (size_t i = 0; i < GS_DIST_COUNT; i++) {
		const char *k = gs_dist_fields[i].key;

		fprintf(out, ",%s_count,%s_mean,%s_p50,%s_p90,%s_p99,%s_max", k, k, k, k, k, k);
	}
	fputs(",thread_name\n", out);
}

static void csv_dist(FILE *out, const struct hist *h)
{
	struct hist_summary s;

	hist_summarise(h, &s);
	fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
		s.count, s.mean, s.p50, s.p90, s.p99, s.max);
}

static int csv_row(FILE *out, const struct gs_process *p, const struct gs_gil *g,
		const struct gs_gil_thread *gt)
{
	fprintf(out, "%" PRId64 ",", p->pid);
	csv_string(out, p->procname);
	fprintf(out, ",%#" PRIx64 ",", g->address);
	csv_string(out, g->runtime);
	fputc(',', out);
	csv_string(out, g->method);
	fprintf(out, ",%" PRId64 ",", gt->thread->tid);
	csv_string(out, gt->thread->procname);
	for (size_t i = 0; i < GS_COUNTER_COUNT; i++) {
		fprintf(out, ",%" PRIu64, gs_counter(&gt->c, i));
	}
	fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f", gt->waited_ns, gt->held_ns, gt->wait_share,
		gt->hold_share);
	for (size_t i = 0; i < GS_DIST_COUNT; i++) {
		csv_dist(out, gs_dist(&gt->d, i));
	}
	fputc(',', out);
	csv_string(out, gs_thread_name(gt->thread));
	fputc('\n', out);
	return 0;
}

/* row() for every (GIL, thread) of p, in the JSON order. */
static int csv_each_thread(FILE *out, const struct gs_process *p,
		int (*row)(FILE *, const struct gs_process *, const struct gs_gil *, const struct gs_gil_thread *))
{
	size_t ng, nt;
	struct gs_gil **gils = report_gils(p, 0, &ng);
	int rc = 0;

	if (!gils) {
		return -1;
	}
	for (size_t i = 0; i < ng && rc == 0; i++) {
		struct gs_gil_thread **threads = report_threads(gils[i], 0, &nt);

		if (!threads) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < nt && rc == 0; k++) {
			rc = row(out, p, gils[i], threads[k]);
		}
		free(threads);
	}
	free(gils);
	return rc;
}

static int csv_locks(FILE *out, const struct gs_process *p)
{
	size_t n;
	struct gs_lock **v = report_locks(p, &n);

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gs_lock *l = v[i];

		fprintf(out, "%" PRId64 ",", p->pid);
		csv_string(out, p->procname);
		fprintf(out, ",%#" PRIx64 ",%s,%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64, l->address, ls_kind_name(l->kind),
			report_lock_is_gil(p, l), l->acquisitions, l->contended, l->busy, l->owner_changes,
			l->timeouts, l->signals, l->broadcasts, l->posts);
		csv_dist(out, &l->wait);
		csv_dist(out, &l->hold);
		fputc('\n', out);
	}
	free(v);
	return 0;
}

/* A code address: hex, its display name, symbol, offset, binary, offset in it. */
static void csv_code_address(FILE *out, const struct gs_gil *g, uint64_t addr)
{
	const struct cs_name *nm = addr ? cs_names_find(&g->proc->names, addr) : NULL;
	char name[CS_SYMBOL_MAX + 64];

	cs_format(name, sizeof(name), &g->proc->names, addr);
	fprintf(out, ",%#" PRIx64 ",", addr);
	csv_string(out, name);
	fputc(',', out);
	if (nm && nm->symbol) {
		csv_string(out, nm->symbol);
		fprintf(out, ",%" PRIu64, nm->offset);
	} else {
		fputc(',', out);
	}
	fputc(',', out);
	if (nm && nm->binary) {
		csv_string(out, nm->binary);
		fprintf(out, ",%#" PRIx64, nm->binary_offset);
	} else {
		fputc(',', out);
	}
}

static const char csv_sites_header[] =
	"pid,procname,gil,site,site_name,site_symbol,site_offset,site_binary,site_binary_offset,"
	"in_gil_machinery,acquisitions,contended_acquisitions,waits,failed_wakeups,timeouts,"
	"waited_ns,longest_wait_ns,holds,held_ns,longest_hold_ns,releases,abandoned_attempts,"
	"longest_hold_released_at,longest_hold_released_at_name,longest_hold_released_at_symbol,"
	"longest_hold_released_at_offset,longest_hold_released_at_binary,"
	"longest_hold_released_at_binary_offset\n";

static int csv_sites(FILE *out, const struct gs_process *p)
{
	size_t ng, ns;
	struct gs_gil **gils = report_gils(p, 0, &ng);

	if (!gils) {
		return -1;
	}
	for (size_t i = 0; i < ng; i++) {
		struct cs_site **sites = report_sites(gils[i], REPORT_SITES_BY_HOLD, &ns);

		if (!sites) {
			free(gils);
			return -1;
		}
		for (size_t k = 0; k < ns; k++) {
			const struct cs_site *c = sites[k];

			fprintf(out, "%" PRId64 ",", p->pid);
			csv_string(out, p->procname);
			fprintf(out, ",%#" PRIx64, gils[i]->address);
			csv_code_address(out, gils[i], c->addr);
			fprintf(out, ",%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
				c->in_machinery, c->acquisitions, c->contended, c->waits, c->failed_wakeups,
				c->timeouts, c->waited_ns, c->longest_wait_ns, c->holds, c->held_ns,
				c->longest_hold_ns, c->releases, c->abandoned);
			if (c->holds) {
				csv_code_address(out, gils[i], c->longest_hold_release);
			} else {
				fputs(",,,,,,", out);
			}
			fputc('\n', out);
		}
		free(sites);
	}
	free(gils);
	return 0;
}

/* The columns every row of a GIL begins with. */
static void csv_gil_prefix(FILE *out, const struct gs_process *p, const struct gs_gil *g)
{
	fprintf(out, "%" PRId64 ",", p->pid);
	csv_string(out, p->procname);
	fprintf(out, ",%#" PRIx64, g->address);
}

/* A line number, empty when unknown. */
static void csv_line(FILE *out, int32_t line)
{
	if (line != PY_NO_LINE) {
		fprintf(out, "%" PRId32, line);
	}
}

/* --pyfunctions: the JSON keys of a function, in their order. */
static void csv_functions_header(FILE *out)
{
	fputs("pid,procname,gil,function,file,firstlineno", out);
	for (size_t k = 0; k < REPORT_FUNC_FIELDS; k++) {
		fprintf(out, ",%s", report_func_fields[k].key);
	}
	fputs(",longest_hold_taken_function,longest_hold_taken_file,longest_hold_taken_line\n", out);
}

/* As json_hold_taken: empty where unknown. */
static void csv_hold_taken(FILE *out, const struct py_fstat *s)
{
	const struct py_func *f = s->longest_hold_taken_func;

	if (f == &py_func_none || !s->holds) {
		fputs(",,,", out);
		return;
	}
	fputc(',', out);
	csv_string(out, f->name);
	fputc(',', out);
	csv_string(out, f->filename);
	fputc(',', out);
	csv_line(out, s->longest_hold_taken_line);
}

static int csv_functions_of(FILE *out, const struct gs_process *p, const struct gs_gil *g)
{
	size_t n;
	struct py_fstat **v = report_functions(g, REPORT_FUNCS_BY_HOLD, &n);
	char value[32];

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct py_func *f = v[i]->func;

		csv_gil_prefix(out, p, g);
		fputc(',', out);
		csv_string(out, f->name);
		fputc(',', out);
		csv_string(out, f->filename);
		fputc(',', out);
		csv_line(out, f->filename ? f->firstlineno : PY_NO_LINE);
		for (size_t k = 0; k < REPORT_FUNC_FIELDS; k++) {
			report_func_value(value, sizeof(value), &report_func_fields[k], v[i], g);
			fprintf(out, ",%s", value);
		}
		csv_hold_taken(out, v[i]);
		fputc('\n', out);
	}
	free(v);
	return 0;
}

static const char csv_blockers_header[] =
	"pid,procname,gil,tid,name,waited_ns,kind,holder_tid,holder_name,function,file,line,ns,share\n";

static int csv_blockers_of(FILE *out, const struct gs_process *p, const struct gs_gil *g,
		const struct gs_gil_thread *gt)
{
	size_t n;
	struct py_blocker **v = report_blockers(gt, &n);

	if (!v) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct py_blocker *b = v[i];

		csv_gil_prefix(out, p, g);
		fprintf(out, ",%" PRId64 ",", gt->thread->tid);
		csv_string(out, gs_thread_name(gt->thread));
		fprintf(out, ",%" PRIu64 ",%s,", gt->waited_ns, report_blocker_kind(b));
		if (b->holder) {
			fprintf(out, "%" PRId64 ",", b->holder->tid);
			csv_string(out, gs_thread_name(b->holder));
		} else {
			fputc(',', out);
		}
		fputc(',', out);
		csv_string(out, b->where.func->name);
		fputc(',', out);
		csv_string(out, b->where.func->filename);
		fputc(',', out);
		csv_line(out, b->where.line);
		fprintf(out, ",%" PRIu64 ",%.6f\n", b->ns, gs_share(b->ns, gt->waited_ns));
	}
	free(v);
	return 0;
}

static int csv_functions(FILE *out, const struct gs_process *p)
{
	size_t ng;
	struct gs_gil **gils = report_gils(p, 0, &ng);
	int rc = 0;

	if (!gils) {
		return -1;
	}
	for (size_t i = 0; i < ng && rc == 0; i++) {
		rc = csv_functions_of(out, p, gils[i]);
	}
	free(gils);
	return rc;
}

int report_csv(FILE *out, const struct report *r)
{
	size_t n;
	struct gs_process **procs = report_processes(r, 0, &n);
	int rc = 0;

	if (!procs) {
		return -1;
	}
	if (r->pyfunctions) {
		csv_functions_header(out);
	} else if (r->blockers) {
		fputs(csv_blockers_header, out);
	} else if (r->callsites) {
		fputs(csv_sites_header, out);
	} else if (r->a->all_locks) {
		fputs("pid,procname,address,kind,gil,acquisitions,contended,busy,owner_changes,timeouts,"
			"signals,broadcasts,posts,wait_ns_count,wait_ns_mean,wait_ns_p50,wait_ns_p90,"
			"wait_ns_p99,wait_ns_max,hold_ns_count,hold_ns_mean,hold_ns_p50,hold_ns_p90,"
			"hold_ns_p99,hold_ns_max\n", out);
	} else {
		csv_header(out);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (r->pyfunctions) {
			rc = csv_functions(out, procs[i]);
		} else if (r->blockers) {
			rc = csv_each_thread(out, procs[i], csv_blockers_of);
		} else if (r->callsites) {
			rc = csv_sites(out, procs[i]);
		} else {
			rc = r->a->all_locks ? csv_locks(out, procs[i]) : csv_each_thread(out, procs[i], csv_row);
		}
	}
	free(procs);
	return rc;
}
