/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The fake world of tests/check_gil_tracker.c (see shim_fakes.h): the
 * definitions the shim's state machine and identification link against
 * in place of the outside world (real.h, symbol.h, gil_runtimes.h, the
 * tracepoint provider), and the simulated threads.
 */
#define _GNU_SOURCE
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lttng/ust-clock.h>

#include "shim/callsite_events.h"
#include "tracepoints/gil_cycle_rec.h"
#include "shim/gil_identify.h"
#include "shim/gil_runtimes.h"
#include "shim/gil_tracker.h"
#include "shim/py_code_names.h"
#include "shim/py_frames.h"
#include "shim/real.h"
#include "shim/symbol.h"
#include "tests/shim_fakes.h"

/* The world of the running test; one per test process (check forks). */
static const struct fake_world *world;

/* Whether a session records the gil_* events and gil_callsite: what
 * lttng_ust_tracepoint_enabled says.  Set by the test's steps. */
static int gil_events_on, callsite_events_on;

/* Whether the session records gil_cycle and gil_cycle_open (the world's). */
static int compact_events_on;
/* Sessions started beside a recording one so far (tp_recording_changes). */
static unsigned int sessions_beside;
/* The clock's frequency lttng_ust_trace_clock_get_freq_cb gives (the world's). */
static uint64_t fake_clock_hz = 1000000000ull;

/* ---- simulated threads ---------------------------------------------- */

#define SIM_THREADS_MAX	8

struct sim_thread {
	int index;
	pthread_t thread;
	sem_t go, done;			/* the test hands over a step, the thread hands back */
	const struct step *next;	/* the step to run; NULL: end */
	const struct step *call;	/* the intercepted call in progress */
	struct gil *wait_gil;		/* what a wait wrapper keeps across the real wait */
	int started;
	int gone;			/* left behind by a fork */
	int tid;			/* its gettid(), for gil_cycle_open's tid */
	/* Its attempt going on has blocked (sim_blocks), and so has the
	 * step running. */
	int blocked, blocked_now;
};

/* Threads 1..SIM_THREADS_MAX; slot 0 unused (the test itself). */
static struct sim_thread sim_threads[SIM_THREADS_MAX + 1];

/* The simulated thread running on this thread, NULL on the test's own. */
static __thread struct sim_thread *sim_self;

#define OBJ(a)		((const void *) (a))
#define CALLER(a)	((void *) (a))

/*
 * Each function below makes the hook calls of one wrapper, in its
 * order and under its conditions (the real call is the step's result).
 * A lock call is taken at its first try (wrap_mutex.c's lock_real); a
 * condvar wait blocks, and so does a semaphore wait, whose try first
 * (wrap_sem.c's sem_wait_real) the simulation takes as failed: its
 * wake is a step of its own.
 */

/* The wrapper's gil_attempt_blocks, seen by the simulation too. */
static void sim_blocks(struct sim_thread *t)
{
	gil_attempt_blocks();
	t->blocked_now = 1;
}

/* wrap_mutex.c: mutex_lock_traced */
static void sim_lock(const struct step *s)
{
	int hooks = gil_hooks_needed();

	if (hooks) {
		gil_mutex_lock_begin(OBJ(s->obj), CALLER(s->caller));
	}
	/* the real lock, returning s->ret */
	if (hooks) {
		gil_mutex_lock_end(OBJ(s->obj), s->ret);
	}
}

/* wrap_mutex.c: mutex_unlock_traced */
static void sim_unlock(const struct step *s)
{
	if (gil_hooks_needed()) {
		gil_mutex_unlock(OBJ(s->obj), CALLER(s->caller));
	}
}

/* wrap_cond.c: cond_wait_traced, up to the real wait */
static void sim_wait(struct sim_thread *t, const struct step *s)
{
	t->wait_gil = NULL;
	if (gil_hooks_needed()) {
		t->wait_gil = gil_cond_wait_begin(OBJ(s->obj), OBJ(s->mutex), s->timed,
			CALLER(s->caller));
	}
	sim_blocks(t);
}

/* wrap_cond.c: cond_wait_traced, after the real wait */
static void sim_wake(struct sim_thread *t, const struct step *s)
{
	const struct step *w = t->call;

	if (t->wait_gil) {
		gil_cond_wait_end(t->wait_gil, s->ret, CALLER(w->caller));
	} else if (gil_hooks_needed()) {
		gil_cond_wait_untracked_end(OBJ(w->mutex), CALLER(w->caller));
	}
}

/* wrap_cond.c: wait_cleanup_run */
static void sim_cancel(struct sim_thread *t)
{
	if (t->wait_gil) {
		gil_cond_wait_cancelled(t->wait_gil);
	}
}

