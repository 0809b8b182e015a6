/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "callsite_events.h"
#include "gil_compact.h"
#include "gil_identify.h"
#include "gil_runtimes.h"
#include "gil_tracker.h"
#include "name_epoch.h"
#include "py_code_names.h"
#include "py_frames.h"
#include "real.h"
#include "tp_recording.h"

__thread struct gil_thread gil_thread __attribute__((tls_model("initial-exec")));

/*
 * The registry: a process has one GIL, or a few with CPython 3.12+
 * sub-interpreters.  Global because a GIL is shared by every thread.
 * Entries are filled before gil_count is raised (release order), so
 * readers scan them without a lock; registration takes gil_registry_lock.
 */
#define GIL_MAX 64
static struct gil gil_table[GIL_MAX];
unsigned int gil_count;
static pthread_mutex_t gil_registry_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Set once an interpreter's GIL is registered (user-named locks do not
 * count): from then on identification only looks for what can reveal
 * another one (gil_identify_mutex's known).  Global: the registry's.
 */
static int interpreter_gil_known;

/* Source of gil_thread.serial: thread identities never reused. */
static uint64_t gil_next_serial;

static uint64_t thread_serial(struct gil_thread *t)
{
	if (!t->serial)
		t->serial = __atomic_add_fetch(&gil_next_serial, 1, __ATOMIC_RELAXED);
	return t->serial;
}

struct gil *gil_find(const void *lock)
{
	unsigned int n = __atomic_load_n(&gil_count, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		if (gil_table[i].lock == lock)
			return &gil_table[i];
	}
	return NULL;
}

static void gil_announce_locked(struct gil *g, void *caller);

/*
 * A GIL is announced once per epoch (name_epoch.h): gil_identified is
 * the name event, and a new session's trace must say again which lock
 * is the GIL.  Global: the process's sessions.  Renewed under
 * gil_registry_lock.
 */
static struct name_epoch announce_epoch = NAME_EPOCH_INIT;

/* The tp_recording_changes() that names_stale_check last acted on.
 * Global: the process's sessions. */
static unsigned int names_changes_noted;

/* Is gil_identified recorded now?  (See gil_announce_locked.) */
static int gil_announce_wanted(void)
{
	return tp_recorded(TP_GIL_IDENTIFIED);
}

static inline __attribute__((always_inline)) int gil_announced(const struct gil *g)
{
	unsigned int announced = __atomic_load_n(&g->announced, __ATOMIC_ACQUIRE);

	return announced && announced == name_epoch_current(&announce_epoch);
}

/*
 * Before every GIL event, recorded or not: what a session that records
 * a name event after others (or after none) needs named again.  Code
 * objects are otherwise only looked at while frames are recorded.
 */
static void names_stale_check(void)
{
	unsigned int changes;

	if (!gil_announce_wanted()) {
		name_epoch_mark_stale(&announce_epoch);
	}
	if (!tp_recorded(TP_PY_CODE)) {
		py_code_names_disabled();
	}
	/* A session began recording beside another, or after it with no GIL
	 * event between: every name again.  Marked stale before the count
	 * is noted, so that a thread that finds it noted finds them stale. */
	changes = tp_recording_changes();
	if (changes != __atomic_load_n(&names_changes_noted, __ATOMIC_ACQUIRE)) {
		name_epoch_mark_stale(&announce_epoch);
		py_code_names_disabled();
		callsites_disabled();
		__atomic_store_n(&names_changes_noted, changes, __ATOMIC_RELEASE);
	}
}

/* name_sites when a session may have come or gone (names_current). */
static void name_sites_checked(void *caller, const uintptr_t *bt, unsigned int n)
{
	int on = callsites_on();

	names_stale_check();
	if (on) {
		callsites_name_all(caller, bt, n);
	}
	/* Enabled but not recorded: a session starting (tp_recording.h). */
	gil_thread.sites_untold = !on && lttng_ust_tracepoint_enabled(giltrace, gil_callsite);
}

/*
 * Every name event a GIL event checks recorded by the probes last
 * confirmed, and no session begun beside another since names_stale_check
 * acted: callsites_on and names_stale_check would find nothing to do.
 * What every GIL event finds while sessions stay as they are, in a few
 * loads.  The count is read last, as in names_stale_check.
 */
static inline int names_current(void)
{
	return tp_recorded_confirmed(TP_GIL_CALLSITE) && tp_recorded_confirmed(TP_GIL_IDENTIFIED)
		&& tp_recorded_confirmed(TP_PY_CODE)
		&& tp_recording_changes() == __atomic_load_n(&names_changes_noted, __ATOMIC_ACQUIRE);
}

/* Name the code addresses of a GIL event before it (callsite_events.h);
 * first of all, whatever a new session needs named again. */
static inline __attribute__((always_inline)) void name_sites(void *caller, const uintptr_t *bt, unsigned int n)
{
	if (!names_current()) {
		name_sites_checked(caller, bt, n);
		return;
	}
	callsites_name_all(caller, bt, n);
	gil_thread.sites_untold = 0;
}

/* The backtrace of a gil_acquire_end or gil_release, if one is wanted. */
static unsigned int event_backtrace(int enabled, void *caller, uintptr_t *bt)
{
	if (!callsites_depth || !enabled) {
		return 0;
	}
	return callsites_backtrace(caller, bt);
}

/*
 * The Python frames of a gil_acquire_end or gil_release of g, if wanted:
 * only a CPython GIL's, and only while the event is recorded.
 */
static const struct py_frames *event_pyframes(const struct gil *g, int enabled, enum py_frames_at at)
{
	if (!py_frames_depth || !enabled || g->rt != GIL_RT_CPYTHON) {
		py_frames_forget();
		return &py_frames_none;
	}
	return py_frames_capture(g->lock, at);
}

static struct gil *gil_register(const void *lock, const void *cond, enum gil_kind kind,
		enum gil_runtime rt, const char *method, int by_site, void *caller)
{
	struct gil *g;

	real_pthread_mutex_lock(&gil_registry_lock);
	g = gil_find(lock);
	if (g || gil_count == GIL_MAX) {
		real_pthread_mutex_unlock(&gil_registry_lock);
		return g;
	}
	g = &gil_table[gil_count];
	memset(g, 0, sizeof(*g));
	g->lock = lock;
	g->cond = cond;
	g->kind = kind;
	g->method = method;
	g->rt = rt;
	g->by_site = by_site;
	/* OCaml 4's st_masterlock_release unlocks, then signals; its
	 * acquire and release functions are known by their hooks.  OCaml
	 * 5's signal before unlocking, and the sites where its sections
	 * showed what they do tell the role of later ones. */
	g->learned_roles = rt == GIL_RT_OCAML && ocaml_domain_locks();
	g->trust_sites = rt == GIL_RT_OCAML && !g->learned_roles;
	g->signal_after_unlock = rt == GIL_RT_OCAML && !g->learned_roles;
	g->handover_conds = rt == GIL_RT_RUBY && !ruby_gvl_is_scheduler();
	g->running_word = rt == GIL_RT_RUBY && ruby_gvl_is_scheduler();
	/* section_role: no site, only the holder, once it is known. */
	g->plain = rt == GIL_RT_CPYTHON && kind == GIL_KIND_COND && !by_site;
	gil_identify_runtime_name(rt, g->runtime, sizeof(g->runtime));
	/* Before the GIL is published: see gil_announce. */
	gil_announce_locked(g, caller);
	__atomic_store_n(&gil_count, gil_count + 1, __ATOMIC_RELEASE);
	real_pthread_mutex_unlock(&gil_registry_lock);
	/* Any interpreter GIL ends the search by name, extent and caller
	 * (the costly part: the semaphore search unwinds on every call at
	 * PyThread_* sites); user-named locks leave it running. */
	if (!by_site)
		__atomic_store_n(&interpreter_gil_known, 1, __ATOMIC_RELAXED);
	return g;
}

/* Register the GIL identification found (NULL: the registry is full). */
static struct gil *gil_register_found(const struct gil_verdict *v)
{
	return gil_register(v->lock, NULL, v->kind, v->rt, v->method, v->by_site, v->caller);
}

static int interpreter_gil_registered(void)
{
	return __atomic_load_n(&interpreter_gil_known, __ATOMIC_RELAXED);
}

/*
 * Emit gil_identified for g unless this process already did: once when
 * registered, and again in a forked child (a process of its own in the
 * trace) before its first GIL event there.
 */
static void gil_announce_locked(struct gil *g, void *caller)
{
	/*
	 * Only into a trace that records it: in a forked child, LTTng-UST
	 * registers with the session daemon again (liblttng-ust-fork) and
	 * drops events until it has, while the child's first GIL events
	 * come at once (CPython takes its GIL back as the child starts).
	 * Announced then, the GIL would stay unnamed in the child's trace;
	 * the next GIL event after the session enables the event announces
	 * it instead.
	 */
	if (!gil_announce_wanted())
		return;
	if (name_epoch_stale(&announce_epoch))
		name_epoch_renew(&announce_epoch);
	if (g->announced == announce_epoch.epoch)
		return;
	name_sites(caller, NULL, 0);
	lttng_ust_tracepoint(giltrace, gil_identified, g->lock, g->cond,
		g->kind == GIL_KIND_SEM ? "semaphore" : "mutex+condvar",
		g->method, g->runtime, caller);
	__atomic_store_n(&g->announced, announce_epoch.epoch, __ATOMIC_RELEASE);
}

/*
 * The flag is raised only once the event is in the trace, and under the
 * registry lock: a thread that sees it raised knows its own GIL events
 * come after gil_identified, and one that does not waits here until the
 * event is written (by it or by the thread that got here first).
 * gil_register announces before it publishes the GIL, for the same
 * reason.
 */
static void gil_announce(struct gil *g, void *caller)
{
	real_pthread_mutex_lock(&gil_registry_lock);
	gil_announce_locked(g, caller);
	real_pthread_mutex_unlock(&gil_registry_lock);
}

/* ---- attempts and releases, common to both kinds ---------------- */

static void attempt_begin(struct gil_thread *t, struct gil *g, void *caller)
{
	/* Names first: a new session's may make the GIL's stale. */
	name_sites(caller, NULL, 0);
	if (!gil_announced(g) && gil_announce_wanted())
		gil_announce(g, caller);
	t->attempt = g;
	t->waits = 0;
	t->timeouts = 0;
	t->at_once = 1;
	__atomic_add_fetch(&g->attempting, 1, __ATOMIC_RELAXED);
	thread_serial(t);
	if (compact_continue(g, t, caller)) {
		return;
	}
	compact_before_attempt(g, t);
	if (!compact_begin(g, t, caller)) {
		lttng_ust_tracepoint(giltrace, gil_acquire_begin, g->lock, caller);
	}
	compact_after(g);
}

static void attempt_close(struct gil_thread *t, struct gil *g)
{
	t->attempt = NULL;
	t->at_once = 0;
	__atomic_sub_fetch(&g->attempting, 1, __ATOMIC_RELAXED);
}

static void attempt_end(struct gil_thread *t, struct gil *g, void *caller)
{
	int enabled = lttng_ust_tracepoint_enabled(giltrace, gil_acquire_end);
	uintptr_t bt[CALLSITES_DEPTH_MAX];
	const struct py_frames *pf;
	int at_once = t->at_once;
	unsigned int n;

	attempt_close(t, g);
	__atomic_store_n(&g->ever_acquired, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&g->holder, thread_serial(t), __ATOMIC_RELAXED);
	__atomic_store_n(&g->holder_known, 1, __ATOMIC_RELAXED);
	n = event_backtrace(enabled, caller, bt);
	name_sites(caller, bt, n);
	pf = event_pyframes(g, enabled, PY_AT_ACQUIRE);
	if (!t->waits && compact_acquired(g, t, at_once, caller, bt, n, pf)) {
		return;
	}
	compact_before(g, t);
	lttng_ust_tracepoint(giltrace, gil_acquire_end, g->lock, t->waits, t->timeouts, caller, bt, n,
		pf->code, pf->instr, pf->n);
	compact_after(g);
}

static void attempt_abandon(struct gil_thread *t, struct gil *g, void *caller)
{
	attempt_close(t, g);
	name_sites(caller, NULL, 0);
	compact_before(g, t);
	lttng_ust_tracepoint(giltrace, gil_acquire_abandon, g->lock, t->waits, t->timeouts, caller);
	compact_after(g);
}

static void gil_released(struct gil *g, int signalled, void *caller)
{
	unsigned int waiters = __atomic_load_n(&g->attempting, __ATOMIC_RELAXED);
	uint64_t holder = __atomic_load_n(&g->holder, __ATOMIC_RELAXED);
	uintptr_t bt[CALLSITES_DEPTH_MAX];
	const struct py_frames *pf;
	unsigned int n;
	int enabled;

	__atomic_store_n(&g->holder, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&g->holder_known, 1, __ATOMIC_RELAXED);
	/*
	 * A GIL found while someone held it (Ruby's, when a new thread
	 * asks for it; OCaml's, at a release): its trace starts with an
	 * acquisition, so the release of a hold whose start it never saw
	 * is left out.
	 */
	if (!__atomic_load_n(&g->ever_acquired, __ATOMIC_RELAXED)) {
		return;
	}
	/* Roles by site (OCaml 5): a domain that ends leaves its master
	 * lock taken, and the next domain made in its place starts holding
	 * it, without a lock call; its first release is left out too. */
	if (g->learned_roles && holder != thread_serial(&gil_thread)) {
		return;
	}
	if (g->signal_after_unlock) {
		signalled = 1;
	}
	enabled = lttng_ust_tracepoint_enabled(giltrace, gil_release);
	n = event_backtrace(enabled, caller, bt);
	/* Names first: a new session's may make the GIL's stale. */
	name_sites(caller, bt, n);
	if (!gil_announced(g) && gil_announce_wanted()) {
		gil_announce(g, caller);
	}
	pf = event_pyframes(g, enabled, PY_AT_RELEASE);
	signalled = signalled && waiters > 0;
	if (compact_released(g, &gil_thread, waiters, signalled, caller, bt, n, pf)) {
		return;
	}
	compact_before(g, &gil_thread);
	lttng_ust_tracepoint(giltrace, gil_release, g->lock, waiters, signalled, caller, bt, n,
		pf->code, pf->instr, pf->n);
	compact_after(g);
}

/* ---- mutex+condvar GILs: critical sections on the GIL mutex -------- */

static enum gil_role site_role_to_gil_role(enum site_role role)
{
	switch (role) {
	case SITE_TAKE:
	case SITE_USER_TAKE:
	case SITE_OCAML_TAKE:
		return ROLE_ACQUIRE;
	case SITE_DROP:
	case SITE_USER_DROP:
	case SITE_USER_YIELD:
	case SITE_OCAML_DROP:
	case SITE_OCAML_YIELD:
		return ROLE_RELEASE;
	default:
		return ROLE_UNKNOWN;
	}
}

/*
 * Why this thread locks the GIL mutex.  Runtimes whose lock functions
 * the user named are believed by call site, and so are the known acquire
 * and release functions of OCaml's master lock; otherwise the holder
 * tells: only the holder releases, only others acquire.  Until an
 * acquire or a release has been seen (tracing started mid-run, or after
 * fork) the call site's name decides, and failing that the section's
 * behaviour (section_resolve).  *caller becomes the site a wrapped lock
 * call was made from; *yield tells whether it is a yield function's.
 */
static enum gil_role section_role(struct gil_thread *t, struct gil *g, void **caller, int *yield)
{
	int holder_known = __atomic_load_n(&g->holder_known, __ATOMIC_RELAXED);
	struct lock_site site;
	enum gil_role role;

	*yield = 0;
	/* OCaml 5: a site not learned yet leaves the role to the section
	 * (ROLE_UNKNOWN): the holder is not always known (see
	 * gil_released), what the section does is. */
	if (g->learned_roles) {
		enum site_role learned = gil_identify_ocaml_learned(*caller);

		*yield = learned == SITE_OCAML_YIELD;
		return site_role_to_gil_role(learned);
	}
	if (holder_known && !g->by_site && !g->trust_sites) {
		goto by_holder;
	}
	site = gil_identify_lock_site(*caller);
	*caller = site.caller;
	*yield = site.role == SITE_OCAML_YIELD || site.role == SITE_USER_YIELD;
	role = site_role_to_gil_role(site.role);
	if (g->by_site || !holder_known || role != ROLE_UNKNOWN) {
		return role;
	}
by_holder:
	if (__atomic_load_n(&g->holder, __ATOMIC_RELAXED) == thread_serial(t)) {
		return ROLE_RELEASE;
	}
	return ROLE_ACQUIRE;
}

static void section_open(struct gil_thread *t, const void *mutex, struct gil *g,
		void *caller, enum gil_role role, const char *candidate_method,
		enum gil_runtime candidate_rt)
{
	struct gil_section *s = &t->section;

	s->mutex = mutex;
	s->gil = g;
	s->caller = caller;
	s->role = role;
	s->flags = 0;
	s->released = role == ROLE_RELEASE;
	s->running_at_open = 0;
	s->candidate_method = candidate_method;
	s->candidate_rt = candidate_rt;
	t->held = NULL;
	t->plain = g && g->plain ? g : NULL;
	if (role == ROLE_ACQUIRE)
		attempt_begin(t, g, caller);
}

/* A section on CPython's GIL, or on a mutex that may be it. */
static int cpython_section(const struct gil_section *s)
{
	return s->gil ? s->gil->rt == GIL_RT_CPYTHON : s->candidate_rt == GIL_RT_CPYTHON;
}

/*
 * Does this wait make a candidate section an acquire?  CPython's GIL is
 * waited on with a timeout (its switch condvar without one); Ruby's GVL
 * on a condvar of the waiting thread's own.
 */
static int candidate_confirmed(const struct gil_section *s, const void *cond, int timed)
{
	if (s->candidate_rt == GIL_RT_RUBY) {
		return ruby_queue_wait(s->mutex, cond, timed);
	}
	return timed;
}

/* The section showed what it is for; a candidate becomes a GIL now. */
static void section_resolve(struct gil_thread *t, enum gil_role role)
{
	struct gil_section *s = &t->section;

	if (!s->gil) {
		s->gil = gil_register(s->mutex, NULL, GIL_KIND_COND, s->candidate_rt,
			s->candidate_method, 0, s->caller);
		if (!s->gil) {
			s->mutex = NULL;
			return;
		}
	}
	s->role = role;
	if (role == ROLE_RELEASE)
		s->released = 1;
	if (role == ROLE_ACQUIRE)
		attempt_begin(t, s->gil, s->caller);
}

/*
 * OCaml 5: is this lock call (want: SITE_OCAML_DOMAIN_LOCK) or unlock
 * (SITE_OCAML_DOMAIN_UNLOCK) the domain lock's, inside a section whose
 * role is still open?  Then the section takes the master lock (the
 * domain lock is taken once it is free) or releases it.
 */
static int domain_lock_inside(const struct gil_section *s, void *caller, enum site_role want)
{
	return s->role == ROLE_UNKNOWN && s->gil && s->gil->learned_roles
		&& gil_identify_site_role(caller) == want;
}

/*
 * OCaml 5: the domain lock taken or released (want, as above) while
 * this thread holds the mutex it locked last, outside any section: that
 * mutex is a master lock, found now, whose section began at its lock
 * call and takes (role ROLE_ACQUIRE, reported from now on) or releases
 * it.  1 if so: the section is open.
 */
static int masterlock_found(struct gil_thread *t, void *caller, enum site_role want,
		enum gil_role role)
{
	struct gil_verdict v;
	struct gil *g;

	if (!t->held || !gil_tracing_on() || !ocaml_domain_locks()
			|| gil_identify_site_role(caller) != want || !ocaml_threads_loaded()) {
		return 0;
	}
	v = gil_identify_masterlock(t->held, t->held_caller, role);
	g = gil_register_found(&v);
	if (!g) {
		t->held = NULL;
		return 0;
	}
	section_open(t, v.lock, g, v.caller, role, NULL, GIL_RT_CPYTHON);
	t->section.learn = 1;
	return 1;
}

/* OCaml 5: remember what a section at a new site did, for the next ones
 * there and the master locks of other domains. */
static void section_learn(const struct gil_section *s)
{
	switch (s->role) {
	case ROLE_ACQUIRE:
		/* Released, then waited to take it back: a yield. */
		gil_identify_learn_ocaml_site(s->caller, s->released ? SITE_OCAML_YIELD : SITE_OCAML_TAKE);
		break;
	case ROLE_RELEASE:
		gil_identify_learn_ocaml_site(s->caller, SITE_OCAML_DROP);
		break;
	default:
		/* Nothing done: a yield that found no waiter; the site stays
		 * to be learned. */
		break;
	}
}

/* A lock call on a mutex identification had a verdict on. */
static void section_open_found(struct gil_thread *t, const struct gil_verdict *v)
{
	struct gil *g;

	switch (v->found) {
	case GIL_FOUND_LOCK:
		g = gil_register_found(v);
		if (!g) {
			return;
		}
		section_open(t, v->lock, g, v->caller, v->role, NULL, GIL_RT_CPYTHON);
		t->section.yield_site = v->yield && v->role == ROLE_RELEASE;
		return;
	case GIL_FOUND_CANDIDATE:
		section_open(t, v->lock, NULL, v->caller, ROLE_UNKNOWN, v->method, v->rt);
		return;
	default:
		return;
	}
}

void gil_mutex_lock_begin(const void *mutex, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil_section *s = &t->section;
	int first = t->locks++ == 0;
	struct gil *g;

	if (s->mutex) {
		/* A recursive mutex: the same section. */
		if (mutex == s->mutex) {
			return;
		}
		s->depth++;
		s->nested = 1;
		/* CPython 3 takes its switch mutex inside an acquire only.
		 * A candidate needs that mutex in the runtime as well. */
		if (s->role == ROLE_UNKNOWN && cpython_section(s)
				&& (s->gil || gil_identify_in_runtime(mutex))) {
			section_resolve(t, ROLE_ACQUIRE);
		} else if (domain_lock_inside(s, caller, SITE_OCAML_DOMAIN_LOCK)) {
			section_resolve(t, ROLE_ACQUIRE);
		}
		return;
	}
	g = gil_find(mutex);
	if (g) {
		t->held = NULL;
		if (g->kind == GIL_KIND_COND && g->running_word) {
			/* Ruby 3.3: the section shows its role (sched_section_end). */
			section_open(t, mutex, g, caller, ROLE_UNKNOWN, NULL, GIL_RT_RUBY);
			s->first_lock = first;
		} else if (g->kind == GIL_KIND_COND) {
			int yield;
			enum gil_role role = section_role(t, g, &caller, &yield);

			section_open(t, mutex, g, caller, role, NULL, GIL_RT_CPYTHON);
			/* Both clear as it opens: set only when they are. */
			if (yield && role == ROLE_RELEASE)
				s->yield_site = 1;
			if (g->learned_roles && role == ROLE_UNKNOWN)
				s->learn = 1;
		}
		return;
	}
	/* The domain lock, taken inside what is then a master lock's
	 * section: this lock call is nested in it. */
	if (t->held && masterlock_found(t, caller, SITE_OCAML_DOMAIN_LOCK, ROLE_ACQUIRE)) {
		s->depth = 1;
		s->nested = 1;
		return;
	}
	t->held = NULL;
	if (!gil_tracing_on()) {
		return;
	}
	struct gil_verdict v = gil_identify_mutex(mutex, caller, first, interpreter_gil_registered());

	section_open_found(t, &v);
	if (!s->mutex && ocaml_domain_locks()) {
		t->held = mutex;
		t->held_caller = caller;
	}
}

void gil_plain_section_open(struct gil *g, const void *mutex, void *caller, int release)
{
	gil_thread.locks++;
	section_open(&gil_thread, mutex, g, caller, release ? ROLE_RELEASE : ROLE_ACQUIRE, NULL,
		GIL_RT_CPYTHON);
}

void gil_mutex_lock_end(const void *mutex, int ret)
{
	struct gil_thread *t = &gil_thread;
	struct gil_section *s = &t->section;

	if (ret == 0) {
		if (s->mutex == mutex && s->gil && s->gil->running_word)
			s->running_at_open = ruby_scheduler_running(mutex);
		return;
	}
	if (!s->mutex)
		return;
	if (mutex != s->mutex) {
		if (s->depth)
			s->depth--;
		return;
	}
	/* The lock failed: there was no section after all. */
	if (s->role == ROLE_ACQUIRE && t->attempt)
		attempt_abandon(t, t->attempt, s->caller);
	s->mutex = NULL;
}

/* Does this thread hold g, as far as its events said? */
static int holds(struct gil_thread *t, const struct gil *g)
{
	return __atomic_load_n(&g->holder_known, __ATOMIC_RELAXED)
		&& __atomic_load_n(&g->holder, __ATOMIC_RELAXED) == thread_serial(t);
}

/*
 * The end of a section on Ruby 3.3's GVL that did not wait, its mutex
 * still held.  The scheduler's lock is taken for many things besides
 * taking and giving up the GVL (making another thread ready, the
 * running-threads list, a yield with nobody ready), so the running
 * thread it names (the word after the mutex) decides:
 * - the holder that leaves another thread or none running released it
 *   (thread_sched_to_waiting: the next ready thread is set running and
 *   signalled, the hand-off is direct);
 * - a thread that finds the GVL free and leaves itself running took it
 *   without waiting (thread_sched_to_running): running went from none
 *   to a thread while it signalled nobody (making another thread
 *   ready does signal it, or the ractor queue under the VM's lock), or
 *   running names the Ruby thread it is known to run as, or, in a new
 *   thread's first lock (its start: nt_start), the GVL was handed to it
 *   before it looked.
 * Anything else changes nothing.
 */
static void sched_section_end(struct gil_thread *t, const struct gil_section *s,
		struct gil *g, void *caller)
{
	uintptr_t now = ruby_scheduler_running(g->lock);
	uintptr_t before = s->running_at_open;

	if (holds(t, g)) {
		if (now != before) {
			if (before)
				t->ruby_self = before;
			gil_released(g, s->signalled, caller);
		}
		return;
	}
	if (!now || s->signalled || s->nested_signal || __atomic_load_n(&g->holder, __ATOMIC_RELAXED))
		return;
	if (now == t->ruby_self || !before || (s->first_lock && !t->ruby_self)) {
		attempt_begin(t, g, caller);
		attempt_end(t, g, caller);
		t->ruby_self = now;
	}
}

void gil_mutex_unlock(const void *mutex, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil_section *s = &t->section;
	struct gil *g = s->gil;

	if (!s->mutex) {
		/* t->held is only ever set in OCaml 5 (see masterlock_found):
		 * every other program's unlock outside a section ends here. */
		if (!t->held)
			return;
		if (t->held == mutex)
			t->held = NULL;
		else
			masterlock_found(t, caller, SITE_OCAML_DOMAIN_UNLOCK, ROLE_RELEASE);
		return;
	}
	if (mutex != s->mutex) {
		if (s->depth)
			s->depth--;
		else if (domain_lock_inside(s, caller, SITE_OCAML_DOMAIN_UNLOCK))
			section_resolve(t, ROLE_RELEASE);
		return;
	}
	s->mutex = NULL;
	if (s->learn)
		section_learn(s);
	switch (s->role) {
	case ROLE_ACQUIRE:
		if (!t->attempt)
			break;
		/*
		 * CPython 3 takes its switch mutex inside every acquire that
		 * succeeds; an acquire section without it is a thread giving
		 * up (exiting during finalisation).
		 */
		if (g->running_word) {
			/* It waited until the scheduler let it run. */
			attempt_end(t, g, caller);
			t->ruby_self = ruby_scheduler_running(mutex);
			break;
		}
		if (g->acquire_nests && !s->nested) {
			attempt_abandon(t, g, caller);
			break;
		}
		if (s->nested && !g->acquire_nests)
			g->acquire_nests = 1;
		attempt_end(t, g, caller);
		/* Ruby and OCaml lock every mutex at the same site or are
		 * known otherwise: only CPython's take_gil site is learned. */
		if (g->rt == GIL_RT_CPYTHON || g->rt == GIL_RT_USER)
			gil_identify_learn_take_site(s->caller);
		break;
	case ROLE_RELEASE:
		gil_released(g, s->signalled, caller);
		/* A yield that did not have to wait took the GIL back at
		 * once, in the same section. */
		if (s->yield_site) {
			attempt_begin(t, g, caller);
			attempt_end(t, g, caller);
		}
		break;
	default:
		if (g && g->running_word)
			sched_section_end(t, s, g, caller);
		break;
	}
}

/*
 * Ruby's gvl_yield waits, after releasing, until another thread has
 * taken the GVL: the yielding thread is already attempting to get it
 * back, but this is no wait for the GVL to be free.  (Its waits on its
 * own queue condvar that follow are.)
 */
static int handover_wait(const struct gil *g, const void *cond)
{
	return g->handover_conds && ruby_handover_cond(g->lock, cond);
}

struct gil *gil_cond_wait_begin(const void *cond, const void *mutex, int timed, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil_section *s = &t->section;
	struct gil *g;

	if (s->mutex != mutex) {
		/* A wait on a GIL mutex outside a known section: the section
		 * began before tracing did.  Waits only happen in acquires. */
		if (s->mutex)
			return NULL;
		g = gil_find(mutex);
		if (!g || g->kind != GIL_KIND_COND)
			return NULL;
		section_open(t, mutex, g, caller, ROLE_ACQUIRE, NULL, GIL_RT_CPYTHON);
	} else if (s->depth) {
		return NULL;
	} else if (s->role == ROLE_UNKNOWN) {
		if (!s->gil && !candidate_confirmed(s, cond, timed))
			return NULL;
		/* Only a holder giving the GVL up (gvl_yield) waits on a
		 * hand-over condvar: its hold, begun before the holder was
		 * known, ended untraced in this section, and from here it
		 * attempts to take the GVL back.  Left unknown, the section
		 * would end holding the GVL unseen, and the thread's next
		 * release would read as an acquisition. */
		if (s->gil && handover_wait(s->gil, cond)) {
			s->role = ROLE_ACQUIRE;
			s->released = 1;
			attempt_begin(t, s->gil, caller);
			return NULL;
		}
		/* Ruby 3.3's holder waiting in its section gave the GVL up
		 * first (a yield, or a sleep until woken). */
		if (s->gil && s->gil->running_word && holds(t, s->gil))
			gil_released(s->gil, s->signalled, caller);
		section_resolve(t, ROLE_ACQUIRE);
	} else if (s->role == ROLE_RELEASE) {
		/* Released and now waiting to get it back, in one section
		 * (a yield): the release is done, a new attempt begins. */
		gil_released(s->gil, s->signalled, caller);
		s->role = ROLE_ACQUIRE;
		attempt_begin(t, s->gil, caller);
	}
	g = s->gil;
	if (!g || !t->attempt || handover_wait(g, cond))
		return NULL;
	if (!g->cond)
		__atomic_store_n(&g->cond, cond, __ATOMIC_RELAXED);
	t->waits++;
	name_sites(caller, NULL, 0);
	compact_before(g, t);
	lttng_ust_tracepoint(giltrace, gil_wait_begin, g->lock, cond, caller);
	compact_after(g);
	return g;
}

void gil_cond_wait_end(struct gil *g, int ret, void *caller)
{
	struct gil_thread *t = &gil_thread;
	int timed_out = ret == ETIMEDOUT;

	if (timed_out)
		t->timeouts++;
	name_sites(caller, NULL, 0);
	compact_before(g, t);
	lttng_ust_tracepoint(giltrace, gil_wait_end, g->lock, timed_out, ret, caller);
	compact_after(g);
}

/*
 * A wait that began on a mutex not yet known as a GIL and ended after it
 * was identified (OCaml's master lock is often found by a release while
 * another thread already waits): waits on a GIL mutex happen in
 * acquires, so the thread's attempt begins now, without the wait it
 * slept through.
 */
void gil_cond_wait_untracked_end(const void *mutex, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil *g;

	if (t->section.mutex || t->attempt) {
		return;
	}
	g = gil_find(mutex);
	if (!g || g->kind != GIL_KIND_COND) {
		return;
	}
	section_open(t, mutex, g, caller, ROLE_ACQUIRE, NULL, GIL_RT_CPYTHON);
}

void gil_cond_wait_cancelled(struct gil *g)
{
	struct gil_thread *t = &gil_thread;

	name_sites(t->section.caller, NULL, 0);
	compact_before(g, t);
	lttng_ust_tracepoint(giltrace, gil_wait_end, g->lock, 0, GILTRACE_RET_CANCELLED, t->section.caller);
	compact_after(g);
	if (t->attempt)
		attempt_abandon(t, g, t->section.caller);
	/* The mutex is held again; its unlock (a cleanup handler) ends
	 * nothing. */
	t->section.role = ROLE_UNKNOWN;
}

void gil_cond_signal(const void *cond)
{
	struct gil_thread *t = &gil_thread;
	struct gil_section *s = &t->section;

	if (!s->mutex) {
		return;
	}
	if (s->depth) {
		s->nested_signal = 1;
		return;
	}
	if (s->role == ROLE_UNKNOWN && s->gil && s->gil->running_word) {
		s->signalled = 1;
		return;
	}
	if (s->role == ROLE_UNKNOWN) {
		/* Ruby signals in acquires too (designate_timer_thread). */
		if (s->gil ? s->gil->rt == GIL_RT_RUBY
				: !cpython_section(s) || !gil_identify_in_runtime(cond)) {
			return;
		}
		section_resolve(t, ROLE_RELEASE);
	}
	if (s->role != ROLE_RELEASE || !s->gil) {
		return;
	}
	s->signalled = 1;
	if (!s->gil->cond) {
		__atomic_store_n(&s->gil->cond, cond, __ATOMIC_RELAXED);
	}
}

/* ---- semaphore GILs ---------------------------------------------- */

static struct gil *sem_gil(const void *sem, void *caller)
{
	struct gil *g = gil_find(sem);

	if (!g && gil_tracing_on()) {
		struct gil_verdict v = gil_identify_sem(sem, caller, interpreter_gil_registered());

		if (v.found == GIL_FOUND_LOCK)
			g = gil_register_found(&v);
	}
	return g && g->kind == GIL_KIND_SEM ? g : NULL;
}

struct gil *gil_sem_wait_begin(const void *sem, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil *g = sem_gil(sem, caller);

	/* A wait retried after EINTR continues the same attempt. */
	if (g && t->attempt != g)
		attempt_begin(t, g, caller);
	return g;
}

void gil_sem_wait_end(struct gil *g, int ret, int err, void *caller)
{
	struct gil_thread *t = &gil_thread;

	if (t->attempt != g)
		return;
	if (ret == 0)
		attempt_end(t, g, caller);
	else if (err != EINTR)
		attempt_abandon(t, g, caller);
}

void gil_sem_trywait(const void *sem, int ret, void *caller)
{
	struct gil_thread *t = &gil_thread;
	struct gil *g;

	if (ret != 0)
		return;
	g = sem_gil(sem, caller);
	if (!g)
		return;
	if (t->attempt != g)
		attempt_begin(t, g, caller);
	attempt_end(t, g, caller);
}

void gil_sem_post(const void *sem, void *caller)
{
	struct gil *g = sem_gil(sem, caller);

	if (g)
		gil_released(g, 1, caller);
}

/* ---- process life cycle ------------------------------------------ */

/*
 * In the child of a fork only the forking thread exists, and runtimes
 * rebuild their GIL: CPython 3 re-initialises the same mutex and takes
 * it again, CPython 2.7 allocates a new semaphore.  Forget holders and
 * attempts, and drop semaphore GILs so the new one is found.
 */
void gil_tracker_after_fork_child(void)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < gil_count; i++) {
		struct gil *g = &gil_table[i];

		if (g->kind == GIL_KIND_SEM)
			continue;
		g->holder = 0;
		g->holder_known = 0;
		g->attempting = 0;
		g->announced = 0;
		g->ever_acquired = 0;
		/* The child's trace starts at its first acquisition, as
		 * without compact cycles. */
		compact_after_fork_child(g);
		if (kept != i)
			gil_table[kept] = *g;
		kept++;
	}
	gil_count = kept;
	/* The forked child of a 2.7 interpreter makes a new semaphore GIL:
	 * search again when no GIL is left. */
	if (!kept)
		interpreter_gil_known = 0;
	pthread_mutex_init(&gil_registry_lock, NULL);
	memset(&gil_thread.section, 0, sizeof(gil_thread.section));
	gil_thread.attempt = NULL;
	gil_thread.pending = NULL;
	gil_thread.tid = 0;
	gil_thread.held = NULL;
	gil_thread.plain = NULL;
}

