/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The giltrace tracepoint provider replaced by a recorder, for
 * tests/check_gil_tracker.c, which compiles the shim's own sources.
 *
 * How: this header is force-included (-include) into every file of that
 * test, before anything else.  It pre-defines _GILTRACE_TP_H, the guard
 * of the real provider header, so that the shim's unchanged
 * #include "giltrace_tp.h" reads only the field values under their own
 * guard (GILTRACE_TP_VALUES) and the closing <lttng/tracepoint-event.h>,
 * which declares nothing without LTTNG_UST_TRACEPOINT_CREATE_PROBES: no
 * LTTng code is compiled or linked.  A header of another name, not a
 * second giltrace_tp.h earlier on the include path: no two files of the
 * tree share a name, and the shim's include must keep meaning the real
 * contract everywhere else.
 *
 * lttng_ust_tracepoint(giltrace, NAME, ...) becomes tp_rec_NAME(...),
 * with the event's arguments (tests/shim_fakes.c keeps them); a shim
 * file that uses an event without such a function does not compile.
 * Like LTTng, a recorder function records only if its event is enabled.
 *
 * No system header here: this comes before the sources' own
 * _GNU_SOURCE, which must precede the first one.
 */
#ifndef GILTRACE_TESTS_SHIM_TP_RECORDER_H
#define GILTRACE_TESTS_SHIM_TP_RECORDER_H

#define _GILTRACE_TP_H

#define lttng_ust_tracepoint(provider, name, ...)	tp_rec_##name(__VA_ARGS__)
#define lttng_ust_tracepoint_enabled(provider, name)	tp_rec_enabled(#name)

int tp_rec_enabled(const char *event);

/* shim/tp_recording.h: a name event is recorded when enabled, here, but
 * for gil_callsite in a world whose session is starting
 * (tests/shim_fakes.c): tp_recorded(TP_GIL_CALLSITE) asks
 * tp_rec_recorded("TP_GIL_CALLSITE"). */
#define GILTRACE_SHIM_TP_RECORDING_H
#define tp_recorded(ev)	tp_rec_recorded(#ev)
/* No array of probes to confirm here: recorded is confirmed. */
#define tp_recorded_confirmed(ev)	tp_rec_recorded(#ev)
int tp_rec_recorded(const char *ev);
/* How many sessions started recording beside another (SIM_BESIDE). */
#define tp_recording_changes()	tp_rec_changes()
unsigned int tp_rec_changes(void);

void tp_rec_gil_identified(const void *gil, const void *cond, const char *kind,
		const char *method, const char *runtime, void *ip);
void tp_rec_gil_not_found(const char *reason, void *ip);
void tp_rec_process_exit(unsigned int gils, void *ip);
void tp_rec_gil_acquire_begin(const void *gil, void *ip);
void tp_rec_gil_wait_begin(const void *gil, const void *cond, void *ip);
void tp_rec_gil_wait_end(const void *gil, int timed_out, int ret, void *ip);
void tp_rec_gil_acquire_end(const void *gil, unsigned int waits, unsigned int timeouts,
		void *ip, const __UINTPTR_TYPE__ *bt, unsigned int bt_len,
		const __UINT64_TYPE__ *pycode, const __UINT32_TYPE__ *pyinstr, unsigned int py_n);
void tp_rec_gil_acquire_abandon(const void *gil, unsigned int waits, unsigned int timeouts,
		void *ip);
void tp_rec_gil_release(const void *gil, unsigned int waiters, int signalled, void *ip,
		const __UINTPTR_TYPE__ *bt, unsigned int bt_len,
		const __UINT64_TYPE__ *pycode, const __UINT32_TYPE__ *pyinstr, unsigned int py_n);
struct gil_cycle_rec;
void tp_rec_gil_cycle(const struct gil_cycle_rec *c, void *ip,
		const __UINTPTR_TYPE__ *bt, unsigned int bt_len,
		const __UINT64_TYPE__ *pycode, const __UINT32_TYPE__ *pyinstr, unsigned int py_n);
struct gil_cycle_batch;
void tp_rec_gil_cycles(const struct gil_cycle_batch *b, const void *gil, __INT32_TYPE__ tid, void *ip);
void tp_rec_gil_cycle_open(const struct gil_cycle_rec *c, __INT32_TYPE__ tid, void *ip);
void tp_rec_gil_callsite(const void *addr, const char *symbol, __UINT64_TYPE__ offset,
		const char *binary, __UINT64_TYPE__ binary_offset, void *ip);

#endif
