/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * What the private LTTng daemons giltrace starts (lttng-sessiond for
 * record, lttng-relayd for top) have in common: how their child process
 * is prepared before exec, how their log explains a failure, how they
 * are stopped and reaped.
 */
#ifndef GILTRACE_FRONTEND_DAEMON_H
#define GILTRACE_FRONTEND_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * In the forked child, before exec: a session of its own (Ctrl-C on the
 * terminal is for COMMAND, not the daemon), SIGTERM when giltrace dies,
 * stdin from /dev/null, stdout and stderr to log, default signal
 * dispositions and an empty mask.  Exits if parent is already gone.
 */
void daemon_child_setup(const char *log, pid_t parent);

/* The last non-empty line of log ("no message" if none), for an error. */
void daemon_log_tail(const char *log, char *line, size_t size);

/*
 * SIGTERM, then up to timeout_ms for it to exit; SIGKILL after that,
 * saying so on stderr ("The private WHAT did not stop").  Reaps it.
 */
void daemon_stop(pid_t pid, int timeout_ms, const char *what);

/* Reap *pid (if > 0) if it died, then set it to 0; true if it did. */
bool daemon_reap(pid_t *pid);

#endif
