/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Who made whom wait (giltrace-analyze(1), BLOCKERS): each attempt of a
 * thread W on a GIL, from its gil_acquire_begin to its end, split
 * exactly into the parts during which another thread H held the GIL,
 * each placed at (H, the Python function and line of that hold: its
 * release's innermost frame), and the parts during which nobody held it
 * (the hand-off gap: released, the waiter not yet running).
 *
 * The GIL's time is a sequence of segments, holds and gaps; a segment's
 * owner is known when it ends (a hold's function at its release).  Each
 * attempt remembers up to where its time is split (split_ts): when a
 * segment ends, every attempt in progress is behind it up to then; an
 * attempt that ends inside a hold (abandoned, or its end lost) leaves
 * its last part pending on the GIL until that hold ends.  A hold that
 * ends without its release (events lost) is placed at py_func_none.
 *
 * The parts of a thread add up to its waited_ns, except where an
 * attempt's end was lost: waited_ns then stops at its last state
 * change, while the split may have gone on to the next segment's end;
 * that surplus is counted (excess_ns), so that parts = waited_ns +
 * excess_ns always.
 *
 * Memory: at most PY_BLOCKERS_MAX parts per (GIL, waiting thread); time
 * behind further (holder, function, line) goes to one "(other blockers)"
 * part.
 */
#ifndef GILTRACE_ANALYZER_PY_BLOCKERS_H
#define GILTRACE_ANALYZER_PY_BLOCKERS_H

#include <stdint.h>

#include "idmap.h"
#include "py_code_table.h"

#define PY_BLOCKERS_MAX 1024

/* The functions of the parts that are no hold. */
extern const struct py_func py_func_gap;		/* "(hand-off gap)" */
extern const struct py_func py_func_other_blockers;	/* "(other blockers)" */

struct gs_thread;
struct gs_gil;
struct gs_gil_thread;

/* Time a waiting thread spent behind one (holder, function, line). */
struct py_blocker {
	const struct gs_thread *holder;	/* NULL: the hand-off gap, or other blockers */
	struct py_where where;
	uint64_t ns;
};

/* The blockers of one thread on one GIL. */
struct py_btable {
	struct idmap by_key;		/* hash of holder, function, line -> struct py_blocker, owned */
	uint64_t excess_ns;		/* split beyond waited_ns (attempts whose end was lost) */
	uint64_t dropped;		/* parts that went to "(other blockers)" */
	/* an attempt that ended inside the current hold: time behind it */
	uint64_t pending_ns;
	struct gs_gil_thread *pending_next;	/* the GIL's list of those (gs_gil.split_pending) */
	int pending;			/* on that list */
};

/*
 * The GIL's current segment ends at ts: a hold by holder, released at
 * where, or (holder NULL) a gap.  Every attempt in progress, and every
 * part pending on the hold, is placed behind it.  Returns 0, or -1 when
 * out of memory.
 */
int pb_segment_end(struct gs_gil *g, int64_t ts, const struct gs_thread *holder, const struct py_where *where);

/* The attempt of t (still open) ends; waited_ns counts it up to
 * counted_to.  Returns 0, or -1 when out of memory. */
int pb_attempt_close(struct gs_thread *t, int64_t counted_to);

void pb_table_free(struct py_btable *b);

#endif
