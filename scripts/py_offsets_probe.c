/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Compiled by scripts/py_offsets_gen.sh against one CPython's own
 * headers (internal ones included, Py_BUILD_CORE), run, and its output
 * pasted into shim/py_offsets_table.h: the offsets the shim reads the
 * frames of that minor version at (struct py_offsets, shim/py_offsets.h),
 * and from 3.13 on the place of each field the shim uses inside the
 * interpreter's own _Py_DebugOffsets (struct py_debug_layout), whose
 * layout changes between minor versions.  Nothing here is guessed: every
 * number is an offsetof() or sizeof() of the interpreter's structures,
 * or a bit position found by setting that bit field.
 *
 * Fields that do not exist in a version print as 0; which ones the shim
 * uses depends on the version (shim/py_layout.c).
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <frameobject.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030E0000
#include "internal/pycore_runtime.h"
#include "internal/pycore_interpframe_structs.h"
#include "internal/pycore_stackref.h"
#elif PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_runtime.h"
#include "internal/pycore_frame.h"
#elif PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_runtime.h"
#include "internal/pycore_frame.h"
#elif PY_VERSION_HEX >= 0x03090000
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"
#elif PY_VERSION_HEX >= 0x03080000
#include "internal/pycore_pystate.h"
#elif PY_VERSION_HEX >= 0x03070000
#include "internal/pystate.h"
#endif

#define F(name, value)	printf("\t\t." #name " = %lu,\n", (unsigned long) (value))

/* The lowest bit a bit field occupies: set it to all ones in a zeroed
 * word and find the first bit that changed. */
#define BIT_OF(type, member, field) do {				\
		type o_;						\
		unsigned int w_, b_ = 0;				\
		memset(&o_, 0, sizeof(o_));				\
		o_.member.field = ~0u;					\
		memcpy(&w_, &o_.member, sizeof(w_));			\
		while (b_ < 32 && !(w_ & (1u << b_))) {			\
			b_++;						\
		}							\
		F(str_##field##_bit, b_);				\
	} while (0)

#if PY_VERSION_HEX < 0x030D0000

static void objects(void)
{
	F(ob_type, offsetof(PyObject, ob_type));
	F(var_size, offsetof(PyVarObject, ob_size));
	F(type_basicsize, offsetof(PyTypeObject, tp_basicsize));
#if PY_MAJOR_VERSION == 2
	F(bytes_sval, offsetof(PyStringObject, ob_sval));
	F(bytes_hash, offsetof(PyStringObject, ob_shash));
	F(bytes_basicsize, offsetof(PyStringObject, ob_sval) + 1);
#else
	F(bytes_sval, offsetof(PyBytesObject, ob_sval));
	F(bytes_hash, offsetof(PyBytesObject, ob_shash));
	F(bytes_basicsize, offsetof(PyBytesObject, ob_sval) + 1);
	F(str_length, offsetof(PyASCIIObject, length));
	F(str_hash, offsetof(PyASCIIObject, hash));
	F(str_state, offsetof(PyASCIIObject, state));
	F(str_ascii_size, sizeof(PyASCIIObject));
	F(str_compact_size, sizeof(PyCompactUnicodeObject));
	F(str_basicsize, sizeof(PyUnicodeObject));
	BIT_OF(PyASCIIObject, state, kind);
	BIT_OF(PyASCIIObject, state, compact);
	BIT_OF(PyASCIIObject, state, ascii);
#endif
}

static void code(void)
{
	F(co_name, offsetof(PyCodeObject, co_name));
	F(co_filename, offsetof(PyCodeObject, co_filename));
	F(co_firstlineno, offsetof(PyCodeObject, co_firstlineno));
#if PY_VERSION_HEX >= 0x030B0000
	F(co_qualname, offsetof(PyCodeObject, co_qualname));
	F(co_linetable, offsetof(PyCodeObject, co_linetable));
	F(co_code_adaptive, offsetof(PyCodeObject, co_code_adaptive));
	F(co_firsttraceable, offsetof(PyCodeObject, _co_firsttraceable));
	/* A variable-size object: the bytecode follows the fixed part. */
	F(code_basicsize, offsetof(PyCodeObject, co_code_adaptive));
#else
#if PY_VERSION_HEX >= 0x030A0000
	F(co_linetable, offsetof(PyCodeObject, co_linetable));
#else
	F(co_linetable, offsetof(PyCodeObject, co_lnotab));
#endif
	F(co_code, offsetof(PyCodeObject, co_code));
	F(code_basicsize, sizeof(PyCodeObject));
#endif
}

static void frames(void)
{
#if PY_VERSION_HEX >= 0x030B0000
	F(ts_frame, offsetof(PyThreadState, cframe));
	F(cframe_current, offsetof(_PyCFrame, current_frame));
	F(iframe_previous, offsetof(_PyInterpreterFrame, previous));
	F(iframe_code, offsetof(_PyInterpreterFrame, f_code));
	F(iframe_instr, offsetof(_PyInterpreterFrame, prev_instr));
	F(iframe_owner, offsetof(_PyInterpreterFrame, owner));
	F(iframe_owner_generator, FRAME_OWNED_BY_GENERATOR);
#if PY_VERSION_HEX >= 0x030C0000
	F(iframe_first_shim_owner, FRAME_OWNED_BY_CSTACK);
#else
	/* 3.11 has no frames of its own in the chain: no owner is one. */
	F(iframe_first_shim_owner, 256);
#endif
#else
	F(ts_frame, offsetof(PyThreadState, frame));
	F(f_back, offsetof(PyFrameObject, f_back));
	F(f_code, offsetof(PyFrameObject, f_code));
	F(f_lasti, offsetof(PyFrameObject, f_lasti));
	F(frame_basicsize, sizeof(PyFrameObject));
#endif
}