/* wrap_cond.c: cond_wake_traced */
static void sim_signal(const struct step *s)
{
	if (gil_hooks_needed()) {
		gil_cond_signal(OBJ(s->obj));
	}
}

/* wrap_sem.c: sem_wait_traced, up to the real wait */
static void sim_sem_wait(struct sim_thread *t, const struct step *s)
{
	t->wait_gil = NULL;
	if (gil_hooks_needed()) {
		t->wait_gil = gil_sem_wait_begin(OBJ(s->obj), CALLER(s->caller));
	}
	sim_blocks(t);
}

/* wrap_sem.c: sem_wait_traced after the real wait (ret, err), and
 * sem_cleanup_run (-1, ECANCELED) */
static void sim_sem_wake(struct sim_thread *t, int ret, int err)
{
	if (t->wait_gil) {
		gil_sem_wait_end(t->wait_gil, ret, err, CALLER(t->call->caller));
	}
}

/* wrap_sem.c: sem_trywait_traced */
static void sim_sem_trywait(const struct step *s)
{
	if (gil_hooks_needed()) {
		gil_sem_trywait(OBJ(s->obj), s->ret, CALLER(s->caller));
	}
}

/* wrap_sem.c: sem_post_traced */
static void sim_sem_post(const struct step *s)
{
	if (gil_hooks_needed()) {
		gil_sem_post(OBJ(s->obj), CALLER(s->caller));
	}
}

/* shim_init.c: shim_after_fork_child, for the units compiled here.
 * Only this thread goes on in the child. */
static void sim_fork(struct sim_thread *t)
{
	gil_tracker_after_fork_child();
	callsites_after_fork_child();
	for (int i = 1; i <= SIM_THREADS_MAX; i++) {
		if (&sim_threads[i] != t) {
			sim_threads[i].gone = 1;
		}
	}
}

/* The end of a blocking call: the wait's stack, not a new call. */
static int sim_ends_call(enum sim_op op)
{
	return op == SIM_WAKE || op == SIM_CANCEL || op == SIM_SEM_WAKE || op == SIM_SEM_CANCEL;
}

/*
 * After a step of t, begun while t attempted before (NULL: none): an
 * attempt that ended in the step and is t's compact cycle now was
 * acquired as it began exactly when nothing blocked it
 * (compact_acquired's at_once).
 */
static void sim_check_at_once(struct sim_thread *t, struct gil *before)
{
	struct gil *now = gil_thread.attempt;

	if (now && now != before) {
		t->blocked = t->blocked_now;
	} else if (now) {
		t->blocked |= t->blocked_now;
	}
	if (before && now != before) {
		if (gil_thread.pending == before && before->pend_active && before->pend.acquired_ts) {
			ck_assert_int_eq(before->pend.acquired_ts == before->pend.begin_ts,
				!(t->blocked | t->blocked_now));
		}
		t->blocked = 0;
	}
	t->blocked_now = 0;
}

static void sim_apply_op(struct sim_thread *t, const struct step *s)
{
	if (!sim_ends_call(s->op)) {
		t->call = s;
	}
	switch (s->op) {
	case SIM_LOCK:
		sim_lock(s);
		break;
	case SIM_UNLOCK:
		sim_unlock(s);
		break;
	case SIM_WAIT:
		sim_wait(t, s);
		break;
	case SIM_WAKE:
		sim_wake(t, s);
		break;
	case SIM_CANCEL:
		sim_cancel(t);
		break;
	case SIM_SIGNAL:
		sim_signal(s);
		break;
	case SIM_SEM_WAIT:
		sim_sem_wait(t, s);
		break;
	case SIM_SEM_WAKE:
		sim_sem_wake(t, s->ret, s->err);
		break;
	case SIM_SEM_CANCEL:
		sim_sem_wake(t, -1, ECANCELED);
		break;
	case SIM_SEM_TRYWAIT:
		sim_sem_trywait(s);
		break;
	case SIM_SEM_POST:
		sim_sem_post(s);
		break;
	case SIM_FORK:
		sim_fork(t);
		break;
	default:
		break;
	}
}

static void sim_apply(struct sim_thread *t, const struct step *s)
{
	struct gil *before = gil_thread.attempt;

	sim_apply_op(t, s);
	sim_check_at_once(t, before);
}

static void *sim_main(void *arg)
{
	struct sim_thread *t = arg;

	sim_self = t;
	t->tid = (int) syscall(SYS_gettid);
	for (;;) {
		sem_wait(&t->go);
		if (!t->next) {
			return NULL;
		}
		sim_apply(t, t->next);
		sem_post(&t->done);
	}
}

