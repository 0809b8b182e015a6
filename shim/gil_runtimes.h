/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The big locks of runtimes other than CPython, recognised from what
 * the runtime exports, without debug information:
 * - Ruby (MRI) 3.1's and 3.3's GVL (thread_pthread.c): every lock call goes
 *   through the exported wrapper rb_native_mutex_lock, so call sites
 *   say nothing; what does is that a thread made by Ruby takes the GVL
 *   before anything else, and that the GVL lies inside the VM or main
 *   ractor object, whose addresses Ruby exports; in 3.3, that a
 *   thread waits with it, untimed, on a condition variable of its own;
 * - OCaml 4's systhreads master lock (st_posix.h): the runtime exports
 *   the hooks that systhreads fills with its blocking-section functions,
 *   which take and release the master lock; the call site's function,
 *   from the unwind tables, is compared with them;
 * - OCaml 5's master locks, one per domain (st_pthreads.h): the domain
 *   lock, taken or released by exported functions inside their
 *   critical sections, shows them (gil_ocaml.c).
 */
#ifndef GILTRACE_SHIM_GIL_RUNTIMES_H
#define GILTRACE_SHIM_GIL_RUNTIMES_H

#include <stddef.h>
#include <stdint.h>

#include "callsite_cache.h"

/* A lock call through rb_native_mutex_lock was seen: remember Ruby's
 * main ractor while it is the only one. */
void ruby_lock_seen(void);

/*
 * Is this lock, made through rb_native_mutex_lock at caller as the
 * first lock call of its thread, Ruby taking its GVL as a new thread
 * starts?  1: yes, the GVL of the main ractor; 2: yes, at the site
 * where a known GVL was taken so (the GVL of another ractor); 0: no.
 */
int ruby_gvl_at_thread_start(const void *mutex, void *caller);

/* Could mutex, locked through rb_native_mutex_lock, be the GVL of a
 * running Ruby with one ractor (inside its main ractor or VM object)? */
int ruby_gvl_candidate(const void *mutex);

/* Does a wait on cond with such a candidate show the GVL's queue: cond
 * a thread's own (in no Ruby object above, not by the mutex, not on
 * this thread's stack; in 3.3, an untimed wait)? */
int ruby_queue_wait(const void *mutex, const void *cond, int timed);

/* Is this Ruby's GVL the lock of 3.3's per-ractor scheduler (found by
 * ruby_gvl_candidate and ruby_queue_wait, its holder told by
 * ruby_scheduler_running)? */
int ruby_gvl_is_scheduler(void);

/* The Ruby thread that 3.3's scheduler whose lock is mutex lets run (0:
 * none), read with the mutex held: the word after the mutex. */
uintptr_t ruby_scheduler_running(const void *mutex);

/* Is cond one of the hand-over condition variables of the Ruby GVL
 * whose mutex is lock (waited on by a yielding thread)? */
int ruby_handover_cond(const void *lock, const void *cond);

/* "Ruby 3.1.2" into buf, or 0 if this is not a Ruby process. */
int ruby_runtime_name(char *buf, size_t len);

/* The role of a call site in OCaml's systhreads, from the start of its
 * function (unwind tables) and its name (NULL if unknown). */
enum site_role ocaml_site_role(uintptr_t function_start, const char *name);

/* Is this OCaml 5 or later (a domain lock per domain, whose master
 * locks are found by it; ocaml_site_role then tells the domain lock's
 * functions, not the hooks)? */
int ocaml_domain_locks(void);

/* Is systhreads linked or loaded?  Only then does a domain lock taken or
 * released inside another mutex's critical section show a master lock;
 * asked each time until it is (bytecode loads it late). */
int ocaml_threads_loaded(void);

/* "OCaml 4.13.1" (or "OCaml" alone) into buf, or 0 if not OCaml. */
int ocaml_runtime_name(char *buf, size_t len);

#endif
