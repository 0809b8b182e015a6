/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The shim's life cycle: set-up before the program's main, the child
 * side of fork, and the end of the process.
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>

#include "callsite_events.h"
#include "gil_flusher.h"
#include "gil_identify.h"
#include "gil_tracker.h"
#include "guard.h"
#include "internal_callers.h"
#include "object_table.h"
#include "py_frames.h"
#include "real.h"
#include "tp_recording.h"
#include "wrap_exit.h"

static void shim_before_fork(void)
{
	flusher_pause();
}

static void shim_after_fork_parent(void)
{
	flusher_resume();
}

static void shim_after_fork_child(void)
{
	gil_tracker_after_fork_child();
	flusher_after_fork_child();
	callsites_after_fork_child();
	py_frames_after_fork_child();
	exit_wrap_after_fork_child();
	tp_recording_after_fork_child();
}

__attribute__((constructor))
static void shim_init(void)
{
	/* Our own lock calls below must not be interpreted. */
	shim_enter();
	real_resolve_all();
	exit_wrap_init();
	objects_init();
	internal_callers_init();
	gil_identify_init();
	callsites_init();
	py_frames_init();
	pthread_atfork(shim_before_fork, shim_after_fork_parent, shim_after_fork_child);
	/* Started already beside LTTng-UST's threads, unless another
	 * library's pthread_create stood between (AddressSanitizer's). */
	flusher_start();
	shim_leave();
}

__attribute__((destructor))
static void shim_fini(void)
{
	shim_enter();
	flusher_pause();
	gil_tracker_at_exit(1);
	shim_leave();
}
