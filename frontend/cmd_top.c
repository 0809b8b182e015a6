/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace top: the GIL figures of a running program, refreshed every
 * interval, through LTTng's live mode.
 *
 * A live session streams the giltrace events to a relay daemon (a
 * private one on free loopback ports, or the user's), which writes the
 * trace to disk and serves it to libbabeltrace2's lttng-live source; the
 * analysis core (analyzer/gil_analysis.c) eats the events as they come and
 * top_view.c prints what changed in each interval.
 *
 * Order matters, as for giltrace record: the viewer attaches to the
 * session before it records anything (a viewer attaching later would
 * start at the relay daemon's newest data), every event is declared
 * before anything is recorded (libbabeltrace2 2.0 cannot read events
 * declared later: hold_channel in session.c), the session records before
 * COMMAND runs, and at the end the session is destroyed only after
 * COMMAND is collected; the live source then delivers what remains and
 * ends, and the last interval and the summary are printed.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/trace_reader.h"
#include "child.h"
#include "descendants.h"
#include "frontend.h"
#include "relayd.h"
#include "session.h"
#include "sessiond.h"
#include "signals.h"
#include "top_replay.h"
#include "top_view.h"
#include "util.h"

#define NS_PER_S		INT64_C(1000000000)
#define NS_PER_MS		INT64_C(1000000)
#define DEFAULT_THREADS		10
/* How long the viewer may take to attach before COMMAND runs. */
#define ATTACH_TIMEOUT_NS	(10 * NS_PER_S)
/* After the session is destroyed: give up if nothing comes for this long. */
#define DRAIN_TIMEOUT_NS	(10 * NS_PER_S)
/* Reading never holds up signals and ticks longer than this. */
#define READ_SLICE_NS		(20 * NS_PER_MS)
/* Nothing to read: look again after this long. */
#define IDLE_POLL_NS		(50 * NS_PER_MS)
/*
 * A trace written only to be read live keeps 4 files of 16 MiB per
 * stream (per CPU): up to 64 MiB per CPU on disk however long top runs,
 * while the reader is never more than a few live timer periods behind.
 */
#define TMP_TRACEFILE_SIZE	(UINT64_C(16) << 20)
#define TMP_TRACEFILE_COUNT	4

struct top_opts {
	char **command;		/* NULL: --pid or --session only */
	pid_t pid;		/* --pid, 0 if none */
	const char *attach;	/* --session */
	const char *replay;	/* --replay: a recorded trace */
	const char *relayd;	/* --relayd spec, NULL: private */
	const char *output;	/* -o: keep the trace there */
	const char *file;	/* -f: the view goes there */
	bool json;
	bool force_private;
	int64_t interval_ns;
	unsigned int threads;
	uint64_t subbuf_size;
	uint64_t num_subbuf;
};

struct top {
	struct top_opts o;
	struct sig_state sig;
	struct sessiond sd;
	struct relayd relay;
	char *trace_dir;	/* the private relay daemon's output, owned */
	bool trace_tmp;		/* trace_dir is giltrace's to remove */
	struct rec_session session;
	struct child child;
	bool command_running;
	int status;		/* COMMAND's wait status */
	struct pidset known;
	bool filter_pids;	/* shared daemon: record only COMMAND's processes */
	int64_t next_scan;	/* next look for COMMAND's new processes */
	struct gs_analysis a;
	struct trace_read_stats stats;
	struct trace_live *live;
	bool reading;		/* the live source has more to give */
	bool failed;		/* giltrace itself failed at some point */
	int stop_sig;		/* the signal that stopped giltrace, 0 if none */
	struct top_view view;
	struct tv_format fmt;
	FILE *out;
};

static void top_usage(FILE *out)
{
	fprintf(out,
		"Usage: giltrace top [OPTION]... [--] COMMAND [ARG]...\n"
		"       giltrace top [OPTION]... --pid=PID\n"
		"       giltrace top [OPTION]... --session=NAME [[--] COMMAND [ARG]...]\n"
		"       giltrace top [OPTION]... --replay=TRACE_DIR\n"
		"Show every second, while COMMAND runs, who holds the GIL, who waits for it\n"
		"and how often wake-ups fail (LTTng live mode).\n"
		"\n"
		"  -p, --pid=PID           watch a running process started with libgiltrace.so\n"
		"                          preloaded, until it exits or Ctrl-C\n"
		"      --session=NAME      use the existing live session NAME (lttng create --live)\n"
		"      --replay=TRACE_DIR  show the intervals of a recorded trace, by its clock\n"
		"  -j, --json-lines        one JSON object per interval and GIL (see giltrace(1))\n"
		"  -i, --interval=SECONDS  time between two refreshes (default 1)\n"
		"  -t, --threads=N         threads listed per GIL in the table (default 10)\n"
		"  -f, --file=FILE         write the view to FILE instead of standard output\n"
		"  -o, --output=DIR        keep the trace in DIR (default: removed at the end)\n"
		"      --relayd=HOST[:CONTROL:DATA[:LIVE]]\n"
		"                          use this relay daemon instead of a private one\n"
		"      --subbuf-size=SIZE  size of each sub-buffer, per CPU (default 4M)\n"
		"      --num-subbuf=N      sub-buffers per CPU (default 4)\n"
		"      --private-daemon    start a private session daemon even if one runs\n"
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: COMMAND's (or death by the same signal); 125 if giltrace\n"
		"failed, 126 if COMMAND cannot be run, 127 if it is not found.  Without\n"
		"COMMAND: 0, or 125 if giltrace failed.  --replay: giltrace-analyze's\n"
		"statuses.\n");
}

static int parse_interval(const char *text, int64_t *ns)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(s) || s < 0.1 || s > 3600) {
		gt_err("Invalid --interval '%s' (seconds, from 0.1 to 3600)", text);
		return -1;
	}
	*ns = (int64_t) (s * 1e9);
	return 0;
}

