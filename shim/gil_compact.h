/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Compact cycles (giltrace(7)): one giltrace:gil_cycle instead of
 * gil_acquire_begin, gil_acquire_end and gil_release for a cycle nothing
 * else touched.  A GIL keeps at most one cycle pending, from its begin;
 * whoever is about to emit an event that must come after it opens it
 * first (gil_cycle_open), so the events of a GIL keep today's order.
 * gil_tracker.c calls these around its events; they are here so that
 * the protocol reads in one place.
 */
#ifndef GILTRACE_SHIM_GIL_COMPACT_H
#define GILTRACE_SHIM_GIL_COMPACT_H

#include <stdint.h>

#include "gil_tracker.h"
#include "py_frames.h"

/*
 * Around any of today's GIL events of thread t on g (compact_after once
 * it is written): opens what is pending on g (whoever's) and t's own
 * cycle pending on another GIL, and keeps a new cycle from becoming
 * pending on g meanwhile, which could begin before the event's time.
 */
void compact_before(struct gil *g, struct gil_thread *t);
void compact_after(struct gil *g);
/* Before an attempt's begin: as compact_before, t's own batch on g kept. */
void compact_before_attempt(struct gil *g, struct gil_thread *t);

/* At an attempt's begin, before all of the above: 1 if it joins t's own
 * batch pending on g, as a cycle of its own (its event deferred); 0
 * if the attempt is to go through compact_before_attempt and
 * compact_begin. */
int compact_continue(struct gil *g, struct gil_thread *t, void *caller);

/* At an attempt's begin, between compact_before and compact_after: 1 if
 * it is now pending (its event deferred), 0 if gil_acquire_begin is to
 * be emitted.  Only an attempt that finds the GIL free becomes pending:
 * one that finds it held would wait, and open itself at its wait. */
int compact_begin(struct gil *g, struct gil_thread *t, void *caller);

/* At an acquisition without a wait: 1 if the pending cycle took it.
 * at_once: its attempt blocked on nothing (gil_thread's at_once), so it
 * is acquired as it began. */
int compact_acquired(struct gil *g, struct gil_thread *t, int at_once, void *caller,
		const uintptr_t *bt, unsigned int bt_len, const struct py_frames *pf);

/* At a release (with its gil_release's waiters and signalled): 1 if
 * gil_cycle was emitted. */
int compact_released(struct gil *g, struct gil_thread *t, unsigned int waiters, int signalled,
		void *caller, const uintptr_t *bt, unsigned int bt_len, const struct py_frames *pf);

/* At process exit: opens every pending cycle, whose thread may be gone. */
void compact_at_exit(struct gil *g);

/* Before _exit: as compact_at_exit, unless another thread (or this one,
 * interrupted by a signal) is writing g's record: then nothing. */
void compact_before_exit(struct gil *g);

/* In a forked child: a cycle pending in the parent, and the parent's
 * batch, are the parent's to tell; the child starts with none. */
void compact_after_fork_child(struct gil *g);
/* Are compact cycles recorded now (their events enabled)? */
int compact_enabled(void);
/* The flusher's (gil_flusher.c): what is pending on g, told if it began a
 * batch span ago or more; never waits. */
void compact_tell_stale(struct gil *g);

#endif
