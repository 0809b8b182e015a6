/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The shim's GIL state machine (shim/gil_tracker.c) and identification
 * (shim/gil_identify.c), compiled as they are, fed lock-call sequences
 * of simulated threads in a fake program (tests/shim_fakes.h), each
 * with the exact GIL events it must produce.  The protocols are those
 * of the interpreters (CPython 3's take_gil and drop_gil, 2.7's
 * semaphore, Ruby 3.1's GVL, OCaml 4's master lock) and of
 * tests/progs/biglock_wrapped.c; the expected events are worked out by
 * hand from giltrace(7), not taken from the code's output.
 *
 * Every test runs in a process of its own (check's default fork mode):
 * the shim's registry and caches are per process, as in a traced
 * program.  With CK_FORK=no, run one test at a time (CK_RUN_CASE,
 * CK_RUN_TEST... and a single iteration).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/gil_tracker.h"
#include "tests/shim_fakes.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the fake program: code ------------------------------------------ */

/*
 * Functions, each 0x100 bytes (take_gil and drop_gil 0x200).  A call
 * site is a return address: the function's start plus the offset noted
 * at each protocol below.
 */
#define TAKE		0x401000	/* take_gil */
#define DROP		0x401200	/* drop_gil */
#define S_TAKE		0x402000	/* the same in a stripped binary: no names */
#define S_DROP		0x402200
#define PT_ACQ		0x403000	/* PyThread_acquire_lock */
#define PT_REL		0x403100	/* PyThread_release_lock */
#define EVAL_RESTORE	0x403200	/* PyEval_RestoreThread */
#define EVAL_SAVE	0x403300	/* PyEval_SaveThread */
#define EVAL_REINIT	0x403400	/* PyEval_ReInitThreads */
#define LOCK_ACQ	0x403500	/* lock_PyThread_acquire_lock: threading.Lock */
#define RB_LOCK_FN	0x404000	/* rb_native_mutex_lock */
#define RB_UNLOCK_FN	0x404100	/* rb_native_mutex_unlock */
#define RB_WAIT_FN	0x404200	/* rb_native_cond_wait */
#define RB_SIGNAL_FN	0x404300	/* rb_native_cond_signal */
#define OC_LEAVE	0x405000	/* caml_thread_leave_blocking_section (static) */
#define OC_ENTER	0x405100	/* caml_thread_enter_blocking_section (static) */
#define OC_YIELD	0x405200	/* caml_thread_yield */
#define OC5_ACQ		0x405300	/* OCaml 5: st_masterlock_acquire (static) */
#define OC5_REL		0x405400	/* st_masterlock_release (static) */
#define OC5_YIELD	0x405500	/* thread_yield (static) */
#define OC5_DLOCK	0x405600	/* caml_acquire_domain_lock */
#define OC5_DUNLOCK	0x405700	/* caml_release_domain_lock */
#define BL_LOCK_FN	0x406000	/* bl_mutex_lock, a named wrapper */
#define BL_UNLOCK_FN	0x406100	/* bl_mutex_unlock */
#define BL_WAIT_FN	0x406200	/* bl_cond_timedwait */
#define BL_SIGNAL_FN	0x406300	/* bl_cond_signal */
#define BL_ACQUIRE	0x406400	/* bl_acquire, bl_release, bl_yield: named lock functions */
#define BL_RELEASE	0x406500
#define BL_YIELD	0x406600
#define APP		0x407000	/* the program's own code */
#define BIG_LOCK	0x408000	/* big_lock, big_unlock: named, calling pthread directly */
#define BIG_UNLOCK	0x408100

static const struct fake_function functions[] = {
	{ "take_gil", "take_gil", TAKE, TAKE + 0x200, 0 },
	{ "drop_gil", "drop_gil", DROP, DROP + 0x200, 0 },
	{ "take_gil(stripped)", "", S_TAKE, S_TAKE + 0x200, 0 },
	{ "drop_gil(stripped)", "", S_DROP, S_DROP + 0x200, 0 },
	{ "PyThread_acquire_lock", "PyThread_acquire_lock", PT_ACQ, PT_ACQ + 0x100, 0 },
	{ "PyThread_release_lock", "PyThread_release_lock", PT_REL, PT_REL + 0x100, 0 },
	{ "PyEval_RestoreThread", "PyEval_RestoreThread", EVAL_RESTORE, EVAL_RESTORE + 0x100, 0 },
	{ "PyEval_SaveThread", "PyEval_SaveThread", EVAL_SAVE, EVAL_SAVE + 0x100, 0 },
	{ "PyEval_ReInitThreads", "PyEval_ReInitThreads", EVAL_REINIT, EVAL_REINIT + 0x100, 0 },
	{ "lock_PyThread_acquire_lock", "lock_PyThread_acquire_lock", LOCK_ACQ, LOCK_ACQ + 0x100, 0 },
	{ "rb_native_mutex_lock", "rb_native_mutex_lock", RB_LOCK_FN, RB_LOCK_FN + 0x100, 0 },
	{ "rb_native_mutex_unlock", "rb_native_mutex_unlock", RB_UNLOCK_FN, RB_UNLOCK_FN + 0x100, 0 },
	{ "rb_native_cond_wait", "rb_native_cond_wait", RB_WAIT_FN, RB_WAIT_FN + 0x100, 0 },
	{ "rb_native_cond_signal", "rb_native_cond_signal", RB_SIGNAL_FN, RB_SIGNAL_FN + 0x100, 0 },
	{ "caml_thread_leave_blocking_section", "", OC_LEAVE, OC_LEAVE + 0x100, SITE_OCAML_TAKE },
	{ "caml_thread_enter_blocking_section", "", OC_ENTER, OC_ENTER + 0x100, SITE_OCAML_DROP },
	{ "caml_thread_yield", "caml_thread_yield", OC_YIELD, OC_YIELD + 0x100, 0 },
	{ "st_masterlock_acquire", "", OC5_ACQ, OC5_ACQ + 0x100, 0 },
	{ "st_masterlock_release", "", OC5_REL, OC5_REL + 0x100, 0 },
	{ "thread_yield", "", OC5_YIELD, OC5_YIELD + 0x100, 0 },
	{ "caml_acquire_domain_lock", "caml_acquire_domain_lock", OC5_DLOCK, OC5_DLOCK + 0x100,
		SITE_OCAML_DOMAIN_LOCK },
	{ "caml_release_domain_lock", "caml_release_domain_lock", OC5_DUNLOCK, OC5_DUNLOCK + 0x100,
		SITE_OCAML_DOMAIN_UNLOCK },
	{ "bl_mutex_lock", "bl_mutex_lock", BL_LOCK_FN, BL_LOCK_FN + 0x100, 0 },
	{ "bl_mutex_unlock", "bl_mutex_unlock", BL_UNLOCK_FN, BL_UNLOCK_FN + 0x100, 0 },
	{ "bl_cond_timedwait", "bl_cond_timedwait", BL_WAIT_FN, BL_WAIT_FN + 0x100, 0 },
	{ "bl_cond_signal", "bl_cond_signal", BL_SIGNAL_FN, BL_SIGNAL_FN + 0x100, 0 },
	{ "bl_acquire", "bl_acquire", BL_ACQUIRE, BL_ACQUIRE + 0x100, 0 },
	{ "bl_release", "bl_release", BL_RELEASE, BL_RELEASE + 0x100, 0 },
	{ "bl_yield", "bl_yield", BL_YIELD, BL_YIELD + 0x100, 0 },
	{ "app_main", "app_main", APP, APP + 0x100, 0 },
	{ "big_lock", "big_lock", BIG_LOCK, BIG_LOCK + 0x100, 0 },
	{ "big_unlock", "big_unlock", BIG_UNLOCK, BIG_UNLOCK + 0x100, 0 },
	{ NULL, NULL, 0, 0, 0 },
};

/* ---- the fake program: data ------------------------------------------ */

#define RUNTIME		0x600000	/* _PyRuntime */
#define RUNTIME_SIZE	0x10000
#define M1		0x600100	/* its GIL: mutex, condvar, switch mutex and condvar */
#define C1		0x6000c0
#define SWM1		0x600140
#define SWC1		0x600180
#define M2		0x900100	/* a sub-interpreter's own GIL, allocated apart */
#define C2		0x9000c0
#define SWM2		0x900140
#define SWC2		0x900180
#define RT_LOCK		0x600800	/* another mutex inside _PyRuntime */
#define RT_COND		0x600840
#define SEM		0x920000	/* CPython 2.7's GIL */
#define SEM2		0x920100	/* ... made anew in a forked child */
#define SEM_LOCK	0x920200	/* a threading.Lock */
#define RB_OBJ		0xa00000	/* Ruby's VM and main ractor objects */
#define RB_OBJ_SIZE	0x10000
#define GVL		0xa00100	/* the main ractor's GVL */
#define GVL_SWITCH	0xa00148	/* its hand-over condvars */
#define GVL_SWITCH_WAIT	0xa00178
#define RB_VM_LOCK	0xa00800	/* another mutex of those objects */
#define RB_VM_COND	0xa00840
#define GVL2		0xa20100	/* another ractor's GVL */
#define Q2		0xb00210	/* the threads' own condvars */
#define Q3		0xb00310
#define ML		0xc00000	/* OCaml's master lock */
#define ML_FREE		0xc00040
#define DL		0xc00800	/* OCaml 5: the domain lock */
#define ML2		0xc00090	/* another domain's master lock, condvar, domain lock */
#define ML2_FREE	0xc000d0
#define DL2		0xc00900
#define BL		0xd00000	/* biglock_wrapped's lock */
#define BL_FREE		0xd00040
#define BIG		0xe00100	/* big_lock's */
#define BIG_COND	0xe00140
#define APP_LOCK	0xe00800	/* locks of the program's own */
#define APP_COND	0xe00840

static const struct fake_object objects[] = {
	{ M1, "M1" }, { C1, "C1" }, { SWM1, "SWM1" }, { SWC1, "SWC1" },
	{ M2, "M2" }, { C2, "C2" }, { SWM2, "SWM2" }, { SWC2, "SWC2" },
	{ RT_LOCK, "RT_LOCK" }, { RT_COND, "RT_COND" },
	{ SEM, "SEM" }, { SEM2, "SEM2" }, { SEM_LOCK, "SEM_LOCK" },
	{ GVL, "GVL" }, { GVL_SWITCH, "GVL_SWITCH" }, { GVL_SWITCH_WAIT, "GVL_SWITCH_WAIT" },
	{ RB_VM_LOCK, "RB_VM_LOCK" }, { RB_VM_COND, "RB_VM_COND" }, { GVL2, "GVL2" },
	{ Q2, "Q2" }, { Q3, "Q3" },
	{ ML, "ML" }, { ML_FREE, "ML_FREE" }, { BL, "BL" }, { BL_FREE, "BL_FREE" },
	{ DL, "DL" }, { ML2, "ML2" }, { ML2_FREE, "ML2_FREE" }, { DL2, "DL2" },
	{ BIG, "BIG" }, { BIG_COND, "BIG_COND" }, { APP_LOCK, "APP_LOCK" }, { APP_COND, "APP_COND" },
	{ 0, NULL },
};

/* ---- the processes ---------------------------------------------------- */

#define PROGRAM		.functions = functions, .objects = objects
#define CPYTHON_311	PROGRAM, .py_version = "3.11.7 (main, Dec  8 2023, 18:00:00) [GCC 12.2.0]", \
			.py_runtime = RUNTIME, .py_runtime_size = RUNTIME_SIZE
#define CPYTHON_312	PROGRAM, .py_version = "3.12.1 (main, Jan  2 2024, 10:00:00) [GCC 12.2.0]", \
			.py_runtime = RUNTIME, .py_runtime_size = RUNTIME_SIZE
#define CPYTHON_27	PROGRAM, .py_version = "2.7.18 (default, Sep  1 2023, 10:00:00) \n[GCC 12.2.0]"

static const uintptr_t gvl_handover[] = { GVL_SWITCH, GVL_SWITCH_WAIT, 0 };

#define RUBY_31		PROGRAM, .ruby_version = "3.1.2", .ruby_lo = RB_OBJ, \
			.ruby_hi = RB_OBJ + RB_OBJ_SIZE, .ruby_gvl = GVL, .ruby_gvl2 = GVL2, \
			.ruby_handover = gvl_handover
#define OCAML_4		PROGRAM, .ocaml_version = "4.13.1"
#define OCAML_5		PROGRAM, .ocaml_version = "5.3.0"

static const struct fake_world py311 = { CPYTHON_311 };
static const struct fake_world py311_midrun = { CPYTHON_311, .tracing_off = 1 };
static const struct fake_world py311_callsites = { CPYTHON_311, .callsites = 2 };
static const struct fake_world py311_pyframes = { CPYTHON_311, .pyframes = 2 };
static const struct fake_world py311_user = { CPYTHON_311, .lock_funcs = "big_lock:big_unlock" };
static const struct fake_world py312 = { CPYTHON_312 };
static const struct fake_world py27 = { CPYTHON_27 };
static const struct fake_world py27_pyframes = { CPYTHON_27, .pyframes = 2 };
static const struct fake_world py311_compact = { CPYTHON_311, .compact = 1 };
/* A session starting (tp_recording.h): gil_callsite enabled, and the
 * names told now dropped. */
static const struct fake_world py311_compact_starting = { CPYTHON_311, .compact = 1, .callsites = 1,
	.callsites_unrecorded = 1 };
/* A clock of 10 kHz, read 10 cycles a time: a millisecond passes at each
 * reading, and every batch is told at the release that ends it. */
static const struct fake_world py311_compact_slow = { CPYTHON_311, .compact = 1, .clock_hz = 10000 };
static const struct fake_world py27_compact = { CPYTHON_27, .compact = 1 };
static const struct fake_world py311_compact_pyframes = { CPYTHON_311, .compact = 1, .pyframes = 2 };
static const struct fake_world ruby = { RUBY_31 };
static const struct fake_world ruby_pyframes = { RUBY_31, .pyframes = 2 };
static const struct fake_world ruby_midrun = { RUBY_31, .tracing_off = 1 };
static const struct fake_world ocaml = { OCAML_4 };
static const struct fake_world ocaml_midrun = { OCAML_4, .tracing_off = 1 };
static const struct fake_world ocaml5 = { OCAML_5 };
static const struct fake_world user = { PROGRAM, .lock_funcs = "bl_acquire:bl_release:bl_yield",
	.lock_wrappers = "bl_mutex_lock" };

/* gil_identified's runtime field */
#define CPY311	"CPython 3.11.7"
#define CPY312	"CPython 3.12.1"
#define CPY27	"CPython 2.7.18"
#define RUBY	"Ruby 3.1.2"
#define OCAML	"OCaml 4.13.1"
#define OCAML5	"OCaml 5.3.0"
#define USER	"user-named lock"

/* ---- steps ------------------------------------------------------------ */

#define STEP(t, o, ...)		{ .thread = (t), .op = (o), __VA_ARGS__ }
#define LOCK(t, m, at)		STEP(t, SIM_LOCK, .obj = (m), .caller = (at))
#define LOCK_UP(t, m, at, ...)	STEP(t, SIM_LOCK, .obj = (m), .caller = (at), .up = { __VA_ARGS__ })
#define LOCK_FAILS(t, m, at, e)	STEP(t, SIM_LOCK, .obj = (m), .caller = (at), .ret = (e))
#define UNLOCK(t, m, at)	STEP(t, SIM_UNLOCK, .obj = (m), .caller = (at))
#define UNLOCK_UP(t, m, at, ...) STEP(t, SIM_UNLOCK, .obj = (m), .caller = (at), .up = { __VA_ARGS__ })
#define WAIT(t, c, m, at)	STEP(t, SIM_WAIT, .obj = (c), .mutex = (m), .caller = (at))
#define TIMEDWAIT(t, c, m, at)	STEP(t, SIM_WAIT, .obj = (c), .mutex = (m), .caller = (at), .timed = 1)
#define WOKEN(t)		STEP(t, SIM_WAKE, .ret = 0)
#define TIMES_OUT(t)		STEP(t, SIM_WAKE, .ret = ETIMEDOUT)
#define CANCELLED(t)		STEP(t, SIM_CANCEL, .ret = 0)
#define SIGNAL(t, c, at)	STEP(t, SIM_SIGNAL, .obj = (c), .caller = (at))
#define SEM_WAIT(t, s, at, ...)	STEP(t, SIM_SEM_WAIT, .obj = (s), .caller = (at), .up = { __VA_ARGS__ })
#define SEM_WOKEN(t)		STEP(t, SIM_SEM_WAKE, .ret = 0)
#define SEM_EINTR(t)		STEP(t, SIM_SEM_WAKE, .ret = -1, .err = EINTR)
#define SEM_CANCELLED(t)	STEP(t, SIM_SEM_CANCEL, .ret = 0)
#define SEM_TRYWAIT(t, s, at, r, e, ...) \
	STEP(t, SIM_SEM_TRYWAIT, .obj = (s), .caller = (at), .ret = (r), .err = (e), .up = { __VA_ARGS__ })
#define SEM_POST(t, s, at, ...)	STEP(t, SIM_SEM_POST, .obj = (s), .caller = (at), .up = { __VA_ARGS__ })
#define FORK(t)			STEP(t, SIM_FORK, .ret = 0)
#define TRACING(on)		STEP(0, SIM_TRACING, .ret = (on))
#define BESIDE()		STEP(0, SIM_BESIDE, .ret = 0)
#define EXIT()			STEP(0, SIM_EXIT, .ret = 0)
#define FLUSH()			STEP(0, SIM_FLUSH, .ret = 0)
/* Python frames (code object, byte offset) of the thread at the call. */
#define PYF(code, instr)	{ (code), (instr) }
#define UNLOCK_PY(t, m, at, ...) STEP(t, SIM_UNLOCK, .obj = (m), .caller = (at), .py = { __VA_ARGS__ })

/*
 * CPython 3's take_gil and drop_gil (Python/ceval_gil.c, 3.7 to 3.13,
 * FORCE_SWITCHING) of thread t, with the code at take or drop (TAKE or
 * S_TAKE, DROP or S_DROP), on the GIL whose mutex, condvar, switch mutex
 * and switch condvar follow.  Sites: take_gil +0x10 locks the mutex,
 * +0x20 waits, +0x30 locks the switch mutex, +0x38 signals the switch
 * condvar, +0x40 unlocks it, +0x50 unlocks the mutex, +0x60 unlocks it
 * for a thread that must exit; drop_gil +0x10 locks, +0x20 signals,
 * +0x30 unlocks.  The variadic forms take GIL1 or GIL2 as one argument.
 */
#define GIL1	M1, C1, SWM1, SWC1
#define GIL2	M2, C2, SWM2, SWC2

#define TAKE_LOCK(t, take, ...)		TAKE_LOCK_(t, take, __VA_ARGS__)
#define TAKE_LOCK_(t, take, m, c, swm, swc)	LOCK(t, m, (take) + 0x10)
#define TAKE_WAIT(t, take, ...)		TAKE_WAIT_(t, take, __VA_ARGS__)
#define TAKE_WAIT_(t, take, m, c, swm, swc)	TIMEDWAIT(t, c, m, (take) + 0x20)
/* ... the GIL is free (again): the switch mutex, then the unlock */
#define TAKE_SWITCH(t, take, ...)	TAKE_SWITCH_(t, take, __VA_ARGS__)
#define TAKE_SWITCH_(t, take, m, c, swm, swc) \
	LOCK(t, swm, (take) + 0x30), SIGNAL(t, swc, (take) + 0x38), \
	UNLOCK(t, swm, (take) + 0x40), UNLOCK(t, m, (take) + 0x50)
#define TAKE_FREE(t, take, ...)		TAKE_LOCK(t, take, __VA_ARGS__), TAKE_SWITCH(t, take, __VA_ARGS__)
#define DROP_GIL(t, drop, ...)		DROP_GIL_(t, drop, __VA_ARGS__)
#define DROP_GIL_(t, drop, m, c, swm, swc) \
	LOCK(t, m, (drop) + 0x10), SIGNAL(t, c, (drop) + 0x20), UNLOCK(t, m, (drop) + 0x30)

/* CPython 2.7: PyThread_acquire_lock (+0x10 sem_wait, +0x20 sem_trywait)
 * and PyThread_release_lock (+0x10 sem_post), called from PyEval_*. */
#define GIL27_WAIT(t)	SEM_WAIT(t, SEM, PT_ACQ + 0x10, EVAL_RESTORE + 0x10)
#define GIL27_POST(t)	SEM_POST(t, SEM, PT_REL + 0x10, EVAL_SAVE + 0x10)

/* Ruby 3.1: every call through rb_native_* (+0x10). */
#define RB_LOCK(t, m)		LOCK(t, m, RB_LOCK_FN + 0x10)
#define RB_LOCK_START(t, m)	STEP(t, SIM_LOCK, .obj = (m), .caller = RB_LOCK_FN + 0x10, .start = 1)
#define RB_UNLOCK(t, m)		UNLOCK(t, m, RB_UNLOCK_FN + 0x10)
#define RB_WAIT(t, c, m)	WAIT(t, c, m, RB_WAIT_FN + 0x10)
#define RB_SIGNAL(t, c)		SIGNAL(t, c, RB_SIGNAL_FN + 0x10)

/* OCaml 4 (st_posix.h): st_masterlock_acquire inside the leave hook's
 * function (+0x10 lock, +0x20 wait, +0x30 unlock); st_masterlock_release
 * in the enter hook's (+0x10 lock, +0x20 unlock, +0x28 signal after it). */
#define OC_TAKE_LOCK(t)		LOCK(t, ML, OC_LEAVE + 0x10)
#define OC_TAKE_WAIT(t)		WAIT(t, ML_FREE, ML, OC_LEAVE + 0x20)
#define OC_TAKE_UNLOCK(t)	UNLOCK(t, ML, OC_LEAVE + 0x30)
#define OC_RELEASE(t)		LOCK(t, ML, OC_ENTER + 0x10), UNLOCK(t, ML, OC_ENTER + 0x20), \
				SIGNAL(t, ML_FREE, OC_ENTER + 0x28)

/*
 * OCaml 5 (st_pthreads.h), thread t on the master lock m, condvar c and
 * domain lock d of its domain: st_masterlock_acquire (+0x10 lock, +0x20
 * wait, the domain lock, +0x30 unlock), st_masterlock_release (+0x10
 * lock, the domain lock released, +0x20 signal, +0x30 unlock), all the
 * domain lock's calls at +0x10 of its functions.
 */
#define OC5_TAKE_LOCK(t, m)	LOCK(t, m, OC5_ACQ + 0x10)
#define OC5_TAKE_WAIT(t, m, c)	WAIT(t, c, m, OC5_ACQ + 0x20)
#define OC5_TAKE_END(t, m, d)	LOCK(t, d, OC5_DLOCK + 0x10), UNLOCK(t, m, OC5_ACQ + 0x30)
#define OC5_RELEASE(t, m, c, d)	LOCK(t, m, OC5_REL + 0x10), UNLOCK(t, d, OC5_DUNLOCK + 0x10), \
				SIGNAL(t, c, OC5_REL + 0x20), UNLOCK(t, m, OC5_REL + 0x30)

/* biglock_wrapped: pthread calls at +0x10 of the wrappers, made from
 * the lock function's site from. */
#define BL_LOCK(t, from)	LOCK_UP(t, BL, BL_LOCK_FN + 0x10, from)
#define BL_UNLOCK(t)		UNLOCK(t, BL, BL_UNLOCK_FN + 0x10)
#define BL_WAIT(t)		TIMEDWAIT(t, BL_FREE, BL, BL_WAIT_FN + 0x10)
#define BL_SIGNAL(t)		SIGNAL(t, BL_FREE, BL_SIGNAL_FN + 0x10)

/* ---- expected events -------------------------------------------------- */

#define CONDVAR		"mutex+condvar"
#define SEMAPHORE	"semaphore"

#define EV(n, t, l, at, ...)	{ .name = (n), .thread = (t), .gil = (l), .caller = (at), __VA_ARGS__ }
#define EV_IDENT(t, l, c, k, m, r, at) \
	EV("gil_identified", t, l, at, .cond = (c), .kind = k, .method = m, .runtime = r)
#define EV_BEGIN(t, l, at)	EV("gil_acquire_begin", t, l, at)
#define EV_WAIT(t, l, c, at)	EV("gil_wait_begin", t, l, at, .cond = (c))
#define EV_WOKEN(t, l, at)	EV("gil_wait_end", t, l, at, .timed_out = 0, .ret = 0)
#define EV_TIMEOUT(t, l, at)	EV("gil_wait_end", t, l, at, .timed_out = 1, .ret = ETIMEDOUT)
#define EV_CANCELLED(t, l, at)	EV("gil_wait_end", t, l, at, .timed_out = 0, .ret = GILTRACE_RET_CANCELLED)
#define EV_END(t, l, w, to, at)	EV("gil_acquire_end", t, l, at, .waits = (w), .timeouts = (to))
#define EV_END_BT(t, l, w, to, at, b0, b1) \
	EV("gil_acquire_end", t, l, at, .waits = (w), .timeouts = (to), .bt_len = 2, .bt = { b0, b1 })
#define EV_ABANDON(t, l, w, to, at) \
	EV("gil_acquire_abandon", t, l, at, .waits = (w), .timeouts = (to))
#define EV_RELEASE(t, l, n, s, at) \
	EV("gil_release", t, l, at, .waiters = (n), .signalled = (s))
#define EV_RELEASE_BT(t, l, n, s, at, b0, b1) \
	EV("gil_release", t, l, at, .waiters = (n), .signalled = (s), .bt_len = 2, .bt = { b0, b1 })
#define EV_END_PY(t, l, w, to, at, n, ...) \
	EV("gil_acquire_end", t, l, at, .waits = (w), .timeouts = (to), .py_n = (n), __VA_ARGS__)
#define EV_RELEASE_PY(t, l, w, s, at, n, ...) \
	EV("gil_release", t, l, at, .waiters = (w), .signalled = (s), .py_n = (n), __VA_ARGS__)
#define EV_NOT_FOUND()		EV("gil_not_found", 0, 0, 0)
/* The fake program is loaded at 0x400000 from /usr/bin/fake. */
#define EV_CALLSITE(t, a, sym, off) \
	EV("gil_callsite", t, a, 0, .symbol = sym, .offset = (off), .binary = "/usr/bin/fake", \
		.binary_offset = (a) - 0x400000)

/* The events of the protocols above, as their step macros make them. */
#define EV_TAKE_FREE(t, take, m)	EV_BEGIN(t, m, (take) + 0x10), EV_END(t, m, 0, 0, (take) + 0x50)
#define EV_TAKE_WAIT(t, take, m, c)	EV_BEGIN(t, m, (take) + 0x10), EV_WAIT(t, m, c, (take) + 0x20)
/* A yield (giltrace(7)): the release, then an attempt at the same site
 * that takes the lock straight back, or waits. */
#define EV_YIELD_BACK(t, l, n, s, at) \
	EV_RELEASE(t, l, n, s, at), EV_BEGIN(t, l, at), EV_END(t, l, 0, 0, at)
#define EV_YIELD_WAIT(t, l, c, n, s, at) \
	EV_RELEASE(t, l, n, s, at), EV_BEGIN(t, l, at), EV_WAIT(t, l, c, at)
/* A CPython 3.11's first take_gil, uncontended, found by its name. */
#define EV_FIRST_TAKE(t) \
	EV_IDENT(t, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10), EV_TAKE_FREE(t, TAKE, M1)
/* CPython 2.7's first GIL27_WAIT and SEM_WOKEN. */
#define EV_FIRST_SEM_WAIT(t) \
	EV_IDENT(t, SEM, 0, SEMAPHORE, "semaphore-caller", CPY27, PT_ACQ + 0x10), \
	EV_BEGIN(t, SEM, PT_ACQ + 0x10), EV_END(t, SEM, 0, 0, PT_ACQ + 0x10)
/* A Ruby thread's start, the GVL free: RB_LOCK_START and RB_UNLOCK. */
#define EV_RB_START(t, gvl, method) \
	EV_IDENT(t, gvl, 0, CONDVAR, method, RUBY, RB_LOCK_FN + 0x10), \
	EV_BEGIN(t, gvl, RB_LOCK_FN + 0x10), EV_END(t, gvl, 0, 0, RB_UNLOCK_FN + 0x10)
/* OCaml's first OC_TAKE_LOCK and OC_TAKE_UNLOCK. */
#define EV_OC_FIRST_TAKE(t) \
	EV_IDENT(t, ML, 0, CONDVAR, "blocking-section-hook", OCAML, OC_LEAVE + 0x10), \
	EV_BEGIN(t, ML, OC_LEAVE + 0x10), EV_END(t, ML, 0, 0, OC_LEAVE + 0x30)
/* biglock_wrapped's first bl_acquire, then bl_acquire by t2 until it waits. */
#define EV_BL_FIRST(t, t2) \
	EV_IDENT(t, BL, 0, CONDVAR, "user-functions", USER, BL_ACQUIRE + 0x10), \
	EV_BEGIN(t, BL, BL_ACQUIRE + 0x10), EV_END(t, BL, 0, 0, BL_UNLOCK_FN + 0x10), \
	EV_BEGIN(t2, BL, BL_ACQUIRE + 0x10), EV_WAIT(t2, BL, BL_FREE, BL_WAIT_FN + 0x10)

/* ---- running a scenario ---------------------------------------------- */

struct scenario {
	const char *group;	/* the test case */
	const char *name;
	const struct fake_world *world;
	const struct step *steps;
	size_t nsteps;
	const struct rec_event *want;
	size_t nwant;
};

#define SCENARIO(group, name, world, steps, want) \
	{ group, name, &(world), steps, N(steps), want, N(want) }

/* Appends a line to buf (len bytes, used so far); returns the new used. */
static size_t put_line(char *buf, size_t len, size_t used, const char *prefix,
		const struct rec_event *ev)
{
	char line[512] = "";
	int n;

	if (used >= len) {
		return used;
	}
	if (ev) {
		rec_format(ev, line, sizeof(line));
	}
	n = snprintf(buf + used, len - used, "%s%s\n", prefix, line);
	return n > 0 ? used + (size_t) n : used;
}

/* Both sequences, one event a line, for a failure message. */
static void describe(char *buf, size_t len, const struct rec_event *want, size_t nwant)
{
	size_t used = 0;

	buf[0] = '\0';
	used = put_line(buf, len, used, "want:", NULL);
	for (size_t i = 0; i < nwant; i++) {
		used = put_line(buf, len, used, "  ", &want[i]);
	}
	used = put_line(buf, len, used, "got:", NULL);
	for (size_t i = 0; i < rec_count(); i++) {
		used = put_line(buf, len, used, "  ", rec_get(i));
	}
}

/* The recorded events must be exactly want, in that order. */
static void check_events(const char *name, const struct rec_event *want, size_t nwant)
{
	static char all[16384];		/* static: large, and read only here */
	size_t n = rec_count();

	describe(all, sizeof(all), want, nwant);
	for (size_t i = 0; i < n && i < nwant; i++) {
		char got_line[512], want_line[512];

		rec_format(rec_get(i), got_line, sizeof(got_line));
		rec_format(&want[i], want_line, sizeof(want_line));
		ck_assert_msg(strcmp(got_line, want_line) == 0,
			"%s: event %zu is\n  %s\ninstead of\n  %s\n%s", name, i, got_line, want_line, all);
	}
	ck_assert_msg(n == nwant, "%s: %zu events instead of %zu\n%s", name, n, nwant, all);
}

/* Was lock announced as a CPython GIL (gil_identified's runtime)? */
static int cpython_gil(uintptr_t lock)
{
	for (size_t i = 0; i < rec_count(); i++) {
		const struct rec_event *ev = rec_get(i);

		if (strcmp(ev->name, "gil_identified") == 0 && ev->gil == lock) {
			return strncmp(ev->runtime, "CPython", 7) == 0;
		}
	}
	return 0;
}

/* How many captures of Python frames an event stands for: its
 * acquisition's and its release's. */
static size_t py_captures_of(const struct rec_event *ev)
{
	if (strcmp(ev->name, "gil_acquire_end") == 0 || strcmp(ev->name, "gil_release") == 0) {
		return 1;
	}
	if (strcmp(ev->name, "gil_cycle") == 0) {
		return 2;
	}
	return strcmp(ev->name, "gil_cycle_open") == 0 && ev->acquired ? 1 : 0;
}

/*
 * Python frames are read once for each acquisition and release recorded
 * of a CPython GIL, with its mutex, and for nothing else: not for other
 * locks' events, not when frames are off.  (A batch's cycles are
 * recorded where it is told, after their captures: with one GIL, the
 * mutexes still line up.)
 */
static void check_py_captures(const char *name, const struct fake_world *w)
{
	size_t next = 0;

	for (size_t i = 0; w->pyframes && i < rec_count(); i++) {
		const struct rec_event *ev = rec_get(i);

		if (!cpython_gil(ev->gil)) {
			continue;
		}
		for (size_t k = py_captures_of(ev); k > 0; k--) {
			ck_assert_msg(next < py_capture_count() && py_capture_mutex(next) == ev->gil,
				"%s: event %zu's Python frames were not read for its GIL", name, i);
			next++;
		}
	}
	ck_assert_msg(next == py_capture_count(), "%s: Python frames read %zu times for %zu events",
		name, py_capture_count(), next);
}

static void run(const struct scenario *sc)
{
	fake_world_start(sc->world);
	sim_run(sc->steps, sc->nsteps);
	check_events(sc->name, sc->want, sc->nwant);
	check_py_captures(sc->name, sc->world);
}

/* ---- CPython 3 ---------------------------------------------------------- */

static const struct step py3_uncontended[] = {
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
};
static const struct rec_event py3_uncontended_want[] = {
	EV_FIRST_TAKE(1),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
};

static const struct step py3_handover[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	WOKEN(2), TAKE_SWITCH(2, TAKE, GIL1),
	DROP_GIL(2, DROP, GIL1),
};
static const struct rec_event py3_handover_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 1, 0, TAKE + 0x50),
	EV_RELEASE(2, M1, 0, 0, DROP + 0x30),
};