static int parse_count(const char *text, const char *what, long max, long *value)
{
	char *end;

	errno = 0;
	*value = strtol(text, &end, 10);
	if (errno || end == text || *end || *value <= 0 || *value > max) {
		gt_err("Invalid %s '%s'", what, text);
		return -1;
	}
	return 0;
}

static int parse_option(struct top_opts *o, int c, const char *arg)
{
	long v;

	switch (c) {
	case 'p':
		if (parse_count(arg, "--pid", INT32_MAX, &v) != 0) {
			return -1;
		}
		o->pid = (pid_t) v;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'i':
		return parse_interval(arg, &o->interval_ns);
	case 't':
		if (parse_count(arg, "--threads", 100000, &v) != 0) {
			return -1;
		}
		o->threads = (unsigned int) v;
		return 0;
	case 'f':
		o->file = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'S':
		o->attach = arg;
		return 0;
	case 'r':
		o->replay = arg;
		return 0;
	case 'R':
		o->relayd = arg;
		return 0;
	case 'P':
		o->force_private = true;
		return 0;
	case 'B':
		return gt_parse_pow2("--subbuf-size", arg, &o->subbuf_size) ? 0 : -1;
	case 'N':
		return gt_parse_pow2("--num-subbuf", arg, &o->num_subbuf) ? 0 : -1;
	default:
		return -1;
	}
}

/* Options that exclude each other, in one line each. */
static int check_options(const struct top_opts *o)
{
	if (o->replay && (o->command || o->pid || o->attach || o->output || o->relayd || o->force_private)) {
		gt_err("--replay reads a recorded trace: it excludes COMMAND, --pid, --session, --output, "
			"--relayd and --private-daemon");
		return -1;
	}
	if (o->replay) {
		return 0;
	}
	if (!o->command && !o->pid && !o->attach) {
		gt_err("top: nothing to watch (giltrace top [OPTION]... -- COMMAND, --pid=PID or --session=NAME)");
		return -1;
	}
	if (o->pid && (o->command || o->attach)) {
		gt_err("--pid excludes COMMAND and --session: it watches a process that already runs");
		return -1;
	}
	if (o->attach && (o->output || o->force_private)) {
		gt_err("--session excludes %s: the session has its own daemons and output",
			o->output ? "--output" : "--private-daemon");
		return -1;
	}
	if (o->pid && o->force_private) {
		gt_err("--pid and --private-daemon exclude each other: the process talks to the running daemon");
		return -1;
	}
	if (o->relayd && o->output) {
		gt_err("--relayd and --output exclude each other: that relay daemon chooses where traces go");
		return -1;
	}
	return 0;
}

