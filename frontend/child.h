/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * COMMAND's process.  It is forked early and held at a gate until the
 * session records (its process ID must be known to the session before
 * it runs a single instruction of COMMAND), then execs with the shim
 * preloaded and the dispositions and mask giltrace was started with.
 */
#ifndef GILTRACE_FRONTEND_CHILD_H
#define GILTRACE_FRONTEND_CHILD_H

#include <sys/types.h>

#include "sessiond.h"
#include "signals.h"

struct child {
	pid_t pid;
	int gate;	/* write end: one byte lets the child exec */
	int errpipe;	/* read end: errno of a failed exec, EOF on success */
};

/*
 * The LD_PRELOAD list for COMMAND: liblttng-ust-fork, liblttng-ust-dl
 * if installed, then the shim (GILTRACE_UST_FORK, GILTRACE_UST_DL and
 * GILTRACE_SHIM override the installed ones).
 * Caller frees; NULL and one line if either is missing.
 */
char *child_preload_list(void);

/* Fork the gated child; -1 and one line on failure. */
int child_fork(struct child *c, char **argv, const char *preload,
	const struct sessiond *sd, const struct sig_state *state);

/*
 * Open the gate (go != 0) or make the child exit without running
 * COMMAND (go == 0).  Returns 0 once COMMAND runs, else the errno of
 * the failed exec.
 */
int child_release(struct child *c, int go);

/* Set-up failed: make the child exit without running COMMAND, and reap it. */
void child_abandon(struct child *c, int *status);

#endif
