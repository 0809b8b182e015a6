/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace-analyze [--format=text|json|csv] [options] TRACE_DIR...
 *
 * Exit status (giltrace-analyze(1), EXIT STATUS):
 *   0 report written, 1 other failure (memory, output), 2 usage,
 *   3 no trace at a path, 4 a trace cannot be read, 5 no giltrace
 *   events, 6 events lack the vpid/vtid contexts.
 *
 * The traces are read, and the report written, in a child process
 * (isolate_run()): libbabeltrace2 crashes on some damaged traces, and that
 * must end in status 4 and one line like any other unreadable trace.
 * GILTRACE_ANALYZE_INPROCESS=1 does it all in this process (debuggers,
 * the fuzzer).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil_analysis.h"
#include "report.h"
#include "trace_reader.h"

#define PROG "giltrace-analyze"


enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_CSV,
};

struct options {
	enum format format;
	int all_locks;
	int callsites;			/* CSV: one row per call site */
	int pyfunctions;		/* CSV: one row per Python function */
	int blockers;			/* CSV: one row per blocker of a thread */
	int verbose;
	const char *output;
	int64_t *pids;			/* owned */
	size_t npids;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [--format=text|json|csv] [options] TRACE_DIR...\n"
		"Count GIL acquisitions, failed wake-ups, missed hand-offs and latencies\n"
		"in LTTng traces recorded with giltrace.\n\n"
		"  -f, --format=FORMAT  text (default), json or csv\n"
		"  -o, --output=FILE    write the report to FILE instead of standard output\n"
		"  -a, --all-locks      also report every contended mutex, condvar and semaphore\n"
		"  -c, --callsites      CSV: one row per GIL call site instead of per thread\n"
		"  -F, --pyfunctions    CSV: one row per Python function of a GIL instead\n"
		"  -B, --blockers       CSV: one row per blocker of a waiting thread instead\n"
		"  -p, --pid=PID        only this process (repeatable)\n"
		"  -v, --verbose        show every error cause and babeltrace2 warnings\n"
		"  -h, --help           show this help\n"
		"  -V, --version        show the version\n\n"
		"Exit status: 0 ok, 1 failure, 2 usage, 3 no trace found, 4 unreadable trace,\n"
		"5 no giltrace events, 6 events lack the vpid/vtid contexts.\n");
}

static int pid_add(struct options *o, const char *arg)
{
	char *end;
	long long v;
	int64_t *pids;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < 0) {
		fprintf(stderr, PROG ": Invalid process id: pid=\"%s\"\n", arg);
		return -1;
	}
	pids = realloc(o->pids, (o->npids + 1) * sizeof(*pids));
	if (!pids) {
		return -1;
	}
	o->pids = pids;
	o->pids[o->npids++] = v;
	return 0;
}

static int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "all-locks", no_argument, NULL, 'a' },
		{ "callsites", no_argument, NULL, 'c' },
		{ "pyfunctions", no_argument, NULL, 'F' },
		{ "blockers", no_argument, NULL, 'B' },
		{ "pid", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;	/* our own wording below */
	while ((c = getopt_long(argc, argv, "f:o:acFBp:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") == 0) {
				o->format = FORMAT_TEXT;
			} else if (strcmp(optarg, "json") == 0) {
				o->format = FORMAT_JSON;
			} else if (strcmp(optarg, "csv") == 0) {
				o->format = FORMAT_CSV;
			} else {
				fprintf(stderr, PROG ": Unknown format: format=\"%s\" (text, json or csv)\n", optarg);
				return TRACE_EXIT_USAGE;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'a':
			o->all_locks = 1;
			break;
		case 'c':
			o->callsites = 1;
			break;
		case 'F':
			o->pyfunctions = 1;
			break;
		case 'B':
			o->blockers = 1;
			break;
		case 'p':
			if (pid_add(o, optarg) != 0) {
				return TRACE_EXIT_USAGE;
			}
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(TRACE_EXIT_OK);
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			exit(TRACE_EXIT_OK);
		default:
			if (optopt) {
				fprintf(stderr, PROG ": Unknown option or missing argument: option=\"-%c\"\n", optopt);
			} else {
				fprintf(stderr, PROG ": Unknown option: option=\"%s\"\n", argv[optind - 1]);
			}
			usage(stderr);
			return TRACE_EXIT_USAGE;
		}
	}
	if (o->callsites + o->pyfunctions + o->blockers > 1) {
		fprintf(stderr, PROG ": Only one of --callsites, --pyfunctions and --blockers can be given\n");
		return TRACE_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": No trace directory given\n");
		usage(stderr);
		return TRACE_EXIT_USAGE;
	}
	return TRACE_EXIT_OK;
}

