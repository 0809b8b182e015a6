/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate.h"

#define PROG "giltrace-analyze"

/* What the child tells the parent, in memory both share. */
struct isolate_shared {
	volatile sig_atomic_t in_babeltrace;	/* inside a call that reads trace data */
	char path[PATH_MAX];			/* the trace it reads, "" if any */
};

/*
 * The shared record (or, without isolate_run(), a private one): global
 * because trace_read.c marks it from deep inside the graph's callbacks
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
	state->in_babeltrace = 1;
}

void isolate_babeltrace_leave(void)
{
	state->in_babeltrace = 0;
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

/* The child's stderr, until it closes: passed on at once with verbose,
 * else kept for after the child's end. */
static void child_messages(int fd, int verbose, struct buffer *b)
{
	char chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

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

int isolate_run(int (*fn)(void *), void *arg, int verbose, int bad_trace_status)
{
	struct buffer msgs = { 0 };
	struct isolate_shared *shared;
	int fds[2], ws, sig, status;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		return -1;
	}
	if (pipe(fds) != 0) {
		munmap(shared, sizeof(*shared));
		return -1;
	}
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
		state = shared;
		child_prepare(fds[1]);
		status = fn(arg);
		fflush(NULL);
		/* _exit: the parent's atexit handlers are the parent's. */
		_exit(status);
	}
	close(fds[1]);
	child_messages(fds[0], verbose, &msgs);
	close(fds[0]);
	ws = child_wait(pid);
	if (ws == -1) {
		status = -1;
	} else if (WIFEXITED(ws)) {
		write_all(2, msgs.data, msgs.len);
		status = WEXITSTATUS(ws);
	} else if (is_crash_signal(WTERMSIG(ws)) && shared->in_babeltrace) {
		sig = WTERMSIG(ws);
		if (shared->path[0]) {
			fprintf(stderr, PROG ": Cannot read trace: libbabeltrace2 crashed on its damaged data "
				"(--verbose shows its messages): path=\"%s\", signal=SIG%s\n",
				shared->path, sigabbrev_np(sig));
		} else {
			fprintf(stderr, PROG ": Cannot read the traces: libbabeltrace2 crashed on damaged data "
				"(--verbose shows its messages): signal=SIG%s\n", sigabbrev_np(sig));
		}
		status = bad_trace_status;
	} else {
		/* Not babeltrace's: die the same way, messages first. */
		write_all(2, msgs.data, msgs.len);
		sig = WTERMSIG(ws);
		signal(sig, SIG_DFL);
		raise(sig);
		status = 128 + sig;
	}
	free(msgs.data);
	munmap(shared, sizeof(*shared));
	return status;
}
