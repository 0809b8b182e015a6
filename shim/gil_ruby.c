/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Ruby (MRI) 3.1's GVL, as thread_pthread.c builds it: a mutex, one
 * condition variable per thread for the queue of waiters, and two
 * hand-over condition variables for gvl_yield, all locked and waited on
 * through the exported wrappers rb_native_mutex_lock and
 * rb_native_cond_wait.  Debian's libruby keeps only its dynamic
 * symbols, and every lock in Ruby goes through the one pthread call in
 * rb_native_mutex_lock, so neither names nor call sites tell the GVL
 * from Ruby's other mutexes.  Three facts do:
 * - a thread Ruby creates takes the GVL before anything else
 *   (thread_start_func_2), a handful of frames above the thread's entry;
 * - the GVL lies inside the main ractor object (3.0 and later) or the
 *   VM object (before), both allocated with malloc at start-up, whose
 *   addresses Ruby exports (ruby_single_main_ractor,
 *   ruby_current_vm_ptr): their extent is malloc_usable_size;
 * - the hand-over condition variables are in the GVL's own structure,
 *   right after its mutex (rb_global_vm_lock_t), while the queue's are
 *   in each thread's structure: a wait with a mutex of those objects on
 *   a condition variable of a thread's is a wait for the GVL (this finds
 *   the GVL when tracing starts after the threads did).
 *
 * Ruby 3.3 rewrote thread_pthread.c for its M:N scheduler and no longer
 * exports the ractor or the VM: the GVL is the lock of the ractor's
 * scheduler (struct rb_thread_sched: its mutex, then the Ruby thread
 * allowed to run, then the queue of ready threads), and a thread waits
 * for its turn, untimed, on a condition variable of its native thread's
 * own (thread_sched_wait_running_turn); the thread giving the GVL up
 * sets the next one running itself and signals it (a direct hand-off).
 * So in 3.3 the GVL is the heap mutex, locked through
 * rb_native_mutex_lock, with which a thread waits untimed on a
 * condition variable neither on its stack nor right after the mutex
 * (the VM's ractor scheduler waits on one there), and which Ruby thread
 * holds it is the word after the mutex (see gil_tracker.c).
 */
#define _GNU_SOURCE
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gil_runtimes.h"
#include "symbol.h"

/*
 * Most frames between a new thread's entry and the lock that takes the
 * GVL: the C library's start_thread, Ruby's thread_start_func_1 and _2
 * and the wrapper, with room for a build that inlines less.  A thread
 * already running Ruby code is dozens of frames deep.
 */
#define RUBY_STARTUP_FRAMES	8

/* Frames of our own above the lock call: wrapper, state machine,
 * identification, this file. */
#define SHIM_FRAMES		8

/*
 * Bytes after the GVL's mutex that hold the hand-over condition
 * variables: waitq, timer and timer_err, then switch_cond and
 * switch_wait_cond (72 and 120 bytes after the mutex on x86-64, 3.1).
 */
#define RUBY_HANDOVER_SPAN	192

/*
 * Where Ruby keeps the addresses of its VM and main ractor objects,
 * found once; NULL outside Ruby.  Global: one Ruby per process.
 */
static void *const *ruby_vm_var, *const *ruby_ractor_var;
static int ruby_looked_up;

/* The main ractor object, remembered while ruby_single_main_ractor
 * still shows it: Ruby clears that variable once a second ractor starts.
 * Global for the same reason. */
static void *ruby_main_ractor;

/* Ruby 3.3's scheduler GVL (see above): 1 once ruby_version says 3.3,
 * -1 for another Ruby.  Global for the same reason. */
static int ruby_scheduler;

/* The call site (one frame above rb_native_mutex_lock) where a new
 * thread took the first GVL found: every ractor's threads take theirs
 * there.  Global for the same reason. */
static uintptr_t ruby_start_site;

/* Does Ruby's exported version string (a char array: "3.3.8") begin
 * with prefix? */
static int ruby_version_is(const char *prefix)
{
	size_t n, len = strlen(prefix);
	const char *v = symbol_lookup("ruby_version", &n);

	return v && (n == 0 || n > len) && strncmp(v, prefix, len) == 0;
}

static void ruby_look_up(void)
{
	void *r;

	if (!__atomic_load_n(&ruby_looked_up, __ATOMIC_ACQUIRE)) {
		/* A race only repeats the same look-up. */
		ruby_vm_var = symbol_lookup("ruby_current_vm_ptr", NULL);
		ruby_ractor_var = symbol_lookup("ruby_single_main_ractor", NULL);
		__atomic_store_n(&ruby_scheduler, ruby_version_is("3.3.") ? 1 : -1, __ATOMIC_RELAXED);
		__atomic_store_n(&ruby_looked_up, 1, __ATOMIC_RELEASE);
	}
	r = ruby_ractor_var ? __atomic_load_n(ruby_ractor_var, __ATOMIC_RELAXED) : NULL;
	if (r && !__atomic_load_n(&ruby_main_ractor, __ATOMIC_RELAXED)) {
		__atomic_store_n(&ruby_main_ractor, r, __ATOMIC_RELAXED);
	}
}

void ruby_lock_seen(void)
{
	ruby_look_up();
}

int ruby_gvl_is_scheduler(void)
{
	ruby_look_up();
	return __atomic_load_n(&ruby_scheduler, __ATOMIC_RELAXED) > 0;
}

uintptr_t ruby_scheduler_running(const void *mutex)
{
	/* struct rb_thread_sched: the mutex, then the running thread (the
	 * lock owner between them only in Ruby's debugging builds).  Read
	 * with the mutex held, by the caller. */
	const uintptr_t *running = (const uintptr_t *) ((const char *) mutex + sizeof(pthread_mutex_t));

	return __atomic_load_n(running, __ATOMIC_RELAXED);
}

/* Does addr lie inside the malloc'd object obj? */
static int in_object(void *obj, uintptr_t addr)
{
	if (!obj) {
		return 0;
	}
	return addr >= (uintptr_t) obj && addr < (uintptr_t) obj + malloc_usable_size(obj);
}

/* Inside Ruby's main ractor object or its VM object? */
static int in_ruby_objects(uintptr_t addr)
{
	void *vm = ruby_vm_var ? __atomic_load_n(ruby_vm_var, __ATOMIC_RELAXED) : NULL;

	return in_object(__atomic_load_n(&ruby_main_ractor, __ATOMIC_RELAXED), addr)
		|| in_object(vm, addr);
}

/*
 * The return address one frame above the lock call at caller, if that
 * call is made within RUBY_STARTUP_FRAMES of the thread's entry; else 0.
 */
static uintptr_t startup_site(void *caller)
{
	void *frames[SHIM_FRAMES + RUBY_STARTUP_FRAMES + 2];
	int max = (int) (sizeof(frames) / sizeof(frames[0]));
	int n = symbol_backtrace(frames, max);

	/* A full buffer means a deeper stack than a starting thread has. */
	if (n >= max) {
		return 0;
	}
	for (int i = 0; i + 1 < n; i++) {
		if (frames[i] == caller) {
			return n - i - 1 <= RUBY_STARTUP_FRAMES ? (uintptr_t) frames[i + 1] : 0;
		}
	}
	return 0;
}

int ruby_gvl_at_thread_start(const void *mutex, void *caller)
{
	uintptr_t site, known = 0;

	/* The main thread takes the GVL deep inside ruby_init; Ruby 3.3's
	 * GVL is found by a wait (ruby_queue_wait): in its M:N mode a new
	 * native thread takes the VM's scheduler lock first. */
	if (syscall(SYS_gettid) == getpid() || ruby_gvl_is_scheduler()) {
		return 0;
	}
	site = startup_site(caller);
	if (!site) {
		return 0;
	}
	known = __atomic_load_n(&ruby_start_site, __ATOMIC_ACQUIRE);
	if (known) {
		return site == known ? 2 : 0;
	}
	ruby_look_up();
	if (!in_ruby_objects((uintptr_t) mutex)) {
		return 0;
	}
	__atomic_compare_exchange_n(&ruby_start_site, &known, site, 0,
		__ATOMIC_RELEASE, __ATOMIC_RELAXED);
	return 1;
}

/*
 * Bytes above this thread's stack pointer that count as its stack: a
 * condition variable there is a local one (MJIT's worker waits on one
 * with the VM's waitpid_lock).
 */
#define RUBY_STACK_SPAN		(1024 * 1024)

/* On this thread's stack (within RUBY_STACK_SPAN above the caller's
 * frame)? */
static int on_stack(uintptr_t addr)
{
	uintptr_t sp = (uintptr_t) __builtin_frame_address(0);

	return addr >= sp && addr - sp < RUBY_STACK_SPAN;
}

int ruby_gvl_candidate(const void *mutex)
{
	if (ruby_gvl_is_scheduler()) {
		/* A scheduler's lock is in the ractor object, on the heap:
		 * not in a loaded object (static locks such as the timer
		 * thread's), not on a stack. */
		return !on_stack((uintptr_t) mutex) && !symbol_in_object((uintptr_t) mutex);
	}
	/* With several ractors each has a GVL, and the VM lock is used. */
	if (!ruby_ractor_var || !__atomic_load_n(ruby_ractor_var, __ATOMIC_RELAXED)) {
		return 0;
	}
	return in_ruby_objects((uintptr_t) mutex);
}

int ruby_queue_wait(const void *mutex, const void *cond, int timed)
{
	uintptr_t c = (uintptr_t) cond;

	if (ruby_handover_cond(mutex, cond) || on_stack(c)) {
		return 0;
	}
	/* 3.3 waits for its turn untimed; a thread sleeping with a timeout
	 * waits timed with its own interrupt lock. */
	if (ruby_gvl_is_scheduler()) {
		return !timed;
	}
	return !in_ruby_objects(c);
}

int ruby_handover_cond(const void *lock, const void *cond)
{
	uintptr_t l = (uintptr_t) lock, c = (uintptr_t) cond;

	return c > l && c - l < RUBY_HANDOVER_SPAN;
}

int ruby_runtime_name(char *buf, size_t len)
{
	size_t n;
	const char *v = symbol_lookup("ruby_version", &n);

	if (!v) {
		return 0;
	}
	/* A char array ("3.1.2"): its size bounds the read. */
	if (n == 0) {
		n = 16;
	}
	snprintf(buf, len, "Ruby %.*s", (int) strnlen(v, n), v);
	return 1;
}
