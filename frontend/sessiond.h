/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The LTTng session daemon a recording talks to: one that is already
 * running and reachable, or a private one started for this recording
 * and stopped after it.
 *
 * A private daemon must neither disturb nor be seen by any other
 * daemon, session or traced program:
 * - as an ordinary user it gets its own LTTNG_HOME (a fresh directory
 *   holding its sockets), and COMMAND gets the same LTTNG_HOME so that
 *   it registers with this daemon only;
 * - as root, the daemon's paths are fixed under /run/lttng, so giltrace
 *   moves itself into a private mount namespace where /run/lttng and
 *   /dev/shm are fresh tmpfs mounts, starts the daemon there with its
 *   application socket in the private LTTNG_HOME, and runs COMMAND back
 *   in the original namespace.
 */
#ifndef GILTRACE_FRONTEND_SESSIOND_H
#define GILTRACE_FRONTEND_SESSIOND_H

#include <stdbool.h>
#include <sys/types.h>


struct sessiond {
	pid_t pid;		/* private daemon, 0 when using a running one */
	char *home;		/* private LTTNG_HOME, owned; NULL if none */
	int orig_mntns;		/* caller's mount namespace, -1 if unchanged */
	int orig_root;		/* with it, the caller's root and working */
	int orig_cwd;		/* directory (a chroot's root is not the namespace's) */
};

/* Nothing acquired yet: sessiond_release may be called. */
void sessiond_init(struct sessiond *sd);

/*
 * Use a running daemon unless force_private, else start a private one.
 * SIGUSR1 and SIGCHLD must be blocked (sig_setup): readiness comes as
 * SIGUSR1.  Prints one line and returns -1 on failure.
 */
int sessiond_acquire(struct sessiond *sd, bool force_private);

/* Stop and remove a private daemon; nothing for a running one. */
void sessiond_release(struct sessiond *sd);

/* In COMMAND's child: return to the caller's mount namespace. */
int sessiond_child_setup(const struct sessiond *sd);

/* Whether giltrace started the daemon. */
bool sessiond_is_private(const struct sessiond *sd);

/* Reap the private daemon if it died; true if it did. */
bool sessiond_reap(struct sessiond *sd);

#endif
