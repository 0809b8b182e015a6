/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <babeltrace2/babeltrace.h>

#include "trace_read.h"
#include "util.h"

#define MAX_CLASSES 128
#define NO_MEMBER UINT64_MAX

/* What an event class is to us, worked out once per class. */
struct class_info {
	const bt_event_class *cls;	/* key (borrowed) */
	enum tr_kind kind;
	uint64_t gil, a1, a2, s1, s2;	/* payload member indices */
	uint64_t pid, tid, procname;	/* common context member indices */
};

struct reader {
	tr_callback cb;
	void *arg;
	struct tr_stats *stats;
	struct class_info classes[MAX_CLASSES];
	size_t nclasses;
	struct class_info *last;	/* most recently used entry */
	bool stopped;
};

/* --- finding traces ---------------------------------------------------- */

struct pathlist {
	char **paths;
	size_t len, cap;
};

static int pathlist_add(struct pathlist *list, const char *path)
{
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		char **grown = realloc(list->paths, cap * sizeof(*grown));

		if (!grown) {
			return -1;
		}
		list->paths = grown;
		list->cap = cap;
	}
	list->paths[list->len] = strdup(path);
	return list->paths[list->len++] ? 0 : -1;
}

static void pathlist_free(struct pathlist *list)
{
	size_t i;

	for (i = 0; i < list->len; i++) {
		free(list->paths[i]);
	}
	free(list->paths);
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every directory holding a "metadata" file is a CTF trace. */
static int find_traces(const char *dir, struct pathlist *out, int depth)
{
	char path[PATH_MAX];
	struct stat st;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		return pathlist_add(out, dir);
	}
	if (depth > 16 || !(d = opendir(dir))) {
		return 0;
	}
	while (ret == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			ret = find_traces(path, out, depth + 1);
		}
	}
	closedir(d);
	return ret;
}

/* --- decoding ----------------------------------------------------------- */

static uint64_t member_index(const bt_field_class *fc, const char *name)
{
	uint64_t i, n;

	if (!fc || bt_field_class_get_type(fc) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return NO_MEMBER;
	}
	n = bt_field_class_structure_get_member_count(fc);
	for (i = 0; i < n; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(fc, i);

		if (strcmp(bt_field_class_structure_member_get_name(m), name) == 0) {
			return i;
		}
	}
	return NO_MEMBER;
}

static enum tr_kind kind_of(const char *name)
{
	static const struct {
		const char *name;
		enum tr_kind kind;
	} names[] = {
		{ "giltrace:gil_identified", TR_GIL_IDENTIFIED },
		{ "giltrace:gil_acquire_begin", TR_GIL_ACQUIRE_BEGIN },
		{ "giltrace:gil_wait_begin", TR_GIL_WAIT_BEGIN },
		{ "giltrace:gil_wait_end", TR_GIL_WAIT_END },
		{ "giltrace:gil_acquire_end", TR_GIL_ACQUIRE_END },
		{ "giltrace:gil_acquire_abandon", TR_GIL_ACQUIRE_ABANDON },
		{ "giltrace:gil_release", TR_GIL_RELEASE },
	};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].name, name) == 0) {
			return names[i].kind;
		}
	}
	return TR_OTHER;
}

static struct class_info *class_lookup(struct reader *r, const bt_event_class *cls)
{
	const bt_field_class *payload, *common;
	struct class_info *ci;
	const char *a1 = NULL, *a2 = NULL;
	size_t i;

	if (r->last && r->last->cls == cls) {
		return r->last;
	}
	for (i = 0; i < r->nclasses; i++) {
		if (r->classes[i].cls == cls) {
			return r->last = &r->classes[i];
		}
	}
	if (r->nclasses == MAX_CLASSES) {
		return NULL; /* counted, not decoded */
	}
	ci = &r->classes[r->nclasses++];
	memset(ci, 0, sizeof(*ci));
	ci->cls = cls;
	ci->kind = kind_of(bt_event_class_get_name(cls));
	payload = bt_event_class_borrow_payload_field_class_const(cls);
	common = bt_stream_class_borrow_event_common_context_field_class_const(
		bt_event_class_borrow_stream_class_const(cls));
	switch (ci->kind) {
	case TR_GIL_IDENTIFIED:
	case TR_GIL_WAIT_BEGIN:
		a1 = "cond";
		break;
	case TR_GIL_WAIT_END:
		a1 = "timed_out";
		a2 = "ret";
		break;
	case TR_GIL_ACQUIRE_END:
	case TR_GIL_ACQUIRE_ABANDON:
		a1 = "waits";
		a2 = "timeouts";
		break;
	case TR_GIL_RELEASE:
		a1 = "waiters";
		a2 = "signalled";
		break;
	default:
		break;
	}
	ci->gil = member_index(payload, "gil");
	ci->a1 = a1 ? member_index(payload, a1) : NO_MEMBER;
	ci->a2 = a2 ? member_index(payload, a2) : NO_MEMBER;
	ci->s1 = member_index(payload, "kind");
	ci->s2 = member_index(payload, "runtime");
	ci->pid = member_index(common, "vpid");
	ci->tid = member_index(common, "vtid");
	ci->procname = member_index(common, "procname");
	return r->last = ci;
}

