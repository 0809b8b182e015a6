/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * JSON: the contract scripts rely on (key names in giltrace-analyze(1)).
 * Addresses are strings ("0x7f..."), since JSON numbers lose precision
 * above 2^53; every count and duration is an integer in nanoseconds.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "json_write.h"
#include "report.h"

/* Members of the indented document, at two depths. */
static const struct json_style gil_members = { "\t\t\t\t", ": ", ",\n" };
static const struct json_style thread_members = { "\t\t\t\t\t\t", ": ", ",\n" };

static void json_measures(FILE *out, const struct gs_counters *c, const struct gs_dists *d,
		const struct json_style *st)
{
	json_write_counters(out, st, c);
	for (size_t i = 0; i < GS_DIST_COUNT; i++) {
		fprintf(out, "%s\"%s\"%s", st->indent, gs_dist_fields[i].key, st->colon);
		json_write_dist(out, gs_dist(d, i));
		fputs(st->comma, out);
	}
}

static void json_anomalies(FILE *out, const uint64_t *an)
{
	fputc('{', out);
	for (int i = 0; i < GS_AN_COUNT; i++) {
		fprintf(out, "%s\"%s\": %" PRIu64, i ? ", " : "", gs_anomaly_name(i), an[i]);
	}
	fputc('}', out);
}

/* A string, or null. */
static void json_string_or_null(FILE *out, const char *s)
{
	if (s) {
		json_write_string(out, s);
	} else {
		fputs("null", out);
	}
}

/* A line number, or null when unknown. */
static void json_line(FILE *out, int32_t line)
{
	if (line == PY_NO_LINE) {
		fputs("null", out);
	} else {
		fprintf(out, "%" PRId32, line);
	}
}

/* What a thread waited behind, the most first (py_blockers.h). */
static int json_blockers(FILE *out, const struct gs_gil_thread *gt)
{
	size_t n;
	struct py_blocker **v = report_blockers(gt, &n);

	if (!v) {
		return -1;
	}
	json_write_u64(out, &thread_members, "blockers_excess_ns", gt->blockers.excess_ns);
	json_write_u64(out, &thread_members, "blockers_dropped", gt->blockers.dropped);
	fputs("\t\t\t\t\t\t\"blockers\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct py_blocker *b = v[i];

		fprintf(out, "%s\n\t\t\t\t\t\t\t{\"kind\": \"%s\", \"holder_tid\": ", i ? "," : "",
			report_blocker_kind(b));
		if (b->holder) {
			fprintf(out, "%" PRId64 ", \"holder_name\": ", b->holder->tid);
			json_write_string(out, gs_thread_name(b->holder));
		} else {
			fputs("null, \"holder_name\": null", out);
		}
		fputs(", \"function\": ", out);
		json_write_string(out, b->where.func->name);
		fputs(", \"file\": ", out);
		json_string_or_null(out, b->where.func->filename);
		fputs(", \"line\": ", out);
		json_line(out, b->where.line);
		fprintf(out, ", \"ns\": %" PRIu64 ", \"share\": %.6f}", b->ns, gs_share(b->ns, gt->waited_ns));
	}
	fputs(n ? "\n\t\t\t\t\t\t]" : "]", out);
	free(v);
	return 0;
}

/* Where the function's longest hold was taken: its function, file and line. */
static void json_hold_taken(FILE *out, const struct py_fstat *s)
{
	const struct py_func *f = s->longest_hold_taken_func;

	fputs(",\n\t\t\t\t\t \"longest_hold_taken_function\": ", out);
	if (f == &py_func_none || !s->holds) {
		fputs("null, \"longest_hold_taken_file\": null, \"longest_hold_taken_line\": null", out);
		return;
	}
	json_write_string(out, f->name);
	fputs(", \"longest_hold_taken_file\": ", out);
	json_string_or_null(out, f->filename);
	fputs(", \"longest_hold_taken_line\": ", out);
	json_line(out, s->longest_hold_taken_line);
}