/*
 * A py_code is about to be written (py_code_names.c): a code object named
 * again would give its new name to the frames a pending cycle captured
 * under the old one, so every pending cycle is opened first, and none
 * becomes pending until the event is written (the count of compact_before).
 * Returns how many GILs gil_tracker_naming_end must release.
 */
unsigned int gil_tracker_naming_begin(void)
{
	unsigned int n = __atomic_load_n(&gil_count, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		compact_before(&gil_table[i], &gil_thread);
	}
	return n;
}

void gil_tracker_naming_end(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		compact_after(&gil_table[i]);
	}
}

unsigned int gil_tracker_tell_pending(int may_wait)
{
	unsigned int n = __atomic_load_n(&gil_count, __ATOMIC_ACQUIRE);

	/* A cycle still pending is told before the process image goes: its
	 * thread may be gone, or never release.  Before _exit or an exec,
	 * whose caller may be a signal handler, only what nobody is writing. */
	for (unsigned int i = 0; i < n; i++) {
		if (may_wait)
			compact_at_exit(&gil_table[i]);
		else
			compact_before_exit(&gil_table[i]);
	}
	return n;
}

int gil_tracker_tell_stale(void)
{
	unsigned int n = __atomic_load_n(&gil_count, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		compact_tell_stale(&gil_table[i]);
	}
	return n > 0 && compact_enabled();
}

void gil_tracker_at_exit(int may_wait)
{
	unsigned int n = gil_tracker_tell_pending(may_wait);

	if (n == 0)
		lttng_ust_tracepoint(giltrace, gil_not_found,
			"no GIL recognised in this process (not a supported interpreter, or no lock was taken while tracing)",
			NULL);
	/* Last: what is still open after it was open at exit. */
	lttng_ust_tracepoint(giltrace, process_exit, n, NULL);
}
