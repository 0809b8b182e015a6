/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The GIL state machine: which locks are GILs, who holds each one, and
 * which thread is attempting, waiting or releasing.  The wrappers report
 * every lock call here; this file turns them into giltrace:gil_* events.
 *
 * A mutex+condvar GIL (CPython 3, Ruby's GVL, OCaml's master lock,
 * user-named locks) is followed through the critical sections on its
 * mutex: a section opened by a thread that does not hold the GIL is an
 * acquire attempt (its condvar waits are the GIL waits, its unlock the
 * moment the GIL is held); a section opened by the holder is a release,
 * and a release section that waits is a yield (release, then a new
 * attempt).  A semaphore GIL (CPython 2.7) is simpler: wait is an
 * attempt, post a release.
 */
#ifndef GILTRACE_SHIM_GIL_TRACKER_H
#define GILTRACE_SHIM_GIL_TRACKER_H

#include <stdint.h>

#include "callsite_events.h"
#include "gil_cycle_rec.h"
#include "giltrace_tp.h"
#include "gil_types.h"
#include "py_frames.h"

struct gil {
	const void *lock;		/* identity: the mutex or the semaphore */
	const void *cond;		/* the condvar, once seen; 0 for semaphores */
	enum gil_kind kind;
	enum gil_runtime rt;
	int by_site;			/* roles come from the call site (user-named functions) */
	int trust_sites;		/* a known acquire or release site decides (OCaml) */
	int signal_after_unlock;	/* releases signal just after unlocking (OCaml) */
	int handover_conds;		/* yields wait on hand-over condvars by the mutex (Ruby 3.1) */
	int running_word;		/* the word after the mutex names the holder (Ruby 3.3) */
	int learned_roles;		/* sections' roles from the sites learned (OCaml 5) */
	int plain;			/* CPython 3's: once its holder is known, it alone tells roles */
	int ever_acquired;		/* an acquire ended in this process's trace */
	uint64_t holder;		/* thread serial of the holder, 0 for none */
	int holder_known;		/* holder is meaningful (an acquire or release was seen) */
	unsigned int attempting;	/* threads inside an acquire attempt */
	int acquire_nests;		/* acquires lock another mutex inside (CPython 3's switch mutex) */
	unsigned int announced;		/* the announce epoch gil_identified was emitted in (0: never) */
	const char *method;
	char runtime[64];
	/*
	 * Its pending compact cycle (gil_compact.h): pend_owner is the
	 * serial of the thread it belongs to, 0 for none, or PEND_BUSY
	 * while one thread writes or opens it; the rest is read and written
	 * only by the thread that set PEND_BUSY.
	 */
	uint64_t pend_owner;
	unsigned int emitters;		/* threads between compact_before and compact_after */
	int32_t pend_tid;
	struct gil_cycle_rec pend;
	int pend_active;		/* pend is a cycle going on (else only the batch is pending) */
	struct gil_cycle_batch batch;	/* the owner's cycles done, not told yet */
	uintptr_t pend_bt[CALLSITES_DEPTH_MAX];
	uint64_t pend_pycode[PY_FRAMES_MAX];
	uint32_t pend_pyinstr[PY_FRAMES_MAX];
};

#define PEND_BUSY UINT64_MAX

/* A critical section of this thread on a GIL mutex (or a candidate). */
struct gil_section {
	const void *mutex;		/* 0 when not in a section */
	struct gil *gil;		/* 0 while the mutex is only a candidate */
	void *caller;			/* return address of the lock that opened it */
	unsigned char role;
	union {
		struct {
			unsigned char signalled;	/* signalled a condvar while holding only this mutex */
			unsigned char nested;		/* locked another mutex inside */
			unsigned char depth;		/* other mutexes held inside right now */
			unsigned char yield_site;	/* opened by a yield function: releases, then retakes */
			unsigned char learn;		/* at a site not learned yet: learn what the section did */
			unsigned char released;		/* released the GIL (then waits if a yield) */
			unsigned char first_lock;	/* opened by the thread's first lock call */
			unsigned char nested_signal;	/* signalled a condvar while holding another mutex inside */
		};
		uint64_t flags;		/* all of the above, cleared at once when a section opens */
	};
	uintptr_t running_at_open;	/* Ruby 3.3: the GVL's running thread once locked */
	const char *candidate_method;
	enum gil_runtime candidate_rt;
};