static struct sim_thread *sim_thread_get(int index)
{
	struct sim_thread *t;

	ck_assert_msg(index >= 1 && index <= SIM_THREADS_MAX, "no simulated thread %d", index);
	t = &sim_threads[index];
	ck_assert_msg(!t->gone, "thread %d does not exist in the child of the fork", index);
	if (t->started) {
		return t;
	}
	t->index = index;
	ck_assert_int_eq(sem_init(&t->go, 0, 0), 0);
	ck_assert_int_eq(sem_init(&t->done, 0, 0), 0);
	ck_assert_int_eq(pthread_create(&t->thread, NULL, sim_main, t), 0);
	t->started = 1;
	return t;
}

/* Steps of the test itself (thread 0). */
static void sim_control(const struct step *s)
{
	switch (s->op) {
	case SIM_TRACING:
		gil_events_on = s->ret;
		break;
	case SIM_BESIDE:
		sessions_beside++;
		break;
	case SIM_EXIT:
		gil_tracker_at_exit(1);
		break;
	case SIM_FLUSH:
		gil_tracker_tell_stale();
		break;
	default:
		ck_abort_msg("step %d is no step of the test itself", (int) s->op);
	}
}

void sim_run(const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct sim_thread *t;

		if (s->thread == 0) {
			sim_control(s);
			continue;
		}
		t = sim_thread_get(s->thread);
		t->next = s;
		sem_post(&t->go);
		sem_wait(&t->done);
	}
}

void sim_end(void)
{
	for (int i = 1; i <= SIM_THREADS_MAX; i++) {
		struct sim_thread *t = &sim_threads[i];

		if (!t->started) {
			continue;
		}
		t->next = NULL;
		sem_post(&t->go);
		pthread_join(t->thread, NULL);
		t->started = 0;
	}
}

/* ---- the world ------------------------------------------------------ */

static void env_set(const char *name, const char *value)
{
	if (value) {
		setenv(name, value, 1);
	} else {
		unsetenv(name);
	}
}

void fake_world_start(const struct fake_world *w)
{
	char depth[16];

	world = w;
	gil_events_on = !w->tracing_off;
	sessions_beside = 0;
	callsite_events_on = w->callsites > 0;
	compact_events_on = w->compact;
	fake_clock_hz = w->clock_hz ? w->clock_hz : 1000000000ull;
	env_set("GILTRACE_LOCK_FUNCS", w->lock_funcs);
	env_set("GILTRACE_LOCK_WRAPPERS", w->lock_wrappers);
	snprintf(depth, sizeof(depth), "%d", w->callsites);
	env_set("GILTRACE_CALLSITES", w->callsites ? depth : NULL);
	/* shim_init.c's constructor, for the units compiled here. */
	gil_identify_init();
	callsites_init();
	py_frames_depth = (unsigned int) w->pyframes;
}

static const struct fake_function *function_at(uintptr_t ip)
{
	for (const struct fake_function *f = world->functions; f->label; f++) {
		if (ip >= f->start && ip < f->end) {
			return f;
		}
	}
	return NULL;
}

/* real.h: the registry's and the call-site table's own locks. */
int (*real_pthread_mutex_lock)(pthread_mutex_t *) = pthread_mutex_lock;
int (*real_pthread_mutex_unlock)(pthread_mutex_t *) = pthread_mutex_unlock;

/* symbol.h: the unwind tables cover every function, symbols name
 * those not stripped. */
uintptr_t symbol_function_at(uintptr_t ip, char *buf, size_t len)
{
	const struct fake_function *f = function_at(ip);

	buf[0] = '\0';
	if (!f) {
		return 0;
	}
	snprintf(buf, len, "%s", f->name);
	return f->start;
}

int symbol_at(uintptr_t ip, char *buf, size_t len, uintptr_t *start)
{
	const struct fake_function *f = function_at(ip);

	if (!f || !f->name[0]) {
		return -1;
	}
	snprintf(buf, len, "%s", f->name);
	*start = f->start;
	return 0;
}

/* Where the fake program is loaded: its file's addresses are below. */
#define FAKE_LOAD_BIAS	((uintptr_t) 0x400000)

int symbol_object_at(uintptr_t ip, const char **path, uintptr_t *bias)
{
	if (!function_at(ip)) {
		return -1;
	}
	*path = "/usr/bin/fake";
	*bias = FAKE_LOAD_BIAS;
	return 0;
}

/* A return address inside the shim, below the caller on every stack. */
#define FAKE_SHIM_FRAME	((uintptr_t) 0x7f0000001234)

