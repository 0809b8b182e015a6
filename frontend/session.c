/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "descendants.h"
#include "session.h"
#include "util.h"

static void ust_domain(struct lttng_domain *dom)
{
	memset(dom, 0, sizeof(*dom));
	dom->type = LTTNG_DOMAIN_UST;
	/* One set of buffers per user: no per-process set-up at fork. */
	dom->buf_type = LTTNG_BUFFER_PER_UID;
}

static int create_own(struct rec_session *s, const struct rec_config *cfg)
{
	struct lttng_session_descriptor *desc;
	enum lttng_error_code ret = LTTNG_ERR_EXIST_SESS;
	int attempt;

	/* pid and time make the name unique on this daemon; retry anyway. */
	for (attempt = 0; attempt < 100 && ret == LTTNG_ERR_EXIST_SESS; attempt++) {
		snprintf(s->name, sizeof(s->name), "giltrace-%ld-%ld-%d",
			(long) getpid(), (long) time(NULL), attempt);
		if (cfg->live_control) {
			desc = lttng_session_descriptor_live_network_create(s->name, cfg->live_control,
				cfg->live_data, cfg->live_timer_us);
		} else {
			desc = lttng_session_descriptor_local_create(s->name, cfg->output);
		}
		if (!desc) {
			gt_err("Cannot describe the tracing session: output=%s",
				cfg->live_control ? cfg->live_control : cfg->output);
			return -1;
		}
		ret = lttng_create_session_ext(desc);
		lttng_session_descriptor_destroy(desc);
	}
	if (ret != LTTNG_OK) {
		gt_err("Cannot create the tracing session: %s", lttng_strerror(-(int) ret));
		return -1;
	}
	s->created = true;
	s->live_timer_us = (unsigned int) cfg->live_timer_us;
	snprintf(s->path, sizeof(s->path), "%s", cfg->live_control ? cfg->live_control : cfg->output);
	return 0;
}

static int find_existing(struct rec_session *s, const char *name, bool *active)
{
	struct lttng_session *list = NULL;
	int n, i, found = -1;

	n = lttng_list_sessions(&list);
	if (n < 0) {
		gt_err("Cannot list tracing sessions: %s", lttng_strerror(n));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, name) == 0) {
			snprintf(s->name, sizeof(s->name), "%s", name);
			snprintf(s->path, sizeof(s->path), "%s", list[i].path);
			*active = list[i].enabled;
			s->live_timer_us = list[i].live_timer_interval;
			found = 0;
			break;
		}
	}
	free(list);
	if (found != 0) {
		gt_err("No tracing session named '%s' on the session daemon", name);
	}
	return found;
}

static int add_channel(struct rec_session *s, struct lttng_domain *dom, const struct rec_config *cfg,
	bool *existed)
{
	struct lttng_channel *chan = lttng_channel_create(dom);
	int ret;

	if (!chan) {
		gt_err("Cannot describe the channel");
		return -1;
	}
	snprintf(chan->name, sizeof(chan->name), "%s", GT_CHANNEL);
	/* LTTng 2.16 creates the channel as this says (2.13 always enabled it). */
	chan->enabled = 1;
	chan->attr.subbuf_size = cfg->subbuf_size;
	chan->attr.num_subbuf = cfg->num_subbuf;
	/* Discard mode: never overwrite what was recorded; losses are counted. */
	chan->attr.overwrite = 0;
	chan->attr.tracefile_size = cfg->tracefile_size;
	chan->attr.tracefile_count = cfg->tracefile_count;
	ret = lttng_enable_channel(s->handle, chan);
	lttng_channel_destroy(chan);
	*existed = ret == -LTTNG_ERR_UST_CHAN_EXIST || ret == -LTTNG_ERR_CHAN_EXIST;
	if (ret < 0 && !(cfg->attach && (ret == -LTTNG_ERR_UST_CHAN_EXIST || ret == -LTTNG_ERR_CHAN_EXIST))) {
		gt_err("Cannot create channel '%s' in session '%s': %s", GT_CHANNEL, s->name, lttng_strerror(ret));
		return -1;
	}
	return 0;
}

