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

#include "analyzer/gil_analysis.h"
#include "analyzer/trace_reader.h"
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

/* Reads the traces into the analysis the timeline observes; an exit
 * status of trace_reader.h, the error printed. */
static int pictures_read(const struct report_opts *o, struct gs_analysis *a, struct trace_list *list,
		struct trace_read_stats *stats)
{
	enum trace_read_status st;

	for (int i = 0; i < o->ntraces; i++) {
		st = trace_find(o->traces[i], list);
		if (st != TRACE_READ_OK) {
			trace_error_print(0, "Cannot find traces");
			return trace_exit_status(st);
		}
	}
	st = trace_read(list, a, 0, stats);
	if (st != TRACE_READ_OK) {
		trace_error_print(0, "Cannot read the traces");
		return trace_exit_status(st);
	}
	gs_finish(a);
	if (a->oom) {
		gt_err("Out of memory: the analysis is incomplete");
		return TRACE_EXIT_FAILURE;
	}
	return TRACE_EXIT_OK;
}

/* The picture job, in the crash isolation's child: read, draw, write. */
static int pictures_job(void *arg)
{
	const struct report_opts *o = arg;
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
		ret = TRACE_EXIT_FAILURE;
		goto end;
	}
	ret = pictures_read(o, &a, &list, &stats);
	if (ret == TRACE_EXIT_OK && timeline_finish(tl) != 0) {
		gt_err("Out of memory: the picture is incomplete");
		ret = TRACE_EXIT_FAILURE;
	}
	if (ret != TRACE_EXIT_OK) {
		goto end;
	}
	info.events = stats.events;
	info.discarded_events = a.discarded_events;
	if (o->svg && write_picture(o->svg, false, tl, &info) != 0) {
		ret = TRACE_EXIT_FAILURE;
	}
	if (ret == TRACE_EXIT_OK && o->html && write_picture(o->html, true, tl, &info) != 0) {
		ret = TRACE_EXIT_FAILURE;
	}
end:
	timeline_destroy(tl);
	gs_free(&a);
	trace_list_free(&list);
	return ret;
}

/*
 * The pictures are drawn in a child process (trace_reader.h): a damaged
 * trace that crashes libbabeltrace2 gets the same one line and exit
 * status from the picture as from giltrace-analyze.
 */
static int pictures(const struct report_opts *o)
{
	int status = isolate_run(pictures_job, (void *) o, 0, TRACE_EXIT_BAD_TRACE);

	if (status < 0) {
		gt_err("Cannot start the process that draws the picture: %s", strerror(errno));
		return TRACE_EXIT_FAILURE;
	}
	return status;
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
		ret = GT_EXIT_FAILURE;
		goto end;
	}
	ret = o.svg || o.html ? pictures(&o) : 0;
	if (ret == 0 && !o.picture_only) {
		ret = exec_analyzer(&o);
	}
end:
	free(o.pass);
	free(o.traces);
	return ret;
}
