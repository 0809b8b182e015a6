/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * tracecount TRACE_DIR: the events a CTF trace holds and the events the
 * tracer discarded, for the benchmarks.
 *
 *   events 4123456
 *   discarded 0
 *
 * Why not `lttng list` and babeltrace2's counter sink: with per-user
 * buffers LTTng-UST 2.13 writes packets whose discarded-event counter
 * goes back down, so babeltrace2 reports some "discarded 2^64 - n"
 * messages (each cancelled by a later "discarded n"), and `lttng list`
 * then shows 2^63 + n.  The sum of every message's count, taken modulo
 * 2^64 (uint64_t arithmetic), is the true total: the trace reader
 * library's count (analyzer/trace_reader.h, trace_count()) sums so.
 *
 * TRACE_DIR is what `lttng create --output` was given: every directory
 * below it holding a "metadata" file is one CTF trace (one per process
 * with per-process buffers), read together through one muxer.
 *
 * Exit status: 0, 1 if the trace cannot be read (even when libbabeltrace2
 * crashes on it: the reading runs in a child process), 2 on a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/trace_reader.h"

/* In isolate_run()'s child: a damaged trace that crashes libbabeltrace2
 * costs one line and status 1, as any unreadable trace. */
static int count(void *path)
{
	struct trace_read_stats stats;

	if (trace_count(path, &stats) != TRACE_READ_OK) {
		trace_error_print(0, "Cannot read the trace");
		return 1;
	}
	printf("events %" PRIu64 "\ndiscarded %" PRIu64 "\n", stats.events, stats.discarded_events);
	if (stats.discarded_unknown) {
		printf("discarded_messages_without_count %" PRIu64 "\n", stats.discarded_unknown);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status;

	trace_reader_init("tracecount");
	if (argc != 2) {
		fprintf(stderr, "usage: tracecount TRACE_DIR\n");
		return 2;
	}
	status = isolate_run(count, argv[1], 0, 1);
	if (status < 0) {
		fprintf(stderr, "tracecount: Cannot start the process that reads the trace: error=\"%s\"\n",
			strerror(errno));
		return 1;
	}
	return status;
}
