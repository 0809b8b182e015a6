/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"

/* Signals passed on to COMMAND when a process sends them to giltrace. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

bool sig_is_forwardable(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		if (forwarded[i] == sig) {
			return true;
		}
	}
	return false;
}

int sig_setup(struct sig_state *state)
{
	struct sigaction dfl, ign;
	size_t i;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	ign = dfl;
	ign.sa_handler = SIG_IGN;

	sigemptyset(&state->handled);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaddset(&state->handled, forwarded[i]);
	}
	sigaddset(&state->handled, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &state->handled, &state->orig_mask) != 0) {
		return -1;
	}
	/* An inherited SIG_IGN for SIGCHLD would reap COMMAND behind our back. */
	if (sigaction(SIGCHLD, &dfl, &state->orig_chld) != 0) {
		return -1;
	}
	/* The closing line must not kill giltrace if stderr is a closed pipe. */
	if (sigaction(SIGPIPE, &ign, &state->orig_pipe) != 0) {
		return -1;
	}
	return 0;
}

void sig_restore_for_exec(const struct sig_state *state)
{
	sigaction(SIGCHLD, &state->orig_chld, NULL);
	sigaction(SIGPIPE, &state->orig_pipe, NULL);
	sigprocmask(SIG_SETMASK, &state->orig_mask, NULL);
}

bool sig_should_forward(const siginfo_t *info, pid_t command)
{
	/* si_code <= 0: sent by kill(), sigqueue(), tgkill() and friends. */
	if (info->si_code > 0) {
		return false;
	}
	/* Do not bounce back what COMMAND itself sent to its parent. */
	return info->si_pid != command;
}

int sig_pending_terminating(const struct sig_state *state)
{
	sigset_t pending;
	size_t i;

	if (sigpending(&pending) != 0) {
		return 0;
	}
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		int sig = forwarded[i];

		if (sig == SIGUSR1 || sig == SIGUSR2) {
			continue;
		}
		/* A signal giltrace was started ignoring stays ignored. */
		if (sigismember(&pending, sig) && !sigismember(&state->orig_mask, sig)) {
			struct sigaction current;

			if (sigaction(sig, NULL, &current) == 0 && current.sa_handler == SIG_IGN) {
				continue;
			}
			return sig;
		}
	}
	return 0;
}

void sig_exit_like(int wait_status)
{
	int sig;
	struct rlimit no_core = { 0, 0 };
	struct sigaction dfl;
	sigset_t only;

	fflush(NULL);
	if (WIFEXITED(wait_status)) {
		exit(WEXITSTATUS(wait_status));
	}
	if (!WIFSIGNALED(wait_status)) {
		exit(1);
	}
	sig = WTERMSIG(wait_status);
	/* COMMAND already dumped its core if it was going to. */
	setrlimit(RLIMIT_CORE, &no_core);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	sigemptyset(&only);
	sigaddset(&only, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &only, NULL);
	/* Still alive: the signal does not terminate this process. */
	exit(128 + sig);
}
