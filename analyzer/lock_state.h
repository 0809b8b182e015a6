/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Contention of every lock the trace covers (--all-locks), from the
 * lock-call events: mutexes (lock, trylock, timedlock, unlock), condition
 * variables (waits, signals) and semaphores (waits, posts), per process.
 *
 * A mutex acquisition is contended when another thread held the mutex
 * when the call began, or took it while the caller was blocked; a
 * semaphore wait is contended when it had to wait for a post.  Waiting
 * in pthread_cond_wait releases the mutex and takes it back, which moves
 * the holder without counting an acquisition.
 */
#ifndef GILTRACE_ANALYZER_LOCK_STATE_H
#define GILTRACE_ANALYZER_LOCK_STATE_H

#include <stdint.h>

#include "gil_analysis.h"
#include "hist.h"

enum gs_lock_kind {
	GS_LOCK_MUTEX,
	GS_LOCK_COND,
	GS_LOCK_SEM,
};

struct gs_lock {
	uint64_t address;
	enum gs_lock_kind kind;
	uint64_t acquisitions;		/* mutex locked, semaphore taken, condvar wait returned */
	uint64_t contended;		/* of those, how many had to wait for another thread */
	uint64_t busy;			/* trylock/trywait that failed: held by someone else */
	uint64_t owner_changes;		/* acquisitions by a thread other than the last owner */
	uint64_t timeouts;		/* timed lock/wait that gave up */
	uint64_t signals;		/* cond_signal */
	uint64_t broadcasts;		/* cond_broadcast */
	uint64_t posts;			/* sem_post */
	struct hist wait;		/* call begin to return */
	struct hist hold;		/* mutex locked to unlocked */

	/* live state */
	struct gs_thread *holder;	/* mutex: NULL when free or unknown */
	unsigned int depth;		/* recursive locking by the holder */
	int64_t hold_ts;
	struct gs_thread *last_owner;
};

/* Feeds one lock-call event; returns -1 when out of memory. */
int ls_feed(struct gs_thread *t, const struct gs_event *ev, int64_t ts);
/* Is this lock worth reporting (someone had to wait for it)? */
int ls_contended(const struct gs_lock *l);
const char *ls_kind_name(enum gs_lock_kind kind);
void ls_free_process(struct gs_process *p);

#endif