/* The stack of the call in progress: the shim, the caller, its callers. */
/* Every fake address lies in a known object. */
int symbol_in_object(uintptr_t ip)
{
	(void) ip;
	return 1;
}

int symbol_backtrace(void **frames, int max)
{
	const struct step *c = sim_self ? sim_self->call : NULL;
	int n = 0;

	if (!c || max < 2) {
		return 0;
	}
	frames[n++] = (void *) FAKE_SHIM_FRAME;
	frames[n++] = (void *) c->caller;
	for (int i = 0; i < SIM_FRAMES_UP && c->up[i] && n < max; i++) {
		frames[n++] = (void *) c->up[i];
	}
	return n;
}

static const char *fake_py_get_version(void)
{
	return world->py_version;
}

void *symbol_lookup(const char *name, size_t *size)
{
	if (size) {
		*size = 0;
	}
	if (strcmp(name, "_PyRuntime") == 0 && world->py_runtime) {
		if (size) {
			*size = world->py_runtime_size;
		}
		return (void *) world->py_runtime;
	}
	if (strcmp(name, "Py_GetVersion") == 0 && world->py_version) {
		return (void *) fake_py_get_version;
	}
	return NULL;
}

/* py_frames.h: the Python frames of the simulated thread's call in
 * progress (its step's py), as many as the depth asks for; the mutexes
 * asked about are kept for the test (py_capture_mutex). */
unsigned int py_frames_depth;

#define PY_CAPTURES_MAX	64
static uintptr_t py_captures[PY_CAPTURES_MAX];
static size_t npy_captures;

void py_frames_forget(void)
{
}

/* Code objects are named by py_frames_capture's real twin only
 * (tests/e2e_session_again.sh checks that they are named again). */
void py_code_names_disabled(void)
{
}

const struct py_frames py_frames_none;

/* The frames of the last capture, read in place as the real ones are,
 * and the mutex of the last if it was a release (NULL if not). */
static struct py_frames py_captured;
static const void *py_captured_release;

/* An acquisition reads the same frames as the thread's last capture, a
 * release of the same mutex: as_release, as the real capture says it. */
const struct py_frames *py_frames_capture(const void *mutex, enum py_frames_at at)
{
	const struct step *c = sim_self ? sim_self->call : NULL;
	struct py_frames *f = &py_captured;
	struct py_frames was = *f;

	ck_assert_uint_lt(npy_captures, PY_CAPTURES_MAX);
	py_captures[npy_captures++] = (uintptr_t) mutex;
	f->n = 0;
	f->untold = 0;
	for (unsigned int i = 0; c && i < SIM_PY_FRAMES && c->py[i].code && f->n < py_frames_depth; i++) {
		f->code[f->n] = c->py[i].code;
		f->instr[f->n] = c->py[i].instr;
		f->n++;
	}
	f->as_release = at == PY_AT_ACQUIRE && py_captured_release == mutex && f->n == was.n
		&& memcmp(f->code, was.code, f->n * sizeof(f->code[0])) == 0
		&& memcmp(f->instr, was.instr, f->n * sizeof(f->instr[0])) == 0;
	py_captured_release = at == PY_AT_RELEASE ? mutex : NULL;
	return f;
}

size_t py_capture_count(void)
{
	return npy_captures;
}

uintptr_t py_capture_mutex(size_t i)
{
	return py_captures[i];
}

/* gil_runtimes.h: the recognisers' answers for the world's Ruby. */
void ruby_lock_seen(void)
{
}

static int in_ruby_objects(uintptr_t addr)
{
	return addr >= world->ruby_lo && addr < world->ruby_hi;
}

/* As gil_ruby.c: never on the main thread (thread 1), only for a call
 * made a few frames from its thread's entry (the step's start). */
int ruby_gvl_at_thread_start(const void *mutex, void *caller)
{
	uintptr_t m = (uintptr_t) mutex;

	if (!world->ruby_version || sim_self->index == 1 || !sim_self->call->start) {
		return 0;
	}
	if (m == world->ruby_gvl) {
		return 1;
	}
	return m == world->ruby_gvl2 ? 2 : 0;
}

int ruby_gvl_candidate(const void *mutex)
{
	return world->ruby_version && in_ruby_objects((uintptr_t) mutex);
}

int ruby_handover_cond(const void *lock, const void *cond)
{
	for (const uintptr_t *c = world->ruby_handover; c && *c; c++) {
		if (*c == (uintptr_t) cond) {
			return 1;
		}
	}
	return 0;
}

int ruby_queue_wait(const void *mutex, const void *cond, int timed)
{
	(void) timed;
	return !ruby_handover_cond(mutex, cond) && !in_ruby_objects((uintptr_t) cond);
}