static const bt_field *member(const bt_field *st, uint64_t index)
{
	if (!st || index == NO_MEMBER) {
		return NULL;
	}
	return bt_field_structure_borrow_member_field_by_index_const(st, index);
}

static int64_t int_value(const bt_field *f, int64_t absent)
{
	bt_field_class_type type;

	if (!f) {
		return absent;
	}
	type = bt_field_get_class_type(f);
	if (bt_field_class_type_is(type, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		return bt_field_integer_signed_get_value(f);
	}
	if (bt_field_class_type_is(type, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		return (int64_t) bt_field_integer_unsigned_get_value(f);
	}
	return absent;
}

static const char *string_value(const bt_field *f)
{
	if (!f || bt_field_get_class_type(f) != BT_FIELD_CLASS_TYPE_STRING) {
		return NULL;
	}
	return bt_field_string_get_value(f);
}

static int decode_event(struct reader *r, const bt_message *msg)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	const bt_clock_snapshot *cs;
	const bt_field *payload, *common;
	struct class_info *ci;
	struct tr_event ev;
	int64_t ns = 0;

	memset(&ev, 0, sizeof(ev));
	if (bt_message_event_borrow_stream_class_default_clock_class_const(msg)) {
		cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
		if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
			ns = 0;
		}
	}
	ev.ts = ns > 0 ? (uint64_t) ns : 0;
	r->stats->events++;
	if (!r->cb) {
		return 0;
	}
	ci = class_lookup(r, bt_event_borrow_class_const(event));
	if (!ci) {
		return 0;
	}
	payload = bt_event_borrow_payload_field_const(event);
	common = bt_event_borrow_common_context_field_const(event);
	ev.kind = ci->kind;
	ev.pid = int_value(member(common, ci->pid), -1);
	ev.tid = int_value(member(common, ci->tid), -1);
	ev.procname = string_value(member(common, ci->procname));
	ev.gil = (uint64_t) int_value(member(payload, ci->gil), 0);
	ev.a1 = int_value(member(payload, ci->a1), 0);
	ev.a2 = int_value(member(payload, ci->a2), 0);
	if (ci->kind == TR_GIL_IDENTIFIED) {
		ev.gil_kind = string_value(member(payload, ci->s1));
		ev.runtime = string_value(member(payload, ci->s2));
	}
	return r->cb(&ev, r->arg);
}

static void count_discarded(struct reader *r, const bt_message *msg)
{
	uint64_t count = 0;

	if (bt_message_get_type(msg) == BT_MESSAGE_TYPE_DISCARDED_EVENTS) {
		if (bt_message_discarded_events_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE) {
			r->stats->discarded_events += count;
		}
	} else if (bt_message_discarded_packets_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE) {
		r->stats->discarded_packets += count;
	}
}

static bt_graph_simple_sink_component_consume_func_status consume(bt_message_iterator *it, void *data)
{
	struct reader *r = data;
	bt_message_array_const msgs;
	uint64_t count, i;
	bool stop = false;

	switch (bt_message_iterator_next(it, &msgs, &count)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	for (i = 0; i < count; i++) {
		switch (bt_message_get_type(msgs[i])) {
		case BT_MESSAGE_TYPE_EVENT:
			if (!stop && decode_event(r, msgs[i]) != 0) {
				stop = true;
			}
			break;
		case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
			count_discarded(r, msgs[i]);
			break;
		default:
			break;
		}
		bt_message_put_ref(msgs[i]);
	}
	if (stop) {
		r->stopped = true;
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	}
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* --- graph ---------------------------------------------------------------- */

/* Print the deepest cause of the current libbabeltrace2 error. */
static void print_bt_error(const char *path)
{
	const bt_error *error = bt_current_thread_take_error();
	const char *msg = "unknown error";
	uint64_t n;

	if (error && (n = bt_error_get_cause_count(error)) > 0) {
		msg = bt_error_cause_get_message(bt_error_borrow_cause_by_index(error, n - 1));
	}
	gt_err("Cannot read trace %s: %s", path, msg);
	if (error) {
		bt_error_release(error);
	}
}

static const bt_plugin *load_plugin(const char *name)
{
	const bt_plugin *plugin = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &plugin) !=
	    BT_PLUGIN_FIND_STATUS_OK) {
		return NULL;
	}
	return plugin;
}

