/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The shim's own thread, which tells what a thread left pending while
 * it went quiet (gil_flusher.c).
 */
#ifndef GILTRACE_SHIM_GIL_FLUSHER_H
#define GILTRACE_SHIM_GIL_FLUSHER_H

/* Starts the thread, once per process; called where LTTng-UST starts
 * its own (wrap_thread.c), and by the shim's constructor. */
void flusher_start(void);
/* A forked child has no such thread: the next flusher_start starts one. */
void flusher_after_fork_child(void);
/* Around a fork, and before the process image ends (exit, _exit, an
 * exec): returns once the thread writes nothing, and it writes nothing
 * until flusher_resume. */
void flusher_pause(void);
void flusher_resume(void);

#endif