static int json_threads(FILE *out, const struct gs_gil *g)
{
	size_t n;
	struct gs_gil_thread **v = report_threads(g, 0, &n);
	int rc = 0;

	if (!v) {
		return -1;
	}
	fputs("\t\t\t\t\"threads\": [", out);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct gs_gil_thread *gt = v[i];

		fprintf(out, "%s\n\t\t\t\t\t{\n\t\t\t\t\t\t\"tid\": %" PRId64 ",\n", i ? "," : "", gt->thread->tid);
		fputs("\t\t\t\t\t\t\"procname\": ", out);
		json_write_string(out, gt->thread->procname);
		fputs(",\n\t\t\t\t\t\t\"name\": ", out);
		json_write_string(out, gs_thread_name(gt->thread));
		fputs(",\n", out);
		json_measures(out, &gt->c, &gt->d, &thread_members);
		json_write_u64(out, &thread_members, "waited_ns", gt->waited_ns);
		json_write_u64(out, &thread_members, "held_ns", gt->held_ns);
		json_write_share(out, &thread_members, "wait_share", gt->wait_share);
		json_write_share(out, &thread_members, "hold_share", gt->hold_share);
		rc = json_blockers(out, gt);
		fputs("\n\t\t\t\t\t}", out);
	}
	fputs(n ? "\n\t\t\t\t]" : "]", out);
	free(v);
	return rc;
}

/* A code address: its hex string, and what gil_callsite said of it. */
static void json_code_address(FILE *out, const struct gs_gil *g, const char *key, uint64_t addr)
{
	const struct cs_name *nm = addr ? cs_names_find(&g->proc->names, addr) : NULL;
	char name[CS_SYMBOL_MAX + 64];

	cs_format(name, sizeof(name), &g->proc->names, addr);
	if (addr) {
		fprintf(out, "\"%s\": \"%#" PRIx64 "\", ", key, addr);
	} else {
		fprintf(out, "\"%s\": null, ", key);
	}
	fprintf(out, "\"%s_name\": ", key);
	json_write_string(out, name);
	fprintf(out, ", \"%s_symbol\": ", key);
	if (nm && nm->symbol) {
		json_write_string(out, nm->symbol);
		fprintf(out, ", \"%s_offset\": %" PRIu64, key, nm->offset);
	} else {
		fprintf(out, "null, \"%s_offset\": null", key);
	}
	fprintf(out, ", \"%s_binary\": ", key);
	if (nm && nm->binary) {
		json_write_string(out, nm->binary);
		fprintf(out, ", \"%s_binary_offset\": \"%#" PRIx64 "\"", key, nm->binary_offset);
	} else {
		fprintf(out, "null, \"%s_binary_offset\": null", key);
	}
}

/* Every call site, by the hold that followed acquisitions there. */
static int json_sites(FILE *out, const struct gs_gil *g)
{
	size_t n;
	struct cs_site **v = report_sites(g, REPORT_SITES_BY_HOLD, &n);

	if (!v) {
		return -1;
	}
	fprintf(out, ",\n\t\t\t\t\"backtrace_depth\": %" PRIu32 ",\n", g->sites.max_depth);
	fprintf(out, "\t\t\t\t\"callsites_dropped\": %" PRIu64 ",\n", g->sites.dropped);
	fputs("\t\t\t\t\"callsites\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct cs_site *c = v[i];

		fprintf(out, "%s\n\t\t\t\t\t{", i ? "," : "");
		json_code_address(out, g, "site", c->addr);
		fprintf(out, ",\n\t\t\t\t\t \"in_gil_machinery\": %s, \"acquisitions\": %" PRIu64
			", \"contended_acquisitions\": %" PRIu64 ", \"waits\": %" PRIu64
			", \"failed_wakeups\": %" PRIu64 ", \"timeouts\": %" PRIu64
			", \"waited_ns\": %" PRIu64 ", \"longest_wait_ns\": %" PRIu64
			", \"holds\": %" PRIu64 ", \"held_ns\": %" PRIu64 ", \"longest_hold_ns\": %" PRIu64
			", \"releases\": %" PRIu64 ", \"abandoned_attempts\": %" PRIu64 ",\n\t\t\t\t\t ",
			c->in_machinery ? "true" : "false", c->acquisitions, c->contended, c->waits,
			c->failed_wakeups, c->timeouts, c->waited_ns, c->longest_wait_ns, c->holds,
			c->held_ns, c->longest_hold_ns, c->releases, c->abandoned);
		json_code_address(out, g, "longest_hold_released_at", c->holds ? c->longest_hold_release : 0);
		fputc('}', out);
	}
	fputs(n ? "\n\t\t\t\t]" : "]", out);
	free(v);
	return 0;
}