static int parse_top(int argc, char **argv, struct top_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "session", required_argument, NULL, 'S' },
		{ "replay", required_argument, NULL, 'r' },
		{ "json-lines", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "relayd", required_argument, NULL, 'R' },
		{ "subbuf-size", required_argument, NULL, 'B' },
		{ "num-subbuf", required_argument, NULL, 'N' },
		{ "private-daemon", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->interval_ns = NS_PER_S;
	o->threads = DEFAULT_THREADS;
	o->subbuf_size = GT_DEFAULT_SUBBUF_SIZE;
	o->num_subbuf = GT_DEFAULT_NUM_SUBBUF;
	optind = 1;
	/* '+': the first non-option is COMMAND; its own options are its own. */
	while ((c = getopt_long(argc, argv, "+p:ji:t:f:o:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			top_usage(stdout);
			exit(0);
		}
		if (c == '?' || parse_option(o, c, optarg) != 0) {
			if (c == '?') {
				fprintf(stderr, "Try 'giltrace top --help'.\n");
			}
			return -1;
		}
	}
	if (optind < argc) {
		o->command = &argv[optind];
	}
	return check_options(o);
}

/* ---- time and errors ------------------------------------------------ */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static struct timespec ns_to_timespec(int64_t ns)
{
	struct timespec ts;

	if (ns < 0) {
		ns = 0;
	}
	ts.tv_sec = ns / NS_PER_S;
	ts.tv_nsec = ns % NS_PER_S;
	return ts;
}

/* ---- set-up ---------------------------------------------------------- */

/* Where a private relay daemon writes: -o DIR, or a directory of ours. */
static int prepare_trace_dir(struct top *t)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];

	if (t->o.output) {
		t->trace_dir = gt_prepare_output_dir(t->o.output);
		return t->trace_dir ? 0 : -1;
	}
	snprintf(dir, sizeof(dir), "%s/giltrace-top.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || !(t->trace_dir = gt_abspath(dir))) {
		gt_err("Cannot create a directory for the trace: %s: %s", dir, strerror(errno));
		return -1;
	}
	t->trace_tmp = true;
	return 0;
}

/*
 * The relay daemon of --session's session: HOST from its control URL
 * ("tcp4://HOST:PORT/..." or "net://HOST/...:PORT [data: PORT]"), the
 * live port LTTng's default, unless --relayd names it.
 */
static int relay_of_session(struct top *t)
{
	const char *p = strstr(t->session.path, "://");
	char host[256];
	size_t n;

	if (t->o.relayd) {
		return relayd_parse(&t->relay, t->o.relayd);
	}
	if (t->session.live_timer_us == 0 || !p) {
		gt_err("Session '%s' is not a live session (lttng create %s --live)", t->session.name,
			t->session.name);
		return -1;
	}
	p += 3;
	n = *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/ ");
	if (n == 0 || n >= sizeof(host)) {
		gt_err("Cannot tell the relay daemon of session '%s' from '%s' (use --relayd)", t->session.name,
			t->session.path);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int) n, p);
	return relayd_parse(&t->relay, host);
}

/* A temporary trace's stream files: at least a sub-buffer each, as LTTng requires. */
static uint64_t tracefile_size(uint64_t subbuf_size)
{
	const char *env = getenv("GILTRACE_TOP_TRACEFILE_SIZE");
	uint64_t size = TMP_TRACEFILE_SIZE;

	if (env && *env && !gt_parse_size(env, &size)) {
		size = TMP_TRACEFILE_SIZE;
	}
	return size < subbuf_size ? subbuf_size : size;
}

/* The relay daemon and the live session, ready to record (not started). */
static int prepare_session(struct top *t)
{
	struct rec_config cfg = { 0 };
	char control[300], data[300];
	int64_t timer_us = t->o.interval_ns / 10 / 1000;

	/* --pid: the process runs already (see session.h). */
	cfg.events_after_start = t->o.pid != 0;
	cfg.subbuf_size = t->o.subbuf_size;
	cfg.num_subbuf = t->o.num_subbuf;
	if (t->o.attach) {
		cfg.attach = t->o.attach;
		return session_prepare(&t->session, &cfg) != 0 ? -1 : relay_of_session(t);
	}
	/* Every event declared before anything is recorded (session.c). */
	cfg.hold_channel = true;
	if (t->o.relayd) {
		if (relayd_parse(&t->relay, t->o.relayd) != 0) {
			return -1;
		}
	} else if (prepare_trace_dir(t) != 0 || relayd_start(&t->relay, t->trace_dir) != 0) {
		return -1;
	}
	relayd_url(&t->relay, control, sizeof(control), "tcp", t->relay.control);
	relayd_url(&t->relay, data, sizeof(data), "tcp", t->relay.data);
	cfg.live_control = control;
	cfg.live_data = data;
	/* A tenth of the interval: each refresh sees nearly all of it. */
	cfg.live_timer_us = (uint64_t) (timer_us < 20000 ? 20000 : timer_us > 1000000 ? 1000000 : timer_us);
	if (t->trace_tmp) {
		/* Nobody keeps it: what was read may go (GILTRACE_TOP_TRACEFILE_SIZE tests it). */
		cfg.tracefile_size = tracefile_size(t->o.subbuf_size);
		cfg.tracefile_count = TMP_TRACEFILE_COUNT;
	}
	return session_prepare(&t->session, &cfg);
}

