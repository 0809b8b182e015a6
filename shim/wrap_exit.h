/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* _exit and _Exit (wrap_exit.c): set up by shim_init, and in a forked
 * child. */
#ifndef GILTRACE_SHIM_WRAP_EXIT_H
#define GILTRACE_SHIM_WRAP_EXIT_H

void exit_wrap_init(void);
void exit_wrap_after_fork_child(void);

#endif