static int report_write(const struct options *o, const struct report *r)
{
	FILE *out = stdout;
	int rc;

	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			fprintf(stderr, PROG ": Cannot write report: path=\"%s\", error=\"%s\"\n",
				o->output, strerror(errno));
			return TRACE_EXIT_FAILURE;
		}
	}
	switch (o->format) {
	case FORMAT_JSON:
		rc = report_json(out, r);
		break;
	case FORMAT_CSV:
		rc = report_csv(out, r);
		break;
	default:
		rc = report_text(out, r);
		break;
	}
	if (fflush(out) != 0 || ferror(out)) {
		rc = -1;
	}
	if (out != stdout && fclose(out) != 0) {
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, PROG ": Cannot write report: path=\"%s\"%s\n",
			o->output ? o->output : "(standard output)", errno ? ", out of space or memory" : "");
		return TRACE_EXIT_FAILURE;
	}
	return TRACE_EXIT_OK;
}

/* A trace list as "path", "path" for messages. */
static void traces_describe(char *buf, size_t size, const struct trace_list *list)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < list->len && len < size; i++) {
		len += (size_t) snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "", list->paths[i]);
	}
}

/* What the analysis needs from the command line. */
struct run {
	const struct options *o;
	int ninputs;
	char **inputs;
};

/* Finds, reads and reports: in the child process, or in this one. */
static int analyze(void *arg)
{
	const struct run *run = arg;
	const struct options *o = run->o;
	struct trace_list traces = { 0 };
	struct trace_read_stats stats;
	struct gs_analysis a;
	struct report r;
	char where[512], unknown[512];
	int status = TRACE_EXIT_OK;

	gs_init(&a, 0);
	a.all_locks = o->all_locks;
	for (int i = 0; i < run->ninputs; i++) {
		enum trace_read_status st = trace_find(run->inputs[i], &traces);

		if (st != TRACE_READ_OK) {
			trace_error_print(o->verbose, "Cannot find traces");
			status = trace_exit_status(st);
			goto end;
		}
	}
	status = trace_exit_status(trace_read(&traces, &a, o->verbose, &stats));
	if (status != TRACE_EXIT_OK) {
		trace_error_print(o->verbose, "Cannot read the traces");
		goto end;
	}
	gs_finish(&a);
	if (a.oom) {
		fprintf(stderr, PROG ": Out of memory: the analysis is incomplete\n");
		status = TRACE_EXIT_FAILURE;
		goto end;
	}
	trace_unknown_describe(&stats, unknown, sizeof(unknown));
	if (a.events == 0) {
		traces_describe(where, sizeof(where), &traces);
		if (stats.unknown_events > 0 && stats.unknown_events == stats.giltrace_events) {
			fprintf(stderr, PROG ": No giltrace events this version knows: %s; read it with that "
				"version's giltrace-analyze: traces=%s\n", unknown, where);
		} else if (stats.giltrace_events > 0) {
			fprintf(stderr, PROG ": No giltrace GIL events, only lock calls (add --all-locks): traces=%s\n",
				where);
		} else {
			fprintf(stderr, PROG ": No giltrace events in the traces (was libgiltrace.so preloaded "
				"and giltrace:* enabled?): traces=%s\n", where);
		}
		status = TRACE_EXIT_NO_EVENTS;
		goto end;
	}
	if (unknown[0]) {
		fprintf(stderr, PROG ": Warning: %s, and the figures may be wrong: read it with that version's "
			"giltrace-analyze\n", unknown);
	}
	r = (struct report) { .a = &a, .traces = &traces, .stats = &stats, .pids = o->pids, .npids = o->npids,
		.callsites = o->callsites, .pyfunctions = o->pyfunctions, .blockers = o->blockers };
	status = report_write(o, &r);
end:
	gs_free(&a);
	trace_list_free(&traces);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { .format = FORMAT_TEXT };
	struct run run;
	const char *inprocess = getenv("GILTRACE_ANALYZE_INPROCESS");
	int status;

	trace_reader_init(PROG);
	status = options_parse(argc, argv, &o);
	if (status != TRACE_EXIT_OK) {
		goto end;
	}
	run = (struct run) { .o = &o, .ninputs = argc - optind, .inputs = argv + optind };
	if (inprocess && strcmp(inprocess, "1") == 0) {
		status = analyze(&run);
		goto end;
	}
	status = isolate_run(analyze, &run, o.verbose, TRACE_EXIT_BAD_TRACE);
	if (status < 0) {
		fprintf(stderr, PROG ": Cannot start the process that reads the traces: error=\"%s\"\n",
			strerror(errno));
		status = TRACE_EXIT_FAILURE;
	}
end:
	free(o.pids);
	return status;
}
