/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Inside libtracereader: causes appended to the current babeltrace
 * error, labelled with the program's name (trace_reader_init()).
 */
#ifndef GILTRACE_ANALYZER_TRACE_ERROR_H
#define GILTRACE_ANALYZER_TRACE_ERROR_H

#include <babeltrace2/babeltrace.h>

/* The name trace_reader_init() set. */
const char *trace_reader_prog(void);

#define TRACE_APPEND_CAUSE(...) \
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_UNKNOWN(trace_reader_prog(), __VA_ARGS__)

#endif
