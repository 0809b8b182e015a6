/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace top --replay TRACE_DIR: what giltrace top would have shown of
 * a recorded trace, interval by interval, then its summary.  Intervals
 * are cut by the trace's own clock, every interval_ns of trace time from
 * the first event (a stretch with no event at all is one interval), as
 * fast as the trace reads; the figures are top_view.c's, as live.  A
 * GIL's trace ends at its last event (the trace is read twice: once to
 * know when).
 */
#ifndef GILTRACE_FRONTEND_TOP_REPLAY_H
#define GILTRACE_FRONTEND_TOP_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "top_view.h"

/*
 * Writes the intervals and the summary of the traces below path to out,
 * as fmt says (fmt->tty is ignored: nothing is redrawn).  Reads in the
 * crash isolation of trace_reader.h; returns an exit status of
 * trace_reader.h (a trace that cannot be read, no GIL event: the
 * analyzer's status and one line).
 */
int top_replay(const char *path, int64_t interval_ns, const struct tv_format *fmt, FILE *out);

#endif
