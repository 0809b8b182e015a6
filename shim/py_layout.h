/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Where the running CPython keeps what Python frames are read from: its
 * thread states, frames and code objects, as one set of offsets whatever
 * the version.  Up to 3.12 they come from the table generated from each
 * version's headers (shim/py_offsets_table.h); from 3.13 on from the
 * interpreter's own _Py_DebugOffsets at the start of _PyRuntime.
 *
 * The layout is decided once per process, at the first event of a
 * CPython GIL that wants frames, and checked against the running
 * interpreter first (the version it reports, the sizes of its objects
 * and of _PyRuntime, where its GIL lies).  Where there is no layout, or
 * a check fails, Python frames are off for the process, with one
 * giltrace:py_frames_off event saying why.
 */
#ifndef GILTRACE_SHIM_PY_LAYOUT_H
#define GILTRACE_SHIM_PY_LAYOUT_H

#include <stdint.h>

/* How the thread state of the thread taking or dropping a GIL is found. */
enum py_tstate_way {
	PY_TSTATE_WALK,		/* 2.7: the interpreters' lists of thread states, by thread id */
	PY_TSTATE_GILSTATE,	/* 3.6: PyGILState_GetThisThreadState(), a pthread_getspecific() */
	PY_TSTATE_HOLDER_TSS,	/* 3.7-3.12: the GIL's last_holder, while the thread's PyGILState key is set */
	PY_TSTATE_HOLDER,	/* 3.13+: the GIL's last_holder */
};

/* What the chain of frames is made of. */
enum py_frame_kind {
	PY_FRAME_OBJECTS,	/* up to 3.10: PyFrameObject from tstate->frame */
	PY_FRAME_CFRAME,	/* 3.11, 3.12: _PyInterpreterFrame from tstate->cframe->current_frame */
	PY_FRAME_CURRENT,	/* 3.13+: _PyInterpreterFrame from tstate->current_frame */
};

struct py_layout {
	unsigned int major, minor;
	enum py_tstate_way tstate_way;
	enum py_frame_kind frame_kind;
	unsigned int linetable_format;	/* py_code's linetable_format: 1 to 4 (giltrace(7)) */
	unsigned int lasti_scale;	/* f_lasti to bytes: 1, or 2 for 3.10's code units */
	int names_are_bytes;		/* 2.7: names and file names are str (bytes) */

	/* The interpreter's own objects. */
	uintptr_t runtime, runtime_end;	/* _PyRuntime, 0 before 3.7 */
	uintptr_t code_type, frame_type, str_type, bytes_type;
	void *(*gilstate_this)(void);	/* 3.6 */
	void *(*interp_head)(void);	/* 2.7 */
	uintptr_t tss;			/* 3.7-3.12: &_PyRuntime...autoTSSkey */
	uint32_t tss_initialized, tss_key;

	/* The GIL (struct _gil_runtime_state): its mutex, which the shim
	 * knows it by (3.13+: learned at the first GIL, see py_layout.c),
	 * and last_holder in it; where the main interpreter's GIL's mutex
	 * must lie (0: not known). */
	uint32_t gil_mutex, gil_holder;
	uintptr_t main_gil_mutex;
	uint32_t interp_ceval_gil;	/* 3.12+: PyInterpreterState.ceval.gil, 0 before */
	uintptr_t interpreters_head;	/* 3.13+: &_PyRuntime.interpreters.head */
	uint32_t interp_gil;		/* 3.13+: PyInterpreterState._gil */

	/* Thread states and interpreters. */
	uint32_t ts_next, ts_interp, ts_thread_id, ts_frame, cframe_current;
	uint32_t interp_next, interp_tstate_head;

	/* Frames: f_back/previous, f_code/f_executable, f_lasti/prev_instr/instr_ptr. */
	uint32_t frame_back, frame_code, frame_instr, frame_owner;
	uintptr_t code_tag_bits;	/* 3.14+: the code reference is tagged */
	unsigned int owner_generator;	/* 3.11, 3.12: a generator's frame */
	unsigned int first_shim_owner;	/* owners from this on are no function's frames */

	/* Code objects; co_name is co_qualname from 3.11; 3.11 on the
	 * bytecode is in the object, from co_code_start */
	uint32_t co_name, co_filename, co_firstlineno, co_linetable;
	uint32_t co_code_start, co_firsttraceable;

	/* Objects. */
	uint32_t ob_type, var_size, bytes_sval, bytes_hash;
	uint32_t str_length, str_hash, str_state, str_ascii_size, str_compact_size;
	uint32_t str_kind_bit, str_compact_bit, str_ascii_bit;
	uint32_t name_hash;		/* a name's cached hash: str_hash, 2.7's bytes_hash */
};

/* The layout once decided on, NULL before and once frames are off: what
 * py_layout_get answers in one load.  Global: the process's. */
extern const struct py_layout *py_layout_on;

/* py_layout_get before the layout is on: decides, or says it is off. */
const struct py_layout *py_layout_get_slow(void);

/*
 * The layout of this process's interpreter, NULL if Python frames are
 * off (no layout, a failed check).  The first call decides, and emits
 * py_frames_off if frames are off; later calls cost one load.  Only
 * called for the events of a CPython GIL while frames are asked for
 * (py_frames.h): a process that is not Python never decides.
 */
static inline const struct py_layout *py_layout_get(void)
{
	const struct py_layout *l = __atomic_load_n(&py_layout_on, __ATOMIC_ACQUIRE);

	return l ? l : py_layout_get_slow();
}

/*
 * The address of the last_holder field of the GIL whose mutex is
 * mutex, 0 if that GIL cannot be where the layout says a GIL lies (then
 * frames are off, with py_frames_off).  For PY_TSTATE_HOLDER*.
 */
uintptr_t py_layout_holder(const struct py_layout *layout, const void *mutex);

/* The GIL struct whose mutex is mutex (what PyInterpreterState.ceval.gil
 * of its interpreters points to), once py_layout_holder said yes. */
uintptr_t py_layout_gil(const struct py_layout *layout, const void *mutex);

/*
 * Turn Python frames off for this process: a check made while reading
 * frames found the layout wrong.  reason becomes py_frames_off's.
 */
void py_layout_fail(const char *reason);

/* Emit py_frames_off if frames are off for a reason and this process has
 * not said so yet (called at every CPython GIL event while off). */
void py_layout_announce(void);

/* In the child of a fork: a process of its own, which says again why
 * its frames are off. */
void py_layout_after_fork_child(void);

#endif
