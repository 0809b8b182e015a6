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
 * - thread-start: Ruby's GVL, the first lock of a thread Ruby creates
 *   (gil_ruby.c);
 * - blocking-section-hook: OCaml's master lock, locked by the functions
 *   systhreads installs in the runtime's blocking-section hooks
 *   (gil_ocaml.c).
 * GILTRACE_LOCK_WRAPPERS names functions through which a program makes
 * its lock calls: such a call counts as made by the wrapper's caller.
 */
#ifndef GILTRACE_SHIM_GIL_IDENTIFY_H
#define GILTRACE_SHIM_GIL_IDENTIFY_H

#include <stddef.h>

#include "callsite_cache.h"
#include "gil_tracker.h"

/*
 * Outcome for a mutex: a GIL whose acquire (or release: role) begins
 * now, or a candidate (method set, gil 0) to be confirmed by its
 * critical section.  caller: the lock call's site, or the site of the
 * wrapper it was made through.
 */
struct gil_candidate {
	struct gil *gil;
	const char *method;
	enum gil_role role;
	void *caller;
	int yield;		/* the site is a yield function's */
	enum gil_runtime rt;	/* a candidate's runtime */
};

/* A lock call site, followed up through named wrappers. */
struct lock_site {
	void *caller;
	enum site_role role;
};

/* first: the thread's first traced lock call. */
struct gil_candidate gil_identify_mutex(const void *mutex, void *caller, int first);
struct lock_site gil_identify_lock_site(void *caller);
struct gil *gil_identify_sem(const void *sem, void *caller);
enum site_role gil_identify_site_role(void *caller);
int gil_identify_in_runtime(const void *addr);
void gil_identify_learn_take_site(void *caller);
void gil_identify_runtime_name(enum gil_runtime rt, char *buf, size_t len);

/* A GIL was registered (gil_register calls this). */
void gil_identify_registered(const struct gil *g);

/* Constructor: read GILTRACE_LOCK_FUNCS and _WRAPPERS, find _PyRuntime. */
void gil_identify_init(void);

/* In the child of a fork, after gil_tracker_after_fork_child(). */
void gil_identify_after_fork_child(void);

#endif