/* Every Python function of the GIL, by the time it held it (py_functions.h). */
static int json_functions(FILE *out, const struct gs_gil *g)
{
	size_t n;
	struct py_fstat **v = report_functions(g, REPORT_FUNCS_BY_HOLD, &n);
	char value[32];

	if (!v) {
		return -1;
	}
	fprintf(out, ",\n\t\t\t\t\"python_functions_dropped\": %" PRIu64 ",\n", g->funcs.dropped);
	fputs("\t\t\t\t\"python_functions\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct py_func *f = v[i]->func;

		fprintf(out, "%s\n\t\t\t\t\t{\"function\": ", i ? "," : "");
		json_write_string(out, f->name);
		fputs(", \"file\": ", out);
		json_string_or_null(out, f->filename);
		fputs(", \"firstlineno\": ", out);
		json_line(out, f->filename ? f->firstlineno : PY_NO_LINE);
		fputs(",\n\t\t\t\t\t ", out);
		for (size_t k = 0; k < REPORT_FUNC_FIELDS; k++) {
			int known = report_func_value(value, sizeof(value), &report_func_fields[k], v[i], g);

			fprintf(out, "%s\"%s\": %s", k ? ", " : "", report_func_fields[k].key, known ? value : "null");
		}
		json_hold_taken(out, v[i]);
		fputc('}', out);
	}
	fputs(n ? "\n\t\t\t\t]\n" : "]\n", out);
	free(v);
	return 0;
}

static int json_gils(FILE *out, const struct gs_process *p)
{
	size_t n;
	struct gs_gil **v = report_gils(p, 0, &n);
	int rc = 0;

	if (!v) {
		return -1;
	}
	fputs("\t\t\t\"gils\": [", out);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct gs_gil *g = v[i];

		fprintf(out, "%s\n\t\t\t{\n\t\t\t\t\"address\": \"%#" PRIx64 "\",\n", i ? "," : "", g->address);
		fputs("\t\t\t\t\"runtime\": ", out);
		json_write_string(out, g->runtime);
		fputs(",\n\t\t\t\t\"identified_by\": ", out);
		json_write_string(out, g->method);
		fputs(",\n\t\t\t\t\"kind\": ", out);
		json_write_string(out, gs_kind_name(g->kind));
		fprintf(out, ",\n\t\t\t\t\"cond\": \"%#" PRIx64 "\",\n", g->cond);
		json_measures(out, &g->c, &g->d, &gil_members);
		/* The same as hold_share: the key giltrace 0.1 gave it. */
		json_write_share(out, &gil_members, "utilisation", g->hold_share);
		json_write_share(out, &gil_members, "hold_share", g->hold_share);
		json_write_share(out, &gil_members, "wait_share", g->wait_share);
		json_write_u64(out, &gil_members, "span_ns", gs_gil_span(g));
		json_write_u64(out, &gil_members, "held_ns", g->held_ns);
		json_write_u64(out, &gil_members, "waited_ns", g->waited_ns);
		json_write_u64(out, &gil_members, "max_waiters", g->max_waiters);
		fputs("\t\t\t\t\"anomalies\": ", out);
		json_anomalies(out, g->anomalies);
		fputs(",\n", out);
		rc = json_threads(out, g);
		if (rc == 0) {
			rc = json_sites(out, g);
		}
		if (rc == 0) {
			rc = json_functions(out, g);
		}
		fputs("\t\t\t}", out);
	}
	fputs(n ? "\n\t\t\t]" : "]", out);
	free(v);
	return rc;
}