/* Take the signals that arrived; true if one asks giltrace to stop. */
static bool take_signals(struct top *t, int64_t timeout_ns)
{
	struct timespec ts = ns_to_timespec(timeout_ns);
	bool stop = false;
	siginfo_t info;
	int sig;

	while ((sig = sigtimedwait(&t->sig.handled, &info, &ts)) > 0) {
		ts = ns_to_timespec(0);
		if (sig == SIGCHLD) {
			if (sessiond_reap(&t->sd)) {
				gt_err("The private session daemon died; the view may be incomplete");
			}
			if (relayd_reap(&t->relay)) {
				gt_err("The private relay daemon died; the view stops here");
			}
			if (t->command_running && waitpid(t->child.pid, &t->status, WNOHANG) == t->child.pid) {
				t->command_running = false;
			}
			continue;
		}
		if (t->command_running) {
			if (sig_is_forwardable(sig) && sig_should_forward(&info, t->child.pid)) {
				kill(t->child.pid, sig);
			}
		} else if (sig != SIGUSR1 && sig != SIGUSR2) {
			/* No COMMAND (yet): the signal is for giltrace. */
			stop = true;
			t->stop_sig = sig;
		}
	}
	return stop;
}

/*
 * Step the viewer until it attaches to the session: only then may the
 * session record (see the comment atop this file).
 */
static int wait_attached(struct top *t)
{
	int64_t deadline = mono_ns() + ATTACH_TIMEOUT_NS;
	enum trace_live_status st;
	int viewers;

	for (;;) {
		st = trace_live_step(t->live);
		if (st != TRACE_LIVE_OK && st != TRACE_LIVE_AGAIN) {
			trace_error_print(0, "Cannot read the live session");
			return -1;
		}
		viewers = trace_live_viewers(t->live);
		if (viewers >= 1) {
			return 0;
		}
		if (viewers == -2) {
			trace_error_print(0, "Cannot list the relay daemon's sessions");
			return -1;
		}
		if (mono_ns() > deadline) {
			gt_err("The live viewer did not attach to session '%s' of the relay daemon at %s:%u",
				t->session.name, t->relay.host, t->relay.live);
			return -1;
		}
		if (take_signals(t, 20 * NS_PER_MS)) {
			return -1;
		}
	}
}

/* The trace's process IDs are those of giltrace's namespace (see giltrace(1)). */
static int process_alive(int64_t pid, void *arg)
{
	(void) arg;
	return pid <= 0 || pid > INT32_MAX || kill((pid_t) pid, 0) == 0 || errno != ESRCH;
}

static int open_live(struct top *t)
{
	char relay[300], host[256];

	if (gethostname(host, sizeof(host)) != 0) {
		gt_err("Cannot get the host name: %s", strerror(errno));
		return -1;
	}
	host[sizeof(host) - 1] = '\0';
	relayd_url(&t->relay, relay, sizeof(relay), "net", t->relay.live);
	gs_init(&t->a, 0);
	tv_init(&t->view, &t->a);
	tv_set_alive(&t->view, process_alive, NULL);
	tv_set_reader_stats(&t->view, &t->stats);
	if (trace_live_open(relay, host, t->session.name, &t->a, 0, &t->stats, &t->live) != TRACE_READ_OK) {
		trace_error_print(0, "Cannot read the live session");
		return -1;
	}
	t->reading = true;
	return wait_attached(t);
}

