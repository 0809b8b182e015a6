/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Reading traces in a child process.  libbabeltrace2 2.0 aborts or
 * faults on some damaged traces (an assertion on packet sizes of 2^63
 * bits or more, a division by a clock frequency of zero, a precondition
 * on duplicate member names in the metadata, ...), or loops for ever
 * (a packet size under 8 bits).  The analysis runs in a child;
 * trace_read.c marks the calls into libbabeltrace2 that read a trace's
 * data, and when the child dies of a crash signal in one of them, or
 * the parent's watchdog stops one that runs away (memory, time), the
 * parent prints one line and returns exit status 4 (a damaged trace), as
 * for any other unreadable trace.  A crash in our own code stays a
 * crash: the parent dies of the same signal, after passing on the
 * child's messages.
 */
#ifndef GILTRACE_ANALYZER_ISOLATE_H
#define GILTRACE_ANALYZER_ISOLATE_H

#include <stdint.h>

/* Runs fn(arg) in a child process whose stderr the parent passes on
 * (as it comes with verbose, else once the child is gone); returns the
 * child's exit status, or bad_trace_status after a crash inside
 * libbabeltrace2.  Returns -1 if the child cannot be started. */
int isolate_run(int (*fn)(void *), void *arg, int verbose, int bad_trace_status);

/* Marks the start and the end of a call into libbabeltrace2 that reads
 * trace data; path: the trace it reads, NULL if any of them.  Without
 * isolate_run() these cost a store and nothing else. */
void isolate_babeltrace_enter(const char *path);
void isolate_babeltrace_leave(void);

/* The trace about to be opened holds this many bytes: the watchdog lets
 * libbabeltrace2's memory grow with the data. */
void isolate_babeltrace_data(uint64_t bytes);

#endif