/* The simulated Ruby is 3.1's: no scheduler GVL. */
int ruby_gvl_is_scheduler(void)
{
	return 0;
}

uintptr_t ruby_scheduler_running(const void *mutex)
{
	(void) mutex;
	return 0;
}

int ruby_runtime_name(char *buf, size_t len)
{
	if (!world->ruby_version) {
		return 0;
	}
	snprintf(buf, len, "Ruby %s", world->ruby_version);
	return 1;
}

/* ... and for its OCaml: 5 and later (a version "5.x") has domain locks. */
int ocaml_domain_locks(void)
{
	return world->ocaml_version && world->ocaml_version[0] >= '5';
}

int ocaml_threads_loaded(void)
{
	return world->ocaml_version != NULL;
}

/* Hooks (OCaml 4) or the domain lock's functions (5) are the functions
 * marked so. */
enum site_role ocaml_site_role(uintptr_t function_start, const char *name)
{
	if (!world->ocaml_version) {
		return SITE_OTHER;
	}
	if (!ocaml_domain_locks() && name && strcmp(name, "caml_thread_yield") == 0) {
		return SITE_OCAML_YIELD;
	}
	for (const struct fake_function *f = world->functions; f->label; f++) {
		int domain_lock = f->ocaml == SITE_OCAML_DOMAIN_LOCK || f->ocaml == SITE_OCAML_DOMAIN_UNLOCK;

		/* OCaml 4 has no domain lock; OCaml 5's hooks lock nothing. */
		if (f->ocaml && f->start == function_start && domain_lock == ocaml_domain_locks()) {
			return f->ocaml;
		}
	}
	return SITE_OTHER;
}

int ocaml_runtime_name(char *buf, size_t len)
{
	if (!world->ocaml_version) {
		return 0;
	}
	snprintf(buf, len, "OCaml %s", world->ocaml_version);
	return 1;
}

/* ---- the recorder --------------------------------------------------- */

#define REC_MAX	256

/*
 * The events, in the order emitted.  Threads emit one step at a time,
 * handed over through semaphores, so no lock is needed.
 */
static struct rec_event recorded[REC_MAX];
static size_t nrecorded;

int tp_rec_enabled(const char *event)
{
	if (strcmp(event, "gil_callsite") == 0) {
		return callsite_events_on;
	}
	if (strncmp(event, "gil_cycle", 9) == 0) {
		return compact_events_on && gil_events_on;
	}
	return strncmp(event, "gil_", 4) == 0 && gil_events_on;
}

unsigned int tp_rec_changes(void)
{
	return sessions_beside;
}

/* "TP_GIL_CALLSITE": whether gil_callsite is enabled, and its session
 * records (fake_world.callsites_unrecorded). */
int tp_rec_recorded(const char *ev)
{
	char name[64];
	size_t i;

	ck_assert(strncmp(ev, "TP_", 3) == 0);
	for (i = 0; ev[3 + i] && i + 1 < sizeof(name); i++) {
		name[i] = (char) tolower((unsigned char) ev[3 + i]);
	}
	name[i] = 0;
	if (strcmp(name, "gil_callsite") == 0 && world->callsites_unrecorded) {
		return 0;
	}
	return tp_rec_enabled(name);
}

/* A new event, or NULL when not enabled (as LTTng records nothing). */
static struct rec_event *rec_new(const char *name, const void *gil, void *ip)
{
	struct rec_event *ev;

	if (!tp_rec_enabled(name)) {
		return NULL;
	}
	ck_assert_uint_lt(nrecorded, REC_MAX);
	ev = &recorded[nrecorded++];
	memset(ev, 0, sizeof(*ev));
	ev->name = name;
	ev->thread = sim_self ? sim_self->index : 0;
	ev->gil = (uintptr_t) gil;
	ev->caller = (uintptr_t) ip;
	return ev;
}

static void rec_bt(struct rec_event *ev, const uintptr_t *bt, unsigned int n)
{
	ev->bt_len = n < REC_BT_MAX ? n : REC_BT_MAX;
	memcpy(ev->bt, bt, ev->bt_len * sizeof(*bt));
}

static void rec_py(struct rec_event *ev, const uint64_t *code, const uint32_t *instr, unsigned int n)
{
	ev->py_n = n < REC_BT_MAX ? n : REC_BT_MAX;
	memcpy(ev->pycode, code, ev->py_n * sizeof(*code));
	memcpy(ev->pyinstr, instr, ev->py_n * sizeof(*instr));
}

