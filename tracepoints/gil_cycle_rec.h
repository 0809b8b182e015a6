/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The start of a compact GIL cycle (giltrace(7), "Compact cycles"): what
 * gil_cycle and gil_cycle_open carry of the cycle's begin and
 * acquisition.  A struct because a tracepoint takes at most ten
 * arguments.
 */
#ifndef GILTRACE_TRACEPOINTS_GIL_CYCLE_REC_H
#define GILTRACE_TRACEPOINTS_GIL_CYCLE_REC_H

#include <stdint.h>

struct gil_cycle_rec {
	const void *gil;
	uint64_t begin_ts;		/* trace clock, as LTTng-UST reads it */
	uint64_t acquired_ts;		/* 0: the attempt goes on (gil_cycle_open) */
	uint64_t end_ts;		/* read just before the event: the release (gil_cycle's
					 * released_ts), or the opening (gil_cycle_open's opened_ts) */
	uintptr_t begin_caller;		/* caller of the gil_acquire_begin it stands for */
	uintptr_t acquire_caller;	/* caller of the gil_acquire_end */
	const uintptr_t *bt;		/* the acquisition's backtrace */
	unsigned int bt_len;
	const uint64_t *pycode;		/* and its Python frames */
	const uint32_t *pyinstr;
	unsigned int py_n;
	unsigned int waiters;		/* gil_cycle: its release's, as gil_release's */
	int signalled;
};

#endif
