/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Signal handling of giltrace record.  While COMMAND runs, giltrace
 * blocks the signals it cares about and takes them synchronously with
 * sigtimedwait(), so no handler ever runs in the middle of a
 * liblttng-ctl call.  COMMAND gets the dispositions and mask giltrace
 * itself was started with.
 */
#ifndef GILTRACE_FRONTEND_SIGNALS_H
#define GILTRACE_FRONTEND_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct sig_state {
	sigset_t orig_mask;		/* mask giltrace was started with */
	struct sigaction orig_chld;	/* changed: SIGCHLD must not be ignored */
	struct sigaction orig_pipe;	/* changed: giltrace ignores SIGPIPE */
	sigset_t handled;		/* blocked, taken with sigtimedwait */
};

/* Block the handled signals; make SIGCHLD reportable, ignore SIGPIPE. */
int sig_setup(struct sig_state *state);

/* In a child about to exec: give back what giltrace was started with. */
void sig_restore_for_exec(const struct sig_state *state);

/* Whether sig is one giltrace passes on to COMMAND. */
bool sig_is_forwardable(int sig);

/*
 * Whether a forwardable signal should be passed on: only when a process
 * sent it to giltrace.  The terminal (Ctrl-C, Ctrl-\) signals the whole
 * foreground process group, COMMAND included, and passing it on would
 * deliver it twice.
 */
bool sig_should_forward(const siginfo_t *info, pid_t command);

/* A terminating signal that arrived while nothing was running yet. */
int sig_pending_terminating(const struct sig_state *state);

/*
 * Leave the way COMMAND left: exit with its status, or die of the same
 * signal (without a core dump of giltrace itself); 128+N if that fails.
 */
void sig_exit_like(int wait_status) __attribute__((noreturn));

#endif
