/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Reading a live session: the src.ctf.lttng-live source into the sink,
 * one step at a time. */
#define _GNU_SOURCE
#include <babeltrace2/babeltrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_decode.h"
#include "trace_error.h"
#include "trace_graph.h"

struct trace_live {
	struct trace_sink r;		/* the sink's state */
	bt_graph *graph;		/* owned */
	const bt_plugin *ctf;		/* owned */
	const bt_component_class_source *cls;	/* borrowed from ctf */
	char *relay;			/* owned: net://HOST:PORT */
	char *session;			/* owned */
	char *url;			/* owned: the session's lttng-live URL */
};

static enum trace_read_status live_graph_build(struct trace_live *l, bt_logging_level level)
{
	const bt_component_source *src;
	bt_value *params = trace_inputs_params(l->url);
	enum trace_read_status status = TRACE_READ_OK;

	/* The highest MIP the library offers: libbabeltrace2 2.1's live
	 * source reads a CTF 2 session (LTTng 2.15 on records CTF 2 by
	 * default) only under MIP 1; 2.0 offers MIP 0, with CTF 1.8 only.
	 * The offline reader (trace_graph.c) stays at MIP 0, under which
	 * 2.1's source.ctf.fs reads both formats. */
	l->graph = bt_graph_create(bt_get_maximal_mip_version());
	if (!l->graph || !params) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	/* "end": the source ends once the session is destroyed and read
	 * to its end ("continue" would wait for a new one of that name);
	 * the session must exist on the relay daemon when reading starts. */
	if (bt_value_map_insert_string_entry(params, "session-not-found-action", "end")
			!= BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	if (bt_graph_add_source_component(l->graph, l->cls, "live", params, level, &src)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		TRACE_APPEND_CAUSE("Cannot create the live source: url=\"%s\"", l->url);
		status = TRACE_READ_ERROR;
		goto end;
	}
	/* One output port: the live source merges its streams itself. */
	status = trace_sink_add(l->graph, &l->r, bt_component_source_borrow_output_port_by_index_const(src, 0),
		"the live source");
end:
	bt_value_put_ref(params);
	return status;
}

enum trace_read_status trace_live_open(const char *relay, const char *host, const char *session,
		struct gs_analysis *a, int verbose, struct trace_read_stats *stats,
		struct trace_live **live)
{
	struct trace_live *l = calloc(1, sizeof(*l));
	enum trace_read_status status;

	*live = NULL;
	if (!l) {
		return TRACE_READ_MEMORY;
	}
	memset(stats, 0, sizeof(*stats));
	l->r.a = a;
	l->r.stats = stats;
	l->relay = strdup(relay);
	l->session = strdup(session);
	if (!l->relay || !l->session || asprintf(&l->url, "%s/host/%s/%s", relay, host, session) < 0) {
		l->url = NULL;
		status = TRACE_READ_MEMORY;
		goto error;
	}
	status = trace_plugin_find("ctf", &l->ctf);
	if (status != TRACE_READ_OK) {
		goto error;
	}
	l->cls = bt_plugin_borrow_source_component_class_by_name_const(l->ctf, "lttng-live");
	if (!l->cls) {
		TRACE_APPEND_CAUSE("Cannot find the source.ctf.lttng-live component class");
		status = TRACE_READ_ERROR;
		goto error;
	}
	status = live_graph_build(l, verbose ? BT_LOGGING_LEVEL_WARNING : BT_LOGGING_LEVEL_NONE);
	if (status != TRACE_READ_OK) {
		goto error;
	}
	*live = l;
	return TRACE_READ_OK;
error:
	trace_live_close(l);
	return status;
}

enum trace_live_status trace_live_step(struct trace_live *l)
{
	switch (bt_graph_run_once(l->graph)) {
	case BT_GRAPH_RUN_ONCE_STATUS_OK:
		return TRACE_LIVE_OK;
	case BT_GRAPH_RUN_ONCE_STATUS_AGAIN:
		return TRACE_LIVE_AGAIN;
	case BT_GRAPH_RUN_ONCE_STATUS_END:
		return TRACE_LIVE_END;
	case BT_GRAPH_RUN_ONCE_STATUS_MEMORY_ERROR:
		return TRACE_LIVE_MEMORY;
	default:
		TRACE_APPEND_CAUSE("Cannot read the live session: url=\"%s\"", l->url);
		return TRACE_LIVE_ERROR;
	}
}

/* An integer entry of a map, signed or not; -1 if absent. */
static int64_t map_int(const bt_value *map, const char *key)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	if (v && bt_value_is_unsigned_integer(v)) {
		return (int64_t) bt_value_integer_unsigned_get(v);
	}
	if (v && bt_value_is_signed_integer(v)) {
		return bt_value_integer_signed_get(v);
	}
	return -1;
}

/* The client count of session in the relay daemon's list of sessions;
 * -1 if it is not listed. */
static int session_viewers(const bt_value *sessions, const char *session)
{
	for (uint64_t i = 0; bt_value_is_array(sessions) && i < bt_value_array_get_length(sessions); i++) {
		const bt_value *s = bt_value_array_borrow_element_by_index_const(sessions, i);
		const bt_value *name = bt_value_map_borrow_entry_value_const(s, "session-name");

		if (name && bt_value_is_string(name) && strcmp(bt_value_string_get(name), session) == 0) {
			return (int) map_int(s, "client-count");
		}
	}
	return -1;
}

int trace_live_viewers(struct trace_live *l)
{
	const bt_component_class *cls = bt_component_class_source_as_component_class_const(l->cls);
	bt_value *params = bt_value_map_create();
	bt_query_executor *q = NULL;
	const bt_value *result = NULL;
	int viewers = -2;

	if (!params || bt_value_map_insert_string_entry(params, "url", l->relay) != BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK) {
		goto end;
	}
	q = bt_query_executor_create(cls, "sessions", params);
	if (!q) {
		goto end;
	}
	switch (bt_query_executor_query(q, &result)) {
	case BT_QUERY_EXECUTOR_QUERY_STATUS_OK:
		break;
	case BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN:
		viewers = -1;
		goto end;
	default:
		TRACE_APPEND_CAUSE("Cannot list the relay daemon's sessions: url=\"%s\"", l->relay);
		goto end;
	}
	viewers = session_viewers(result, l->session);
end:
	bt_value_put_ref(result);
	bt_query_executor_put_ref(q);
	bt_value_put_ref(params);
	return viewers;
}

void trace_live_close(struct trace_live *l)
{
	if (!l) {
		return;
	}
	bt_graph_put_ref(l->graph);
	bt_plugin_put_ref(l->ctf);
	trace_sink_fini(&l->r);
	free(l->relay);
	free(l->session);
	free(l->url);
	free(l);
}
