/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace_error.h"
#include "trace_isolate.h"
#include "trace_reader.h"

/* What the child tells the parent, in memory both share. */
struct isolate_shared {
	volatile sig_atomic_t in_babeltrace;	/* inside a call that reads trace data */
	volatile sig_atomic_t calls;		/* such calls begun so far */
	volatile uint64_t data_bytes;		/* size of the traces opened so far */
	char path[PATH_MAX];			/* the trace it reads, "" if any */
};

/*
 * The watchdog.  libbabeltrace2 2.0 loops for ever, allocating, on a
 * packet whose size is under 8 bits (ctf.fs indexes the stream file by
 * adding each packet's size to the offset); 2.1 too, allocating more
 * slowly (minutes to reach a gigabyte).  A call into it that takes more
 * anonymous memory than a generous bound over what the process had when
 * the call began (a base plus a quarter of the traces' size: its index
 * of a sound trace is some 100 bytes per packet of at least 4 KiB, and
 * what the analysis keeps grows between calls, not in them), or that
 * does not return for ten minutes, is stopped and the trace reported as
 * damaged.
 */
#define WATCH_MEMORY_BASE_MIB 128ull
#define WATCH_MEMORY_MAX_MIB (1ull << 20)
#define WATCH_SECONDS 600
#define WATCH_PERIOD_MS 250

enum runaway {
	RUNAWAY_NONE,
	RUNAWAY_MEMORY,
	RUNAWAY_TIME,
};

/*
 * The shared record (or, without isolate_run(), a private one): global
 * because the reader marks it from deep inside the graph's callbacks
 * and the child's signal handler reads it.
 */
static struct isolate_shared local_state;
static struct isolate_shared *state = &local_state;

/* The signals a crash raises, and the child's previous handlers for
 * them (the sanitizers', when built with them): global for the
 * handler. */
static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGTRAP, SIGSYS };
#define NCRASH (sizeof(crash_signals) / sizeof(crash_signals[0]))
static struct sigaction previous[NCRASH];

void isolate_babeltrace_enter(const char *path)
{
	if (path) {
		snprintf(state->path, sizeof(state->path), "%s", path);
	} else if (state->path[0]) {
		state->path[0] = '\0';
	}
	state->calls++;
	state->in_babeltrace = 1;
}

void isolate_babeltrace_leave(void)
{
	state->in_babeltrace = 0;
}

/* The size of a trace's files (metadata and streams). */
static uint64_t trace_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t total = 0;

	if (!d) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
			total += (uint64_t) st.st_size;
		}
	}
	closedir(d);
	return total;
}

uint64_t isolate_babeltrace_data(const char *dir)
{
	uint64_t n = trace_bytes(dir);

	state->data_bytes += n;
	return n;
}

static int is_crash_signal(int sig)
{
	for (size_t i = 0; i < NCRASH; i++) {
		if (crash_signals[i] == sig) {
			return 1;
		}
	}
	return 0;
}

/*
 * In the child: a crash inside libbabeltrace2 must end the child by the
 * signal itself, for the parent to see (a sanitizer's handler would turn
 * it into an exit status); any other crash goes to the handler that was
 * there before.
 */
static void crash_handler(int sig, siginfo_t *info, void *ctx)
{
	for (size_t i = 0; i < NCRASH; i++) {
		const struct sigaction *p = &previous[i];

		if (crash_signals[i] != sig) {
			continue;
		}
		if (!state->in_babeltrace && (p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
			p->sa_sigaction(sig, info, ctx);
			return;
		}
		if (!state->in_babeltrace && !(p->sa_flags & SA_SIGINFO)
				&& p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
			p->sa_handler(sig);
			return;
		}
	}
	/* Blocked while we run: delivered, with the default action, on
	 * return (or the faulting instruction faults again). */
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The sanitizers' hook, called when one of their reports ends the
 * process (weak: absent from a build without them).  An AddressSanitizer
 * report from inside libbabeltrace2 (its libc calls are watched: a
 * memcpy out of bounds, a huge allocation) is libbabeltrace2 crashing
 * on damaged data, as it would be without the sanitizers.
 */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void sanitizer_death(void)
{
	if (state->in_babeltrace) {
		signal(SIGABRT, SIG_DFL);
		raise(SIGABRT);
	}
}

static void child_prepare(int errfd)
{
	static char altstack[1 << 16];	/* a stack overflow needs another stack */
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	stack_t old;
	struct sigaction sa;

	dup2(errfd, 2);
	close(errfd);
	/* Keep a sanitizer's alternate stack if it has one. */
	if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
		sigaltstack(&ss, NULL);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NCRASH; i++) {
		sigaction(crash_signals[i], &sa, &previous[i]);
	}
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(sanitizer_death);
	}
}

