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

#include <stdint.h>

#include "py_layout.h"

/* Has this thread said its target (or that it has none)? */
int py_thread_target_known(void);

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