static int enable_events(struct rec_session *s, const char *pattern, bool attach)
{
	struct lttng_event *ev = lttng_event_create();
	int ret;

	if (!ev) {
		gt_err("Cannot describe event rule %s", pattern);
		return -1;
	}
	snprintf(ev->name, sizeof(ev->name), "%s", pattern);
	ev->type = LTTNG_EVENT_TRACEPOINT;
	ev->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	ret = lttng_enable_event_with_exclusions(s->handle, ev, GT_CHANNEL, NULL, 0, NULL);
	lttng_event_destroy(ev);
	if (ret < 0 && !(attach && (ret == -LTTNG_ERR_UST_EVENT_ENABLED || ret == -LTTNG_ERR_UST_EVENT_EXIST))) {
		gt_err("Cannot enable events %s: %s", pattern, lttng_strerror(ret));
		return -1;
	}
	return 0;
}

/*
 * The giltrace events recorded: the GIL's, with what names their Python
 * frames and threads (py_code, py_thread_target, py_frames_off,
 * thread_name) and the end of each process (process_exit), or every
 * one with --all-locks.
 */
static const char *const *giltrace_patterns(const struct rec_session *s)
{
	static const char *const gil_patterns[] = {
		"giltrace:gil_*", "giltrace:py_*", "giltrace:thread_name", "giltrace:process_exit", NULL,
	};
	static const char *const all_patterns[] = { "giltrace:*", NULL };

	return s->all_locks ? all_patterns : gil_patterns;
}

static int enable_giltrace_events(struct rec_session *s, bool attach)
{
	for (const char *const *p = giltrace_patterns(s); *p; p++) {
		if (enable_events(s, *p, attach) != 0) {
			return -1;
		}
	}
	return 0;
}

static int disable_giltrace_events(struct rec_session *s)
{
	for (const char *const *p = giltrace_patterns(s); *p; p++) {
		int ret = lttng_disable_event(s->handle, *p, GT_CHANNEL);

		if (ret < 0) {
			gt_err("Cannot disable events %s: %s", *p, lttng_strerror(ret));
			return -1;
		}
	}
	return 0;
}

static int add_contexts(struct rec_session *s, bool attach, bool chan_existed)
{
	/*
	 * vpid and vtid identify processes and threads for every reader;
	 * procname names them; ip holds the caller of each intercepted
	 * call, which Trace Compass's debug info analysis resolves.
	 */
	static const enum lttng_event_context_type types[] = {
		LTTNG_EVENT_CONTEXT_VPID, LTTNG_EVENT_CONTEXT_VTID,
		LTTNG_EVENT_CONTEXT_PROCNAME, LTTNG_EVENT_CONTEXT_IP,
	};
	struct lttng_event_context ctx;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.ctx = types[i];
		ret = lttng_add_context(s->handle, &ctx, NULL, GT_CHANNEL);
		if (attach && (ret == -LTTNG_ERR_UST_CONTEXT_EXIST ||
		    /*
		     * Contexts can only be added before a session's first
		     * start, so an existing channel of a started session
		     * got them then (giltrace adds them, see giltrace(1)).
		     */
		    (chan_existed && ret == -LTTNG_ERR_TRACE_ALREADY_STARTED))) {
			continue;
		}
		if (ret < 0) {
			gt_err("Cannot add context to channel '%s' of session '%s': %s",
				GT_CHANNEL, s->name, lttng_strerror(ret));
			return -1;
		}
	}
	return 0;
}

