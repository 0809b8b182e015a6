/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Reading trace directories: one ctf.fs source per CTF trace, all
 * merged in time order by a utils.muxer filter into the sink. */
#include <babeltrace2/babeltrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_decode.h"
#include "trace_error.h"
#include "trace_graph.h"
#include "trace_isolate.h"
#include "trace_metadata.h"

struct graph {
	bt_graph *graph;		/* owned */
	const bt_plugin *ctf;		/* owned */
	const bt_plugin *utils;		/* owned */
	const bt_component_filter *muxer;	/* borrowed from the graph */
	const bt_component_source **sources;	/* owned array of borrowed components */
	size_t nsources;
	uint64_t data_bytes;		/* the sources' files */
};

enum trace_read_status trace_plugin_find(const char *name, const bt_plugin **plugin)
{
	bt_plugin_find_status st = bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, plugin);

	if (st == BT_PLUGIN_FIND_STATUS_OK) {
		return TRACE_READ_OK;
	}
	if (st == BT_PLUGIN_FIND_STATUS_MEMORY_ERROR) {
		return TRACE_READ_MEMORY;
	}
	TRACE_APPEND_CAUSE("Cannot find the babeltrace2 \"%s\" plugin: is babeltrace2 installed (apt-get install babeltrace2)?", name);
	return TRACE_READ_ERROR;
}

bt_value *trace_inputs_params(const char *input)
{
	bt_value *params = bt_value_map_create();
	bt_value *inputs = NULL;

	if (!params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs)
			!= BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK
			|| bt_value_array_append_string_element(inputs, input)
			!= BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK) {
		bt_value_put_ref(params);
		return NULL;
	}
	return params;
}

static enum trace_read_status source_add(struct graph *g, const char *path, size_t i,
		bt_logging_level level)
{
	const bt_component_class_source *cls =
		bt_plugin_borrow_source_component_class_by_name_const(g->ctf, "fs");
	bt_value *params = trace_inputs_params(path);
	char name[32];
	enum trace_read_status status = TRACE_READ_OK;
	bt_graph_add_component_status st;

	if (!cls) {
		TRACE_APPEND_CAUSE("Cannot find the source.ctf.fs component class");
		status = TRACE_READ_ERROR;
		goto end;
	}
	if (!params) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	status = trace_metadata_check(path);
	if (status != TRACE_READ_OK) {
		TRACE_APPEND_CAUSE("Cannot read trace: path=\"%s\"", path);
		goto end;
	}
	snprintf(name, sizeof(name), "trace-%zu", i);
	/* Parses the metadata and reads every packet's header. */
	g->data_bytes += isolate_babeltrace_data(path);
	isolate_babeltrace_enter(path);
	st = bt_graph_add_source_component(g->graph, cls, name, params, level, &g->sources[i]);
	isolate_babeltrace_leave();
	if (st != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		TRACE_APPEND_CAUSE("Cannot read trace (--verbose shows babeltrace2's diagnosis): path=\"%s\"", path);
		status = TRACE_READ_BAD_TRACE;
		goto end;
	}
	g->nsources++;
end:
	bt_value_put_ref(params);
	return status;
}

/* Every output port of every source goes to a fresh muxer input. */
static enum trace_read_status sources_connect(struct graph *g, const struct trace_list *list)
{
	for (size_t i = 0; i < g->nsources; i++) {
		uint64_t n = bt_component_source_get_output_port_count(g->sources[i]);

		for (uint64_t k = 0; k < n; k++) {
			const bt_port_output *out =
				bt_component_source_borrow_output_port_by_index_const(g->sources[i], k);
			uint64_t free_in = bt_component_filter_get_input_port_count(g->muxer) - 1;
			const bt_port_input *in =
				bt_component_filter_borrow_input_port_by_index_const(g->muxer, free_in);

			if (bt_graph_connect_ports(g->graph, out, in, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
				TRACE_APPEND_CAUSE("Cannot connect trace to the muxer: path=\"%s\"", list->paths[i]);
				return TRACE_READ_ERROR;
			}
		}
	}
	return TRACE_READ_OK;
}

static enum trace_read_status graph_build(struct graph *g, const struct trace_list *list,
		struct trace_sink *r, bt_logging_level level)
{
	const bt_component_class_filter *mux_cls;
	enum trace_read_status status;