static int json_locks(FILE *out, const struct gs_process *p)
{
	size_t n;
	struct gs_lock **v = report_locks(p, &n);

	if (!v) {
		return -1;
	}
	fputs(",\n\t\t\t\"locks\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct gs_lock *l = v[i];

		fprintf(out, "%s\n\t\t\t\t{\"address\": \"%#" PRIx64 "\", \"kind\": \"%s\", \"gil\": %s, "
			"\"acquisitions\": %" PRIu64 ", \"contended\": %" PRIu64 ", \"busy\": %" PRIu64
			", \"owner_changes\": %" PRIu64 ", \"timeouts\": %" PRIu64 ", \"signals\": %" PRIu64
			", \"broadcasts\": %" PRIu64 ", \"posts\": %" PRIu64 ",\n\t\t\t\t ",
			i ? "," : "", l->address, ls_kind_name(l->kind),
			report_lock_is_gil(p, l) ? "true" : "false",
			l->acquisitions, l->contended, l->busy, l->owner_changes, l->timeouts,
			l->signals, l->broadcasts, l->posts);
		fputs("\"wait_ns\": ", out);
		json_write_dist(out, &l->wait);
		fputs(", \"hold_ns\": ", out);
		json_write_dist(out, &l->hold);
		fputc('}', out);
	}
	fputs(n ? "\n\t\t\t]" : "]", out);
	free(v);
	return 0;
}

int report_json(FILE *out, const struct report *r)
{
	const struct gs_analysis *a = r->a;
	size_t n;
	struct gs_process **procs = report_processes(r, 0, &n);
	int rc = 0;

	if (!procs) {
		return -1;
	}
	fputs("{\n\t\"traces\": [", out);
	for (size_t i = 0; i < r->traces->len; i++) {
		fputs(i ? ", " : "", out);
		json_write_string(out, r->traces->paths[i]);
	}
	fprintf(out, "],\n\t\"recorded_events\": %" PRIu64 ",\n", r->stats->events);
	fprintf(out, "\t\"events\": %" PRIu64 ",\n", a->events);
	fprintf(out, "\t\"discarded_events\": %" PRIu64 ",\n", a->discarded_events);
	fprintf(out, "\t\"discarded_packets\": %" PRIu64 ",\n", a->discarded_packets);
	fprintf(out, "\t\"unknown_events\": %" PRIu64 ",\n\t\"unknown_event_kinds\": [", r->stats->unknown_events);
	for (unsigned int i = 0; i < r->stats->unknown_kinds; i++) {
		fputs(i ? ", " : "", out);
		json_write_string(out, r->stats->unknown_names[i]);
	}
	fputs("],\n", out);
	fprintf(out, "\t\"counters_are_lower_bounds\": %s,\n", report_lower_bounds(a) ? "true" : "false");
	fputs("\t\"anomalies\": ", out);
	json_anomalies(out, a->anomalies);
	fputs(",\n\t\"processes\": [", out);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct gs_process *p = procs[i];

		fprintf(out, "%s\n\t\t{\n\t\t\t\"pid\": %" PRId64 ",\n\t\t\t\"procname\": ", i ? "," : "", p->pid);
		json_write_string(out, p->procname);
		fputs(",\n\t\t\t\"gil_not_found\": ", out);
		json_string_or_null(out, p->not_found);
		fprintf(out, ",\n\t\t\t\"python_frames\": %s", p->py_frames ? "true" : "false");
		fputs(",\n\t\t\t\"py_frames_off\": ", out);
		json_string_or_null(out, p->py_frames_off);
		fprintf(out, ",\n\t\t\t\"py_codes\": %zu,\n\t\t\t\"py_codes_dropped\": %" PRIu64
			",\n\t\t\t\"py_linetables_dropped\": %" PRIu64 ",\n", p->codes.by_addr.len,
			p->codes.dropped, p->codes.tables_dropped);
		rc = json_gils(out, p);
		if (rc == 0 && a->all_locks) {
			rc = json_locks(out, p);
		}
		fputs("\n\t\t}", out);
	}
	fputs(n ? "\n\t]\n}\n" : "]\n}\n", out);
	free(procs);
	return rc;
}