/*
 * hold_channel.  libbabeltrace2 2.0's live source (fixed in 2.1 by "ctf:
 * grow stored_values array when necessary") sizes each stream's table
 * of sequence lengths and variant tags once, from the first metadata it
 * reads, and writes past its end on an event whose class, declared
 * later, has a sequence (gil_acquire_end's, gil_release's and
 * lttng_ust_dl:build_id's backtrace or build ID): a heap overflow that
 * aborts giltrace top.  Yet LTTng-UST declares classes piecemeal: the
 * statedump's, then the channel, when a process registers with the
 * session; the GIL and dlopen events when the preloaded providers
 * register, a moment later (with --pid, when the GIL rule is enabled
 * after the start).  And the relay daemon gets the metadata declared so
 * far with the first packet of a channel's buffers, flushed a live timer
 * period after they are created even if empty: a reader attached before
 * the start (as it must be) can read part of it.
 *
 * So the channel is disabled until every class is declared: LTTng-UST
 * declares the events of the enabled rules of a disabled channel all
 * the same, but records none (their tracepoints stay off).  Processes
 * register meanwhile (--pid's when the session starts; for COMMAND, a
 * primer with the same preloads, cmd_top.c), then session_release stops
 * the session, which waits until the relay daemon has all the metadata,
 * starts it again and enables the channel.  Nothing was recorded, so
 * nothing is lost.
 *
 * events_after_start with hold_channel: the GIL rule is enabled from the
 * start, to be declared, then switched off before the channel is
 * enabled (LTTng-UST switches the tracepoints on a moment before the
 * channel records, and the gil_identified written then would be lost)
 * and on again after; the statedump of the start, not recorded, is
 * asked for again.
 */
static int hold_channel(struct rec_session *s)
{
	int ret = lttng_disable_channel(s->handle, GT_CHANNEL);

	if (ret < 0) {
		gt_err("Cannot disable channel '%s' of session '%s': %s", GT_CHANNEL, s->name,
			lttng_strerror(ret));
		return -1;
	}
	s->channel_held = true;
	return 0;
}

static int enable_channel(struct rec_session *s)
{
	struct lttng_domain dom;
	struct lttng_channel *chan;
	int ret;

	ust_domain(&dom);
	chan = lttng_channel_create(&dom);
	if (!chan) {
		gt_err("Cannot describe the channel");
		return -1;
	}
	snprintf(chan->name, sizeof(chan->name), "%s", GT_CHANNEL);
	chan->enabled = 1;
	/* An existing channel: only enabled, its attributes stay. */
	ret = lttng_enable_channel(s->handle, chan);
	lttng_channel_destroy(chan);
	if (ret < 0) {
		gt_err("Cannot enable channel '%s' of session '%s': %s", GT_CHANNEL, s->name,
			lttng_strerror(ret));
		return -1;
	}
	return 0;
}

int session_release(struct rec_session *s)
{
	int ret;

	if (!s->channel_held) {
		return 0;
	}
	/* Stopping waits until the relay daemon has every packet and all the metadata. */
	ret = lttng_stop_tracing(s->name);
	if (ret >= 0) {
		ret = lttng_start_tracing(s->name);
	}
	if (ret < 0) {
		gt_err("Cannot restart session '%s': %s", s->name, lttng_strerror(ret));
		return -1;
	}
	/* Off while the channel comes on: events naming things once
	 * (gil_identified, py_code, thread_name) must not be lost. */
	if (s->events_pending && disable_giltrace_events(s) != 0) {
		return -1;
	}
	if (enable_channel(s) != 0) {
		return -1;
	}
	s->channel_held = false;
	if (!s->events_pending) {
		return 0;
	}
	ret = lttng_regenerate_statedump(s->name);
	if (ret < 0) {
		gt_err("Cannot record the objects loaded (statedump) in session '%s': %s", s->name,
			lttng_strerror(ret));
		return -1;
	}
	s->events_pending = false;
	return enable_giltrace_events(s, false);
}

int session_prepare(struct rec_session *s, const struct rec_config *cfg)
{
	struct lttng_domain dom;
	bool active = false, chan_existed = false;

	memset(s, 0, sizeof(*s));
	if (cfg->attach) {
		if (find_existing(s, cfg->attach, &active) != 0) {
			return -1;
		}
	} else if (create_own(s, cfg) != 0) {
		return -1;
	}
	s->was_active = active;
	ust_domain(&dom);
	s->handle = lttng_create_handle(s->name, &dom);
	if (!s->handle) {
		gt_err("Cannot get a handle on session '%s'", s->name);
		return -1;
	}
	s->all_locks = cfg->all_locks;
	s->events_pending = cfg->events_after_start;
	if (add_channel(s, &dom, cfg, &chan_existed) != 0 ||
	    /* Held, the GIL rules are enabled at once, to be declared (see hold_channel). */
	    ((!s->events_pending || cfg->hold_channel) &&
	     enable_giltrace_events(s, cfg->attach) != 0) ||
	    /* Base addresses of the loaded objects, so that ip can be resolved:
	     * at start, and as liblttng-ust-dl sees them loaded later. */
	    enable_events(s, "lttng_ust_statedump:*", cfg->attach) != 0 ||
	    enable_events(s, "lttng_ust_dl:*", cfg->attach) != 0 ||
	    add_contexts(s, cfg->attach, chan_existed) != 0 ||
	    (cfg->hold_channel && hold_channel(s) != 0)) {
		return -1;
	}
	return 0;
}

