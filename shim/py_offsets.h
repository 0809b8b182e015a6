/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The rows of shim/py_offsets_table.h, generated from each CPython's
 * headers by scripts/py_offsets_gen.sh: byte offsets and sizes, 0 where
 * the version has no such field (shim/py_layout.c knows which fields a
 * version uses).
 */
#ifndef GILTRACE_SHIM_PY_OFFSETS_H
#define GILTRACE_SHIM_PY_OFFSETS_H

#include <stdint.h>

/* CPython 2.7 to 3.12: the structures themselves. */
struct py_offsets {
	uint32_t major, minor;
	/* _PyRuntime (3.7+): its size, the main GIL's struct
	 * _gil_runtime_state and the PyGILState key (a Py_tss_t) in it */
	uint32_t runtime_size, runtime_gil, runtime_tss;
	uint32_t tss_initialized, tss_key;
	uint32_t gil_last_holder, gil_mutex;	/* in struct _gil_runtime_state */
	uint32_t interp_ceval_gil;		/* PyInterpreterState.ceval.gil (3.12) */
	uint32_t interp_next, interp_tstate_head;	/* 2.7, 3.6 */
	/* PyThreadState; ts_frame is .frame up to 3.10, .cframe after */
	uint32_t ts_next, ts_interp, ts_thread_id, ts_frame;
	uint32_t cframe_current;		/* _PyCFrame.current_frame (3.11, 3.12) */
	/* _PyInterpreterFrame (3.11, 3.12); iframe_instr is prev_instr;
	 * owner values: a generator's, and the first of frames that are no
	 * function's (3.12's C-stack entry frames; 256: none) */
	uint32_t iframe_previous, iframe_code, iframe_instr, iframe_owner;
	uint32_t iframe_owner_generator, iframe_first_shim_owner;
	/* PyFrameObject (up to 3.10) and PyFrame_Type's tp_basicsize */
	uint32_t f_back, f_code, f_lasti, frame_basicsize;
	/* PyCodeObject; co_linetable is co_lnotab up to 3.9 */
	uint32_t co_name, co_qualname, co_filename, co_firstlineno, co_linetable;
	uint32_t co_code, co_code_adaptive, co_firsttraceable, code_basicsize;
	/* objects */
	uint32_t ob_type, var_size, type_basicsize;
	uint32_t bytes_sval, bytes_hash, bytes_basicsize;	/* 2.7: str */
	uint32_t str_length, str_hash, str_state, str_ascii_size, str_compact_size, str_basicsize;
	uint32_t str_kind_bit, str_compact_bit, str_ascii_bit;	/* in state */
};

/*
 * CPython 3.13 on: where each field the shim uses lies inside
 * _Py_DebugOffsets (every one of them a uint64_t there), and what that
 * descriptor does not give, from the same minor version's headers.
 */
struct py_debug_layout {
	uint32_t minor, struct_size;
	uint32_t version, free_threaded;
	uint32_t runtime_size, interpreters_head;
	uint32_t interp_size, interp_next, interp_ceval_gil;
	uint32_t interp_gil, interp_gil_locked, interp_gil_holder;
	uint32_t ts_size, ts_prev, ts_next, ts_interp, ts_current_frame, ts_thread_id;
	uint32_t frame_size, frame_previous, frame_executable, frame_instr_ptr, frame_owner;
	uint32_t code_size, code_filename, code_name, code_qualname, code_linetable;
	uint32_t code_firstlineno, code_adaptive;
	uint32_t object_size, object_type;
	uint32_t bytes_size, bytes_ob_size, bytes_sval;
	uint32_t str_size, str_state, str_length, str_ascii_size;
	/* not in _Py_DebugOffsets */
	uint32_t executable_tag_bits;	/* low bits of a tagged code reference (3.14+) */
	uint32_t first_shim_owner;	/* frame owners from this on are no function's */
	uint32_t str_hash, str_compact_size;
	uint32_t str_kind_bit, str_compact_bit, str_ascii_bit;
};

#endif
