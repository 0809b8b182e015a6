/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Inside libtracereader: what the offline graph (trace_graph.c) and the
 * live one (trace_live.c) both build from.
 */
#ifndef GILTRACE_ANALYZER_TRACE_GRAPH_H
#define GILTRACE_ANALYZER_TRACE_GRAPH_H

#include <babeltrace2/babeltrace.h>

#include "trace_reader.h"

/* A babeltrace2 plugin by name ("ctf", "utils"), to put. */
enum trace_read_status trace_plugin_find(const char *name, const bt_plugin **plugin);

/* A source's parameters {"inputs": [input]}, to put; NULL when out of
 * memory. */
bt_value *trace_inputs_params(const char *input);

#endif
