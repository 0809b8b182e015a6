/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The output formats and what they share: the order things are listed
 * in.  Durations for people are hist_duration()'s (hist.h).
 */
#ifndef GILTRACE_ANALYZER_REPORT_H
#define GILTRACE_ANALYZER_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "gil_analysis.h"
#include "lock_state.h"
#include "trace_reader.h"

struct report {
	const struct gs_analysis *a;	/* finished */
	const struct trace_list *traces;
	const struct trace_read_stats *stats;
	const int64_t *pids;		/* only these processes, if npids > 0 */
	size_t npids;
	int callsites;			/* CSV: call-site rows */
	int pyfunctions;		/* CSV: Python function rows */
	int blockers;			/* CSV: blocker rows */
};

/* Each returns 0, or -1 if writing failed. */
int report_text(FILE *out, const struct report *r);
int report_json(FILE *out, const struct report *r);
int report_csv(FILE *out, const struct report *r);

/*
 * Sorted views, to free with free().  worst_first: the processes, GILs
 * and threads that waited longest first (text); otherwise by pid, order
 * of appearance and tid (JSON, CSV: stable for scripts).  NULL with
 * *n = 0 when empty or out of memory.
 */
struct gs_process **report_processes(const struct report *r, int worst_first, size_t *n);
struct gs_gil **report_gils(const struct gs_process *p, int worst_first, size_t *n);
struct gs_gil_thread **report_threads(const struct gs_gil *g, int worst_first, size_t *n);
/* Orders of a GIL's call sites, worst first; ties by address. */
enum report_site_order {
	REPORT_SITES_BY_HOLD,		/* hold time after acquisitions there */
	REPORT_SITES_BY_WAIT,		/* wait time of the attempts that ended there */
	REPORT_SITES_BY_FAILED,		/* failed wake-ups of those attempts */
};
/* Sites with at least one acquisition, release or abandoned attempt. */
struct cs_site **report_sites(const struct gs_gil *g, enum report_site_order order, size_t *n);
/* Orders of a GIL's Python functions, worst first; ties by held time,
 * acquisitions, name, file and first line. */
enum report_func_order {
	REPORT_FUNCS_BY_HOLD,		/* held time released there */
	REPORT_FUNCS_BY_WAIT,		/* wait time of the attempts that ended there */
	REPORT_FUNCS_BY_FAILED,		/* failed wake-ups of those attempts */
};
struct py_fstat **report_functions(const struct gs_gil *g, enum report_func_order order, size_t *n);
/* A thread's blockers, the most time first; ties by holder, function, line. */
struct py_blocker **report_blockers(const struct gs_gil_thread *gt, size_t *n);

/*
 * The figures of a Python function, in the order and with the keys of
 * the JSON and the CSV (--pyfunctions): one list for both.  A line is
 * null (JSON) or empty (CSV) when unknown; a share is a time of the
 * function divided by the GIL's span (gs_share()).
 */
enum report_value {
	REPORT_U64,			/* a uint64_t member */
	REPORT_LINE,			/* an int32_t member, PY_NO_LINE: unknown */
	REPORT_SHARE,			/* a uint64_t member over the GIL's span */
};
struct report_func_field {
	const char *key;
	enum report_value type;
	size_t offset;			/* in struct py_fstat */
};
#define REPORT_FUNC_FIELDS 16
extern const struct report_func_field report_func_fields[REPORT_FUNC_FIELDS];
/* Field f of s as text, for the GIL g; 0 (buf empty) when it is null. */
int report_func_value(char *buf, size_t size, const struct report_func_field *f, const struct py_fstat *s,
		const struct gs_gil *g);

/* "hold", "handoff_gap" or "other": what a blocker part is. */
const char *report_blocker_kind(const struct py_blocker *b);

/* Contended locks only, longest total wait first. */
struct gs_lock **report_locks(const struct gs_process *p, size_t *n);
/* Is the lock a GIL's mutex, condvar or semaphore? */
int report_lock_is_gil(const struct gs_process *p, const struct gs_lock *l);

/* Are the counters lower bounds (events were lost)? */
int report_lower_bounds(const struct gs_analysis *a);

#endif
