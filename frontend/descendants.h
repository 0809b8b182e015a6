/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * COMMAND's descendants, found through /proc/PID/task/TID/children.
 * Used only with a shared session daemon, where the session records
 * the processes it is told about and nothing else.
 */
#ifndef GILTRACE_FRONTEND_DESCENDANTS_H
#define GILTRACE_FRONTEND_DESCENDANTS_H

#include <stddef.h>
#include <sys/types.h>

/* How often a shared daemon's session learns about new descendants. */
#define DESCENDANT_POLL_NS	(20 * 1000 * 1000)

/* Sorted set of process IDs already seen. */
struct pidset {
	pid_t *pids;
	size_t len, cap;
};

/* Add pid; 1 if it was new, 0 if known, -1 on allocation failure. */
int pidset_add(struct pidset *set, pid_t pid);

void pidset_free(struct pidset *set);

/*
 * Visit every live descendant of root; call on_new for each one not yet
 * in known (and add it).  Returns the number of new ones, -1 if on_new
 * failed.
 */
int descendants_scan(pid_t root, struct pidset *known,
	int (*on_new)(pid_t pid, void *arg), void *arg);

#endif
