/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Python functions of one GIL (giltrace-analyze(1), PYTHON): what was
 * done holding the GIL, and waiting for it, by Python function.
 *
 * A hold is placed at its release's innermost Python frame (the
 * function and line the thread was at when it gave the GIL up; where
 * the longest one was taken is kept beside it, for a hold that ran
 * through several functions is not all spent where it ended), an
 * attempt at its gil_acquire_end's (where the thread resumes: the line
 * that called time.sleep or socket.recv), with its waits, failed
 * wake-ups and timeouts.  A hold or an attempt without such a frame (a
 * C thread, frames not recorded, an abandoned attempt, a hold still
 * open at the end of the trace) is placed at py_func_none.
 *
 * Memory: at most PY_FUNCS_MAX entries per GIL; the events of further
 * functions go to one "(other functions)" entry (py_func_other), so
 * that the entries' holds, held time, acquisitions and abandoned
 * attempts always add up to the GIL's.
 */
#ifndef GILTRACE_ANALYZER_PY_FUNCTIONS_H
#define GILTRACE_ANALYZER_PY_FUNCTIONS_H

#include <stdint.h>

#include "idmap.h"
#include "py_code_table.h"

#define PY_FUNCS_MAX 4096

/* The entry of the functions beyond PY_FUNCS_MAX. */
extern const struct py_func py_func_other;

/* One function's figures on one GIL. */
struct py_fstat {
	const struct py_func *func;
	/* holds released there */
	uint64_t holds;			/* holds whose acquisition was seen */
	uint64_t held_ns;		/* those, and a hold open at the end (py_func_none) */
	uint64_t longest_hold_ns;
	int32_t longest_hold_line;	/* where the longest hold was released */
	const struct py_func *longest_hold_taken_func;	/* where it was taken (py_func_none: unknown) */
	int32_t longest_hold_taken_line;
	/* attempts that ended there */
	uint64_t acquisitions;		/* acquired, the attempt's begin seen or not */
	uint64_t contended;
	uint64_t abandoned;
	uint64_t attempts;		/* acquired or abandoned, begin seen: the ones below */
	uint64_t waits;
	uint64_t failed_wakeups;
	uint64_t timeouts;
	uint64_t waited_ns;		/* attempt begin to end, summed */
	uint64_t longest_wait_ns;
	int32_t longest_wait_line;	/* where the longest attempt ended */
};

/* The functions of one GIL. */
struct py_ftable {
	struct idmap by_func;		/* struct py_func address -> struct py_fstat, owned */
	uint64_t dropped;		/* events that went to "(other functions)" */
};

/* The entry of func, created on first use (or the "other" entry once
 * the table is full); NULL when out of memory. */
struct py_fstat *py_ftable_get(struct py_ftable *t, const struct py_func *func);

/* A hold of held ns taken at taken, released at this line. */
void py_fstat_hold(struct py_fstat *s, uint64_t held, int32_t line, const struct py_where *taken);

/* An attempt whose begin was seen ended at this line after waited ns,
 * with its waits (acquired or abandoned: counted by the caller). */
void py_fstat_attempt(struct py_fstat *s, uint64_t waited, int32_t line, uint32_t waits, uint32_t failed,
		uint32_t timeouts);

void py_ftable_free(struct py_ftable *t);

#endif