static int open_view(struct top *t)
{
	t->out = stdout;
	if (t->o.file) {
		t->out = fopen(t->o.file, "w");
		if (!t->out) {
			gt_err("Cannot write %s: %s", t->o.file, strerror(errno));
			return -1;
		}
	}
	t->fmt.json = t->o.json;
	t->fmt.tty = !t->o.json && isatty(fileno(t->out));
	t->fmt.max_threads = t->o.threads;
	return 0;
}

static int check_pid(pid_t pid)
{
	char path[64], line[PATH_MAX + 128];
	bool shim = false;
	FILE *maps;

	if (kill(pid, 0) != 0 && errno == ESRCH) {
		gt_err("--pid %d: no such process", (int) pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int) pid);
	maps = fopen(path, "r");
	if (!maps) {
		/* Another user's process: its daemon knows whether it is traced. */
		return 0;
	}
	while (!shim && fgets(line, sizeof(line), maps)) {
		shim = strstr(line, "libgiltrace") != NULL;
	}
	fclose(maps);
	if (!shim) {
		gt_err("Process %d was not started with libgiltrace.so preloaded "
			"(LD_PRELOAD=liblttng-ust-fork.so:libgiltrace.so)", (int) pid);
		return -1;
	}
	return 0;
}

/* ---- the view --------------------------------------------------------- */