/* Thread 2 is woken, but thread 1 took the GIL back first: 2 waits again. */
static const struct step py3_failed_wakeup[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	TAKE_FREE(1, TAKE, GIL1),
	WOKEN(2), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	WOKEN(2), TAKE_SWITCH(2, TAKE, GIL1),
};
static const struct rec_event py3_failed_wakeup_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_TAKE_FREE(1, TAKE, M1),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_WAIT(2, M1, C1, TAKE + 0x20),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 2, 0, TAKE + 0x50),
};

/*
 * Two waits time out; thread 2 asks for a forced switch, so thread 1's
 * drop_gil waits on the switch condvar (+0x40 lock, +0x50 wait, +0x60
 * unlock) until 2 has the GIL: no GIL wait of 1's.
 */
static const struct step py3_timeouts[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	TIMES_OUT(2), TAKE_WAIT(2, TAKE, GIL1),
	TIMES_OUT(2), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	LOCK(1, SWM1, DROP + 0x40), WAIT(1, SWC1, SWM1, DROP + 0x50),
	WOKEN(2), TAKE_SWITCH(2, TAKE, GIL1),
	WOKEN(1), UNLOCK(1, SWM1, DROP + 0x60),
};
static const struct rec_event py3_timeouts_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_TIMEOUT(2, M1, TAKE + 0x20),
	EV_WAIT(2, M1, C1, TAKE + 0x20),
	EV_TIMEOUT(2, M1, TAKE + 0x20),
	EV_WAIT(2, M1, C1, TAKE + 0x20),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 3, 2, TAKE + 0x50),
};

