/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace record: run COMMAND under the shim with an LTTng session
 * recording it, and leave the way COMMAND left.
 *
 * Order matters: the session records before COMMAND runs (lttng-ust
 * registers in COMMAND's constructors and the shim only identifies the
 * GIL while events are enabled), and is stopped only after COMMAND and
 * its status are collected, so that Ctrl-C still leaves a whole trace.
 */
#define _GNU_SOURCE
#include "config.h"

#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/trace_reader.h"
#include "child.h"
#include "descendants.h"
#include "frontend.h"
#include "session.h"
#include "sessiond.h"
#include "signals.h"
#include "util.h"

/*
 * Frames recorded above each GIL acquisition and release with
 * --callsites and no DEPTH: enough to pass CPython's own GIL functions
 * (at most four deep, 3.13's PyGILState_Ensure) and reach the code that
 * called them; bench/RESULTS.md has the cost per depth.
 */
#define DEFAULT_CALLSITES_DEPTH	8
#define MAX_CALLSITES_DEPTH	32	/* the shim's CALLSITES_DEPTH_MAX */

/*
 * Python frames recorded at each GIL acquisition and release unless
 * --pyframes or --no-pyframes says otherwise (bench/RESULTS.md has the
 * cost per depth).
 */
#define DEFAULT_PYFRAMES_DEPTH	8
#define MAX_PYFRAMES_DEPTH	32	/* the shim's PY_FRAMES_MAX */

struct record_opts {
	const char *output;	/* as the user wrote it, or the default name */
	char *output_abs;
	bool created_output;	/* giltrace made the directory */
	struct rec_config cfg;
	bool force_private;
	bool quiet;
	int callsites;		/* backtrace depth for GILTRACE_CALLSITES, -1: leave it */
	int pyframes;		/* GILTRACE_PYFRAMES, 0: off */
	char **command;
};

static void record_usage(FILE *out)
{
	fprintf(out,
		"Usage: giltrace record [OPTION]... [--] COMMAND [ARG]...\n"
		"Run COMMAND with libgiltrace.so preloaded while LTTng records its GIL events.\n"
		"\n"
		"  -o, --output=DIR        write the trace to DIR (default: ./giltrace-DATE-TIME)\n"
		"  -a, --all-locks         record every lock call, not only GIL events\n"
		"  -c, --callsites[=DEPTH] record DEPTH frames (default 8) above each GIL\n"
		"                          acquisition and release, for giltrace report's call sites\n"
		"      --pyframes=N        record N Python frames (1 to 32, default 8) of the\n"
		"                          thread at each GIL acquisition and release\n"
		"      --no-pyframes       record no Python frames\n"
		"      --subbuf-size=SIZE  size of each sub-buffer, per CPU (default 4M)\n"
		"      --num-subbuf=N      sub-buffers per CPU (default 4)\n"
		"      --session=NAME      record in the existing session NAME\n"
		"      --private-daemon    start a private session daemon even if one runs\n"
		"  -q, --quiet             print the closing summary line only if events were lost\n"
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: COMMAND's (or death by the same signal); 125 if giltrace\n"
		"failed, 126 if COMMAND cannot be run, 127 if it is not found.\n");
}

/* A depth of frames for option: 1 to max. */
static int parse_depth(const char *option, const char *arg, int max, int *depth)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max) {
		gt_err("Invalid %s depth: '%s' (1 to %d frames)", option, arg, max);
		return -1;
	}
	*depth = (int) v;
	return 0;
}

/* --callsites[=DEPTH]: DEFAULT_CALLSITES_DEPTH without one. */
static int parse_callsites(const char *arg, int *depth)
{
	if (!arg) {
		*depth = DEFAULT_CALLSITES_DEPTH;
		return 0;
	}
	return parse_depth("--callsites", arg, MAX_CALLSITES_DEPTH, depth);
}