static int add_sources(bt_graph *graph, const bt_component_class_source *fs,
	const bt_component_filter *muxer, const struct pathlist *traces)
{
	uint64_t in_index = 0;
	size_t t;

	for (t = 0; t < traces->len; t++) {
		const bt_component_source *src;
		bt_value *params = bt_value_map_create();
		bt_value *inputs = NULL;
		char name[32];
		uint64_t p, ports;
		int status = -1;

		if (!params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) !=
			BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK ||
		    bt_value_array_append_string_element(inputs, traces->paths[t]) !=
			BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK) {
			bt_value_put_ref(params);
			return -1;
		}
		snprintf(name, sizeof(name), "src%zu", t);
		if (bt_graph_add_source_component(graph, fs, name, params, BT_LOGGING_LEVEL_NONE, &src) ==
		    BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
			status = 0;
			ports = bt_component_source_get_output_port_count(src);
			for (p = 0; p < ports && status == 0; p++) {
				const bt_port_output *out = bt_component_source_borrow_output_port_by_index_const(src, p);
				/* The muxer adds a free input port after each connection. */
				const bt_port_input *in = bt_component_filter_borrow_input_port_by_index_const(muxer, in_index++);

				if (!in || bt_graph_connect_ports(graph, out, in, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
					status = -1;
				}
			}
		}
		bt_value_put_ref(params);
		if (status != 0) {
			return -1;
		}
	}
	return 0;
}

static enum tr_status run_graph(struct reader *r, const char *path, const struct pathlist *traces)
{
	const bt_plugin *ctf = load_plugin("ctf"), *utils = load_plugin("utils");
	const bt_component_class_source *fs = NULL;
	const bt_component_class_filter *mux = NULL;
	const bt_component_filter *muxer;
	const bt_component_sink *sink;
	bt_graph *graph = bt_graph_create(0);
	bt_graph_run_status run;
	enum tr_status status = TR_ERROR;

	if (ctf && utils) {
		fs = bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs");
		mux = bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer");
	}
	if (!graph || !fs || !mux) {
		gt_err("Cannot read trace %s: babeltrace2's ctf and utils plugins are missing (apt-get install babeltrace2)", path);
		goto end;
	}
	if (bt_graph_add_filter_component(graph, mux,
		"muxer", NULL, BT_LOGGING_LEVEL_NONE, &muxer) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    add_sources(graph, fs, muxer, traces) != 0 ||
	    bt_graph_add_simple_sink_component(graph, "sink", NULL, consume, NULL, r, &sink) !=
		BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    bt_graph_connect_ports(graph, bt_component_filter_borrow_output_port_by_index_const(muxer, 0),
		bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		print_bt_error(path);
		goto end;
	}
	do {
		run = bt_graph_run(graph);
	} while (run == BT_GRAPH_RUN_STATUS_AGAIN);
	if (run == BT_GRAPH_RUN_STATUS_OK) {
		status = r->stopped ? TR_STOPPED : TR_OK;
	} else {
		print_bt_error(path);
	}
end:
	bt_graph_put_ref(graph);
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return status;
}

enum tr_status tr_read(const char *path, tr_callback cb, void *arg, struct tr_stats *stats)
{
	struct pathlist traces = { 0 };
	struct reader *r;
	enum tr_status status;

	memset(stats, 0, sizeof(*stats));
	if (find_traces(path, &traces, 0) != 0) {
		pathlist_free(&traces);
		gt_err("Cannot list %s: out of memory", path);
		return TR_ERROR;
	}
	if (traces.len == 0) {
		pathlist_free(&traces);
		return TR_NO_TRACE;
	}
	qsort(traces.paths, traces.len, sizeof(char *), compare_paths);
	r = calloc(1, sizeof(*r));
	if (!r) {
		pathlist_free(&traces);
		return TR_ERROR;
	}
	r->cb = cb;
	r->arg = arg;
	r->stats = stats;
	status = run_graph(r, path, &traces);
	free(r);
	pathlist_free(&traces);
	return status;
}
