/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The giltrace event contract: provider "giltrace", documented in
 * giltrace(7).  The analyzer, the Trace Compass analysis and the tests
 * read these names; change them only together.
 *
 * Every event carries the address of the object it is about and the
 * return address of the intercepted call ("caller"), which is also
 * passed as the tracepoint's ip so that the "ip" context records it.
 */

#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER giltrace

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "giltrace_tp.h"

/*
 * Values of fields, under a guard of their own: the unit test of the
 * GIL state machine replaces this provider by a recorder
 * (tests/shim_tp_recorder.h), which pre-defines _GILTRACE_TP_H and still
 * needs them.
 */
#ifndef GILTRACE_TP_VALUES
#define GILTRACE_TP_VALUES

/* Clock values of the "clock" field when a wait has no explicit clock. */
#define GILTRACE_CLOCK_NONE	(-1)	/* untimed wait */
#define GILTRACE_CLOCK_COND	(-2)	/* pthread_cond_timedwait: the condvar's own clock */

/* "ret" of a *_end event whose thread was cancelled inside the wait. */
#define GILTRACE_RET_CANCELLED	(-125)

#endif

#if !defined(_GILTRACE_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define _GILTRACE_TP_H

#include <stdint.h>
#include "gil_cycle_rec.h"
#include <lttng/tracepoint.h>

/* ---- Family 1: every intercepted lock call ------------------------- */

LTTNG_UST_TRACEPOINT_EVENT_CLASS(giltrace, obj_call,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) addr)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(giltrace, obj_ret,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) addr)
		lttng_ust_field_integer(int32_t, ret, ret)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/* Semaphore calls: ret is 0 or -1 as returned, err the errno they set. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(giltrace, sem_ret,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, int, err, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) addr)
		lttng_ust_field_integer(int32_t, ret, ret)
		lttng_ust_field_integer(int32_t, err, err)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/* A wait that may time out: clock is a clockid_t or GILTRACE_CLOCK_*. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(giltrace, obj_timed_begin,
	LTTNG_UST_TP_ARGS(const void *, addr, int, clock, int64_t, abstime_ns, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) addr)
		lttng_ust_field_integer(int32_t, clock, clock)
		lttng_ust_field_integer(int64_t, abstime_ns, abstime_ns)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_call, giltrace, mutex_lock_begin,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_ret, giltrace, mutex_lock_end,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_ret, giltrace, mutex_trylock,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_timed_begin, giltrace, mutex_timedlock_begin,
	LTTNG_UST_TP_ARGS(const void *, addr, int, clock, int64_t, abstime_ns, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_ret, giltrace, mutex_timedlock_end,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, void *, ip))
/* Release-type calls are traced before the real call, so that the
 * event precedes whatever it lets another thread do. */
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_call, giltrace, mutex_unlock,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip))

LTTNG_UST_TRACEPOINT_EVENT(giltrace, cond_wait_begin,
	LTTNG_UST_TP_ARGS(const void *, cond, const void *, mutex, int, clock,
		int64_t, abstime_ns, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) cond)
		lttng_ust_field_integer_hex(uintptr_t, mutex, (uintptr_t) mutex)
		lttng_ust_field_integer(int32_t, clock, clock)
		lttng_ust_field_integer(int64_t, abstime_ns, abstime_ns)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(giltrace, cond_wait_end,
	LTTNG_UST_TP_ARGS(const void *, cond, const void *, mutex, int, ret, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) cond)
		lttng_ust_field_integer_hex(uintptr_t, mutex, (uintptr_t) mutex)
		lttng_ust_field_integer(int32_t, ret, ret)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_call, giltrace, cond_signal,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_call, giltrace, cond_broadcast,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip))

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_timed_begin, giltrace, sem_wait_begin,
	LTTNG_UST_TP_ARGS(const void *, addr, int, clock, int64_t, abstime_ns, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, sem_ret, giltrace, sem_wait_end,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, int, err, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, sem_ret, giltrace, sem_trywait,
	LTTNG_UST_TP_ARGS(const void *, addr, int, ret, int, err, void *, ip))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, obj_call, giltrace, sem_post,
	LTTNG_UST_TP_ARGS(const void *, addr, void *, ip))

/* ---- Family 2: GIL semantics --------------------------------------- */

