/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The count of application threads that lets the process end when the
 * last one does, although LTTng-UST's threads never end (wrap_thread.c).
 */
#ifndef GILTRACE_SHIM_THREAD_EXIT_H
#define GILTRACE_SHIM_THREAD_EXIT_H

/* Constructor: count the main thread. */
void thread_exit_init(void);

/* In the child of a fork: one application thread left. */
void thread_exit_after_fork_child(void);

#endif