void tp_rec_gil_identified(const void *gil, const void *cond, const char *kind,
		const char *method, const char *runtime, void *ip)
{
	struct rec_event *ev = rec_new("gil_identified", gil, ip);

	if (!ev) {
		return;
	}
	ev->cond = (uintptr_t) cond;
	snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
	snprintf(ev->method, sizeof(ev->method), "%s", method);
	snprintf(ev->runtime, sizeof(ev->runtime), "%s", runtime);
}

void tp_rec_gil_not_found(const char *reason, void *ip)
{
	rec_new("gil_not_found", NULL, NULL);
}

/* Not recorded: the sequences compared are the GIL's, and the exit
 * marker's place (last, from the destructor) is the end-to-end tests'. */
void tp_rec_process_exit(unsigned int gils, void *ip)
{
	(void) gils;
	(void) ip;
}

void tp_rec_gil_acquire_begin(const void *gil, void *ip)
{
	rec_new("gil_acquire_begin", gil, ip);
}

void tp_rec_gil_wait_begin(const void *gil, const void *cond, void *ip)
{
	struct rec_event *ev = rec_new("gil_wait_begin", gil, ip);

	if (ev) {
		ev->cond = (uintptr_t) cond;
	}
}

void tp_rec_gil_wait_end(const void *gil, int timed_out, int ret, void *ip)
{
	struct rec_event *ev = rec_new("gil_wait_end", gil, ip);

	if (ev) {
		ev->timed_out = timed_out;
		ev->ret = ret;
	}
}

void tp_rec_gil_acquire_end(const void *gil, unsigned int waits, unsigned int timeouts,
		void *ip, const uintptr_t *bt, unsigned int bt_len,
		const uint64_t *pycode, const uint32_t *pyinstr, unsigned int py_n)
{
	struct rec_event *ev = rec_new("gil_acquire_end", gil, ip);

	if (ev) {
		ev->waits = waits;
		ev->timeouts = timeouts;
		rec_bt(ev, bt, bt_len);
		rec_py(ev, pycode, pyinstr, py_n);
	}
}

void tp_rec_gil_acquire_abandon(const void *gil, unsigned int waits, unsigned int timeouts,
		void *ip)
{
	struct rec_event *ev = rec_new("gil_acquire_abandon", gil, ip);

	if (ev) {
		ev->waits = waits;
		ev->timeouts = timeouts;
	}
}

void tp_rec_gil_release(const void *gil, unsigned int waiters, int signalled, void *ip,
		const uintptr_t *bt, unsigned int bt_len,
		const uint64_t *pycode, const uint32_t *pyinstr, unsigned int py_n)
{
	struct rec_event *ev = rec_new("gil_release", gil, ip);

	if (ev) {
		ev->waiters = waiters;
		ev->signalled = signalled;
		rec_bt(ev, bt, bt_len);
		rec_py(ev, pycode, pyinstr, py_n);
	}
}

/*
 * LTTng-UST's clock (gil_compact.c reads the times of compact cycles
 * with it): a counter, so that every reading is later than the last.
 */
static uint64_t fake_clock_now;

static uint64_t fake_clock_read(void)
{
	return __atomic_add_fetch(&fake_clock_now, 10, __ATOMIC_RELAXED);
}

int lttng_ust_trace_clock_get_read64_cb(lttng_ust_clock_read64_function *read64)
{
	*read64 = fake_clock_read;
	return 0;
}

static uint64_t fake_clock_freq(void)
{
	return fake_clock_hz;
}

int lttng_ust_trace_clock_get_freq_cb(lttng_ust_clock_freq_function *freq)
{
	*freq = fake_clock_freq;
	return 0;
}

/* The simulated thread of a tid, -1 for none. */
static int sim_of_tid(int tid)
{
	for (int i = 1; i <= SIM_THREADS_MAX; i++) {
		if (sim_threads[i].started && sim_threads[i].tid == tid) {
			return i;
		}
	}
	return -1;
}

static void rec_cycle_start(struct rec_event *ev, const struct gil_cycle_rec *c)
{
	ev->begin_caller = c->begin_caller;
	ev->acquire_caller = c->acquire_caller;
	ev->acquired = c->acquired_ts != 0;
	/* Read from the clock, in order, before the event. */
	ck_assert_uint_ne(c->begin_ts, 0);
	ck_assert_uint_le(c->begin_ts, fake_clock_now);
	if (c->acquired_ts) {
		/* Equal for an attempt that blocked on nothing (sim_check_at_once). */
		ck_assert_uint_ge(c->acquired_ts, c->begin_ts);
	}
	ck_assert_uint_le(c->py_n, REC_BT_MAX);
	ev->apy_n = c->py_n;
	for (unsigned int i = 0; i < c->py_n; i++) {
		ev->apycode[i] = c->pycode[i];
		ev->apyinstr[i] = c->pyinstr[i];
	}
}