/* A stripped binary: no name, but the mutex is inside _PyRuntime and
 * the section nests the switch mutex (also inside). */
static const struct step py3_extent[] = {
	TAKE_FREE(1, S_TAKE, GIL1),
	TAKE_LOCK(2, S_TAKE, GIL1), TAKE_WAIT(2, S_TAKE, GIL1),
	DROP_GIL(1, S_DROP, GIL1),
	WOKEN(2), TAKE_SWITCH(2, S_TAKE, GIL1),
	DROP_GIL(2, S_DROP, GIL1),
};
static const struct rec_event py3_extent_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "runtime-extent", CPY311, S_TAKE + 0x10),
	EV_TAKE_FREE(1, S_TAKE, M1),
	EV_TAKE_WAIT(2, S_TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, S_DROP + 0x30),
	EV_WOKEN(2, M1, S_TAKE + 0x20),
	EV_END(2, M1, 1, 0, S_TAKE + 0x50),
	EV_RELEASE(2, M1, 0, 0, S_DROP + 0x30),
};

/* Other mutexes of _PyRuntime: a nested lock outside it, an untimed
 * wait, a signal of a condvar outside it tell nothing. */
static const struct step py3_extent_others[] = {
	LOCK(1, RT_LOCK, APP + 0x10),
	LOCK(1, APP_LOCK, APP + 0x14), UNLOCK(1, APP_LOCK, APP + 0x18),
	WAIT(1, RT_COND, RT_LOCK, APP + 0x20), WOKEN(1),
	SIGNAL(1, APP_COND, APP + 0x28),
	UNLOCK(1, RT_LOCK, APP + 0x30),
	EXIT(),
};
static const struct rec_event py3_extent_others_want[] = {
	EV_NOT_FOUND(),
};

