/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Inside libtracereader: the marks isolate_run() (trace_reader.h) needs.
 * libbabeltrace2 2.0 aborts or faults on some damaged traces (an
 * assertion on packet sizes of 2^63 bits or more, a division by a clock
 * frequency of zero, a precondition on duplicate member names in the
 * metadata, ...), or loops for ever (a packet size under 8 bits).  The
 * job runs in a child; trace_graph.c and trace_decode.c mark the calls
 * into libbabeltrace2 that read a trace's data, and when the child dies
 * of a crash signal in one of them, or the parent's watchdog stops one
 * that runs away (memory, time), the parent prints one line and returns
 * the caller's status for a damaged trace, as for any other unreadable
 * trace.  A crash in our own code stays a crash: the parent dies of the
 * same signal, after passing on the child's messages.
 */
#ifndef GILTRACE_ANALYZER_TRACE_ISOLATE_H
#define GILTRACE_ANALYZER_TRACE_ISOLATE_H

#include <stdint.h>

/* Marks the start and the end of a call into libbabeltrace2 that reads
 * trace data; path: the trace it reads, NULL if any of them.  Without
 * isolate_run() these cost a store and nothing else. */
void isolate_babeltrace_enter(const char *path);
void isolate_babeltrace_leave(void);

/* The trace in dir is about to be opened: the watchdog lets
 * libbabeltrace2's memory grow with the size of its files.  Returns that
 * size in bytes (0 if unknown). */
uint64_t isolate_babeltrace_data(const char *dir);

#endif