struct gil_thread {
	uint64_t serial;		/* unique per thread for the process's life; 0 until needed */
	unsigned int locks;		/* traced lock calls so far (0: the next is the first) */
	struct gil_section section;
	struct gil *attempt;		/* GIL this thread is attempting to take */
	uintptr_t ruby_self;		/* Ruby 3.3: the Ruby thread it last held the GVL as, 0 if unknown */
	unsigned int waits, timeouts;	/* of that attempt */
	/*
	 * That attempt has blocked on nothing yet: every lock call of the
	 * program's since it began took its lock at the first try (the
	 * wrappers try first while this is set, gil_attempt_blocks when
	 * they must wait or cannot tell).  Its compact cycle is then
	 * acquired as it begins: a wait of 0, one clock reading fewer.
	 */
	int at_once;
	struct gil *pending;		/* where its compact cycle may be pending (gil_compact.h) */
	int32_t tid;			/* gettid(), 0 until needed (gil_cycle_open's tid) */
	/* The call sites of its event now were named while no session
	 * recorded the names (tp_recording.h): it is told at once, not
	 * compacted, so that it is recorded (or dropped) with them. */
	int sites_untold;
	/*
	 * OCaml 5: the mutex this thread locked last, outside any section,
	 * and holds still, with the lock's call site.  If the domain lock
	 * is taken or released now, it is a master lock.
	 */
	const void *held;
	void *held_caller;
	/* The plain GIL (struct gil's plain) of its last section, or NULL:
	 * what gil_plain_section_of compares a lock call with. */
	struct gil *plain;
};

/* initial-exec for the same reason as the guard (guard.h). */
extern __thread struct gil_thread gil_thread __attribute__((tls_model("initial-exec")));

/* A wrapper is about to make a call that blocks or may block, with no
 * try first: this thread's attempt, if any, waits (at_once). */
static inline void gil_attempt_blocks(void)
{
	gil_thread.at_once = 0;
}

/* Number of registered GILs; the fast paths test it first. */
extern unsigned int gil_count;

/* Are GIL events wanted?  Identification only runs while they are. */
static inline int gil_tracing_on(void)
{
	return lttng_ust_tracepoint_enabled(giltrace, gil_acquire_begin)
		|| lttng_ust_tracepoint_enabled(giltrace, gil_release);
}

/* Does a lock call need the slow path at all? */
static inline int gil_hooks_needed(void)
{
	return __atomic_load_n(&gil_count, __ATOMIC_RELAXED) != 0
		|| gil_thread.section.mutex != 0 || gil_tracing_on();
}

/*
 * Nothing for a wrapper to do: no session records its events ev1, ev2
 * and the GIL state machine has nothing to follow.  The wrapper then
 * tail-calls the real function before touching the guard or errno, so
 * a shim preloaded without a session costs a few loads per call.
 */
#define shim_idle(ev1, ev2) \
	(!gil_hooks_needed() && !lttng_ust_tracepoint_enabled(giltrace, ev1) \
		&& !lttng_ust_tracepoint_enabled(giltrace, ev2))

/*
 * The section a lock call on mutex is nested in, when all the call does
 * to it is move its depth (gil_mutex_lock_begin, gil_mutex_unlock): the
 * section's role is known and mutex is another mutex (CPython 3's switch
 * mutex, taken inside every acquisition).  NULL otherwise.  Such a call
 * with no event of its own to emit is handled in line by its wrapper:
 * it sets no errno and cannot re-enter the shim.
 */
static inline struct gil_section *gil_nested_in(const void *mutex)
{
	struct gil_section *s = &gil_thread.section;

	return s->mutex && s->mutex != mutex && s->role != ROLE_UNKNOWN ? s : NULL;
}

/*
 * What a condvar signal with no event of its own only marks, as
 * gil_cond_signal would: the section's nested_signal when another mutex
 * is held inside it (CPython 3's switch condvar), or its signalled in
 * the release section of a GIL whose condvar is known (drop_gil's
 * signal).  NULL otherwise: gil_cond_signal decides.
 */