/* CPython 3.12: a sub-interpreter's own GIL (apart from _PyRuntime),
 * locked where the main GIL's acquires lock theirs. */
static const struct step py3_subinterpreter[] = {
	TAKE_FREE(1, S_TAKE, GIL1),
	DROP_GIL(1, S_DROP, GIL1),
	TAKE_FREE(2, S_TAKE, GIL2),
	TAKE_LOCK(3, S_TAKE, GIL2), TAKE_WAIT(3, S_TAKE, GIL2),
	DROP_GIL(2, S_DROP, GIL2),
	WOKEN(3), TAKE_SWITCH(3, S_TAKE, GIL2),
	LOCK(2, APP_LOCK, APP + 0x10), UNLOCK(2, APP_LOCK, APP + 0x18),
};
static const struct rec_event py3_subinterpreter_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "runtime-extent", CPY312, S_TAKE + 0x10),
	EV_TAKE_FREE(1, S_TAKE, M1),
	EV_RELEASE(1, M1, 0, 0, S_DROP + 0x30),
	EV_IDENT(2, M2, 0, CONDVAR, "callsite-learned", CPY312, S_TAKE + 0x10),
	EV_TAKE_FREE(2, S_TAKE, M2),
	EV_TAKE_WAIT(3, S_TAKE, M2, C2),
	EV_RELEASE(2, M2, 1, 1, S_DROP + 0x30),
	EV_WOKEN(3, M2, S_TAKE + 0x20),
	EV_END(3, M2, 1, 0, S_TAKE + 0x50),
};

/* ---- CPython 2.7 -------------------------------------------------------- */

static const struct step py27_semaphore[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_WAIT(2),
	GIL27_POST(1),
	SEM_WOKEN(2),
	GIL27_POST(2),
};
static const struct rec_event py27_semaphore_want[] = {
	EV_FIRST_SEM_WAIT(1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM, 1, 1, PT_REL + 0x10),
	EV_END(2, SEM, 0, 0, PT_ACQ + 0x10),
	EV_RELEASE(2, SEM, 0, 0, PT_REL + 0x10),
};

/* sem_wait fails with EINTR; PyThread_acquire_lock retries it. */
static const struct step py27_eintr[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_WAIT(2), SEM_EINTR(2), GIL27_WAIT(2),
	GIL27_POST(1),
	SEM_WOKEN(2),
};
static const struct rec_event py27_eintr_want[] = {
	EV_FIRST_SEM_WAIT(1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM, 1, 1, PT_REL + 0x10),
	EV_END(2, SEM, 0, 0, PT_ACQ + 0x10),
};

/* PyThread_acquire_lock(lock, 0): sem_trywait. */
static const struct step py27_trywait[] = {
	SEM_TRYWAIT(1, SEM, PT_ACQ + 0x20, 0, 0, EVAL_RESTORE + 0x10),
	SEM_TRYWAIT(2, SEM, PT_ACQ + 0x20, -1, EAGAIN, EVAL_RESTORE + 0x10),
	GIL27_POST(1),
	SEM_TRYWAIT(2, SEM, PT_ACQ + 0x20, 0, 0, EVAL_RESTORE + 0x10),
};
static const struct rec_event py27_trywait_want[] = {
	EV_IDENT(1, SEM, 0, SEMAPHORE, "semaphore-caller", CPY27, PT_ACQ + 0x20),
	EV_BEGIN(1, SEM, PT_ACQ + 0x20),
	EV_END(1, SEM, 0, 0, PT_ACQ + 0x20),
	EV_RELEASE(1, SEM, 0, 0, PT_REL + 0x10),
	EV_BEGIN(2, SEM, PT_ACQ + 0x20),
	EV_END(2, SEM, 0, 0, PT_ACQ + 0x20),
};

/* A threading.Lock (PyThread_* not called from PyEval_*), and a
 * semaphore the program waits on itself. */
static const struct step py27_others[] = {
	SEM_WAIT(1, SEM_LOCK, PT_ACQ + 0x10, LOCK_ACQ + 0x10), SEM_WOKEN(1),
	SEM_POST(1, SEM_LOCK, PT_REL + 0x10, LOCK_ACQ + 0x20),
	SEM_WAIT(1, SEM_LOCK, APP + 0x10), SEM_WOKEN(1),
	EXIT(),
};
static const struct rec_event py27_others_want[] = {
	EV_NOT_FOUND(),
};

/* ---- Ruby 3.1 ----------------------------------------------------------- */

/*
 * The main thread (1) holds the GVL (its sections say nothing: it is
 * not a new thread, and nothing in them waits); thread 2 starts and asks
 * for it, then gets it when 1 releases, which the trace does not show.
 */