struct buffer {
	char *data;	/* owned */
	size_t len, cap;
};

static void buffer_add(struct buffer *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2;
		char *d = realloc(b->data, cap);

		if (!d) {
			return;		/* messages lost, not the status */
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		s += w;
		n -= (size_t) w;
	}
}

/* The child's anonymous memory (RssAnon), in bytes; 0 if unknown. */
static uint64_t child_memory(pid_t pid)
{
	char path[64], line[256];
	uint64_t kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = fopen(path, "r");
	if (!f) {
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "RssAnon: %" SCNu64, &kib) == 1) {
			break;
		}
	}
	fclose(f);
	return kib * 1024;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Watchdog state across the parent's wake-ups. */
struct watch {
	sig_atomic_t calls;	/* the call being timed */
	double since;		/* when it was first seen */
	uint64_t start_memory;	/* the child's memory then */
	uint64_t growth;	/* how much more it may take */
	uint64_t limit;		/* the memory bound it was stopped at */
	enum runaway why;
};

/*
 * The bound's base, from GILTRACE_WATCH_MIB if it is a number of MiB
 * from 1 to WATCH_MEMORY_MAX_MIB: libbabeltrace2 2.1 takes a minute or
 * more to run away through the default, and a smaller one finds such a
 * trace damaged sooner (the test suite's damaged traces).  Read once,
 * in the parent; global for that.
 */
static uint64_t watch_base;

static uint64_t watch_memory_base(void)
{
	const char *s;
	unsigned long long mib = WATCH_MEMORY_BASE_MIB;
	char *end;

	if (watch_base) {
		return watch_base;
	}
	s = getenv("GILTRACE_WATCH_MIB");
	if (s) {
		errno = 0;
		mib = strtoull(s, &end, 10);
		if (errno || end == s || *end || mib < 1 || mib > WATCH_MEMORY_MAX_MIB) {
			fprintf(stderr, "%s: GILTRACE_WATCH_MIB=%s is not a number of MiB from 1 to %llu; "
				"the watchdog uses %llu\n", trace_reader_prog(), s,
				WATCH_MEMORY_MAX_MIB, WATCH_MEMORY_BASE_MIB);
			mib = WATCH_MEMORY_BASE_MIB;
		}
	}
	watch_base = (uint64_t) mib << 20;
	return watch_base;
}

static void watch_check(pid_t pid, const struct isolate_shared *shared, struct watch *w)
{
	double now = now_seconds();

	if (w->why != RUNAWAY_NONE || !shared->in_babeltrace) {
		return;
	}
	if (shared->calls != w->calls || w->since == 0) {
		w->calls = shared->calls;
		w->since = now;
		w->start_memory = child_memory(pid);
	}
	w->growth = watch_memory_base() + shared->data_bytes / 4;
	w->limit = w->start_memory + w->growth;
	if (child_memory(pid) > w->limit) {
		w->why = RUNAWAY_MEMORY;
	} else if (now - w->since > WATCH_SECONDS) {
		w->why = RUNAWAY_TIME;
	}
	if (w->why != RUNAWAY_NONE) {
		kill(pid, SIGKILL);
	}
}

