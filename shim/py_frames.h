/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The calling thread's own innermost Python frames, recorded with
 * gil_acquire_end and gil_release of a CPython GIL (GILTRACE_PYFRAMES):
 * per frame its code object's address and the byte offset of its
 * instruction, each code object named by py_code before the event.
 * At both points the thread is between bytecodes (it just took the GIL,
 * or still holds it), so its frames stand still; no other thread's
 * frames are read.
 */
#ifndef GILTRACE_SHIM_PY_FRAMES_H
#define GILTRACE_SHIM_PY_FRAMES_H

#include <stdint.h>

/* Most frames an event may carry (GILTRACE_PYFRAMES is capped to it). */
#define PY_FRAMES_MAX 32

struct py_frames {
	uint64_t code[PY_FRAMES_MAX];	/* code objects, innermost first */
	uint32_t instr[PY_FRAMES_MAX];	/* byte offsets into their bytecode */
	unsigned int n;
	/* Code objects named while no session recorded the names
	 * (tp_recording.h): the event is told at once, not compacted. */
	int untold;
	/* An acquisition's: these are the frames of this thread's last
	 * release of the same GIL, read again (its last capture). */
	int as_release;
};

/* Frames per event, 0 = off (GILTRACE_PYFRAMES; set once by the
 * constructor, py_frames_init). */
extern unsigned int py_frames_depth;

/* Where the frames are read: a GIL acquisition or a release. */
enum py_frames_at {
	PY_AT_ACQUIRE,
	PY_AT_RELEASE,
};

/*
 * The frames of a gil_acquire_end or gil_release of the CPython GIL
 * whose mutex is mutex; n = 0 when frames are off for the process or
 * the thread has no Python frame (a thread of C code, one whose thread
 * state is gone).  An acquisition right after this thread's release of
 * the same GIL gets the release's frames if its innermost frame is the
 * same: it ran no Python code in between.  The frames are the calling
 * thread's own, good until its next capture: read in place, they need
 * no copy from one event to the next.
 */
const struct py_frames *py_frames_capture(const void *mutex, enum py_frames_at at);

/* No frames: what an event without them carries. */
extern const struct py_frames py_frames_none;

/* A GIL acquisition or release of this thread without a capture: the
 * frames kept from its last release are not for its next acquisition. */
void py_frames_forget(void);

/* Constructor: read GILTRACE_PYFRAMES. */
void py_frames_init(void);

/* In the child of a fork: a process of its own, where everything is
 * named and said again. */
void py_frames_after_fork_child(void);

#endif