void tp_rec_gil_cycle(const struct gil_cycle_rec *c, void *ip, const uintptr_t *bt, unsigned int bt_len,
		const uint64_t *pycode, const uint32_t *pyinstr, unsigned int py_n)
{
	struct rec_event *ev = rec_new("gil_cycle", c->gil, ip);

	if (ev) {
		rec_cycle_start(ev, c);
		ev->of = ev->thread;
		ev->waiters = c->waiters;
		ev->signalled = c->signalled;
		rec_bt(ev, bt, bt_len);
		rec_py(ev, pycode, pyinstr, py_n);
	}
}

/* A batch: each of its cycles recorded as the gil_cycle it stands for,
 * of the thread tid names, here where the batch is told.  Frames told
 * as another cycle's are read where that cycle's are (rel_at). */
void tp_rec_gil_cycles(const struct gil_cycle_batch *b, const void *gil, int32_t tid, void *ip)
{
	unsigned int abt = 0, apy = 0, bt = 0, py = 0;
	unsigned int rel_at[GIL_BATCH_CYCLES], rel_n[GIL_BATCH_CYCLES];

	ck_assert_uint_gt(b->n, 0);
	ck_assert_uint_le(b->n, GIL_BATCH_CYCLES);
	for (unsigned int i = 0; i < b->n; i++) {
		int as_release = b->acquire_py_len[i] == GIL_BATCH_PY_AS_RELEASE;
		unsigned int back = b->py_len[i] > GIL_BATCH_PY_BACK && b->py_len[i] != GIL_BATCH_PY_AS_RELEASE
			? b->py_len[i] - GIL_BATCH_PY_BACK : 0;
		struct gil_cycle_rec c = {
			.gil = gil, .begin_ts = b->begin_ts[i], .acquired_ts = b->acquired_ts[i],
			.begin_caller = b->begin_caller[i], .acquire_caller = b->acquire_caller[i],
			.bt = b->acquire_bt + abt, .bt_len = b->acquire_bt_len[i],
			.pycode = b->acquire_pycode + apy, .pyinstr = b->acquire_pyinstr + apy,
			.py_n = b->acquire_py_len[i], .waiters = b->waiters[i], .signalled = b->signalled[i],
		};
		struct rec_event *ev = rec_new("gil_cycle", gil, (void *) b->caller[i]);

		/* The previous cycle's release's frames (never for the first). */
		if (as_release) {
			ck_assert_uint_gt(i, 0);
			c.pycode = b->pycode + rel_at[i - 1];
			c.pyinstr = b->pyinstr + rel_at[i - 1];
			c.py_n = rel_n[i - 1];
		}
		/* A release's frames as an earlier release's of the batch. */
		if (back) {
			ck_assert_uint_le(back, i);
			rel_at[i] = rel_at[i - back];
			rel_n[i] = rel_n[i - back];
		} else {
			rel_at[i] = py;
			rel_n[i] = b->py_len[i];
			py += b->py_len[i];
		}

		ck_assert_uint_gt(b->released_ts[i], b->acquired_ts[i]);
		if (ev) {
			rec_cycle_start(ev, &c);
			ev->apy_as_release = as_release;
			ev->py_back = (int) back;
			ev->of = sim_of_tid(tid);
			ev->waiters = c.waiters;
			ev->signalled = c.signalled;
			rec_bt(ev, b->bt + bt, b->bt_len[i]);
			rec_py(ev, b->pycode + rel_at[i], b->pyinstr + rel_at[i], rel_n[i]);
		}
		abt += b->acquire_bt_len[i];
		apy += as_release ? 0 : b->acquire_py_len[i];
		bt += b->bt_len[i];
	}
	(void) ip;
}

void tp_rec_gil_cycle_open(const struct gil_cycle_rec *c, int32_t tid, void *ip)
{
	struct rec_event *ev = rec_new("gil_cycle_open", c->gil, ip);

	if (ev) {
		rec_cycle_start(ev, c);
		ev->of = sim_of_tid(tid);
	}
}

void tp_rec_gil_callsite(const void *addr, const char *symbol, uint64_t offset,
		const char *binary, uint64_t binary_offset, void *ip)
{
	struct rec_event *ev = rec_new("gil_callsite", addr, NULL);

	if (!ev) {
		return;
	}
	snprintf(ev->symbol, sizeof(ev->symbol), "%s", symbol);
	snprintf(ev->binary, sizeof(ev->binary), "%s", binary);
	ev->offset = offset;
	ev->binary_offset = binary_offset;
}

size_t rec_count(void)
{
	return nrecorded;
}

const struct rec_event *rec_get(size_t i)
{
	return &recorded[i];
}

