/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The world the shim's GIL state machine sees, faked for
 * tests/check_gil_tracker.c: a program made of a table of functions at
 * fake code addresses, its exported data (_PyRuntime, Py_GetVersion),
 * the answers of the runtime recognisers (gil_runtimes.h), the stacks
 * the shim walks, and simulated threads that make lock calls, reaching
 * the hooks of gil_tracker.h exactly as the wrappers (wrap_mutex.c,
 * wrap_cond.c, wrap_sem.c) do.  The events the shim emits are recorded
 * (tests/shim_tp_recorder.h).  No address is ever dereferenced.
 *
 * Each simulated thread is a real thread, so that the shim's per-thread
 * state (__thread gil_thread) is its own, as in a traced program; the
 * test drives them one call at a time, in the order of a table.
 */
#ifndef GILTRACE_TESTS_SHIM_FAKES_H
#define GILTRACE_TESTS_SHIM_FAKES_H

#include <stddef.h>
#include <stdint.h>

#include "shim/callsite_cache.h"

/* A function of the fake program. */
struct fake_function {
	const char *label;	/* for people: messages name addresses with it */
	const char *name;	/* what symbol lookups say; "" for a stripped one */
	uintptr_t start, end;
	enum site_role ocaml;	/* installed in OCaml's hook of this role, or OCaml 5's
				 * domain lock function (SITE_OCAML_DOMAIN_*), else 0 */
};

/* A data address named in messages. */
struct fake_object {
	uintptr_t addr;
	const char *label;
};

/* The traced process. */
struct fake_world {
	const struct fake_function *functions;	/* ends with a zero entry */
	const struct fake_object *objects;	/* ends with a zero entry */
	const char *py_version;		/* what Py_GetVersion() says; NULL: no such symbol */
	uintptr_t py_runtime;		/* the exported _PyRuntime, 0: none */
	size_t py_runtime_size;
	const char *lock_funcs;		/* GILTRACE_LOCK_FUNCS, NULL: unset */
	const char *lock_wrappers;	/* GILTRACE_LOCK_WRAPPERS, NULL: unset */
	const char *ruby_version;	/* a Ruby process ("3.1.2"), NULL: not Ruby */
	uintptr_t ruby_lo, ruby_hi;	/* its VM and main ractor objects */
	uintptr_t ruby_gvl;		/* the main ractor's GVL (thread-start answers 1) */
	uintptr_t ruby_gvl2;		/* another ractor's (answers 2) */
	const uintptr_t *ruby_handover;	/* the GVLs' hand-over condvars, 0-terminated */
	const char *ocaml_version;	/* an OCaml process ("4.13.1"), NULL: not OCaml */
	int tracing_off;		/* no session records gil_* events at first */
	int callsites;			/* gil_callsite recorded, GILTRACE_CALLSITES=callsites */
	int callsites_unrecorded;	/* gil_callsite enabled, its session not recording yet */
	int pyframes;			/* GILTRACE_PYFRAMES=pyframes */
	int compact;			/* the session records gil_cycles and gil_cycle_open */
	unsigned long long clock_hz;	/* the clock's frequency (0: 1 GHz); each reading adds 10 */
};

/* ---- simulated threads making lock calls ---------------------------- */

enum sim_op {
	SIM_LOCK = 1,	/* pthread_mutex_lock returning ret */
	SIM_UNLOCK,	/* pthread_mutex_unlock */
	SIM_WAIT,	/* pthread_cond_wait (timed: _timedwait) begins */
	SIM_WAKE,	/* the thread's wait returns ret */
	SIM_CANCEL,	/* the thread is cancelled inside its wait */
	SIM_SIGNAL,	/* pthread_cond_signal */
	SIM_SEM_WAIT,	/* sem_wait begins */
	SIM_SEM_WAKE,	/* the thread's sem_wait returns ret with errno err */
	SIM_SEM_CANCEL,	/* the thread is cancelled inside its sem_wait */
	SIM_SEM_TRYWAIT, /* sem_trywait returning ret with errno err */
	SIM_SEM_POST,	/* sem_post */
	SIM_FORK,	/* the thread forks; the test goes on in the child */
	SIM_TRACING,	/* (thread 0) a session starts (ret 1) or stops recording gil_* */
	SIM_BESIDE,	/* (thread 0) another session starts recording beside the first */
	SIM_EXIT,	/* (thread 0) the process ends */
	SIM_FLUSH,	/* (thread 0) the shim's flusher thread looks (gil_flusher.c) */
};

