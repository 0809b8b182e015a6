/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * One step along a thread's chain of Python frames, innermost first,
 * for every layout (py_layout.h): the frame's code object and the byte
 * offset of its instruction in the bytecode, or why the frame is
 * skipped.  Plain loads: only for the chain of the calling thread's own
 * thread state, once trusted (py_frames.c), which nothing else changes
 * while the thread is between bytecodes.  Inlined always: a step is a
 * few loads, taken at every frame of every event.
 */
#ifndef GILTRACE_SHIM_PY_CHAIN_H
#define GILTRACE_SHIM_PY_CHAIN_H

#include <stdint.h>

#include "py_layout.h"
#include "py_mem.h"

/* Frames followed at most, whatever the depth asked for: a chain longer
 * than that is taken as broken (CPython's own recursion limit is 1000
 * by default; deeper programs lose their outermost frames). */
#define PY_CHAIN_MAX 4096

enum py_step {
	PY_STEP_FRAME,		/* a function's frame: code and instr set */
	PY_STEP_SKIP,		/* the interpreter's own, or not started yet */
	PY_STEP_BROKEN,		/* not what a frame must be: stop here */
};

/* The innermost frame of thread state ts, 0 for none. */
static inline uintptr_t py_chain_first(const struct py_layout *l, uintptr_t ts)
{
	uintptr_t at = py_word(ts, l->ts_frame);

	if (l->frame_kind == PY_FRAME_CFRAME && at) {
		at = py_word(at, l->cframe_current);
	}
	return at;
}

static inline uintptr_t py_chain_next(const struct py_layout *l, uintptr_t frame)
{
	return py_word(frame, l->frame_back);
}

static inline int py_is_code(const struct py_layout *l, uintptr_t code)
{
	return code && py_word(code, l->ob_type) == l->code_type;
}

/* Up to 3.10: f_lasti is the offset of the last instruction begun, in
 * bytes (3.10: code units), -1 before the first. */
static inline __attribute__((always_inline)) enum py_step py_step_object(const struct py_layout *l, uintptr_t frame,
		uintptr_t *code, uint32_t *instr)
{
	int32_t lasti;

	if (py_word(frame, l->ob_type) != l->frame_type) {
		return PY_STEP_BROKEN;
	}
	*code = py_word(frame, l->frame_code);
	if (!py_is_code(l, *code)) {
		return PY_STEP_BROKEN;
	}
	lasti = py_i32(frame, l->frame_instr);
	*instr = lasti < 0 ? 0 : (uint32_t) lasti * l->lasti_scale;
	return PY_STEP_FRAME;
}

/* 3.11 on: a pointer into the code's own bytecode (3.11, 3.12:
 * prev_instr, the unit before the next instruction; 3.13+: instr_ptr,
 * the instruction being run).  Frames that are the interpreter's own,
 * and (3.11, 3.12, where the layout tells) frames that have not reached
 * their first traceable instruction, are skipped as CPython's own
 * tracebacks skip them. */
static inline __attribute__((always_inline)) enum py_step py_step_interp(const struct py_layout *l, uintptr_t frame,
		uintptr_t *code, uint32_t *instr)
{
	unsigned int owner = py_u8(frame, l->frame_owner);
	uintptr_t at, start;

	if (owner >= l->first_shim_owner) {
		return PY_STEP_SKIP;
	}
	*code = py_word(frame, l->frame_code) & ~l->code_tag_bits;
	if (!py_is_code(l, *code)) {
		return PY_STEP_BROKEN;
	}
	at = py_word(frame, l->frame_instr);
	start = *code + l->co_code_start;
	if (l->co_firsttraceable && owner != l->owner_generator
	    && at < start + 2 * (uintptr_t) py_i32(*code, l->co_firsttraceable)) {
		return PY_STEP_SKIP;
	}
	if (at < start || at - start > UINT32_MAX) {
		return PY_STEP_BROKEN;
	}
	*instr = (uint32_t) (at - start);
	return PY_STEP_FRAME;
}

static inline __attribute__((always_inline)) enum py_step py_chain_step(const struct py_layout *l, uintptr_t frame,
		uintptr_t *code, uint32_t *instr)
{
	if (l->frame_kind == PY_FRAME_OBJECTS) {
		return py_step_object(l, frame, code, instr);
	}
	return py_step_interp(l, frame, code, instr);
}

#endif