int session_track_pid(struct rec_session *s, pid_t pid)
{
	enum lttng_error_code ret;
	enum lttng_process_attr_tracker_handle_status st;

	if (!s->tracker) {
		ret = lttng_session_get_tracker_handle(s->name, LTTNG_DOMAIN_UST,
			LTTNG_PROCESS_ATTR_VIRTUAL_PROCESS_ID, &s->tracker);
		if (ret != LTTNG_OK) {
			gt_err("Cannot get the process tracker of session '%s': %s",
				s->name, lttng_strerror(-(int) ret));
			return -1;
		}
		st = lttng_process_attr_tracker_handle_set_tracking_policy(s->tracker,
			LTTNG_TRACKING_POLICY_INCLUDE_SET);
		if (st != LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_OK) {
			gt_err("Cannot restrict session '%s' to the recorded program", s->name);
			return -1;
		}
	}
	st = lttng_process_attr_virtual_process_id_tracker_handle_add_pid(s->tracker, pid);
	if (st != LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_OK &&
	    st != LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_EXISTS) {
		gt_err("Cannot add process %ld to session '%s'", (long) pid, s->name);
		return -1;
	}
	return 0;
}

int session_untrack_pid(struct rec_session *s, pid_t pid)
{
	enum lttng_process_attr_tracker_handle_status st;

	if (!s->tracker) {
		return 0;
	}
	st = lttng_process_attr_virtual_process_id_tracker_handle_remove_pid(s->tracker, pid);
	if (st != LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_OK &&
	    st != LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_MISSING) {
		gt_err("Cannot remove process %ld from session '%s'", (long) pid, s->name);
		return -1;
	}
	return 0;
}

int session_track_root(struct rec_session *s, struct pidset *known, pid_t root)
{
	if (session_track_pid(s, root) != 0) {
		return -1;
	}
	/* Known as tracked; failing to remember it only risks tracking it twice. */
	(void) pidset_add(known, root);
	return 0;
}

int session_track_new(pid_t pid, void *arg)
{
	return session_track_pid(arg, pid);
}

int session_start(struct rec_session *s)
{
	int ret;
	struct lttng_session *list = NULL;
	int n, i;
	bool active = false;

	n = lttng_list_sessions(&list);
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, s->name) == 0) {
			active = list[i].enabled;
		}
	}
	free(list);
	if (!active) {
		ret = lttng_start_tracing(s->name);
		if (ret < 0) {
			gt_err("Cannot start session '%s': %s", s->name, lttng_strerror(ret));
			return -1;
		}
		s->started = true;
	}
	if (s->events_pending && !s->channel_held) {
		s->events_pending = false;
		return enable_giltrace_events(s, false);
	}
	return 0;
}

int session_stop(struct rec_session *s)
{
	int ret;

	if (!s->started) {
		return 0;
	}
	/* Waits until every buffer is flushed to the trace. */
	ret = lttng_stop_tracing(s->name);
	s->started = false;
	if (ret < 0) {
		gt_err("Cannot stop session '%s': %s", s->name, lttng_strerror(ret));
		return -1;
	}
	return 0;
}

int session_finish(struct rec_session *s)
{
	int ret, status = 0;

	if (s->tracker) {
		lttng_process_attr_tracker_handle_destroy(s->tracker);
		s->tracker = NULL;
	}
	if (s->handle) {
		lttng_destroy_handle(s->handle);
		s->handle = NULL;
	}
	if (session_stop(s) != 0) {
		status = -1;
	}
	if (s->created) {
		ret = lttng_destroy_session(s->name);
		if (ret < 0) {
			gt_err("Cannot destroy session '%s': %s", s->name, lttng_strerror(ret));
			status = -1;
		}
		s->created = false;
	}
	return status;
}
