/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Inside libtracereader: the simple sink at the end of every graph.  It
 * counts every event and discard, and decodes the giltrace events (the
 * contract of tracepoints/giltrace_tp.h) into struct gs_event for the
 * analysis core.
 */
#ifndef GILTRACE_ANALYZER_TRACE_DECODE_H
#define GILTRACE_ANALYZER_TRACE_DECODE_H

#include <babeltrace2/babeltrace.h>
#include <stdint.h>

#include "idmap.h"
#include "trace_reader.h"

/* Frames kept of a backtrace or of Python frames (the shim records at
 * most 32 of each). */
#define BACKTRACE_MAX 64

/* A longer line table (no code object has one) is not copied. */
#define LINETABLE_MAX (1u << 20)

struct ev_desc;

/* The sink's state, owned by whoever builds the graph. */
struct trace_sink {
	struct gs_analysis *a;		/* fed the events; NULL: only count */
	struct trace_read_stats *stats;
	trace_tick_fn tick;		/* told each event's time before a is fed it, or NULL */
	void *tick_arg;
	struct idmap descs;		/* event class address -> struct ev_desc, owned */
	struct ev_desc *last;		/* the descriptor used last */
	uint64_t frames[BACKTRACE_MAX];	/* the current event's backtrace */
	uint64_t pycode[BACKTRACE_MAX];	/* its Python frames' code objects */
	uint32_t pyinstr[BACKTRACE_MAX];	/* and offsets */
	uint64_t acq_frames[BACKTRACE_MAX];	/* a compact cycle's acquisition's backtrace */
	uint64_t acq_pycode[BACKTRACE_MAX];	/* and Python frames */
	uint32_t acq_pyinstr[BACKTRACE_MAX];
	const bt_clock_class *clock;	/* the current event's clock (borrowed), or NULL */
	uint8_t *linetable;		/* its line table, owned; grows as needed */
	size_t linetable_cap;
	uint64_t events_max;		/* more events than this: libbabeltrace2 runs away (0: no bound) */
};

/* Adds the sink to graph, fed from the output port from; what names
 * that port's component in the error. */
enum trace_read_status trace_sink_add(bt_graph *graph, struct trace_sink *sink, const bt_port_output *from,
		const char *what);

/* Frees what the sink cached, once its graph is gone. */
void trace_sink_fini(struct trace_sink *sink);

#endif