	g->graph = bt_graph_create(0);
	g->sources = calloc(list->len, sizeof(*g->sources));
	if (!g->graph || !g->sources) {
		return TRACE_READ_MEMORY;
	}
	status = trace_plugin_find("ctf", &g->ctf);
	if (status == TRACE_READ_OK) {
		status = trace_plugin_find("utils", &g->utils);
	}
	if (status != TRACE_READ_OK) {
		return status;
	}
	for (size_t i = 0; i < list->len; i++) {
		status = source_add(g, list->paths[i], i, level);
		if (status != TRACE_READ_OK) {
			return status;
		}
	}
	mux_cls = bt_plugin_borrow_filter_component_class_by_name_const(g->utils, "muxer");
	if (!mux_cls || bt_graph_add_filter_component(g->graph, mux_cls, "muxer", NULL, level, &g->muxer)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		TRACE_APPEND_CAUSE("Cannot create the filter.utils.muxer component");
		return TRACE_READ_ERROR;
	}
	status = sources_connect(g, list);
	if (status != TRACE_READ_OK) {
		return status;
	}
	return trace_sink_add(g->graph, r, bt_component_filter_borrow_output_port_by_name_const(g->muxer, "out"),
		"the muxer");
}

static void graph_free(struct graph *g)
{
	/* The sources' finalization walks what they decoded. */
	isolate_babeltrace_enter(NULL);
	bt_graph_put_ref(g->graph);
	isolate_babeltrace_leave();
	bt_plugin_put_ref(g->ctf);
	bt_plugin_put_ref(g->utils);
	free(g->sources);
}

/*
 * A run failed inside a source: name the trace it was reading, from the
 * component name ("trace-N") babeltrace recorded in the error causes.
 */
static const char *failed_trace(const struct trace_list *list)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *path = NULL;

	if (!err) {
		return NULL;
	}
	for (uint64_t i = 0; i < bt_error_get_cause_count(err) && !path; i++) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(err, i);
		const char *name;
		size_t k;

		if (bt_error_cause_get_actor_type(c) != BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT) {
			continue;
		}
		name = bt_error_cause_component_actor_get_component_name(c);
		if (sscanf(name, "trace-%zu", &k) == 1 && k < list->len) {
			path = list->paths[k];
		}
	}
	bt_current_thread_move_error(err);
	return path;
}

/* Runs the graph to its end. */
static enum trace_read_status graph_run(struct graph *g, const struct trace_list *list)
{
	bt_graph_run_status run;
	const char *path;

	isolate_babeltrace_enter(NULL);
	do {
		run = bt_graph_run(g->graph);
	} while (run == BT_GRAPH_RUN_STATUS_AGAIN);
	isolate_babeltrace_leave();
	if (run == BT_GRAPH_RUN_STATUS_OK) {
		return TRACE_READ_OK;
	}
	if (run == BT_GRAPH_RUN_STATUS_MEMORY_ERROR) {
		return TRACE_READ_MEMORY;
	}
	path = failed_trace(list);
	if (path) {
		TRACE_APPEND_CAUSE("Cannot read trace: path=\"%s\"", path);
	} else {
		TRACE_APPEND_CAUSE("Cannot read the traces");
	}
	return TRACE_READ_BAD_TRACE;
}

enum trace_read_status trace_read(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats)
{
	return trace_read_ticked(list, a, verbose, stats, NULL, NULL);
}

enum trace_read_status trace_read_ticked(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats, trace_tick_fn tick, void *arg)
{
	struct trace_sink r = { .a = a, .stats = stats, .tick = tick, .tick_arg = arg };
	struct graph g = { 0 };
	bt_logging_level level = verbose ? BT_LOGGING_LEVEL_WARNING : BT_LOGGING_LEVEL_NONE;
	enum trace_read_status status;

	memset(stats, 0, sizeof(*stats));
	status = graph_build(&g, list, &r, level);
	if (status != TRACE_READ_OK) {
		goto end;
	}
	/* Every event takes at least a bit of its stream, unless
	 * libbabeltrace2 decodes the same bits again and again: an event
	 * class of no bits in damaged metadata gives an endless stream of
	 * events, each in a short call the watchdog never sees run away. */
	r.events_max = g.data_bytes * 8;
	status = graph_run(&g, list);
	if (status != TRACE_READ_OK) {
		goto end;
	}
	if (stats->giltrace_events > 0 && stats->no_context == stats->giltrace_events) {
		TRACE_APPEND_CAUSE("Cannot tell threads apart: the giltrace events lack the vpid and vtid contexts "
			"(record with: lttng add-context -u -t vpid -t vtid -t procname)");
		status = TRACE_READ_NO_CONTEXT;
	}
end:
	graph_free(&g);
	trace_sink_fini(&r);
	return status;
}

enum trace_read_status trace_count(const char *input, struct trace_read_stats *stats)
{
	struct trace_list list = { 0 };
	enum trace_read_status status = trace_find(input, &list);

	if (status == TRACE_READ_OK) {
		status = trace_read(&list, NULL, 0, stats);
	}
	trace_list_free(&list);
	return status;
}
