/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace:py_thread_target, once per thread: the code object of the
 * function the thread was started to run, found at the bottom of its
 * chain of frames, where threading's Thread._bootstrap and
 * _bootstrap_inner call Thread.run, which calls it.
 */
#ifndef GILTRACE_SHIM_PY_THREAD_TARGET_H
#define GILTRACE_SHIM_PY_THREAD_TARGET_H

#include <limits.h>
#include <stdint.h>

#include "py_code_names.h"
#include "py_layout.h"

/* The naming epoch (py_code_names_epoch) in which this thread emitted
 * py_thread_target, 0 for none, PY_TARGET_SAID_UNNAMED while code
 * objects were not named: a new session's trace needs it again.
 * initial-exec for the same reason as the guard (guard.h). */
extern __thread unsigned int py_target_said __attribute__((tls_model("initial-exec")));
#define PY_TARGET_SAID_UNNAMED	UINT_MAX

/* What py_target_said holds once said now (never 0). */
static inline unsigned int py_thread_target_epoch(void)
{
	unsigned int epoch = py_code_names_epoch();

	return epoch ? epoch : PY_TARGET_SAID_UNNAMED;
}

/* Has this thread said its target (or that it has none)?  Asked at
 * every release with frames: in line. */
static inline int py_thread_target_known(void)
{
	return py_target_said == py_thread_target_epoch();
}

/*
 * Look for the calling thread's target below frame, its innermost (a
 * trusted chain of the calling thread), and emit py_thread_target once
 * it is known: the target, or 0 for a thread threading did not start
 * or whose chain is deeper than can be walked.  Not known yet (a thread
 * of threading still starting, before Thread.run called its target):
 * nothing, the next event looks again.
 */
void py_thread_target_note(const struct py_layout *l, uintptr_t frame);

/* In the child of a fork: the forking thread is a new thread there. */
void py_thread_target_after_fork_child(void);

#endif
