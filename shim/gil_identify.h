/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Recognising a GIL without touching the interpreter, from what each
 * runtime exposes:
 * - callsite-symbol: the lock call comes from a function named take_gil
 *   (CPython 3.x) or from a function the user named in
 *   GILTRACE_LOCK_FUNCS, the name checked against the function's extent
 *   from the unwind tables (a stripped binary names the nearest exported
 *   symbol instead, which is no evidence);
 * - runtime-extent: the mutex lies inside the exported _PyRuntime object
 *   (CPython 3.7+, stripped binaries included) and its critical section
 *   behaves like take_gil's or drop_gil's;
 * - callsite-learned: a new mutex locked where a known GIL's acquire
 *   locks it (the own GIL of a CPython 3.12+ sub-interpreter);
 * - semaphore-caller: a semaphore waited on or posted by
 *   PyThread_{acquire,release}_lock when called from a PyEval_* function
 *   (CPython 2.7's GIL);
 * - thread-start: Ruby 3.1's GVL, the first lock of a thread Ruby
 *   creates (gil_ruby.c);
 * - scheduler-wait: Ruby 3.3's GVL, the heap mutex with which a thread
 *   waits untimed on a condition variable of its own (gil_ruby.c);
 * - blocking-section-hook: OCaml 4's master lock, locked by the
 *   functions systhreads installs in the runtime's blocking-section
 *   hooks (gil_ocaml.c);
 * - domain-lock: an OCaml 5 master lock, the mutex in whose critical
 *   section the domain lock is taken or released (the state machine
 *   sees the nesting and asks gil_identify_masterlock for the verdict);
 *   callsite-learned then finds the master locks of other domains
 *   where one was locked.
 * GILTRACE_LOCK_WRAPPERS names functions through which a program makes
 * its lock calls: such a call counts as made by the wrapper's caller.
 */
#ifndef GILTRACE_SHIM_GIL_IDENTIFY_H
#define GILTRACE_SHIM_GIL_IDENTIFY_H

#include <stddef.h>

#include "callsite_cache.h"
#include "gil_types.h"

/*
 * What identification found.  It only decides: registering the GIL and
 * announcing it (gil_identified) is the state machine's job.
 */
enum gil_finding {
	GIL_FOUND_NOTHING = 0,
	GIL_FOUND_LOCK,		/* a GIL: register it */
	GIL_FOUND_CANDIDATE,	/* maybe a GIL: its critical section will tell */
};

/*
 * The verdict on one lock call.  For a mutex: a GIL whose acquire (or
 * release: role) begins now, or a candidate (rt and method set) to be
 * confirmed by its critical section.  caller: the site the GIL events
 * carry, the lock call's, or for a GIL found through a named wrapper
 * the site the wrapper was called from.
 */
struct gil_verdict {
	enum gil_finding found;
	const void *lock;	/* the mutex or the semaphore */
	enum gil_kind kind;
	enum gil_runtime rt;
	const char *method;	/* gil_identified's method */
	int by_site;		/* roles come from call sites (user-named functions) */
	enum gil_role role;	/* of the critical section the lock call opens */
	int yield;		/* the site is a yield function's */
	void *caller;
};

/* A lock call site, followed up through named wrappers. */
struct lock_site {
	void *caller;
	enum site_role role;
};

/*
 * first: the thread's first traced lock call.  known: an interpreter's
 * GIL is already registered (the state machine knows), which ends the
 * search by name, extent and caller: only learned take sites, Ruby's
 * thread starts and user-named locks can reveal another GIL then.
 */
struct gil_verdict gil_identify_mutex(const void *mutex, void *caller, int first, int known);
struct gil_verdict gil_identify_sem(const void *sem, void *caller, int known);
struct lock_site gil_identify_lock_site(void *caller);
enum site_role gil_identify_site_role(void *caller);
int gil_identify_in_runtime(const void *addr);
void gil_identify_learn_take_site(void *caller);

/* The verdict on mutex, an OCaml 5 master lock whose critical section,
 * opened at caller, took (ROLE_ACQUIRE) or released the domain lock. */
struct gil_verdict gil_identify_masterlock(const void *mutex, void *caller, enum gil_role role);

/* What a critical section on an OCaml 5 master lock opened at caller did
 * (SITE_OCAML_TAKE, _DROP, _YIELD): remembered, so that the site tells
 * the role of later sections and finds other domains' master locks. */
void gil_identify_learn_ocaml_site(void *caller, enum site_role role);

/* The role learned for caller, SITE_OTHER if none. */
enum site_role gil_identify_ocaml_learned(void *caller);
void gil_identify_runtime_name(enum gil_runtime rt, char *buf, size_t len);

/* Constructor: read GILTRACE_LOCK_FUNCS and _WRAPPERS, find _PyRuntime. */
void gil_identify_init(void);

#endif