#define SIM_FRAMES_UP	4
#define SIM_PY_FRAMES	4

/* A Python frame of a simulated thread: its code object and offset. */
struct sim_pyframe {
	uintptr_t code;
	uint32_t instr;
};

/* One lock call, or the end of a blocking one, by thread 1, 2, ... */
struct step {
	int thread;
	enum sim_op op;
	uintptr_t obj;		/* the mutex, condvar or semaphore */
	uintptr_t mutex;	/* a wait's mutex */
	uintptr_t caller;	/* the call's return address */
	int timed;		/* SIM_WAIT: pthread_cond_timedwait */
	int ret, err;
	int start;		/* made a few frames from the thread's entry (Ruby) */
	uintptr_t up[SIM_FRAMES_UP];	/* the stack above caller, innermost first */
	struct sim_pyframe py[SIM_PY_FRAMES];	/* the thread's Python frames, innermost first */
};

/* Set the world up as the shim's constructor would see it. */
void fake_world_start(const struct fake_world *w);

/* Run steps in order, each on its thread, each done before the next. */
void sim_run(const struct step *steps, size_t n);

/* End the simulated threads. */
void sim_end(void);

/* ---- the recorded events ---------------------------------------------- */

#define REC_BT_MAX	8

/* One GIL event as the shim emitted it; expected events are written
 * the same way (tests/check_gil_tracker.c). */
struct rec_event {
	const char *name;	/* "gil_acquire_begin", ... */
	int thread;		/* simulated thread, 0: the test itself */
	uintptr_t gil;		/* gil_callsite: the address named */
	uintptr_t cond;
	uintptr_t caller;
	unsigned int waits, timeouts;	/* gil_acquire_end, _abandon */
	unsigned int waiters;		/* gil_release */
	int signalled;
	int timed_out, ret;		/* gil_wait_end */
	char kind[16], method[32], runtime[64];	/* gil_identified */
	char symbol[64], binary[64];	/* gil_callsite */
	uint64_t offset, binary_offset;
	unsigned int bt_len;		/* gil_acquire_end, gil_release */
	uintptr_t bt[REC_BT_MAX];
	unsigned int py_n;		/* gil_acquire_end, gil_release: pycode, pyinstr */
	uint64_t pycode[REC_BT_MAX];
	uint32_t pyinstr[REC_BT_MAX];
	/* gil_cycle, gil_cycle_open: the simulated thread whose cycle it
	 * is (by tid), its begin's and acquisition's callers, and whether
	 * it was acquired; the acquisition's Python frames, and whether
	 * a batch told them as its previous cycle's release's; how many
	 * releases back a batch told the release's frames as (0: its own) */
	int of;
	uintptr_t begin_caller, acquire_caller;
	int acquired;
	unsigned int apy_n;
	uint64_t apycode[REC_BT_MAX];
	uint32_t apyinstr[REC_BT_MAX];
	int apy_as_release;
	int py_back;
};

/* The GIL mutexes py_frames_capture was called for, in order (none
 * expected for any lock but a CPython GIL, whose events only). */
size_t py_capture_count(void);
uintptr_t py_capture_mutex(size_t i);

size_t rec_count(void);
const struct rec_event *rec_get(size_t i);

/* One line describing ev, addresses named after the world's labels. */
void rec_format(const struct rec_event *ev, char *buf, size_t len);

#endif
