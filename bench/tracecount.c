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
 * 2^64 (uint64_t arithmetic), is the true total.
 *
 * TRACE_DIR is what `lttng create --output` was given: every directory
 * below it holding a "metadata" file is one CTF trace (one per process
 * with per-process buffers), read together through one muxer.
 *
 * Exit status: 0, 1 if the trace cannot be read, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <babeltrace2/babeltrace.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
	uint64_t events;
	uint64_t discarded;	/* modulo 2^64 on purpose, see above */
	uint64_t unknown;	/* discarded-events messages without a count */
};

static void count_message(struct counts *c, const bt_message *m)
{
	uint64_t k;

	switch (bt_message_get_type(m)) {
	case BT_MESSAGE_TYPE_EVENT:
		c->events++;
		break;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		if (bt_message_discarded_events_get_count(m, &k) == BT_PROPERTY_AVAILABILITY_AVAILABLE) {
			c->discarded += k;
		} else {
			c->unknown++;
		}
		break;
	default:
		break;
	}
}

static bt_graph_simple_sink_component_consume_func_status
count_messages(bt_message_iterator *it, void *data)
{
	bt_message_array_const msgs;
	uint64_t n;

	switch (bt_message_iterator_next(it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	for (uint64_t i = 0; i < n; i++) {
		count_message(data, msgs[i]);
		bt_message_put_ref(msgs[i]);
	}
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* The error's causes, innermost last, one line each. */
static void print_causes(void)
{
	const bt_error *err = bt_current_thread_take_error();

	if (!err) {
		return;
	}
	for (uint64_t i = 0; i < bt_error_get_cause_count(err); i++) {
		fprintf(stderr, "  caused by: %s\n",
			bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, i)));
	}
	bt_error_release(err);
}

/* Connect every output port of src to the muxer's next free input port
 * (the muxer adds one each time the last is connected). */
static int connect_source(bt_graph *graph, const bt_component_source *src,
		const bt_component_filter *mux, uint64_t *next_in)
{
	uint64_t ports = bt_component_source_get_output_port_count(src);

	for (uint64_t i = 0; i < ports; i++) {
		const bt_port_output *out = bt_component_source_borrow_output_port_by_index_const(src, i);
		const bt_port_input *in = bt_component_filter_borrow_input_port_by_index_const(mux, *next_in);

		if (!in || bt_graph_connect_ports(graph, out, in, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
			return -1;
		}
		(*next_in)++;
	}
	return 0;
}

/*
 * The CTF traces under the directory given: nftw has no user-data
 * argument, so the list it fills is file-scope.
 */
#define TRACES_MAX 4096
static char *trace_dirs[TRACES_MAX];
static unsigned int trace_count;

static int note_trace(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void) st;
	if (type == FTW_F && strcmp(path + ftw->base, "metadata") == 0 && trace_count < TRACES_MAX) {
		trace_dirs[trace_count] = strndup(path, (size_t) ftw->base - 1);
		if (trace_dirs[trace_count]) {
			trace_count++;
		}
	}
	return 0;
}

/* One ctf.fs source per trace, all into one muxer. */
static int add_sources(bt_graph *graph, const bt_plugin *ctf, const bt_component_filter *mux)
{
	const bt_component_class_source *fs = bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs");
	uint64_t next_in = 0;
	int ret = 0;

	for (unsigned int t = 0; t < trace_count && ret == 0; t++) {
		bt_value *params = bt_value_map_create(), *inputs = NULL;
		const bt_component_source *src = NULL;
		char name[32];

		snprintf(name, sizeof(name), "src%u", t);
		if (!params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs)
				!= BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK
				|| bt_value_array_append_string_element(inputs, trace_dirs[t])
					!= BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK
				|| bt_graph_add_source_component(graph, fs, name, params, BT_LOGGING_LEVEL_NONE, &src)
					!= BT_GRAPH_ADD_COMPONENT_STATUS_OK
				|| connect_source(graph, src, mux, &next_in) != 0) {
			ret = -1;
		}
		bt_value_put_ref(params);
	}
	return ret;
}

static int count_trace(const char *path, struct counts *c)
{
	const bt_plugin *ctf = NULL, *utils = NULL;
	bt_graph *graph = NULL;
	const bt_component_filter *mux = NULL;
	const bt_component_sink *sink = NULL;
	bt_graph_run_status run;
	int ret = -1;

	if (nftw(path, note_trace, 16, FTW_PHYS) != 0 || trace_count == 0) {
		fprintf(stderr, "tracecount: No CTF trace found: path=\"%s\"\n", path);
		return -1;
	}
	if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, &ctf) != BT_PLUGIN_FIND_STATUS_OK
			|| bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, &utils) != BT_PLUGIN_FIND_STATUS_OK) {
		fprintf(stderr, "tracecount: Cannot find the ctf and utils babeltrace2 plugins\n");
		goto end;
	}
	graph = bt_graph_create(0);
	if (!graph || bt_graph_add_filter_component(graph,
				bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer"),
				"mux", NULL, BT_LOGGING_LEVEL_NONE, &mux) != BT_GRAPH_ADD_COMPONENT_STATUS_OK
			|| bt_graph_add_simple_sink_component(graph, "count", NULL, count_messages, NULL, c, &sink)
				!= BT_GRAPH_ADD_COMPONENT_STATUS_OK
			|| add_sources(graph, ctf, mux) != 0
			|| bt_graph_connect_ports(graph,
				bt_component_filter_borrow_output_port_by_index_const(mux, 0),
				bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL)
				!= BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		goto error;
	}
	do {
		run = bt_graph_run(graph);
	} while (run == BT_GRAPH_RUN_STATUS_AGAIN);
	if (run != BT_GRAPH_RUN_STATUS_OK) {
		goto error;
	}
	ret = 0;
	goto end;
error:
	fprintf(stderr, "tracecount: Cannot read the trace: path=\"%s\"\n", path);
	print_causes();
end:
	bt_graph_put_ref(graph);
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return ret;
}

int main(int argc, char **argv)
{
	struct counts c = { 0, 0, 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: tracecount TRACE_DIR\n");
		return 2;
	}
	if (count_trace(argv[1], &c) != 0) {
		return 1;
	}
	printf("events %" PRIu64 "\ndiscarded %" PRIu64 "\n", c.events, c.discarded);
	if (c.unknown) {
		printf("discarded_messages_without_count %" PRIu64 "\n", c.unknown);
	}
	return 0;
}