/* The child's stderr, until it closes: passed on at once with verbose,
 * else kept for after the child's end; the watchdog looks in between. */
static void child_messages(pid_t pid, int fd, int verbose, struct buffer *b,
		const struct isolate_shared *shared, struct watch *w)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char chunk[4096];

	for (;;) {
		int ready = poll(&pfd, 1, WATCH_PERIOD_MS);
		ssize_t n;

		watch_check(pid, shared, w);
		if (ready == 0 || (ready < 0 && errno == EINTR)) {
			continue;
		}
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		if (verbose) {
			write_all(2, chunk, (size_t) n);
		} else {
			buffer_add(b, chunk, (size_t) n);
		}
	}
}

/* One line for a child that libbabeltrace2 crashed or ran away in. */
static void report_babeltrace(const struct isolate_shared *shared, const struct watch *w, int sig)
{
	char why[128];

	if (w->why == RUNAWAY_MEMORY) {
		/* The bound, not the memory: the same line from every program. */
		snprintf(why, sizeof(why), "ran away on damaged data, stopped after taking %" PRIu64 " MiB of memory",
			w->growth >> 20);
	} else if (w->why == RUNAWAY_TIME) {
		snprintf(why, sizeof(why), "ran away on damaged data, stopped after %d s", WATCH_SECONDS);
	} else {
		snprintf(why, sizeof(why), "crashed on damaged data, signal=SIG%s", sigabbrev_np(sig));
	}
	if (shared->path[0]) {
		fprintf(stderr, "%s: Cannot read trace: libbabeltrace2 %s (--verbose shows its messages): "
			"path=\"%s\"\n", trace_reader_prog(), why, shared->path);
	} else {
		fprintf(stderr, "%s: Cannot read the traces: libbabeltrace2 %s (--verbose shows its messages)\n",
			trace_reader_prog(), why);
	}
}

static int child_wait(pid_t pid)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return ws;
}

/* In the child: the job, then out with its status. */
static void __attribute__((noreturn)) child_run(int (*fn)(void *), void *arg, struct isolate_shared *shared,
		int errfd)
{
	int status;

	state = shared;
	child_prepare(errfd);
	status = fn(arg);
	fflush(NULL);
	/* _exit: the parent's atexit handlers are the parent's. */
	_exit(status);
}

/* What the child's wait status ws means to isolate_run()'s caller. */
static int child_verdict(int ws, const struct isolate_shared *shared, const struct watch *w,
		const struct buffer *msgs, int bad_trace_status)
{
	int sig;

	if (WIFEXITED(ws)) {
		write_all(2, msgs->data, msgs->len);
		return WEXITSTATUS(ws);
	}
	sig = WTERMSIG(ws);
	if ((w->why != RUNAWAY_NONE && sig == SIGKILL) || (is_crash_signal(sig) && shared->in_babeltrace)) {
		report_babeltrace(shared, w, sig);
		return bad_trace_status;
	}
	/* Not babeltrace's: die the same way, messages first. */
	write_all(2, msgs->data, msgs->len);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

int isolate_run(int (*fn)(void *), void *arg, int verbose, int bad_trace_status)
{
	struct buffer msgs = { 0 };
	struct watch w = { 0 };
	struct isolate_shared *shared;
	int fds[2], ws, status;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		return -1;
	}
	if (pipe(fds) != 0) {
		munmap(shared, sizeof(*shared));
		return -1;
	}
	watch_memory_base();	/* a bad GILTRACE_WATCH_MIB said before the child's lines */
	fflush(NULL);	/* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		munmap(shared, sizeof(*shared));
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(fn, arg, shared, fds[1]);
	}
	close(fds[1]);
	child_messages(pid, fds[0], verbose, &msgs, shared, &w);
	close(fds[0]);
	ws = child_wait(pid);
	status = ws == -1 ? -1 : child_verdict(ws, shared, &w, &msgs, bad_trace_status);
	free(msgs.data);
	munmap(shared, sizeof(*shared));
	return status;
}
