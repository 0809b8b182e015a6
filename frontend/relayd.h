/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The LTTng relay daemon giltrace top reads live traces from: one the
 * user names (--relayd), or a private one started for the run on free
 * loopback ports, writing the trace to a directory, and stopped after.
 */
#ifndef GILTRACE_FRONTEND_RELAYD_H
#define GILTRACE_FRONTEND_RELAYD_H

#include <stdbool.h>
#include <sys/types.h>

/* The lttng-relayd ports LTTng uses when none is given. */
#define RELAYD_DEFAULT_CONTROL	5342
#define RELAYD_DEFAULT_DATA	5343
#define RELAYD_DEFAULT_LIVE	5344

struct relayd {
	pid_t pid;		/* private daemon, 0 for the user's */
	char host[256];		/* numeric or name, as in URLs ("[::1]" for IPv6) */
	unsigned int control, data, live;
	char *logdir;		/* private daemon's log directory, owned; NULL if none */
};

/*
 * Parse --relayd's HOST[:CONTROL:DATA[:LIVE]] (the ports default to
 * LTTng's); -1 and one line if malformed.
 */
int relayd_parse(struct relayd *r, const char *spec);

/*
 * Start a private relay daemon writing traces below output (an absolute
 * directory), listening on 127.0.0.1 only; returns once it accepts
 * connections on all three ports.  -1 and one line on failure.
 */
int relayd_start(struct relayd *r, const char *output);

/* Stop a private daemon; nothing for the user's. */
void relayd_stop(struct relayd *r);

/* Reap the private daemon if it died; true if it did. */
bool relayd_reap(struct relayd *r);

/* tcp://HOST:PORT of the control or data port, net://HOST:PORT of the live one. */
void relayd_url(const struct relayd *r, char *buf, size_t size, const char *scheme, unsigned int port);

#endif