static const struct step rb_thread_start[] = {
	RB_LOCK(1, GVL), RB_UNLOCK(1, GVL),
	RB_LOCK_START(2, GVL), RB_WAIT(2, Q2, GVL),
	RB_LOCK(1, GVL), RB_SIGNAL(1, Q2), RB_UNLOCK(1, GVL),
	WOKEN(2), RB_UNLOCK(2, GVL),
	RB_LOCK(2, GVL), RB_UNLOCK(2, GVL),
	RB_LOCK(1, GVL), RB_UNLOCK(1, GVL),
};
static const struct rec_event rb_thread_start_want[] = {
	EV_IDENT(2, GVL, 0, CONDVAR, "thread-start", RUBY, RB_LOCK_FN + 0x10),
	EV_BEGIN(2, GVL, RB_LOCK_FN + 0x10),
	EV_WAIT(2, GVL, Q2, RB_WAIT_FN + 0x10),
	EV_WOKEN(2, GVL, RB_WAIT_FN + 0x10),
	EV_END(2, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
	EV_RELEASE(2, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
	EV_BEGIN(1, GVL, RB_LOCK_FN + 0x10),
	EV_END(1, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
};

/*
 * gvl_yield: thread 2 releases, signals 3's queue condvar and waits on
 * the hand-over condvar until 3 took the GVL (already attempting to get
 * it back, but no wait for the GVL to be free), then on its own.
 */
static const struct step rb_yield[] = {
	RB_LOCK_START(2, GVL), RB_UNLOCK(2, GVL),
	RB_LOCK_START(3, GVL), RB_WAIT(3, Q3, GVL),
	RB_LOCK(2, GVL), RB_SIGNAL(2, Q3), RB_WAIT(2, GVL_SWITCH, GVL),
	WOKEN(3), RB_SIGNAL(3, GVL_SWITCH), RB_UNLOCK(3, GVL),
	WOKEN(2), RB_WAIT(2, Q2, GVL),
	RB_LOCK(3, GVL), RB_SIGNAL(3, Q2), RB_UNLOCK(3, GVL),
	WOKEN(2), RB_UNLOCK(2, GVL),
};
static const struct rec_event rb_yield_want[] = {
	EV_RB_START(2, GVL, "thread-start"),
	EV_BEGIN(3, GVL, RB_LOCK_FN + 0x10),
	EV_WAIT(3, GVL, Q3, RB_WAIT_FN + 0x10),
	EV_RELEASE(2, GVL, 1, 1, RB_WAIT_FN + 0x10),
	EV_BEGIN(2, GVL, RB_WAIT_FN + 0x10),
	EV_WOKEN(3, GVL, RB_WAIT_FN + 0x10),
	EV_END(3, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
	EV_WAIT(2, GVL, Q2, RB_WAIT_FN + 0x10),
	EV_RELEASE(3, GVL, 1, 1, RB_UNLOCK_FN + 0x10),
	EV_WOKEN(2, GVL, RB_WAIT_FN + 0x10),
	EV_END(2, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
};

/* A thread starting in another ractor takes its GVL where the first
 * GVL was found; other mutexes stay unknown. */
static const struct step rb_ractor[] = {
	RB_LOCK_START(2, GVL), RB_UNLOCK(2, GVL),
	RB_LOCK_START(3, GVL2), RB_UNLOCK(3, GVL2),
	RB_LOCK(3, RB_VM_LOCK), RB_UNLOCK(3, RB_VM_LOCK),
};
static const struct rec_event rb_ractor_want[] = {
	EV_RB_START(2, GVL, "thread-start"),
	EV_RB_START(3, GVL2, "callsite-learned"),
};

/* ---- OCaml 4 ------------------------------------------------------------ */

static const struct step oc_hooks[] = {
	OC_TAKE_LOCK(1), OC_TAKE_UNLOCK(1),
	OC_TAKE_LOCK(2), OC_TAKE_WAIT(2),
	OC_RELEASE(1),
	WOKEN(2), OC_TAKE_UNLOCK(2),
	OC_RELEASE(2),
};
static const struct rec_event oc_hooks_want[] = {
	EV_OC_FIRST_TAKE(1),
	EV_BEGIN(2, ML, OC_LEAVE + 0x10),
	EV_WAIT(2, ML, ML_FREE, OC_LEAVE + 0x20),
	EV_RELEASE(1, ML, 1, 1, OC_ENTER + 0x20),
	EV_WOKEN(2, ML, OC_LEAVE + 0x20),
	EV_END(2, ML, 1, 0, OC_LEAVE + 0x30),
	EV_RELEASE(2, ML, 0, 0, OC_ENTER + 0x20),
};

/*
 * Thread.yield (caml_thread_yield: +0x10 lock, +0x18 unlock at once
 * without waiters, +0x20 signal, +0x30 wait, +0x40 unlock): without
 * waiters the lock is released and taken straight back; with one, it is
 * released, waited for and taken back after the other thread's turn.
 */
static const struct step oc_yield[] = {
	OC_TAKE_LOCK(1), OC_TAKE_UNLOCK(1),
	LOCK(1, ML, OC_YIELD + 0x10), UNLOCK(1, ML, OC_YIELD + 0x18),
	OC_TAKE_LOCK(2), OC_TAKE_WAIT(2),
	LOCK(1, ML, OC_YIELD + 0x10), SIGNAL(1, ML_FREE, OC_YIELD + 0x20),
	WAIT(1, ML_FREE, ML, OC_YIELD + 0x30),
	WOKEN(2), OC_TAKE_UNLOCK(2),
	OC_RELEASE(2),
	WOKEN(1), UNLOCK(1, ML, OC_YIELD + 0x40),
};
static const struct rec_event oc_yield_want[] = {
	EV_OC_FIRST_TAKE(1),
	EV_YIELD_BACK(1, ML, 0, 0, OC_YIELD + 0x18),
	EV_BEGIN(2, ML, OC_LEAVE + 0x10),
	EV_WAIT(2, ML, ML_FREE, OC_LEAVE + 0x20),
	EV_YIELD_WAIT(1, ML, ML_FREE, 1, 1, OC_YIELD + 0x30),
	EV_WOKEN(2, ML, OC_LEAVE + 0x20),
	EV_END(2, ML, 1, 0, OC_LEAVE + 0x30),
	EV_RELEASE(2, ML, 1, 1, OC_ENTER + 0x20),
	EV_WOKEN(1, ML, OC_YIELD + 0x30),
	EV_END(1, ML, 1, 0, OC_YIELD + 0x40),
};

/* ---- OCaml 5 ------------------------------------------------------------ */

/*
 * The main domain's master lock, found at its first release (the domain
 * lock released inside it), while the program holds a mutex of its own;
 * the acquire and yield sites learned from their first sections; a
 * failed reacquisition; Thread.yield (thread_yield: +0x10 lock, +0x18
 * unlock without waiters, +0x20 signal, +0x30 wait, +0x40 unlock).
 */
static const struct step oc5_domain_lock[] = {
	LOCK(1, APP_LOCK, APP + 0x10),
	OC5_RELEASE(1, ML, ML_FREE, DL),
	UNLOCK(1, APP_LOCK, APP + 0x18),
	OC5_TAKE_LOCK(1, ML), OC5_TAKE_END(1, ML, DL),
	OC5_TAKE_LOCK(2, ML), OC5_TAKE_WAIT(2, ML, ML_FREE),
	OC5_RELEASE(1, ML, ML_FREE, DL),
	OC5_TAKE_LOCK(1, ML), OC5_TAKE_END(1, ML, DL),
	WOKEN(2), OC5_TAKE_WAIT(2, ML, ML_FREE),
	LOCK(1, ML, OC5_YIELD + 0x10), SIGNAL(1, ML_FREE, OC5_YIELD + 0x20),
	UNLOCK(1, DL, OC5_DUNLOCK + 0x10), WAIT(1, ML_FREE, ML, OC5_YIELD + 0x30),
	WOKEN(2), OC5_TAKE_END(2, ML, DL),
	OC5_RELEASE(2, ML, ML_FREE, DL),
	WOKEN(1), LOCK(1, DL, OC5_DLOCK + 0x10), UNLOCK(1, ML, OC5_YIELD + 0x40),
	LOCK(1, ML, OC5_YIELD + 0x10), UNLOCK(1, ML, OC5_YIELD + 0x18),
};
static const struct rec_event oc5_domain_lock_want[] = {
	EV_IDENT(1, ML, 0, CONDVAR, "domain-lock", OCAML5, OC5_REL + 0x10),
	EV_BEGIN(1, ML, OC5_ACQ + 0x10), EV_END(1, ML, 0, 0, OC5_ACQ + 0x30),
	EV_BEGIN(2, ML, OC5_ACQ + 0x10), EV_WAIT(2, ML, ML_FREE, OC5_ACQ + 0x20),
	EV_RELEASE(1, ML, 1, 1, OC5_REL + 0x30),
	EV_BEGIN(1, ML, OC5_ACQ + 0x10), EV_END(1, ML, 0, 0, OC5_ACQ + 0x30),
	EV_WOKEN(2, ML, OC5_ACQ + 0x20), EV_WAIT(2, ML, ML_FREE, OC5_ACQ + 0x20),
	EV_YIELD_WAIT(1, ML, ML_FREE, 1, 1, OC5_YIELD + 0x30),
	EV_WOKEN(2, ML, OC5_ACQ + 0x20), EV_END(2, ML, 2, 0, OC5_ACQ + 0x30),
	EV_RELEASE(2, ML, 1, 1, OC5_REL + 0x30),
	EV_WOKEN(1, ML, OC5_YIELD + 0x30), EV_END(1, ML, 1, 0, OC5_YIELD + 0x40),
	EV_YIELD_BACK(1, ML, 0, 0, OC5_YIELD + 0x18),
};

/*
 * Another domain's master lock, first released by its main thread (3)
 * where the main domain's was: found there, its release left out (no
 * acquisition seen); then a thread of that domain (4) takes and
 * releases it.
 */
static const struct step oc5_domains[] = {
	OC5_RELEASE(1, ML, ML_FREE, DL),
	OC5_TAKE_LOCK(1, ML), OC5_TAKE_END(1, ML, DL),
	OC5_RELEASE(3, ML2, ML2_FREE, DL2),
	OC5_TAKE_LOCK(4, ML2), OC5_TAKE_END(4, ML2, DL2),
	OC5_RELEASE(4, ML2, ML2_FREE, DL2),
};
static const struct rec_event oc5_domains_want[] = {
	EV_IDENT(1, ML, 0, CONDVAR, "domain-lock", OCAML5, OC5_REL + 0x10),
	EV_BEGIN(1, ML, OC5_ACQ + 0x10), EV_END(1, ML, 0, 0, OC5_ACQ + 0x30),
	EV_IDENT(3, ML2, 0, CONDVAR, "callsite-learned", OCAML5, OC5_REL + 0x10),
	EV_BEGIN(4, ML2, OC5_ACQ + 0x10), EV_END(4, ML2, 0, 0, OC5_ACQ + 0x30),
	EV_RELEASE(4, ML2, 0, 0, OC5_REL + 0x30),
};

/* ---- user-named locks ----------------------------------------------------- */

/* tests/progs/biglock_wrapped.c: GILTRACE_LOCK_FUNCS names its lock
 * functions, GILTRACE_LOCK_WRAPPERS the wrapper they lock through. */
static const struct step user_wrapped[] = {
	BL_LOCK(1, BL_ACQUIRE + 0x10), BL_UNLOCK(1),
	BL_LOCK(2, BL_ACQUIRE + 0x10), BL_WAIT(2),
	BL_LOCK(1, BL_RELEASE + 0x10), BL_UNLOCK(1), BL_SIGNAL(1),
	WOKEN(2), BL_UNLOCK(2),
};
static const struct rec_event user_wrapped_want[] = {
	EV_BL_FIRST(1, 2),
	EV_RELEASE(1, BL, 1, 0, BL_UNLOCK_FN + 0x10),
	EV_WOKEN(2, BL, BL_WAIT_FN + 0x10),
	EV_END(2, BL, 1, 0, BL_UNLOCK_FN + 0x10),
};

/* bl_yield: first straight back (the woken thread fails to get it),
 * then waiting until the other thread had its turn. */
static const struct step user_yield[] = {
	BL_LOCK(1, BL_ACQUIRE + 0x10), BL_UNLOCK(1),
	BL_LOCK(2, BL_ACQUIRE + 0x10), BL_WAIT(2),
	BL_LOCK(1, BL_YIELD + 0x10), BL_SIGNAL(1), BL_UNLOCK(1),
	WOKEN(2), BL_WAIT(2),
	BL_LOCK(1, BL_YIELD + 0x10), BL_SIGNAL(1), BL_WAIT(1),
	WOKEN(2), BL_UNLOCK(2),
	BL_LOCK(2, BL_RELEASE + 0x10), BL_UNLOCK(2), BL_SIGNAL(2),
	WOKEN(1), BL_UNLOCK(1),
};
static const struct rec_event user_yield_want[] = {
	EV_BL_FIRST(1, 2),
	EV_YIELD_BACK(1, BL, 1, 1, BL_UNLOCK_FN + 0x10),
	EV_WOKEN(2, BL, BL_WAIT_FN + 0x10),
	EV_WAIT(2, BL, BL_FREE, BL_WAIT_FN + 0x10),
	EV_YIELD_WAIT(1, BL, BL_FREE, 1, 1, BL_WAIT_FN + 0x10),
	EV_WOKEN(2, BL, BL_WAIT_FN + 0x10),
	EV_END(2, BL, 2, 0, BL_UNLOCK_FN + 0x10),
	EV_RELEASE(2, BL, 1, 0, BL_UNLOCK_FN + 0x10),
	EV_WOKEN(1, BL, BL_WAIT_FN + 0x10),
	EV_END(1, BL, 1, 0, BL_UNLOCK_FN + 0x10),
};

/* A named lock calling pthread itself, in a CPython process: found
 * first, it leaves the search for CPython's GIL running. */
static const struct step user_beside_cpython[] = {
	LOCK(1, BIG, BIG_LOCK + 0x10), UNLOCK(1, BIG, BIG_LOCK + 0x20),
	TAKE_FREE(1, TAKE, GIL1),
	LOCK(2, BIG, BIG_LOCK + 0x10), WAIT(2, BIG_COND, BIG, BIG_LOCK + 0x18),
	LOCK(1, BIG, BIG_UNLOCK + 0x10), SIGNAL(1, BIG_COND, BIG_UNLOCK + 0x18),
	UNLOCK(1, BIG, BIG_UNLOCK + 0x20),
	WOKEN(2), UNLOCK(2, BIG, BIG_LOCK + 0x20),
};
static const struct rec_event user_beside_cpython_want[] = {
	EV_IDENT(1, BIG, 0, CONDVAR, "user-functions", USER, BIG_LOCK + 0x10),
	EV_BEGIN(1, BIG, BIG_LOCK + 0x10),
	EV_END(1, BIG, 0, 0, BIG_LOCK + 0x20),
	EV_FIRST_TAKE(1),
	EV_BEGIN(2, BIG, BIG_LOCK + 0x10),
	EV_WAIT(2, BIG, BIG_COND, BIG_LOCK + 0x18),
	EV_RELEASE(1, BIG, 1, 1, BIG_UNLOCK + 0x20),
	EV_WOKEN(2, BIG, BIG_LOCK + 0x18),
	EV_END(2, BIG, 1, 0, BIG_LOCK + 0x20),
};

/* ---- abandoned attempts ----------------------------------------------- */

static const struct step ab_lock_fails[] = {
	TAKE_FREE(1, TAKE, GIL1),
	LOCK_FAILS(2, M1, TAKE + 0x10, EINVAL),
	DROP_GIL(1, DROP, GIL1),
	TAKE_FREE(2, TAKE, GIL1),
};
static const struct rec_event ab_lock_fails_want[] = {
	EV_FIRST_TAKE(1),
	EV_BEGIN(2, M1, TAKE + 0x10),
	EV_ABANDON(2, M1, 0, 0, TAKE + 0x10),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
	EV_TAKE_FREE(2, TAKE, M1),
};

/* Cancelled in the wait; a cleanup handler unlocks the mutex. */
static const struct step ab_cancelled[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	CANCELLED(2), UNLOCK(2, M1, APP + 0x60),
	DROP_GIL(1, DROP, GIL1),
};
static const struct rec_event ab_cancelled_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_CANCELLED(2, M1, TAKE + 0x10),
	EV_ABANDON(2, M1, 1, 0, TAKE + 0x10),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
};

static const struct step ab_sem_cancelled[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_WAIT(2), SEM_CANCELLED(2),
	GIL27_POST(1),
};
static const struct rec_event ab_sem_cancelled_want[] = {
	EV_FIRST_SEM_WAIT(1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_ABANDON(2, SEM, 0, 0, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM, 0, 0, PT_REL + 0x10),
};

/* take_gil of a thread that must exit (finalisation): woken, it unlocks
 * the mutex (+0x60) without taking the switch mutex. */
static const struct step ab_exiting[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	WOKEN(2), UNLOCK(2, M1, TAKE + 0x60),
};
static const struct rec_event ab_exiting_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_ABANDON(2, M1, 1, 0, TAKE + 0x60),
};

/* ---- fork ------------------------------------------------------------------ */

/* CPython 3's child re-initialises the same GIL and takes it: the
 * GIL is announced again (now with its condvar), the waiter is gone. */
static const struct step fork_condvar[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	FORK(1),
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
};
static const struct rec_event fork_condvar_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_IDENT(1, M1, C1, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_TAKE_FREE(1, TAKE, M1),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
};

/* The same in a stripped binary: the child's holder is unknown and its
 * call sites say nothing, so the nested switch mutex tells. */
static const struct step fork_stripped[] = {
	TAKE_FREE(1, S_TAKE, GIL1),
	DROP_GIL(1, S_DROP, GIL1),
	TAKE_FREE(1, S_TAKE, GIL1),
	FORK(1),
	TAKE_FREE(1, S_TAKE, GIL1),
	DROP_GIL(1, S_DROP, GIL1),
};
static const struct rec_event fork_stripped_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "runtime-extent", CPY311, S_TAKE + 0x10),
	EV_TAKE_FREE(1, S_TAKE, M1),
	EV_RELEASE(1, M1, 0, 0, S_DROP + 0x30),
	EV_TAKE_FREE(1, S_TAKE, M1),
	EV_IDENT(1, M1, C1, CONDVAR, "runtime-extent", CPY311, S_TAKE + 0x10),
	EV_TAKE_FREE(1, S_TAKE, M1),
	EV_RELEASE(1, M1, 0, 0, S_DROP + 0x30),
};

/* CPython 2.7's child allocates a new semaphore GIL (PyEval_ReInitThreads)
 * and takes it; the old one is no GIL there. */
static const struct step fork_semaphore[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	FORK(1),
	SEM_WAIT(1, SEM2, PT_ACQ + 0x10, EVAL_REINIT + 0x10), SEM_WOKEN(1),
	GIL27_POST(1),
	SEM_POST(1, SEM2, PT_REL + 0x10, EVAL_SAVE + 0x10),
};
static const struct rec_event fork_semaphore_want[] = {
	EV_FIRST_SEM_WAIT(1),
	EV_IDENT(1, SEM2, 0, SEMAPHORE, "semaphore-caller", CPY27, PT_ACQ + 0x10),
	EV_BEGIN(1, SEM2, PT_ACQ + 0x10),
	EV_END(1, SEM2, 0, 0, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM2, 0, 0, PT_REL + 0x10),
};

/* ---- tracing enabled mid-run ---------------------------------------------- */

/*
 * Before the session starts, thread 1 took the GIL and 2 waits for it.
 * Traced: 3 finds the GIL at take_gil; the holder unknown, 4's take_gil
 * is an acquire and 1's drop_gil a release by their call sites (the
 * release of a hold whose start the trace never saw: no event); 2's
 * wait, begun untraced, ends in an attempt.  From then on the holder
 * decides.
 */
static const struct step mid_by_site[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	TRACING(1),
	TAKE_LOCK(3, TAKE, GIL1), TAKE_WAIT(3, TAKE, GIL1),
	TAKE_LOCK(4, TAKE, GIL1), TAKE_WAIT(4, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	WOKEN(2), TAKE_SWITCH(2, TAKE, GIL1),
	WOKEN(3), TAKE_WAIT(3, TAKE, GIL1),
	DROP_GIL(2, DROP, GIL1),
	WOKEN(3), TAKE_SWITCH(3, TAKE, GIL1),
	DROP_GIL(3, DROP, GIL1),
	TAKE_FREE(1, TAKE, GIL1),
};
static const struct rec_event mid_by_site_want[] = {
	EV_IDENT(3, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_TAKE_WAIT(3, TAKE, M1, C1),
	EV_TAKE_WAIT(4, TAKE, M1, C1),
	EV_BEGIN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 0, 0, TAKE + 0x50),
	EV_WOKEN(3, M1, TAKE + 0x20),
	EV_WAIT(3, M1, C1, TAKE + 0x20),
	EV_RELEASE(2, M1, 2, 1, DROP + 0x30),
	EV_WOKEN(3, M1, TAKE + 0x20),
	EV_END(3, M1, 2, 0, TAKE + 0x50),
	EV_RELEASE(3, M1, 1, 1, DROP + 0x30),
	EV_TAKE_FREE(1, TAKE, M1),
};

/*
 * The same in a stripped binary, where call sites say nothing: 3's
 * timed wait makes its candidate section an acquire; 4's section on the
 * known GIL, the holder unknown, too; 1's signal makes its section a
 * release.
 */
static const struct step mid_by_behaviour[] = {
	TAKE_FREE(1, S_TAKE, GIL1),
	TAKE_LOCK(2, S_TAKE, GIL1), TAKE_WAIT(2, S_TAKE, GIL1),
	TRACING(1),
	TAKE_LOCK(3, S_TAKE, GIL1), TAKE_WAIT(3, S_TAKE, GIL1),
	TAKE_LOCK(4, S_TAKE, GIL1), TAKE_WAIT(4, S_TAKE, GIL1),
	DROP_GIL(1, S_DROP, GIL1),
	WOKEN(2), TAKE_SWITCH(2, S_TAKE, GIL1),
	WOKEN(3), TAKE_WAIT(3, S_TAKE, GIL1),
	DROP_GIL(2, S_DROP, GIL1),
	WOKEN(3), TAKE_SWITCH(3, S_TAKE, GIL1),
};
static const struct rec_event mid_by_behaviour_want[] = {
	EV_IDENT(3, M1, 0, CONDVAR, "runtime-extent", CPY311, S_TAKE + 0x10),
	EV_TAKE_WAIT(3, S_TAKE, M1, C1),
	EV_TAKE_WAIT(4, S_TAKE, M1, C1),
	EV_BEGIN(2, M1, S_TAKE + 0x20),
	EV_END(2, M1, 0, 0, S_TAKE + 0x50),
	EV_WOKEN(3, M1, S_TAKE + 0x20),
	EV_WAIT(3, M1, C1, S_TAKE + 0x20),
	EV_RELEASE(2, M1, 2, 1, S_DROP + 0x30),
	EV_WOKEN(3, M1, S_TAKE + 0x20),
	EV_END(3, M1, 2, 0, S_TAKE + 0x50),
};

/* A session stops, another starts: the state machine went on
 * following the GIL in between, recording nothing.  The new session's
 * trace is told again which lock is the GIL, before its first event. */
static const struct step mid_restart[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TRACING(0),
	DROP_GIL(1, DROP, GIL1),
	TAKE_FREE(2, TAKE, GIL1),
	TRACING(1),
	DROP_GIL(2, DROP, GIL1),
	TAKE_FREE(1, TAKE, GIL1),
};
static const struct rec_event mid_restart_want[] = {
	EV_FIRST_TAKE(1),
	EV_IDENT(2, M1, C1, CONDVAR, "callsite-symbol", CPY311, DROP + 0x30),
	EV_RELEASE(2, M1, 0, 0, DROP + 0x30),
	EV_TAKE_FREE(1, TAKE, M1),
};

/* Another session starts while the first records: no GIL event goes
 * unrecorded to say so (the process may be idle throughout).  The GIL
 * is told again before the first event after, for the new trace. */
static const struct step mid_beside[] = {
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	BESIDE(),
	TAKE_FREE(2, TAKE, GIL1),
	DROP_GIL(2, DROP, GIL1),
};
static const struct rec_event mid_beside_want[] = {
	EV_FIRST_TAKE(1),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
	EV_IDENT(2, M1, C1, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_TAKE_FREE(2, TAKE, M1),
	EV_RELEASE(2, M1, 0, 0, DROP + 0x30),
};

/* Ruby: no thread starts while traced.  A wait with a mutex of Ruby's
 * objects on a condvar also in them (the VM's) is no GVL wait; one on a
 * thread's own condvar is. */
static const struct step mid_ruby[] = {
	RB_LOCK_START(2, GVL), RB_UNLOCK(2, GVL),
	TRACING(1),
	RB_LOCK(3, RB_VM_LOCK), RB_WAIT(3, RB_VM_COND, RB_VM_LOCK), WOKEN(3),
	RB_UNLOCK(3, RB_VM_LOCK),
	RB_LOCK(3, GVL), RB_WAIT(3, Q3, GVL),
	RB_LOCK(2, GVL), RB_SIGNAL(2, Q3), RB_UNLOCK(2, GVL),
	WOKEN(3), RB_UNLOCK(3, GVL),
};
static const struct rec_event mid_ruby_want[] = {
	EV_IDENT(3, GVL, 0, CONDVAR, "runtime-extent", RUBY, RB_LOCK_FN + 0x10),
	EV_BEGIN(3, GVL, RB_LOCK_FN + 0x10),
	EV_WAIT(3, GVL, Q3, RB_WAIT_FN + 0x10),
	EV_WOKEN(3, GVL, RB_WAIT_FN + 0x10),
	EV_END(3, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
};

/*
 * Ruby, holder unknown: thread 2 held the GVL from before tracing and
 * yields it (gvl_yield: released, then a wait on a hand-over condvar),
 * 3 takes it and gives it up meanwhile, and 2 takes it back without
 * waiting.  The hand-over wait shows 2's section a yield: its release
 * is left out (so was its hold), its attempt to take the GVL back
 * begins there, and its next section is a release, not an acquire.
 */
static const struct step mid_ruby_yield[] = {
	RB_LOCK_START(2, GVL), RB_UNLOCK(2, GVL),
	TRACING(1),
	RB_LOCK(3, GVL), RB_WAIT(3, Q3, GVL),
	RB_LOCK(2, GVL), RB_SIGNAL(2, Q3), RB_WAIT(2, GVL_SWITCH, GVL),
	WOKEN(3), RB_SIGNAL(3, GVL_SWITCH), RB_UNLOCK(3, GVL),
	RB_LOCK(3, GVL), RB_UNLOCK(3, GVL),
	WOKEN(2), RB_UNLOCK(2, GVL),
	RB_LOCK(2, GVL), RB_UNLOCK(2, GVL),
	RB_LOCK(3, GVL), RB_UNLOCK(3, GVL),
};
static const struct rec_event mid_ruby_yield_want[] = {
	EV_IDENT(3, GVL, 0, CONDVAR, "runtime-extent", RUBY, RB_LOCK_FN + 0x10),
	EV_BEGIN(3, GVL, RB_LOCK_FN + 0x10),
	EV_WAIT(3, GVL, Q3, RB_WAIT_FN + 0x10),
	EV_BEGIN(2, GVL, RB_WAIT_FN + 0x10),
	EV_WOKEN(3, GVL, RB_WAIT_FN + 0x10),
	EV_END(3, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
	EV_RELEASE(3, GVL, 1, 0, RB_UNLOCK_FN + 0x10),
	EV_END(2, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
	EV_RELEASE(2, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
	EV_BEGIN(3, GVL, RB_LOCK_FN + 0x10),
	EV_END(3, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
};

/* OCaml: the master lock found at a release while thread 2 already
 * waits, untraced; 2's attempt begins when its wait ends. */
static const struct step mid_ocaml[] = {
	OC_TAKE_LOCK(1), OC_TAKE_UNLOCK(1),
	OC_TAKE_LOCK(2), OC_TAKE_WAIT(2),
	TRACING(1),
	OC_RELEASE(1),
	WOKEN(2), OC_TAKE_UNLOCK(2),
	OC_RELEASE(2),
};
static const struct rec_event mid_ocaml_want[] = {
	EV_IDENT(1, ML, 0, CONDVAR, "blocking-section-hook", OCAML, OC_ENTER + 0x10),
	EV_BEGIN(2, ML, OC_LEAVE + 0x20),
	EV_END(2, ML, 0, 0, OC_LEAVE + 0x30),
	EV_RELEASE(2, ML, 0, 0, OC_ENTER + 0x20),
};

/* ---- call sites (GILTRACE_CALLSITES=2) ------------------------------------ */

/* Each code address a GIL event carries is named once, before its first
 * use; acquisitions and releases carry the two frames above their caller. */
static const struct step cs_named[] = {
	LOCK(1, M1, TAKE + 0x10), LOCK(1, SWM1, TAKE + 0x30), UNLOCK(1, SWM1, TAKE + 0x40),
	UNLOCK_UP(1, M1, TAKE + 0x50, EVAL_RESTORE + 0x10, APP + 0x10),
	LOCK(1, M1, DROP + 0x10),
	UNLOCK_UP(1, M1, DROP + 0x30, EVAL_SAVE + 0x10, APP + 0x10, APP + 0x20),
	LOCK(1, M1, TAKE + 0x10), LOCK(1, SWM1, TAKE + 0x30), UNLOCK(1, SWM1, TAKE + 0x40),
	UNLOCK_UP(1, M1, TAKE + 0x50, EVAL_RESTORE + 0x10, APP + 0x10),
};
static const struct rec_event cs_named_want[] = {
	EV_CALLSITE(1, TAKE + 0x10, "take_gil", 0x10),
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_BEGIN(1, M1, TAKE + 0x10),
	EV_CALLSITE(1, TAKE + 0x50, "take_gil", 0x50),
	EV_CALLSITE(1, EVAL_RESTORE + 0x10, "PyEval_RestoreThread", 0x10),
	EV_CALLSITE(1, APP + 0x10, "app_main", 0x10),
	EV_END_BT(1, M1, 0, 0, TAKE + 0x50, EVAL_RESTORE + 0x10, APP + 0x10),
	EV_CALLSITE(1, DROP + 0x30, "drop_gil", 0x30),
	EV_CALLSITE(1, EVAL_SAVE + 0x10, "PyEval_SaveThread", 0x10),
	EV_RELEASE_BT(1, M1, 0, 0, DROP + 0x30, EVAL_SAVE + 0x10, APP + 0x10),
	EV_BEGIN(1, M1, TAKE + 0x10),
	EV_END_BT(1, M1, 0, 0, TAKE + 0x50, EVAL_RESTORE + 0x10, APP + 0x10),
};

/* ---- Python frames (GILTRACE_PYFRAMES=2) ----------------------------------- */

/* Code objects of the simulated threads' Python frames. */
#define CODE_F	0x7f0000100000
#define CODE_G	0x7f0000100100
#define CODE_H	0x7f0000100200

/*
 * A CPython GIL's acquisitions and releases carry the thread's frames as
 * it has them at the unlock of the GIL's mutex, at most 2 of them; a
 * thread with none (C code taking the GIL) carries none.
 */
static const struct step pf_cpython[] = {
	LOCK(1, M1, TAKE + 0x10), LOCK(1, SWM1, TAKE + 0x30), UNLOCK(1, SWM1, TAKE + 0x40),
	UNLOCK_PY(1, M1, TAKE + 0x50, PYF(CODE_F, 12), PYF(CODE_G, 40), PYF(CODE_H, 4)),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	LOCK(1, M1, DROP + 0x10), SIGNAL(1, C1, DROP + 0x20),
	UNLOCK_PY(1, M1, DROP + 0x30, PYF(CODE_G, 44)),
	WOKEN(2), TAKE_SWITCH(2, TAKE, GIL1),
	DROP_GIL(2, DROP, GIL1),
};
static const struct rec_event pf_cpython_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_BEGIN(1, M1, TAKE + 0x10),
	EV_END_PY(1, M1, 0, 0, TAKE + 0x50, 2, .pycode = { CODE_F, CODE_G }, .pyinstr = { 12, 40 }),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE_PY(1, M1, 1, 1, DROP + 0x30, 1, .pycode = { CODE_G }, .pyinstr = { 44 }),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 1, 0, TAKE + 0x50),
	EV_RELEASE(2, M1, 0, 0, DROP + 0x30),
};

/* An attempt given up (a thread exiting during finalisation) carries no
 * frames: its thread state may be gone. */
static const struct step pf_abandon[] = {
	TAKE_FREE(1, TAKE, GIL1),
	TAKE_LOCK(2, TAKE, GIL1), TAKE_WAIT(2, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	WOKEN(2), UNLOCK_PY(2, M1, TAKE + 0x60, PYF(CODE_F, 2)),
};
static const struct rec_event pf_abandon_want[] = {
	EV_FIRST_TAKE(1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_ABANDON(2, M1, 1, 0, TAKE + 0x60),
};

/* CPython 2.7: the frames at sem_wait's return and at sem_post. */
static const struct step pf_semaphore[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	STEP(2, SIM_SEM_WAIT, .obj = SEM, .caller = PT_ACQ + 0x10, .up = { EVAL_RESTORE + 0x10 },
		.py = { PYF(CODE_H, 7) }),
	STEP(1, SIM_SEM_POST, .obj = SEM, .caller = PT_REL + 0x10, .up = { EVAL_SAVE + 0x10 },
		.py = { PYF(CODE_G, 3), PYF(CODE_F, 9) }),
	SEM_WOKEN(2),
};
static const struct rec_event pf_semaphore_want[] = {
	EV_FIRST_SEM_WAIT(1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_RELEASE_PY(1, SEM, 1, 1, PT_REL + 0x10, 2, .pycode = { CODE_G, CODE_F }, .pyinstr = { 3, 9 }),
	EV_END_PY(2, SEM, 0, 0, PT_ACQ + 0x10, 1, .pycode = { CODE_H }, .pyinstr = { 7 }),
};

/* Another runtime's lock: no Python frames are read, whatever the stack. */
static const struct step pf_ruby[] = {
	RB_LOCK(1, GVL), RB_UNLOCK(1, GVL),
	RB_LOCK_START(2, GVL), STEP(2, SIM_UNLOCK, .obj = GVL, .caller = RB_UNLOCK_FN + 0x10,
		.py = { PYF(CODE_F, 1) }),
	RB_LOCK(2, GVL), STEP(2, SIM_UNLOCK, .obj = GVL, .caller = RB_UNLOCK_FN + 0x10,
		.py = { PYF(CODE_F, 1) }),
};
static const struct rec_event pf_ruby_want[] = {
	EV_IDENT(2, GVL, 0, CONDVAR, "thread-start", RUBY, RB_LOCK_FN + 0x10),
	EV_BEGIN(2, GVL, RB_LOCK_FN + 0x10),
	EV_END(2, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
	EV_RELEASE(2, GVL, 0, 0, RB_UNLOCK_FN + 0x10),
};

/* ---- compact cycles (giltrace(7)) ----------------------------------------- */

/* A cycle of thread t on l told as one event at its release (at). */
/*
 * A cycle of thread of_ in a batch (gil_cycles) told by thread t: the
 * recorder lists each of a batch's cycles where the batch was told.
 */
#define EV_CYCLE(t, of_, l, b, a, at) \
	EV("gil_cycle", t, l, at, .of = (of_), .begin_caller = (b), .acquire_caller = (a), .acquired = 1)
/* The same, whose release found n waiters and signalled them or not (s). */
#define EV_CYCLE_WAITERS(t, of_, l, b, a, at, n, s) \
	EV("gil_cycle", t, l, at, .of = (of_), .begin_caller = (b), .acquire_caller = (a), .acquired = 1, \
		.waiters = (n), .signalled = (s))
/* Thread t opens thread of_'s pending cycle, acquired or not. */
#define EV_OPEN(t, l, of_, b, a, acq) \
	EV("gil_cycle_open", t, l, 0, .of = (of_), .begin_caller = (b), .acquire_caller = (a), \
		.acquired = (acq))

/* Cycles nobody else touched: one event each. */
static const struct step cp_uncontended[] = {
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	EXIT(),
};
static const struct rec_event cp_uncontended_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CYCLE(0, 1, M1, TAKE + 0x10, TAKE + 0x50, DROP + 0x30),
	EV_CYCLE(0, 1, M1, TAKE + 0x10, TAKE + 0x50, DROP + 0x30),
};

/*
 * Another thread's attempt opens the holder's pending cycle before its
 * own begin; from there on both go on in today's events (a thread that
 * finds the GIL held does not make its attempt pending).
 */
static const struct rec_event cp_handover_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_OPEN(2, M1, 1, TAKE + 0x10, TAKE + 0x50, 1),
	EV_TAKE_WAIT(2, TAKE, M1, C1),
	EV_RELEASE(1, M1, 1, 1, DROP + 0x30),
	EV_WOKEN(2, M1, TAKE + 0x20),
	EV_END(2, M1, 1, 0, TAKE + 0x50),
	EV_RELEASE(2, M1, 0, 0, DROP + 0x30),
};

/*
 * A thread whose attempt has to wait opens its own pending cycle first.
 * T1 begins while T2 is still in take_gil with the GIL free: T1 opens
 * T2's attempt and makes its own pending, then opens it at its wait.
 */
static const struct step cp_own_wait[] = {
	TAKE_FREE(2, TAKE, GIL1),
	DROP_GIL(2, DROP, GIL1),
	TAKE_FREE(1, TAKE, GIL1),
	DROP_GIL(1, DROP, GIL1),
	TAKE_LOCK(2, TAKE, GIL1),
	TAKE_LOCK(1, TAKE, GIL1), TAKE_WAIT(1, TAKE, GIL1),
};
static const struct rec_event cp_own_wait_want[] = {
	EV_IDENT(2, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CYCLE(1, 2, M1, TAKE + 0x10, TAKE + 0x50, DROP + 0x30),
	EV_CYCLE(2, 1, M1, TAKE + 0x10, TAKE + 0x50, DROP + 0x30),
	EV_OPEN(1, M1, 2, TAKE + 0x10, 0, 0),
	EV_OPEN(1, M1, 1, TAKE + 0x10, 0, 0),
	EV_WAIT(1, M1, C1, TAKE + 0x20),
};

/*
 * A batch holds GIL_BATCH_CYCLES cycles: the thread tells it itself
 * when the next release finds it full, and the rest at exit.
 */
#define CP_CYCLE		TAKE_FREE(1, TAKE, GIL1), DROP_GIL(1, DROP, GIL1)
#define CP_CYCLES_4		CP_CYCLE, CP_CYCLE, CP_CYCLE, CP_CYCLE
#define CP_CYCLES_16		CP_CYCLES_4, CP_CYCLES_4, CP_CYCLES_4, CP_CYCLES_4
#define EV_CP(t)		EV_CYCLE(t, 1, M1, TAKE + 0x10, TAKE + 0x50, DROP + 0x30)
#define EV_CP_4(t)		EV_CP(t), EV_CP(t), EV_CP(t), EV_CP(t)
#define EV_CP_16(t)		EV_CP_4(t), EV_CP_4(t), EV_CP_4(t), EV_CP_4(t)
static const struct step cp_full[] = {
	CP_CYCLES_16, CP_CYCLES_16, CP_CYCLES_16, CP_CYCLES_4, CP_CYCLES_4, CP_CYCLES_4, CP_CYCLE, CP_CYCLE,
	CP_CYCLE,
	EXIT(),
};
static const struct rec_event cp_full_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CP_16(1), EV_CP_16(1), EV_CP_16(1), EV_CP_4(1), EV_CP_4(1), EV_CP_4(1), EV_CP(1), EV_CP(1),
	EV_CP(0),
};
_Static_assert(GIL_BATCH_CYCLES == 62, "cp_full is a batch of GIL_BATCH_CYCLES cycles, and one more");

/* Cycles whose call sites are named while the names are not recorded
 * are not compacted: each event is told at once, as its names are. */
static const struct step cp_starting[] = {
	CP_CYCLE, CP_CYCLE,
	EXIT(),
};
static const struct rec_event cp_starting_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_BEGIN(1, M1, TAKE + 0x10), EV_END(1, M1, 0, 0, TAKE + 0x50), EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
	EV_BEGIN(1, M1, TAKE + 0x10), EV_END(1, M1, 0, 0, TAKE + 0x50), EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
};

/* A batch goes on for a millisecond at most: a cycle that ends it, a
 * long hold, has it told at its release. */
static const struct step cp_span[] = {
	CP_CYCLE, CP_CYCLE,
	TAKE_LOCK(2, TAKE, GIL1),
};
static const struct rec_event cp_span_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CP(1),
	EV_CP(1),
};

/* A batch of the parent's is not the child's to tell (fork): the
 * child announces the GIL again and tells only its own cycle. */
static const struct step cp_fork[] = {
	CP_CYCLE,
	FORK(1),
	CP_CYCLE,
	EXIT(),
};
static const struct rec_event cp_fork_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_IDENT(1, M1, C1, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CP(0),
};

/* Still pending when the process exits: opened by the exiting thread. */
static const struct step cp_exit[] = {
	TAKE_FREE(1, TAKE, GIL1),
	EXIT(),
};
static const struct rec_event cp_exit_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_OPEN(0, M1, 1, TAKE + 0x10, TAKE + 0x50, 1),
};

/*
 * The shim's flusher thread (gil_flusher.c, thread 0 here) tells what
 * has been pending for a batch span or more: a hold that began a
 * millisecond ago (a reading of the slow clock) is opened by it, and
 * its release is then an event of its own.  Younger, the cycle stays
 * pending through the flusher's looks and joins the batch, told at
 * exit.
 */
static const struct step cp_flush[] = {
	TAKE_FREE(1, TAKE, GIL1),
	FLUSH(),
	DROP_GIL(1, DROP, GIL1),
	FLUSH(),
	EXIT(),
};
static const struct rec_event cp_flush_stale_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_OPEN(0, M1, 1, TAKE + 0x10, TAKE + 0x50, 1),
	EV_RELEASE(1, M1, 0, 0, DROP + 0x30),
};
static const struct rec_event cp_flush_fresh_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CP(0),
};

/*
 * Python frames in a batch: an acquisition that reads the frames of the
 * batch's last release again is told as that release's, taking no room
 * of its own; the first cycle of a batch, and an acquisition whose
 * frames changed, carry theirs.  A release with the frames of one of the
 * batch's last four releases is told as that one's (back=K): releases
 * at two places in turn, and one as far back as that on which an
 * acquisition is told as its release's; a release with no frame, or
 * with those of a release further back, carries its own.
 */
#define CP_TAKE_PY(...) \
	TAKE_LOCK(1, TAKE, GIL1), LOCK(1, SWM1, TAKE + 0x30), SIGNAL(1, SWC1, TAKE + 0x38), \
	UNLOCK(1, SWM1, TAKE + 0x40), UNLOCK_PY(1, M1, TAKE + 0x50, __VA_ARGS__)
#define CP_DROP_PY(...) \
	LOCK(1, M1, DROP + 0x10), SIGNAL(1, C1, DROP + 0x20), UNLOCK_PY(1, M1, DROP + 0x30, __VA_ARGS__)
static const struct step cp_pyframes[] = {
	CP_TAKE_PY(PYF(CODE_F, 1)), CP_DROP_PY(PYF(CODE_G, 2), PYF(CODE_F, 1)),
	CP_TAKE_PY(PYF(CODE_G, 2), PYF(CODE_F, 1)), CP_DROP_PY(PYF(CODE_H, 3)),
	CP_TAKE_PY(PYF(CODE_H, 3)), CP_DROP_PY(PYF(CODE_H, 4)),
	CP_TAKE_PY(PYF(CODE_F, 9)), CP_DROP_PY(PYF(CODE_F, 9)),
	CP_TAKE_PY(PYF(CODE_F, 9)), CP_DROP_PY(),
	CP_TAKE_PY(), CP_DROP_PY(PYF(CODE_G, 5)),
	CP_TAKE_PY(PYF(CODE_G, 5)), CP_DROP_PY(PYF(CODE_H, 6), PYF(CODE_F, 1)),
	CP_TAKE_PY(PYF(CODE_H, 6), PYF(CODE_F, 1)), CP_DROP_PY(PYF(CODE_G, 5)),
	CP_TAKE_PY(PYF(CODE_G, 5)), CP_DROP_PY(PYF(CODE_H, 6), PYF(CODE_F, 1)),
	CP_TAKE_PY(PYF(CODE_H, 6), PYF(CODE_F, 1)), CP_DROP_PY(PYF(CODE_H, 3)),
	CP_TAKE_PY(), CP_DROP_PY(),
	EXIT(),
};
#define EV_CYCLE_PY(an, rn, ...) \
	EV("gil_cycle", 0, M1, DROP + 0x30, .of = 1, .begin_caller = TAKE + 0x10, \
		.acquire_caller = TAKE + 0x50, .acquired = 1, .apy_n = (an), .py_n = (rn), __VA_ARGS__)
static const struct rec_event cp_pyframes_want[] = {
	EV_IDENT(1, M1, 0, CONDVAR, "callsite-symbol", CPY311, TAKE + 0x10),
	EV_CYCLE_PY(1, 2, .apycode = { CODE_F }, .apyinstr = { 1 },
		.pycode = { CODE_G, CODE_F }, .pyinstr = { 2, 1 }),
	EV_CYCLE_PY(2, 1, .apycode = { CODE_G, CODE_F }, .apyinstr = { 2, 1 }, .apy_as_release = 1,
		.pycode = { CODE_H }, .pyinstr = { 3 }),
	EV_CYCLE_PY(1, 1, .apycode = { CODE_H }, .apyinstr = { 3 }, .apy_as_release = 1,
		.pycode = { CODE_H }, .pyinstr = { 4 }),
	EV_CYCLE_PY(1, 1, .apycode = { CODE_F }, .apyinstr = { 9 },
		.pycode = { CODE_F }, .pyinstr = { 9 }),
	EV_CYCLE_PY(1, 0, .apycode = { CODE_F }, .apyinstr = { 9 }, .apy_as_release = 1),
	EV_CYCLE_PY(0, 1, .pycode = { CODE_G }, .pyinstr = { 5 }),
	EV_CYCLE_PY(1, 2, .apycode = { CODE_G }, .apyinstr = { 5 }, .apy_as_release = 1,
		.pycode = { CODE_H, CODE_F }, .pyinstr = { 6, 1 }),
	EV_CYCLE_PY(2, 1, .apycode = { CODE_H, CODE_F }, .apyinstr = { 6, 1 }, .apy_as_release = 1,
		.pycode = { CODE_G }, .pyinstr = { 5 }, .py_back = 2),
	EV_CYCLE_PY(1, 2, .apycode = { CODE_G }, .apyinstr = { 5 }, .apy_as_release = 1,
		.pycode = { CODE_H, CODE_F }, .pyinstr = { 6, 1 }, .py_back = 2),
	EV_CYCLE_PY(2, 1, .apycode = { CODE_H, CODE_F }, .apyinstr = { 6, 1 }, .apy_as_release = 1,
		.pycode = { CODE_H }, .pyinstr = { 3 }),
	EV_CYCLE_PY(0, 0),
};

/* CPython 2.7's semaphore: the same, with sem_wait and sem_post. */
static const struct rec_event cp_py27_want[] = {
	EV_IDENT(1, SEM, 0, SEMAPHORE, "semaphore-caller", CPY27, PT_ACQ + 0x10),
	EV_OPEN(2, SEM, 1, PT_ACQ + 0x10, PT_ACQ + 0x10, 1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM, 1, 1, PT_REL + 0x10),
	EV_END(2, SEM, 0, 0, PT_ACQ + 0x10),
	EV_RELEASE(2, SEM, 0, 0, PT_REL + 0x10),
};

/*
 * CPython 2.7's countdown: the waiter sleeps in sem_wait while the holder
 * releases and takes the GIL back, again and again, without waiting.
 * Those cycles are compact, with the release's waiter; the waiter's
 * acquisition is today's event.
 */
static const struct step cp_py27_retake[] = {
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_WAIT(2),
	GIL27_POST(1),
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_POST(1),
	GIL27_WAIT(1), SEM_WOKEN(1),
	GIL27_POST(1),
	SEM_WOKEN(2),
	GIL27_POST(2),
};
static const struct rec_event cp_py27_retake_want[] = {
	EV_IDENT(1, SEM, 0, SEMAPHORE, "semaphore-caller", CPY27, PT_ACQ + 0x10),
	EV_OPEN(2, SEM, 1, PT_ACQ + 0x10, PT_ACQ + 0x10, 1),
	EV_BEGIN(2, SEM, PT_ACQ + 0x10),
	EV_RELEASE(1, SEM, 1, 1, PT_REL + 0x10),
	EV_CYCLE_WAITERS(2, 1, SEM, PT_ACQ + 0x10, PT_ACQ + 0x10, PT_REL + 0x10, 1, 1),
	EV_CYCLE_WAITERS(2, 1, SEM, PT_ACQ + 0x10, PT_ACQ + 0x10, PT_REL + 0x10, 1, 1),
	EV_END(2, SEM, 0, 0, PT_ACQ + 0x10),
	EV_RELEASE(2, SEM, 0, 0, PT_REL + 0x10),
};

/* ---- the table of scenarios, by group (a test case each) --------------- */

static const struct scenario scenarios[] = {
	SCENARIO("CPython3", "uncontended take_gil and drop_gil",
		py311, py3_uncontended, py3_uncontended_want),
	SCENARIO("CPython3", "hand-over to a waiting thread",
		py311, py3_handover, py3_handover_want),
	SCENARIO("CPython3", "failed wake-up",
		py311, py3_failed_wakeup, py3_failed_wakeup_want),
	SCENARIO("CPython3", "timeouts and a forced switch",
		py311, py3_timeouts, py3_timeouts_want),
	SCENARIO("CPython3", "runtime-extent in a stripped binary",
		py311, py3_extent, py3_extent_want),
	SCENARIO("CPython3", "other mutexes of _PyRuntime",
		py311, py3_extent_others, py3_extent_others_want),
	SCENARIO("CPython3", "sub-interpreter GIL learned from the take site",
		py312, py3_subinterpreter, py3_subinterpreter_want),
	SCENARIO("CPython27", "semaphore GIL of PyEval_* callers",
		py27, py27_semaphore, py27_semaphore_want),
	SCENARIO("CPython27", "EINTR: the retry continues the attempt",
		py27, py27_eintr, py27_eintr_want),
	SCENARIO("CPython27", "sem_trywait",
		py27, py27_trywait, py27_trywait_want),
	SCENARIO("CPython27", "other semaphores",
		py27, py27_others, py27_others_want),
	SCENARIO("Ruby", "GVL found at a thread's start",
		ruby, rb_thread_start, rb_thread_start_want),
	SCENARIO("Ruby", "gvl_yield and its hand-over condvars",
		ruby, rb_yield, rb_yield_want),
	SCENARIO("Ruby", "another ractor's GVL",
		ruby, rb_ractor, rb_ractor_want),
	SCENARIO("OCaml", "master lock of the blocking-section hooks",
		ocaml, oc_hooks, oc_hooks_want),
	SCENARIO("OCaml", "Thread.yield",
		ocaml, oc_yield, oc_yield_want),
	SCENARIO("OCaml5", "master lock found by the domain lock, sites learned",
		ocaml5, oc5_domain_lock, oc5_domain_lock_want),
	SCENARIO("OCaml5", "another domain's master lock, where the first was locked",
		ocaml5, oc5_domains, oc5_domains_want),
	SCENARIO("UserLocks", "lock functions reached through a wrapper",
		user, user_wrapped, user_wrapped_want),
	SCENARIO("UserLocks", "yield functions",
		user, user_yield, user_yield_want),
	SCENARIO("UserLocks", "a named lock beside CPython's GIL",
		py311_user, user_beside_cpython, user_beside_cpython_want),
	SCENARIO("Abandoned", "the lock fails",
		py311, ab_lock_fails, ab_lock_fails_want),
	SCENARIO("Abandoned", "cancelled inside the wait",
		py311, ab_cancelled, ab_cancelled_want),
	SCENARIO("Abandoned", "cancelled inside sem_wait",
		py27, ab_sem_cancelled, ab_sem_cancelled_want),
	SCENARIO("Abandoned", "a thread exiting during finalisation",
		py311, ab_exiting, ab_exiting_want),
	SCENARIO("Fork", "condvar GIL kept and announced again",
		py311, fork_condvar, fork_condvar_want),
	SCENARIO("Fork", "condvar GIL of a stripped binary",
		py311, fork_stripped, fork_stripped_want),
	SCENARIO("Fork", "semaphore GIL dropped and found again",
		py27, fork_semaphore, fork_semaphore_want),
	SCENARIO("MidRun", "holder unknown: roles by call site",
		py311_midrun, mid_by_site, mid_by_site_want),
	SCENARIO("MidRun", "holder unknown: roles by behaviour",
		py311_midrun, mid_by_behaviour, mid_by_behaviour_want),
	SCENARIO("MidRun", "tracing stopped and started again",
		py311, mid_restart, mid_restart_want),
	SCENARIO("MidRun", "a session started beside the recording one",
		py311, mid_beside, mid_beside_want),
	SCENARIO("MidRun", "Ruby's GVL by a wait on a thread's own condvar",
		ruby_midrun, mid_ruby, mid_ruby_want),
	SCENARIO("MidRun", "Ruby's holder unknown yields and takes the GVL back",
		ruby_midrun, mid_ruby_yield, mid_ruby_yield_want),
	SCENARIO("MidRun", "OCaml's master lock found at a release",
		ocaml_midrun, mid_ocaml, mid_ocaml_want),
	SCENARIO("CallSites", "named before first use, with backtraces",
		py311_callsites, cs_named, cs_named_want),
	SCENARIO("PyFrames", "a CPython GIL's acquisitions and releases",
		py311_pyframes, pf_cpython, pf_cpython_want),
	SCENARIO("PyFrames", "none for an attempt given up",
		py311_pyframes, pf_abandon, pf_abandon_want),
	SCENARIO("PyFrames", "CPython 2.7's semaphore GIL",
		py27_pyframes, pf_semaphore, pf_semaphore_want),
	SCENARIO("PyFrames", "none for another runtime's lock",
		ruby_pyframes, pf_ruby, pf_ruby_want),
	SCENARIO("Compact", "uncontended cycles, one event each",
		py311_compact, cp_uncontended, cp_uncontended_want),
	SCENARIO("Compact", "another thread's attempt opens the pending cycle",
		py311_compact, py3_handover, cp_handover_want),
	SCENARIO("Compact", "a thread that must wait opens its own",
		py311_compact, cp_own_wait, cp_own_wait_want),
	SCENARIO("Compact", "a full batch told by its thread",
		py311_compact, cp_full, cp_full_want),
	SCENARIO("Compact", "not while a session starts (names told unrecorded)",
		py311_compact_starting, cp_starting, cp_starting_want),
	SCENARIO("Compact", "a batch of a millisecond told at its release",
		py311_compact_slow, cp_span, cp_span_want),
	SCENARIO("Compact", "a batch of the parent's not told by a forked child",
		py311_compact, cp_fork, cp_fork_want),
	SCENARIO("Compact", "pending at exit",
		py311_compact, cp_exit, cp_exit_want),
	SCENARIO("Compact", "a hold of a millisecond told by the flusher",
		py311_compact_slow, cp_flush, cp_flush_stale_want),
	SCENARIO("Compact", "a young cycle left pending by the flusher",
		py311_compact, cp_flush, cp_flush_fresh_want),
	SCENARIO("Compact", "an acquisition's frames told as the last release's",
		py311_compact_pyframes, cp_pyframes, cp_pyframes_want),
	SCENARIO("Compact", "CPython 2.7's semaphore",
		py27_compact, py27_semaphore, cp_py27_want),
	SCENARIO("Compact", "CPython 2.7's holder taking the GIL back beside a waiter",
		py27_compact, cp_py27_retake, cp_py27_retake_want),
};

START_TEST(test_scenario)
{
	run(&scenarios[_i]);
}
END_TEST

/* ---- the suite ------------------------------------------------------------- */

/* A test case for each group of scenarios, looping over its range. */
static Suite *gil_tracker_suite(void)
{
	Suite *s = suite_create("gil_tracker");
	size_t start = 0;

	while (start < N(scenarios)) {
		TCase *tc = tcase_create(scenarios[start].group);
		size_t end = start + 1;

		while (end < N(scenarios) && strcmp(scenarios[end].group, scenarios[start].group) == 0) {
			end++;
		}
		tcase_add_checked_fixture(tc, NULL, sim_end);
		tcase_add_loop_test(tc, test_scenario, (int) start, (int) end);
		suite_add_tcase(s, tc);
		start = end;
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gil_tracker_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