static void threads(void)
{
	F(ts_next, offsetof(PyThreadState, next));
	F(ts_interp, offsetof(PyThreadState, interp));
	F(ts_thread_id, offsetof(PyThreadState, thread_id));
#if PY_VERSION_HEX < 0x03070000
	F(interp_next, offsetof(PyInterpreterState, next));
	F(interp_tstate_head, offsetof(PyInterpreterState, tstate_head));
#endif
}

static void runtime(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	F(runtime_size, sizeof(_PyRuntimeState));
	F(runtime_gil, offsetof(_PyRuntimeState, _main_interpreter) + offsetof(PyInterpreterState, _gil));
	F(runtime_tss, offsetof(_PyRuntimeState, autoTSSkey));
	F(interp_ceval_gil, offsetof(PyInterpreterState, ceval.gil));
#elif PY_VERSION_HEX >= 0x03070000
	F(runtime_size, sizeof(_PyRuntimeState));
	F(runtime_gil, offsetof(_PyRuntimeState, ceval.gil));
	F(runtime_tss, offsetof(_PyRuntimeState, gilstate.autoTSSkey));
#endif
#if PY_VERSION_HEX >= 0x03070000
	F(tss_initialized, offsetof(Py_tss_t, _is_initialized));
	F(tss_key, offsetof(Py_tss_t, _key));
	F(gil_last_holder, offsetof(struct _gil_runtime_state, last_holder));
	F(gil_mutex, offsetof(struct _gil_runtime_state, mutex));
#endif
}

/* Up to 3.12, the structures themselves. */
static void offsets(void)
{
	printf("\t{ /* CPython %d.%d */\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
	F(major, PY_MAJOR_VERSION);
	F(minor, PY_MINOR_VERSION);
	runtime();
	threads();
	frames();
	code();
	objects();
	printf("\t},\n");
}

#else /* 3.13 and later */

#if PY_VERSION_HEX >= 0x030E0000
/* 3.14 tags the frame's code reference (a _PyStackRef); the first owner
 * that is no Python function's frame is the interpreter's own. */
#define EXECUTABLE_TAG_BITS	Py_TAG_BITS
#define FIRST_SHIM_OWNER	FRAME_OWNED_BY_INTERPRETER
#else
#define EXECUTABLE_TAG_BITS	0
#define FIRST_SHIM_OWNER	FRAME_OWNED_BY_CSTACK
#endif

#define D(name, member)	F(name, offsetof(_Py_DebugOffsets, member))

/* Where each field the shim uses sits inside _Py_DebugOffsets. */
static void debug_layout(void)
{
	printf("\t{ /* CPython %d.%d _Py_DebugOffsets */\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
	F(minor, PY_MINOR_VERSION);
	F(struct_size, sizeof(_Py_DebugOffsets));
	D(version, version);
	D(free_threaded, free_threaded);
	D(runtime_size, runtime_state.size);
	D(interpreters_head, runtime_state.interpreters_head);
	D(interp_size, interpreter_state.size);
	D(interp_next, interpreter_state.next);
	D(interp_ceval_gil, interpreter_state.ceval_gil);
	D(interp_gil, interpreter_state.gil_runtime_state);
	D(interp_gil_locked, interpreter_state.gil_runtime_state_locked);
	D(interp_gil_holder, interpreter_state.gil_runtime_state_holder);
	D(ts_size, thread_state.size);
	D(ts_prev, thread_state.prev);
	D(ts_next, thread_state.next);
	D(ts_interp, thread_state.interp);
	D(ts_current_frame, thread_state.current_frame);
	D(ts_thread_id, thread_state.thread_id);
	D(frame_size, interpreter_frame.size);
	D(frame_previous, interpreter_frame.previous);
	D(frame_executable, interpreter_frame.executable);
	D(frame_instr_ptr, interpreter_frame.instr_ptr);
	D(frame_owner, interpreter_frame.owner);
	D(code_size, code_object.size);
	D(code_filename, code_object.filename);
	D(code_name, code_object.name);
	D(code_qualname, code_object.qualname);
	D(code_linetable, code_object.linetable);
	D(code_firstlineno, code_object.firstlineno);
	D(code_adaptive, code_object.co_code_adaptive);
	D(object_size, pyobject.size);
	D(object_type, pyobject.ob_type);
	D(bytes_size, bytes_object.size);
	D(bytes_ob_size, bytes_object.ob_size);
	D(bytes_sval, bytes_object.ob_sval);
	D(str_size, unicode_object.size);
	D(str_state, unicode_object.state);
	D(str_length, unicode_object.length);
	D(str_ascii_size, unicode_object.asciiobject_size);
	/* What the descriptor does not say, from this minor's headers. */
	F(executable_tag_bits, EXECUTABLE_TAG_BITS);
	F(first_shim_owner, FIRST_SHIM_OWNER);
	F(str_hash, offsetof(PyASCIIObject, hash));
	F(str_compact_size, sizeof(PyCompactUnicodeObject));
	BIT_OF(PyASCIIObject, state, kind);
	BIT_OF(PyASCIIObject, state, compact);
	BIT_OF(PyASCIIObject, state, ascii);
	printf("\t},\n");
}

#endif

int main(void)
{
#if PY_VERSION_HEX >= 0x030D0000
	debug_layout();
#else
	offsets();
#endif
	return 0;
}
