/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace report: the analyzer's report (giltrace-analyze, to which
 * every option not listed here is passed), and on request the GIL
 * timeline picture, which giltrace draws itself from the trace.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "analyzer/gil_analysis.h"
#include "analyzer/trace_read.h"
#include "frontend.h"
#include "render.h"
#include "timeline.h"
#include "util.h"

struct report_opts {
	const char *svg, *html;
	bool picture_only;
	char **pass;		/* argv for the analyzer, NULL-terminated */
	int npass;
	const char **traces;	/* the directories among the arguments */
	int ntraces;
};

static void report_usage(FILE *out)
{
	fprintf(out,
		"Usage: giltrace report [OPTION]... TRACE_DIR...\n"
		"Print the GIL contention report of a recorded trace (giltrace-analyze).\n"
		"\n"
		"      --svg=FILE          also draw the GIL timeline as an SVG image\n"
		"      --html=FILE         also draw it as a self-contained HTML page\n"
		"      --picture-only      draw the picture(s) without printing the report\n"
		"  -h, --help              show this help\n"
		"\n"
		"Every other option goes to giltrace-analyze, e.g. --format=text|json|csv.\n");
}

/* Value of "--name=V" or "--name V"; advances *i past a separate value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
	size_t len = strlen(name);

	*matched = false;
	if (strncmp(argv[*i], name, len) != 0) {
		return NULL;
	}
	if (argv[*i][len] == '=') {
		*matched = true;
		return argv[*i] + len + 1;
	}
	if (argv[*i][len] == '\0') {
		*matched = true;
		if (*i + 1 < argc) {
			return argv[++*i];
		}
	}
	return NULL;
}

static int parse_report(int argc, char **argv, struct report_opts *o)
{
	struct stat st;
	bool matched;
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	o->pass = calloc((size_t) argc + 2, sizeof(char *));
	o->traces = calloc((size_t) argc + 1, sizeof(char *));
	if (!o->pass || !o->traces) {
		return -1;
	}
	o->pass[o->npass++] = "giltrace-analyze";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			report_usage(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--picture-only") == 0) {
			o->picture_only = true;
			continue;
		}
		v = opt_value(argc, argv, &i, "--svg", &matched);
		if (matched) {
			if (!v || !*v) {
				gt_err("--svg needs a file name");
				return -1;
			}
			o->svg = v;
			continue;
		}
		v = opt_value(argc, argv, &i, "--html", &matched);
		if (matched) {
			if (!v || !*v) {
				gt_err("--html needs a file name");
				return -1;
			}
			o->html = v;
			continue;
		}
		if (argv[i][0] != '-' && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			o->traces[o->ntraces++] = argv[i];
		}
		o->pass[o->npass++] = argv[i];
	}
	if (o->picture_only && !o->svg && !o->html) {
		gt_err("--picture-only needs --svg or --html");
		return -1;
	}
	if ((o->svg || o->html) && o->ntraces == 0) {
		gt_err("report: no trace directory given");
		return -1;
	}
	return 0;
}

static int write_picture(const char *file, bool html, const struct timeline *tl, const struct render_info *info)
{
	FILE *out = strcmp(file, "-") == 0 ? stdout : fopen(file, "w");
	int ret;

	if (!out) {
		gt_err("Cannot write %s: %s", file, strerror(errno));
		return -1;
	}
	ret = html ? render_html(out, tl, info) : render_svg(out, tl, info);
	if (out != stdout && fclose(out) != 0) {
		ret = -1;
	}
	if (ret != 0) {
		gt_err("Cannot write %s: %s", file, strerror(errno));
	}
	return ret;
}

/* The current babeltrace error as one line: what failed, then why. */
static void print_bt_error(const char *fallback)
{
	const bt_error *err = bt_current_thread_take_error();
	uint64_t n = err ? bt_error_get_cause_count(err) : 0;
	const char *what, *why;

	if (n == 0) {
		gt_err("%s", fallback);
		goto end;
	}
	what = bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, n - 1));
	why = bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, 0));
	if (n > 1 && strcmp(what, why) != 0) {
		gt_err("%s: %s", what, why);
	} else {
		gt_err("%s", what);
	}
end:
	if (err) {
		bt_error_release(err);
	}
}

/* Reads the traces into the analysis the timeline observes. */
static int pictures_read(const struct report_opts *o, struct gs_analysis *a, struct trace_list *list,
		struct trace_read_stats *stats)
{
	for (int i = 0; i < o->ntraces; i++) {
		if (trace_find(o->traces[i], list) != TRACE_READ_OK) {
			print_bt_error("Cannot find traces");
			return -1;
		}
	}
	if (trace_read(list, a, 0, stats) != TRACE_READ_OK) {
		print_bt_error("Cannot read the traces");
		return -1;
	}
	gs_finish(a);
	if (a->oom) {
		gt_err("Out of memory: the analysis is incomplete");
		return -1;
	}
	return 0;
}

static int pictures(const struct report_opts *o)
{
	struct trace_list list = { 0 };
	struct trace_read_stats stats = { 0 };
	struct gs_analysis a;
	struct timeline *tl;
	struct render_info info = { o->traces[0], 0, 0 };
	int ret;

	gs_init(&a, 0);
	tl = timeline_create(&a, TL_DEFAULT_COLUMNS);
	if (!tl) {
		gt_err("Out of memory");
		ret = -1;
		goto end;
	}
	ret = pictures_read(o, &a, &list, &stats);
	if (ret == 0 && timeline_finish(tl) != 0) {
		gt_err("Out of memory: the picture is incomplete");
		ret = -1;
	}
	if (ret != 0) {
		goto end;
	}
	info.events = stats.events;
	info.discarded_events = a.discarded_events;
	if (o->svg) {
		ret = write_picture(o->svg, false, tl, &info);
	}
	if (ret == 0 && o->html) {
		ret = write_picture(o->html, true, tl, &info);
	}
end:
	timeline_destroy(tl);
	gs_free(&a);
	trace_list_free(&list);
	return ret;
}

/* Run the analyzer in place of giltrace; returns only on failure. */
static int exec_analyzer(struct report_opts *o)
{
	const char *env = getenv("GILTRACE_ANALYZE");

	fflush(NULL);
	if (env && *env) {
		execv(env, o->pass);
		gt_err("Cannot run the analyzer %s (GILTRACE_ANALYZE): %s", env, strerror(errno));
		return errno == ENOENT ? GT_EXIT_NOT_FOUND : GT_EXIT_CANNOT_EXEC;
	}
	if (access(GILTRACE_ANALYZE_PATH, X_OK) == 0) {
		execv(GILTRACE_ANALYZE_PATH, o->pass);
	}
	execvp("giltrace-analyze", o->pass);
	gt_err("Cannot find giltrace-analyze (not at %s nor in PATH): install it, or set GILTRACE_ANALYZE",
		GILTRACE_ANALYZE_PATH);
	return errno == ENOENT ? GT_EXIT_NOT_FOUND : GT_EXIT_CANNOT_EXEC;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	int ret;

	if (parse_report(argc, argv, &o) != 0) {
		return GT_EXIT_FAILURE;
	}
	if ((o.svg || o.html) && pictures(&o) != 0) {
		return GT_EXIT_FAILURE;
	}
	if (o.picture_only) {
		return 0;
	}
	ret = exec_analyzer(&o);
	free(o.pass);
	free(o.traces);
	return ret;
}