/* A depth for the shim in the environment COMMAND inherits. */
static int set_depth(const char *name, int depth)
{
	char value[16];

	snprintf(value, sizeof(value), "%d", depth);
	if (setenv(name, value, 1) != 0) {
		gt_err("Cannot set %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_record(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_SUBBUF = 256, OPT_NUMSUB, OPT_SESSION, OPT_PRIVATE, OPT_PYFRAMES, OPT_NO_PYFRAMES };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "all-locks", no_argument, NULL, 'a' },
		{ "callsites", optional_argument, NULL, 'c' },
		{ "pyframes", required_argument, NULL, OPT_PYFRAMES },
		{ "no-pyframes", no_argument, NULL, OPT_NO_PYFRAMES },
		{ "subbuf-size", required_argument, NULL, OPT_SUBBUF },
		{ "num-subbuf", required_argument, NULL, OPT_NUMSUB },
		{ "session", required_argument, NULL, OPT_SESSION },
		{ "private-daemon", no_argument, NULL, OPT_PRIVATE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cfg.subbuf_size = GT_DEFAULT_SUBBUF_SIZE;
	o->cfg.num_subbuf = GT_DEFAULT_NUM_SUBBUF;
	o->callsites = -1;
	o->pyframes = DEFAULT_PYFRAMES_DEPTH;
	optind = 1;
	/* '+': the first non-option is COMMAND; its own options are its own. */
	while ((c = getopt_long(argc, argv, "+o:ac::qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'a':
			o->cfg.all_locks = true;
			break;
		case 'c':
			if (parse_callsites(optarg, &o->callsites) != 0) {
				return -1;
			}
			break;
		case OPT_PYFRAMES:
			if (parse_depth("--pyframes", optarg, MAX_PYFRAMES_DEPTH, &o->pyframes) != 0) {
				return -1;
			}
			break;
		case OPT_NO_PYFRAMES:
			o->pyframes = 0;
			break;
		case OPT_SUBBUF:
			if (!gt_parse_pow2("--subbuf-size", optarg, &o->cfg.subbuf_size)) {
				return -1;
			}
			break;
		case OPT_NUMSUB:
			if (!gt_parse_pow2("--num-subbuf", optarg, &o->cfg.num_subbuf)) {
				return -1;
			}
			break;
		case OPT_SESSION:
			o->cfg.attach = optarg;
			break;
		case OPT_PRIVATE:
			o->force_private = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			record_usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'giltrace record --help'.\n");
			return -1;
		}
	}
	if (optind >= argc) {
		gt_err("record: no COMMAND given (giltrace record [OPTION]... -- COMMAND [ARG]...)");
		return -1;
	}
	if (o->cfg.attach && o->force_private) {
		gt_err("--session and --private-daemon exclude each other: a private daemon has no sessions");
		return -1;
	}
	if (o->cfg.attach && o->output) {
		gt_err("--session and --output exclude each other: the session has its own output");
		return -1;
	}
	o->command = &argv[optind];
	return 0;
}

/* Choose and create the trace directory; refuse to mix with old data. */
static int prepare_output(struct record_opts *o)
{
	static char name[64];
	struct stat st;

	if (o->cfg.attach) {
		return 0;
	}
	if (!o->output) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		int n;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(name, sizeof(name), "giltrace-%s", stamp);
		for (n = 2; stat(name, &st) == 0 && n < 1000; n++) {
			snprintf(name, sizeof(name), "giltrace-%s-%d", stamp, n);
		}
		o->output = name;
	}
	/* Only what giltrace creates may be removed if nothing is recorded. */
	o->created_output = stat(o->output, &st) != 0;
	o->output_abs = gt_prepare_output_dir(o->output);
	if (!o->output_abs) {
		return -1;
	}
	if (strncmp(o->output_abs, "/run/lttng/", 11) == 0) {
		gt_err("Cannot write a trace under /run/lttng: giltrace may hide it from its own daemon");
		return -1;
	}
	o->cfg.output = o->output_abs;
	return 0;
}

struct run {
	struct record_opts opts;
	struct sig_state sig;
	struct sessiond sd;
	struct rec_session session;
	struct child child;
	struct pidset known;
	bool filter_pids;	/* shared daemon: record only COMMAND's processes */
	int status;		/* COMMAND's wait status */
};

/* Wait for COMMAND, passing signals on; keeps the session's pid set current. */
static void wait_command(struct run *run)
{
	struct timespec poll = { 0, DESCENDANT_POLL_NS };
	siginfo_t info;
	int sig;

	for (;;) {
		sig = sigtimedwait(&run->sig.handled, &info, run->filter_pids ? &poll : NULL);
		if (sig < 0) {
			if (errno == EAGAIN && run->filter_pids &&
			    descendants_scan(run->child.pid, &run->known, session_track_new, &run->session) < 0) {
				/* Keep recording what is tracked, and stop looking. */
				gt_err("Cannot follow COMMAND's new processes; they may be missing from the trace");
				run->filter_pids = false;
			}
			continue;
		}
		if (sig == SIGCHLD) {
			if (sessiond_reap(&run->sd)) {
				gt_err("The private session daemon died; the trace may be incomplete");
			}
			if (waitpid(run->child.pid, &run->status, WNOHANG) == run->child.pid) {
				return;
			}
			continue;
		}
		if (sig_is_forwardable(sig) && sig_should_forward(&info, run->child.pid)) {
			kill(run->child.pid, sig);
		}
	}
}

/* The trace closing_count() counts. */
struct closing {
	const char *where;	/* as the user named it */
	const char *path;	/* where to read it */
	bool quiet;		/* only a loss is said (-q) */
};

/*
 * Counts the trace and prints the closing line.  It runs in a child
 * process (isolate_run()): a damaged trace that crashes libbabeltrace2
 * costs one line, as with giltrace-analyze, and not giltrace itself.
 * Its status is ours, not record's (which is COMMAND's).
 */
static int closing_count(void *arg)
{
	const struct closing *c = arg;
	struct trace_read_stats stats;
	enum trace_read_status st = trace_count(c->path, &stats);

	if (st == TRACE_READ_NOT_FOUND) {
		bt_current_thread_clear_error();
		if (!c->quiet) {
			gt_err("trace %s: no events recorded (COMMAND never registered with LTTng)", c->where);
		}
		return 0;
	}
	if (st != TRACE_READ_OK) {
		trace_error_print(0, "Cannot count the events recorded");
		return 1;
	}
	/* Quiet, but never about a loss: the counts read from the trace
	 * would be lower bounds without a word. */
	if (c->quiet && !stats.discarded_events && !stats.discarded_packets) {
		return 0;
	}
	fprintf(stderr, "giltrace: trace %s: %llu events recorded, %llu discarded%s\n", c->where,
		(unsigned long long) stats.events, (unsigned long long) stats.discarded_events,
		stats.discarded_packets ? " (and packets lost)" : "");
	return 0;
}

static void closing_line(struct run *run)
{
	const struct record_opts *o = &run->opts;
	struct closing c = {
		.where = o->cfg.attach ? run->session.path : o->output,
		.path = o->cfg.attach ? run->session.path : o->output_abs,
		.quiet = o->quiet,
	};

	if (run->session.was_active) {
		if (o->quiet) {
			return;
		}
		fprintf(stderr, "giltrace: session %s is still recording into %s\n", run->session.name, c.where);
		return;
	}
	if (isolate_run(closing_count, &c, 0, 1) < 0) {
		gt_err("Cannot start the process that counts the events: %s", strerror(errno));
	}
}

static void cleanup(struct run *run)
{
	session_finish(&run->session);
	sessiond_release(&run->sd);
	pidset_free(&run->known);
}

int cmd_record(int argc, char **argv)
{
	struct run run;
	char *preload;
	int sig, err;

	memset(&run, 0, sizeof(run));
	sessiond_init(&run.sd);
	if (parse_record(argc, argv, &run.opts) != 0) {
		return GT_EXIT_FAILURE;
	}
	preload = child_preload_list();
	if (!preload || prepare_output(&run.opts) != 0 || sig_setup(&run.sig) != 0) {
		return GT_EXIT_FAILURE;
	}
	/* The shim reads them in COMMAND and in every process it starts. */
	if ((run.opts.callsites >= 0 && set_depth("GILTRACE_CALLSITES", run.opts.callsites) != 0)
	    || set_depth("GILTRACE_PYFRAMES", run.opts.pyframes) != 0) {
		return GT_EXIT_FAILURE;
	}
	if (run.opts.cfg.attach && lttng_session_daemon_alive() != 1) {
		gt_err("--session %s: no session daemon is running", run.opts.cfg.attach);
		return GT_EXIT_FAILURE;
	}
	if (sessiond_acquire(&run.sd, run.opts.force_private) != 0) {
		return GT_EXIT_FAILURE;
	}
	if (session_prepare(&run.session, &run.opts.cfg) != 0) {
		cleanup(&run);
		return GT_EXIT_FAILURE;
	}
	/* Ctrl-C during set-up: leave before COMMAND ever runs. */
	sig = sig_pending_terminating(&run.sig);
	if (sig) {
		cleanup(&run);
		sig_exit_like(sig);
	}
	if (child_fork(&run.child, run.opts.command, preload, &run.sd, &run.sig) != 0) {
		cleanup(&run);
		return GT_EXIT_FAILURE;
	}
	/* A shared daemon serves other programs too: record only ours. */
	run.filter_pids = !sessiond_is_private(&run.sd) && !run.opts.cfg.attach;
	if ((run.filter_pids && session_track_root(&run.session, &run.known, run.child.pid) != 0) ||
	    session_start(&run.session) != 0) {
		child_abandon(&run.child, &run.status);
		cleanup(&run);
		return GT_EXIT_FAILURE;
	}
	err = child_release(&run.child, 1);
	wait_command(&run);
	cleanup(&run);
	if (err) {
		gt_err("Cannot run %s: %s", run.opts.command[0], strerror(err));
		if (run.opts.created_output) {
			/* Nothing was recorded: do not leave an empty directory. */
			gt_rm_empty_tree(run.opts.output_abs);
		}
	}
	if (!err) {
		closing_line(&run);
	}
	free(preload);
	free(run.opts.output_abs);
	sig_exit_like(run.status);
}