static inline unsigned char *gil_signal_mark(void)
{
	struct gil_section *s = &gil_thread.section;

	if (!s->mutex) {
		return NULL;
	}
	if (s->depth) {
		return &s->nested_signal;
	}
	return s->role == ROLE_RELEASE && s->gil && __atomic_load_n(&s->gil->cond, __ATOMIC_RELAXED)
		? &s->signalled : NULL;
}

/*
 * The GIL whose section a lock call on mutex opens, when its role is
 * the holder's to tell and nothing else's (section_role): the mutex of
 * the plain GIL of this thread's last section, its holder known, and
 * the thread in no section.  take_gil's and drop_gil's lock calls, every
 * GIL cycle: gil_plain_section_open opens the section with less than
 * gil_mutex_lock_begin looks at.  NULL for anything else.
 */
static inline struct gil *gil_plain_section_of(const void *mutex)
{
	struct gil_thread *t = &gil_thread;
	struct gil *g = t->plain;

	if (!g || t->section.mutex || g->lock != mutex) {
		return NULL;
	}
	return __atomic_load_n(&g->holder_known, __ATOMIC_RELAXED) ? g : NULL;
}

/* Does this thread hold g?  Then its section on g's mutex releases it. */
static inline int gil_plain_holder(const struct gil *g)
{
	uint64_t me = gil_thread.serial;

	return me && __atomic_load_n(&g->holder, __ATOMIC_RELAXED) == me;
}

/* Has gil_mutex_lock_end anything to do after a lock call on mutex
 * that returned ret?  Only for a lock that failed, or that opened a
 * section of Ruby 3.3's GVL (the running thread is read once locked). */
static inline int gil_lock_end_needed(const void *mutex, int ret)
{
	const struct gil_section *s = &gil_thread.section;

	return ret != 0 || (s->mutex == mutex && s->gil && s->gil->running_word);
}

struct gil *gil_find(const void *lock);

/* Hooks, called by the wrappers with the recursion guard held. */
void gil_mutex_lock_begin(const void *mutex, void *caller);
void gil_mutex_lock_end(const void *mutex, int ret);
/* What gil_mutex_lock_begin does for a lock call of gil_plain_section_of.
 * A release section's opening is a few stores: no event, errno untouched. */
void gil_plain_section_open(struct gil *g, const void *mutex, void *caller, int release);
void gil_mutex_unlock(const void *mutex, void *caller);
struct gil *gil_cond_wait_begin(const void *cond, const void *mutex, int timed, void *caller);
void gil_cond_wait_end(struct gil *g, int ret, void *caller);
void gil_cond_wait_untracked_end(const void *mutex, void *caller);
void gil_cond_wait_cancelled(struct gil *g);
void gil_cond_signal(const void *cond);
struct gil *gil_sem_wait_begin(const void *sem, void *caller);
void gil_sem_wait_end(struct gil *g, int ret, int err, void *caller);
void gil_sem_trywait(const void *sem, int ret, void *caller);
void gil_sem_post(const void *sem, void *caller);

/* Around a py_code event (py_code_names.c): see gil_tracker.c. */
unsigned int gil_tracker_naming_begin(void);
void gil_tracker_naming_end(unsigned int n);

/* Process life cycle (shim_init.c). */
void gil_tracker_after_fork_child(void);
/* The process ends: what is pending is told, then process_exit (or
 * gil_not_found first, with no GIL).  may_wait 0 before _exit
 * (wrap_exit.c), whose caller may be a signal handler: only what no
 * thread is writing is told, and nothing waits. */
void gil_tracker_at_exit(int may_wait);
/* What is pending is told (the first half of gil_tracker_at_exit; alone
 * before an exec, wrap_exit.c, where the process goes on, or this image
 * does if the exec fails).  Returns the number of GILs. */
unsigned int gil_tracker_tell_pending(int may_wait);
/* What has been pending on any GIL for a batch span or more is told
 * (gil_flusher.c); never waits.  1 if a cycle could be pending now (a
 * GIL known, compact cycles recorded). */
int gil_tracker_tell_stale(void);

#endif