/*
 * A big interpreter lock was recognised.  gil: its identity in every
 * other gil_* event (the mutex of a mutex+condvar lock, the semaphore
 * of a semaphore lock); cond: its condition variable when known, else 0.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_identified,
	LTTNG_UST_TP_ARGS(const void *, gil, const void *, cond, const char *, kind,
		const char *, method, const char *, runtime, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer_hex(uintptr_t, cond, (uintptr_t) cond)
		lttng_ust_field_string(kind, kind)
		lttng_ust_field_string(method, method)
		lttng_ust_field_string(runtime, runtime)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/* Emitted once, when a traced process ends without any GIL recognised. */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_not_found,
	LTTNG_UST_TP_ARGS(const char *, reason, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(reason, reason)
		lttng_ust_field_unused(ip)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(giltrace, gil_call,
	LTTNG_UST_TP_ARGS(const void *, gil, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/* Every attempt to take the GIL, contended or not. */
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(giltrace, gil_call, giltrace, gil_acquire_begin,
	LTTNG_UST_TP_ARGS(const void *, gil, void *, ip))

/* The attempting thread blocks on the GIL's condition variable. */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_wait_begin,
	LTTNG_UST_TP_ARGS(const void *, gil, const void *, cond, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer_hex(uintptr_t, cond, (uintptr_t) cond)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/*
 * The wait ended: timed_out is 1 for a timeout, 0 for a wake-up.  A
 * wake-up followed by another gil_wait_begin in the same attempt is a
 * failed reacquisition.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_wait_end,
	LTTNG_UST_TP_ARGS(const void *, gil, int, timed_out, int, ret, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer(uint8_t, timed_out, timed_out)
		lttng_ust_field_integer(int32_t, ret, ret)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/*
 * The attempt ended with the GIL held by this thread.  backtrace: the
 * return addresses of the frames above the caller, innermost first
 * (empty unless GILTRACE_CALLSITES asks for them).  pycode, pyinstr:
 * the thread's own innermost Python frames, innermost first: each
 * frame's code object (named by py_code) and the byte offset of its
 * instruction in the code's bytecode (empty unless GILTRACE_PYFRAMES
 * asks for them, and for a thread with no Python frame).
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_acquire_end,
	LTTNG_UST_TP_ARGS(const void *, gil, unsigned int, waits,
		unsigned int, timeouts, void *, ip,
		const uintptr_t *, bt, unsigned int, bt_len,
		const uint64_t *, pycode, const uint32_t *, pyinstr, unsigned int, py_n),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer(uint32_t, waits, waits)
		lttng_ust_field_integer(uint32_t, timeouts, timeouts)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
		lttng_ust_field_sequence_hex(uintptr_t, backtrace, bt, uint8_t, bt_len)
		lttng_ust_field_sequence_hex(uint64_t, pycode, pycode, uint8_t, py_n)
		lttng_ust_field_sequence(uint32_t, pyinstr, pyinstr, uint8_t, py_n)
	)
)

/*
 * The attempt ended without the GIL: the thread gave up (CPython 3
 * threads exit this way while the interpreter shuts down) or was
 * cancelled inside its wait.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_acquire_abandon,
	LTTNG_UST_TP_ARGS(const void *, gil, unsigned int, waits,
		unsigned int, timeouts, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer(uint32_t, waits, waits)
		lttng_ust_field_integer(uint32_t, timeouts, timeouts)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
	)
)

/*
 * This thread released the GIL.  waiters: threads inside an acquire
 * attempt for it at that moment; signalled: 1 if waiters is non-zero
 * and the release's critical section signalled the condition variable
 * (for a semaphore lock: posted it); backtrace, pycode and pyinstr as
 * in gil_acquire_end (read while the thread still holds the GIL).
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_release,
	LTTNG_UST_TP_ARGS(const void *, gil, unsigned int, waiters,
		int, signalled, void *, ip,
		const uintptr_t *, bt, unsigned int, bt_len,
		const uint64_t *, pycode, const uint32_t *, pyinstr, unsigned int, py_n),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer(uint32_t, waiters, waiters)
		lttng_ust_field_integer(uint8_t, signalled, signalled)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
		lttng_ust_field_sequence_hex(uintptr_t, backtrace, bt, uint8_t, bt_len)
		lttng_ust_field_sequence_hex(uint64_t, pycode, pycode, uint8_t, py_n)
		lttng_ust_field_sequence(uint32_t, pyinstr, pyinstr, uint8_t, py_n)
	)
)

/*
 * Compact cycles (giltrace(7)): one GIL cycle of this thread whose
 * attempt did not wait, during which no other thread emitted an event on
 * this GIL (from its begin to its release), emitted at the release: it
 * stands for
 *   gil_acquire_begin(gil, begin_caller) at begin_ts,
 *   gil_acquire_end(gil, 0, 0, acquire_caller, acquire_backtrace,
 *     acquire_pycode, acquire_pyinstr) at acquired_ts,
 *   gil_release(gil, waiters, signalled, caller, backtrace, pycode,
 *     pyinstr) at released_ts, read just before the event.
 * waiters and signalled came later: a gil_cycle without them has 0.
 * The times are values of the trace's clock, read with the function
 * LTTng-UST stamps events with.  The shim now tells such cycles in
 * batches (gil_cycles, below); traces of before carry this event, and
 * every reader still reads it.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_cycle,
	LTTNG_UST_TP_ARGS(const struct gil_cycle_rec *, c, void *, ip,
		const uintptr_t *, bt, unsigned int, bt_len,
		const uint64_t *, pycode, const uint32_t *, pyinstr, unsigned int, py_n),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) c->gil)
		lttng_ust_field_integer(uint64_t, begin_ts, c->begin_ts)
		lttng_ust_field_integer(uint64_t, acquired_ts, c->acquired_ts)
		lttng_ust_field_integer(uint64_t, released_ts, c->end_ts)
		lttng_ust_field_integer_hex(uintptr_t, begin_caller, c->begin_caller)
		lttng_ust_field_integer_hex(uintptr_t, acquire_caller, c->acquire_caller)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_backtrace, c->bt, uint8_t, c->bt_len)
		lttng_ust_field_sequence_hex(uint64_t, acquire_pycode, c->pycode, uint8_t, c->py_n)
		lttng_ust_field_sequence(uint32_t, acquire_pyinstr, c->pyinstr, uint8_t, c->py_n)
		lttng_ust_field_integer_hex(uintptr_t, caller, (uintptr_t) ip)
		lttng_ust_field_sequence_hex(uintptr_t, backtrace, bt, uint8_t, bt_len)
		lttng_ust_field_sequence_hex(uint64_t, pycode, pycode, uint8_t, py_n)
		lttng_ust_field_sequence(uint32_t, pyinstr, pyinstr, uint8_t, py_n)
		lttng_ust_field_integer(uint32_t, waiters, c->waiters)
		lttng_ust_field_integer(uint8_t, signalled, c->signalled)
	)
)

/*
 * Compact cycles, batched: b->n completed gil_cycle's of thread tid
 * (giltrace(7)), in order, told by tid at its next event or when the
 * batch is full, or by the thread about to emit an event that comes
 * after them.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_cycles,
	LTTNG_UST_TP_ARGS(const struct gil_cycle_batch *, b, const void *, gil, int32_t, tid, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) gil)
		lttng_ust_field_integer(int32_t, tid, tid)
		lttng_ust_field_integer(uint64_t, told_ts, b->told_ts)
		lttng_ust_field_sequence(uint64_t, begin_ts, b->begin_ts, uint8_t, b->n)
		lttng_ust_field_sequence(uint64_t, acquired_ts, b->acquired_ts, uint8_t, b->n)
		lttng_ust_field_sequence(uint64_t, released_ts, b->released_ts, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, begin_caller, b->begin_caller, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_caller, b->acquire_caller, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, caller, b->caller, uint8_t, b->n)
		lttng_ust_field_sequence(uint32_t, waiters, b->waiters, uint8_t, b->n)
		lttng_ust_field_sequence(uint8_t, signalled, b->signalled, uint8_t, b->n)
		lttng_ust_field_sequence(uint8_t, acquire_backtrace_len, b->acquire_bt_len, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_backtrace, b->acquire_bt, uint16_t, b->n_acquire_bt)
		lttng_ust_field_sequence(uint8_t, acquire_py_len, b->acquire_py_len, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uint64_t, acquire_pycode, b->acquire_pycode, uint16_t, b->n_acquire_py)
		lttng_ust_field_sequence(uint32_t, acquire_pyinstr, b->acquire_pyinstr, uint16_t, b->n_acquire_py)
		lttng_ust_field_sequence(uint8_t, backtrace_len, b->bt_len, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uintptr_t, backtrace, b->bt, uint16_t, b->n_bt)
		lttng_ust_field_sequence(uint8_t, py_len, b->py_len, uint8_t, b->n)
		lttng_ust_field_sequence_hex(uint64_t, pycode, b->pycode, uint16_t, b->n_py)
		lttng_ust_field_sequence(uint32_t, pyinstr, b->pyinstr, uint16_t, b->n_py)
		lttng_ust_field_unused(ip)
	)
)

/*
 * The start of thread tid's pending compact cycle, told by the thread
 * about to emit an event that comes after it (on the same GIL, or the
 * pending thread itself on another GIL) so that the trace keeps the
 * order of today's events: it stands for tid's gil_acquire_begin at
 * begin_ts and, unless acquired_ts is 0 (the attempt goes on), its
 * gil_acquire_end without a wait at acquired_ts.  The rest of that
 * cycle follows in today's events.  opened_ts: the clock read just
 * before the event, for readers that can only subtract clock values.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_cycle_open,
	LTTNG_UST_TP_ARGS(const struct gil_cycle_rec *, c, int32_t, tid, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, gil, (uintptr_t) c->gil)
		lttng_ust_field_integer(int32_t, tid, tid)
		lttng_ust_field_integer(uint64_t, begin_ts, c->begin_ts)
		lttng_ust_field_integer(uint64_t, acquired_ts, c->acquired_ts)
		lttng_ust_field_integer(uint64_t, opened_ts, c->end_ts)
		lttng_ust_field_integer_hex(uintptr_t, begin_caller, c->begin_caller)
		lttng_ust_field_integer_hex(uintptr_t, acquire_caller, c->acquire_caller)
		lttng_ust_field_sequence_hex(uintptr_t, acquire_backtrace, c->bt, uint8_t, c->bt_len)
		lttng_ust_field_sequence_hex(uint64_t, acquire_pycode, c->pycode, uint8_t, c->py_n)
		lttng_ust_field_sequence(uint32_t, acquire_pyinstr, c->pyinstr, uint8_t, c->py_n)
		lttng_ust_field_unused(ip)
	)
)

/*
 * Names a code address that GIL events of this process carry (caller
 * or backtrace frame), once per process, before the first event that
 * carries it.  symbol: the function containing it, only if its extent
 * covers the address (else "[unknown]": a stripped binary); offset: from the
 * symbol's start (0 without one); binary: the file of the object
 * containing it ("[unknown]" for none); binary_offset: the address in that
 * file's own ELF address space (as addr2line takes it).
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, gil_callsite,
	LTTNG_UST_TP_ARGS(const void *, addr, const char *, symbol, uint64_t, offset,
		const char *, binary, uint64_t, binary_offset, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t) addr)
		lttng_ust_field_string(symbol, symbol)
		lttng_ust_field_integer_hex(uint64_t, offset, offset)
		lttng_ust_field_string(binary, binary)
		lttng_ust_field_integer_hex(uint64_t, binary_offset, binary_offset)
		lttng_ust_field_unused(ip)
	)
)

/* ---- Family 3: Python frames and thread names ---------------------- */

/*
 * Names one code object that GIL events of this process carry in
 * pycode, before the first event that carries it, and again if its
 * address comes to hold another code object.  name: co_qualname from
 * 3.11, co_name before (UTF-8, at most 255 bytes); filename: co_filename
 * (at most 1023 bytes); linetable: the raw bytes of co_lnotab (format
 * 1: 2.7 to 3.9), 3.10's co_linetable (2) or the location table of
 * 3.11+ (3), at most 65536 bytes.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, py_code,
	LTTNG_UST_TP_ARGS(const void *, code, const char *, name, const char *, filename,
		int, firstlineno, unsigned int, linetable_format,
		const uint8_t *, linetable, uint32_t, linetable_len, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, code, (uintptr_t) code)
		lttng_ust_field_string(name, name)
		lttng_ust_field_string(filename, filename)
		lttng_ust_field_integer(int32_t, firstlineno, firstlineno)
		lttng_ust_field_integer(uint8_t, linetable_format, linetable_format)
		lttng_ust_field_sequence(uint8_t, linetable, linetable, uint32_t, linetable_len)
		lttng_ust_field_unused(ip)
	)
)

/*
 * Once per thread: the code object of the function the thread was
 * started to run (the one threading's Thread.run called, named by
 * py_code), 0 for a thread threading did not start.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, py_thread_target,
	LTTNG_UST_TP_ARGS(const void *, target, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, target, (uintptr_t) target)
		lttng_ust_field_unused(ip)
	)
)

/* Once per process: why Python frames are not recorded although asked for. */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, py_frames_off,
	LTTNG_UST_TP_ARGS(const char *, reason, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(reason, reason)
		lttng_ust_field_unused(ip)
	)
)

/* The calling thread named itself (pthread_setname_np succeeded). */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, thread_name,
	LTTNG_UST_TP_ARGS(const char *, name, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(name, name)
		lttng_ust_field_unused(ip)
	)
)

/*
 * The process is exiting (exit(), or main returned): emitted by the
 * shim's destructor, after the program's atexit handlers (and so after
 * an interpreter's finalization).  An attempt to take the GIL still
 * open then is one the process ended before it finished (a thread
 * blocked for the GIL at exit), not a trace cut short.  No such event
 * when the process is killed or calls _exit.  gils: how many GILs the
 * process had recognised.
 */
LTTNG_UST_TRACEPOINT_EVENT(giltrace, process_exit,
	LTTNG_UST_TP_ARGS(unsigned int, gils, void *, ip),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(unsigned int, gils, gils)
		lttng_ust_field_unused(ip)
	)
)

#endif /* _GILTRACE_TP_H */

/* Must stay outside the include guard: it re-reads this header. */
#include <lttng/tracepoint-event.h>