static void wall_clock(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

static void print_interval(struct top *t, bool final)
{
	struct tv_interval iv;
	char wall[16];

	wall_clock(wall, sizeof(wall));
	t->fmt.wall = wall;
	/* The trace ended at its last event, whatever the clock says since. */
	if (tv_take(&t->view, final ? t->a.last_ts : t->stats.clock_ns, final, &iv) != 0) {
		gt_err("Out of memory: interval %" PRIu64 " not shown", t->view.number);
		return;
	}
	if (tv_print_interval(t->out, &t->fmt, &iv) != 0 && !t->failed) {
		gt_err("Cannot write the view: %s", strerror(errno));
		t->failed = true;
	}
	tv_interval_free(&iv);
}

/* Read for at most one slice; returns the last status. */
static enum trace_live_status read_slice(struct top *t)
{
	int64_t end = mono_ns() + READ_SLICE_NS;
	enum trace_live_status st;

	do {
		st = trace_live_step(t->live);
	} while (st == TRACE_LIVE_OK && mono_ns() < end);
	if (st == TRACE_LIVE_END) {
		t->reading = false;
	} else if (st == TRACE_LIVE_ERROR || st == TRACE_LIVE_MEMORY) {
		trace_error_print(0, st == TRACE_LIVE_MEMORY ? "Out of memory reading the live session"
			: "Cannot read the live session");
		t->reading = false;
		t->failed = true;
	}
	return st;
}

static void follow_descendants(struct top *t, int64_t now)
{
	if (!t->filter_pids || !t->command_running || now < t->next_scan) {
		return;
	}
	t->next_scan = now + DESCENDANT_POLL_NS;
	if (descendants_scan(t->child.pid, &t->known, session_track_new, &t->session) < 0) {
		gt_err("Cannot follow COMMAND's new processes; they may be missing from the view");
		t->filter_pids = false;
	}
}

/* Whether what top watches is over: COMMAND exited, PID is gone, the user said stop. */
static bool watched_is_over(struct top *t, bool stop_signal)
{
	if (t->o.command) {
		return !t->command_running;
	}
	if (stop_signal) {
		return true;
	}
	if (t->o.pid && kill(t->o.pid, 0) != 0 && errno == ESRCH) {
		return true;
	}
	if (!t->reading && t->o.attach) {
		/* The user destroyed the session: nothing left to stop. */
		t->session.started = false;
		return true;
	}
	return !t->reading;
}

/*
 * The end, in two steps.  The session is stopped first, which writes
 * out its buffers, and read until no event came for a while: the viewer
 * may not even know of a short-lived COMMAND's streams yet, and once the
 * session is destroyed the relay daemon would not tell it (the view
 * would then miss them).  Then our own session is destroyed, and the
 * live source delivers what remains and ends.  A --session session is
 * only stopped (if giltrace started it) and never destroyed.
 */
enum watch_phase {
	WATCHING,	/* COMMAND, PID or the session runs */
	QUIETING,	/* stopped; reading until quiet */
	ENDING,		/* destroyed; reading until the end */
};

/* How long without an event means the viewer has all that was written. */
static int64_t quiet_limit(const struct top *t)
{
	return 2 * (int64_t) t->session.live_timer_us * 1000 + 500 * NS_PER_MS;
}

/* Moves to the next phase when its time has come; false when done. */
static bool next_phase(struct top *t, enum watch_phase *phase, int64_t now, int64_t *last_data,
		bool stop_signal)
{
	switch (*phase) {
	case WATCHING:
		if (watched_is_over(t, stop_signal)) {
			if (session_stop(&t->session) != 0) {
				t->failed = true;
			}
			*phase = QUIETING;
			*last_data = now;
		}
		return true;
	case QUIETING:
		if (t->reading && now - *last_data <= quiet_limit(t)) {
			return true;
		}
		if (t->o.attach || !t->reading) {
			return false;
		}
		if (session_finish(&t->session) != 0) {
			t->failed = true;
		}
		*phase = ENDING;
		*last_data = now;
		return true;
	case ENDING:
		if (t->reading && now - *last_data <= DRAIN_TIMEOUT_NS) {
			return true;
		}
		if (t->reading) {
			gt_err("The end of the live session never came; the last figures may be incomplete");
		}
		return false;
	}
	return false;
}

/* Until what is watched is over and the live source has ended. */
static void watch(struct top *t)
{
	int64_t next_tick = 0, now, wait, last_data = 0;
	uint64_t last_events = 0;
	enum watch_phase phase = WATCHING;
	bool ticking = false, stop_signal = false;
	enum trace_live_status st;

	for (;;) {
		st = t->reading ? read_slice(t) : TRACE_LIVE_END;
		now = mono_ns();
		/* Inactivity messages keep coming: progress is events. */
		if (t->stats.events != last_events || !last_data) {
			last_events = t->stats.events;
			last_data = now;
		}
		if (!ticking && t->a.events > 0) {
			ticking = true;
			next_tick = now + t->o.interval_ns;
		}
		if (ticking && now >= next_tick && t->reading) {
			print_interval(t, false);
			next_tick += t->o.interval_ns;
			if (next_tick <= now) {
				next_tick = now + t->o.interval_ns;
			}
		}
		if (phase != WATCHING && stop_signal && !t->o.command) {
			/* Asked again while reading the rest: do not wait for it. */
			break;
		}
		if (!next_phase(t, &phase, now, &last_data, stop_signal)) {
			break;
		}
		wait = st == TRACE_LIVE_OK ? 0 : IDLE_POLL_NS;
		if (ticking && t->reading && next_tick - now < wait) {
			wait = next_tick - now;
		}
		if (!t->reading && phase == WATCHING) {
			/* Only COMMAND to wait for now. */
			wait = t->filter_pids ? DESCENDANT_POLL_NS : NS_PER_S;
		}
		stop_signal = take_signals(t, wait);
		follow_descendants(t, mono_ns());
	}
	if (ticking) {
		print_interval(t, true);
	}
}

/* ---- the end ----------------------------------------------------------- */

static void summary(struct top *t)
{
	gt_warn_unknown_events(&t->stats);
	if (t->a.events == 0) {
		gt_err("No GIL events were seen%s", t->o.command ? " (COMMAND never registered with LTTng?)" : "");
		return;
	}
	gs_finish(&t->a);
	if (tv_print_summary(t->out, &t->fmt, &t->view) != 0 && !t->failed) {
		gt_err("Cannot write the view: %s", strerror(errno));
		t->failed = true;
	}
	if (t->o.output) {
		fprintf(stderr, "giltrace: trace %s: %" PRIu64 " events recorded, %" PRIu64 " discarded\n",
			t->o.output, t->stats.events, t->a.discarded_events);
	}
}

static void cleanup(struct top *t)
{
	trace_live_close(t->live);
	t->live = NULL;
	session_finish(&t->session);
	relayd_stop(&t->relay);
	sessiond_release(&t->sd);
	if (t->trace_tmp) {
		gt_rm_rf(t->trace_dir);
	}
	free(t->trace_dir);
	t->trace_dir = NULL;
	pidset_free(&t->known);
	tv_free(&t->view);
	gs_free(&t->a);
	if (t->out && t->out != stdout) {
		fclose(t->out);
	}
	t->out = NULL;
}

/* --replay: no session, no daemon, only the view of a recorded trace. */
static int replay(struct top *t)
{
	int status;

	if (open_view(t) != 0) {
		return GT_EXIT_FAILURE;
	}
	status = top_replay(t->o.replay, t->o.interval_ns, &t->fmt, t->out);
	if (t->out != stdout && fclose(t->out) != 0 && status == 0) {
		gt_err("Cannot write %s: %s", t->o.file, strerror(errno));
		status = TRACE_EXIT_FAILURE;
	}
	return status;
}

/*
 * COMMAND's processes declare the GIL and dlopen events a moment after
 * they register with the session, and maybe after the relay daemon
 * passed the metadata on (see hold_channel in session.c).  A process
 * with the same preloads registers first, while the channel is held, so
 * that every event class is declared before COMMAND records anything.
 */
static int prime(struct top *t, const char *preload)
{
	char name[] = "true";
	char *argv[] = { name, NULL };
	struct child primer;
	int status, err;

	if (child_fork(&primer, argv, preload, &t->sd, &t->sig) != 0) {
		return -1;
	}
	if (t->filter_pids && session_track_pid(&t->session, primer.pid) != 0) {
		child_abandon(&primer, &status);
		return -1;
	}
	err = child_release(&primer, 1);
	while (waitpid(primer.pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (err) {
		gt_err("Cannot run %s to declare the events: %s", name, strerror(err));
		return -1;
	}
	return t->filter_pids ? session_untrack_pid(&t->session, primer.pid) : 0;
}

/* Everything up to the session recording; -1 when giltrace failed. */
static int set_up(struct top *t, const char *preload)
{
	int sig;

	if ((t->o.pid || t->o.attach) && lttng_session_daemon_alive() != 1) {
		gt_err("%s: no session daemon is running%s", t->o.pid ? "--pid" : "--session",
			t->o.pid ? " (the process registers with LTTng through the daemon that runs)" : "");
		return -1;
	}
	if ((t->o.pid && check_pid(t->o.pid) != 0) || open_view(t) != 0 ||
	    sessiond_acquire(&t->sd, t->o.force_private) != 0 ||
	    prepare_session(t) != 0 || open_live(t) != 0) {
		return -1;
	}
	sig = sig_pending_terminating(&t->sig);
	if (sig || t->stop_sig) {
		return -1;
	}
	if (t->o.command && child_fork(&t->child, t->o.command, preload, &t->sd, &t->sig) != 0) {
		return -1;
	}
	t->command_running = t->o.command != NULL;
	/* A shared daemon serves other programs too: record only ours. */
	t->filter_pids = t->o.command && !sessiond_is_private(&t->sd) && !t->o.attach;
	if ((t->filter_pids && session_track_root(&t->session, &t->known, t->child.pid) != 0) ||
	    (t->o.pid && session_track_pid(&t->session, t->o.pid) != 0) ||
	    session_start(&t->session) != 0 ||
	    (t->session.channel_held && t->o.command && prime(t, preload) != 0) ||
	    session_release(&t->session) != 0) {
		return -1;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct top t;
	char *preload = NULL;
	int err = 0;

	memset(&t, 0, sizeof(t));
	sessiond_init(&t.sd);
	t.child.pid = -1;
	if (parse_top(argc, argv, &t.o) != 0) {
		return GT_EXIT_FAILURE;
	}
	if (t.o.replay) {
		return replay(&t);
	}
	if (t.o.command && !(preload = child_preload_list())) {
		return GT_EXIT_FAILURE;
	}
	if (sig_setup(&t.sig) != 0) {
		gt_err("Cannot set up signal handling: %s", strerror(errno));
		free(preload);
		return GT_EXIT_FAILURE;
	}
	if (set_up(&t, preload) != 0) {
		int sig = t.stop_sig ? t.stop_sig : sig_pending_terminating(&t.sig);

		if (t.child.pid > 0) {
			child_abandon(&t.child, &t.status);
		}
		cleanup(&t);
		free(preload);
		/* Ctrl-C during set-up: leave as COMMAND would have. */
		if (sig && t.o.command) {
			sig_exit_like(sig);
		}
		return GT_EXIT_FAILURE;
	}
	if (t.o.command) {
		err = child_release(&t.child, 1);
	}
	watch(&t);
	if (!err) {
		summary(&t);
	}
	cleanup(&t);
	free(preload);
	if (err) {
		gt_err("Cannot run %s: %s", t.o.command[0], strerror(err));
	}
	if (t.o.command) {
		sig_exit_like(t.status);
	}
	return t.failed ? GT_EXIT_FAILURE : 0;
}