/* ---- describing events ---------------------------------------------- */

/* An address for people: an object's label, label+offset in a function. */
static const char *addr_name(uintptr_t a, char *buf, size_t len)
{
	const struct fake_function *f = function_at(a);

	if (a == 0) {
		return "0";
	}
	for (const struct fake_object *o = world->objects; o && o->label; o++) {
		if (o->addr == a) {
			return o->label;
		}
	}
	if (f) {
		snprintf(buf, len, "%s+%#lx", f->label, (unsigned long) (a - f->start));
	} else {
		snprintf(buf, len, "%#lx", (unsigned long) a);
	}
	return buf;
}

/* Appends to buf; every event's line is made of such pieces. */
struct line {
	char *buf;
	size_t len, used;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->used >= l->len) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
	va_end(ap);
	if (n > 0) {
		l->used += (size_t) n;
	}
}

static void put_addr(struct line *l, const char *field, uintptr_t a)
{
	char buf[64];

	put(l, " %s=%s", field, addr_name(a, buf, sizeof(buf)));
}

static void put_bt(struct line *l, const struct rec_event *ev)
{
	if (ev->bt_len == 0) {
		return;
	}
	put(l, " bt=[");
	for (unsigned int i = 0; i < ev->bt_len; i++) {
		char buf[64];

		put(l, "%s%s", i ? "," : "", addr_name(ev->bt[i], buf, sizeof(buf)));
	}
	put(l, "]");
}

static void put_py(struct line *l, const struct rec_event *ev)
{
	if (ev->py_n == 0) {
		return;
	}
	put(l, " py=[");
	for (unsigned int i = 0; i < ev->py_n; i++) {
		put(l, "%s%#llx@%u", i ? "," : "", (unsigned long long) ev->pycode[i], ev->pyinstr[i]);
	}
	put(l, "]");
}

/* The fields of each event, after its name and gil. */
static void put_fields(struct line *l, const struct rec_event *ev)
{
	const char *n = ev->name;

	if (strcmp(n, "gil_identified") == 0) {
		put_addr(l, "cond", ev->cond);
		put(l, " kind=%s method=%s runtime=\"%s\"", ev->kind, ev->method, ev->runtime);
	} else if (strcmp(n, "gil_wait_begin") == 0) {
		put_addr(l, "cond", ev->cond);
	} else if (strcmp(n, "gil_wait_end") == 0) {
		put(l, " timed_out=%d ret=%d", ev->timed_out, ev->ret);
	} else if (strcmp(n, "gil_acquire_end") == 0 || strcmp(n, "gil_acquire_abandon") == 0) {
		put(l, " waits=%u timeouts=%u", ev->waits, ev->timeouts);
	} else if (strcmp(n, "gil_release") == 0) {
		put(l, " waiters=%u signalled=%d", ev->waiters, ev->signalled);
	} else if (strncmp(n, "gil_cycle", 9) == 0) {
		put(l, " of=T%d", ev->of);
		put_addr(l, "begin_caller", ev->begin_caller);
		put_addr(l, "acquire_caller", ev->acquire_caller);
		put(l, " acquired=%d apy_n=%u", ev->acquired, ev->apy_n);
		for (unsigned int i = 0; i < ev->apy_n; i++) {
			put(l, "%s%#llx@%u", i ? "," : " apy=[", (unsigned long long) ev->apycode[i],
				ev->apyinstr[i]);
		}
		put(l, "%s%s", ev->apy_n ? "]" : "", ev->apy_as_release ? " as-release" : "");
		if (strcmp(n, "gil_cycle") == 0) {
			put(l, " waiters=%u signalled=%d", ev->waiters, ev->signalled);
		}
		if (ev->py_back) {
			put(l, " back=%d", ev->py_back);
		}
	} else if (strcmp(n, "gil_callsite") == 0) {
		put(l, " symbol=%s offset=%#llx binary=%s binary_offset=%#llx", ev->symbol,
			(unsigned long long) ev->offset, ev->binary,
			(unsigned long long) ev->binary_offset);
	}
}

void rec_format(const struct rec_event *ev, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };

	buf[0] = '\0';
	put(&l, "T%d %s", ev->thread, ev->name);
	if (strcmp(ev->name, "gil_not_found") == 0) {
		return;
	}
	put_addr(&l, strcmp(ev->name, "gil_callsite") == 0 ? "addr" : "gil", ev->gil);
	put_fields(&l, ev);
	if (strcmp(ev->name, "gil_callsite") != 0) {
		put_addr(&l, "caller", ev->caller);
	}
	put_bt(&l, ev);
	put_py(&l, ev);
}
