/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * One giltrace:py_code event per code object a GIL event of the process
 * carries, naming it (qualified name, file name, first line, line table)
 * before its first use, and again if its address comes to hold another
 * code object; the pattern of the call-site names (callsite_events.c).
 */
#ifndef GILTRACE_SHIM_PY_CODE_NAMES_H
#define GILTRACE_SHIM_PY_CODE_NAMES_H

#include <stdint.h>

#include "giltrace_tp.h"
#include "name_epoch.h"
#include "py_layout.h"

/*
 * Is code (a code object of the calling thread's live frames) named in
 * this process as the object it is now?  Lock-free: a hash, a load or
 * two, and the few fields that tell one code object from another.
 */
int py_code_named(const struct py_layout *l, uintptr_t code);

/* Name code (emit py_code) unless it is named already; -1 if it cannot
 * be read as a code object of this layout (the layout is wrong: frames
 * go off, py_layout_fail). */
int py_code_name_slow(const struct py_layout *l, uintptr_t code);

/* GIL events carried code addresses while py_code was not recorded: a
 * session that records it later needs every name again. */
void py_code_names_disabled(void);

/* Entries of another generation count as not named (name_epoch.h):
 * py_code is the name event.  Global: code objects are the process's. */
extern struct name_epoch py_code_epoch;

/*
 * Which naming of the process the names made now belong to: frames
 * named in one epoch are named in it until it changes (a new session,
 * a forked child); 0 while the next name starts a new one.
 */
static inline unsigned int py_code_names_epoch(void)
{
	return name_epoch_current(&py_code_epoch);
}

/* Emit py_code for code if this process has not named it as it is now;
 * 0, or -1 as py_code_name_slow. */
static inline int py_code_name(const struct py_layout *l, uintptr_t code)
{
	if (!lttng_ust_tracepoint_enabled(giltrace, py_code)) {
		py_code_names_disabled();
		return 0;
	}
	return py_code_named(l, code) ? 0 : py_code_name_slow(l, code);
}

/* py_code_name for each of codes[0..n), the frames of one event: -1 as
 * soon as one does not read as a code object; 1 when py_code, enabled,
 * was not recorded (a session starting, tp_recording.h): the names are
 * told again at the next use, and the event must not wait for them. */
int py_code_name_all(const struct py_layout *l, const uint64_t *codes, unsigned int n);

/* In the child of a fork: every code object is named again there. */
void py_code_names_after_fork_child(void);

#endif
