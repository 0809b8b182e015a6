/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "env_depth.h"
#include "py_chain.h"
#include "py_code_names.h"
#include "py_frames.h"
#include "py_layout.h"
#include "py_thread_target.h"
#include "safe_read.h"
#include "small_copy.h"
#include "tp_recording.h"

unsigned int py_frames_depth;

const struct py_frames py_frames_none;

/*
 * Thread states this thread has checked (trusted_check) and so reads
 * with plain loads: its own, per GIL (a thread may run in a few
 * interpreters).  Thread-local, so no lock; a few entries, replaced in
 * turn.  initial-exec for the same reason as the guard (guard.h).
 */
#define TRUSTED_MAX 4

struct trusted {
	uintptr_t ts;
	const void *mutex;
};

static __thread struct trusted trusted[TRUSTED_MAX] __attribute__((tls_model("initial-exec")));
static __thread unsigned int trusted_next __attribute__((tls_model("initial-exec")));

/*
 * Set once a chain of frames has been read with safe reads and found to
 * be what the layout says (chain_check): from then on the layout is
 * trusted for every thread.  Global: the layout is the process's.
 */
static int chain_proven;

/* Interpreters and thread states walked at most (2.7). */
#define WALK_INTERPS_MAX	16
#define WALK_TSTATES_MAX	1024

/* Frames read with safe reads when the layout is checked. */
#define CHECK_FRAMES_MAX	64

static uintptr_t self_id(void)
{
	return (uintptr_t) pthread_self();
}

/* ---- the thread state of the calling thread ------------------------- */

/*
 * 2.7: the thread state is current only between the GIL events, and
 * PyGILState's own is behind a lock (2.7 keeps its own TLS, under
 * keymutex).  The interpreters' lists of thread states are changed only
 * with the GIL held, as it is at both events: walk them for this thread's
 * id.  The newest state of the thread comes first (a forked child keeps
 * dead threads' states, whose ids a new thread may reuse).
 */
static uintptr_t thread_state_walk(const struct py_layout *l)
{
	uintptr_t interp = (uintptr_t) l->interp_head(), me = self_id();

	for (int i = 0; interp && i < WALK_INTERPS_MAX; i++) {
		uintptr_t ts = py_word(interp, l->interp_tstate_head);

		for (int j = 0; ts && j < WALK_TSTATES_MAX; j++) {
			if (py_word(ts, l->ts_thread_id) == me) {
				return ts;
			}
			ts = py_word(ts, l->ts_next);
		}
		interp = py_word(interp, l->interp_next);
	}
	return 0;
}

/*
 * 3.7-3.12: the thread's PyGILState key is cleared before its state is
 * freed (3.7 and 3.8 free it before the thread's last release): a
 * thread without it has no state to read.  pthread_getspecific is what
 * PyGILState_GetThisThreadState() does, without calling it.
 */
static int gilstate_key_set(const struct py_layout *l)
{
	if (!py_i32(l->tss, l->tss_initialized)) {
		return 0;	/* finalized */
	}
	return pthread_getspecific((pthread_key_t) py_u32(l->tss, l->tss_key)) != NULL;
}

/*
 * Where the last_holder of the GIL of mutex lies, as py_layout_holder
 * says: the same for a mutex as long as the process's layout is (0 if
 * it failed its checks).  The thread's last answer is kept: one GIL as
 * a rule.  Thread-local; initial-exec for the same reason as the guard
 * (guard.h).
 */
struct holder_at {
	const void *mutex;
	uintptr_t addr;
};

static __thread struct holder_at holder_at __attribute__((tls_model("initial-exec")));

static uintptr_t holder_addr(const struct py_layout *l, const void *mutex)
{
	uintptr_t addr;

	if (holder_at.mutex == mutex) {
		return holder_at.addr;
	}
	addr = py_layout_holder(l, mutex);
	if (addr) {
		holder_at = (struct holder_at) { mutex, addr };
	}
	return addr;
}

/* The GIL's last_holder now, 0 for none. */
static uintptr_t holder_word(const struct py_layout *l, const void *mutex)
{
	uintptr_t addr = holder_addr(l, mutex);

	return addr ? py_word(addr, 0) : 0;
}

/*
 * The thread state of the thread taking or dropping the GIL of mutex:
 * from 3.7, the GIL's last_holder, which take_gil() sets to the taker
 * and drop_gil() to the dropper, both before the mutex is unlocked (the
 * moment of the event); with a GIL per sub-interpreter (3.12+), the one
 * of that interpreter.
 */
static uintptr_t thread_state_of(const struct py_layout *l, const void *mutex)
{
	switch (l->tstate_way) {
	case PY_TSTATE_WALK:
		return thread_state_walk(l);
	case PY_TSTATE_GILSTATE:
		return (uintptr_t) l->gilstate_this();
	case PY_TSTATE_HOLDER_TSS:
		if (!gilstate_key_set(l)) {
			return 0;
		}
		/* fall through */
	case PY_TSTATE_HOLDER:
		return holder_word(l, mutex);
	}
	return 0;
}

/* ---- trusting it ------------------------------------------------------ */

static int trusted_has(uintptr_t ts, const void *mutex)
{
	for (unsigned int i = 0; i < TRUSTED_MAX; i++) {
		if (trusted[i].ts == ts && trusted[i].mutex == mutex) {
			return 1;
		}
	}
	return 0;
}

static void trusted_add(uintptr_t ts, const void *mutex)
{
	trusted[trusted_next % TRUSTED_MAX] = (struct trusted) { ts, mutex };
	trusted_next++;
}

/* Is ts this thread's state, and (3.12+) one of the interpreter whose GIL
 * this is?  Safe reads: ts is not trusted yet. */
static int identity_check(const struct py_layout *l, const void *mutex, uintptr_t ts)
{
	uintptr_t id, interp, gil;

	if (safe_read_word(ts + l->ts_thread_id, &id) != 0 || id != self_id()) {
		return 0;
	}
	if (!l->interp_ceval_gil) {
		return 1;
	}
	return safe_read_word(ts + l->ts_interp, &interp) == 0
		&& safe_read_word(interp + l->interp_ceval_gil, &gil) == 0
		&& gil == py_layout_gil(l, mutex);
}

/* The safe-read twin of py_chain_first. */
static int safe_first(const struct py_layout *l, uintptr_t ts, uintptr_t *frame)
{
	if (safe_read_word(ts + l->ts_frame, frame) != 0) {
		return -1;
	}
	if (l->frame_kind == PY_FRAME_CFRAME && *frame) {
		return safe_read_word(*frame + l->cframe_current, frame);
	}
	return 0;
}

/* Is the object at obj of type type?  Safe reads. */
static int safe_typed(const struct py_layout *l, uintptr_t obj, uintptr_t type)
{
	uintptr_t seen;

	return obj && safe_read_word(obj + l->ob_type, &seen) == 0 && seen == type;
}

/* One frame, as py_chain_step would read it, with safe reads: -1 if it
 * is not what the layout says a frame is, else 1 for a function's. */
static int safe_frame(const struct py_layout *l, uintptr_t frame)
{
	uintptr_t code;
	uint8_t owner = 0;

	if (l->frame_kind == PY_FRAME_OBJECTS && !safe_typed(l, frame, l->frame_type)) {
		return -1;
	}
	if (l->frame_kind != PY_FRAME_OBJECTS
	    && safe_read(frame + l->frame_owner, &owner, sizeof(owner)) != 0) {
		return -1;
	}
	if (owner >= l->first_shim_owner) {
		return 0;
	}
	if (safe_read_word(frame + l->frame_code, &code) != 0) {
		return -1;
	}
	return safe_typed(l, code & ~l->code_tag_bits, l->code_type) ? 1 : -1;
}

/*
 * The first chain with frames a process reads is read with safe reads
 * first, every frame and code object checked for its type: a layout
 * that is wrong shows there, not in a fault.  1: proven, 0: no frame
 * to prove it with yet, -1: wrong.
 */
static int chain_check(const struct py_layout *l, uintptr_t ts)
{
	uintptr_t frame;
	int frames = 0;

	if (safe_first(l, ts, &frame) != 0) {
		return -1;
	}
	for (int i = 0; frame && i < CHECK_FRAMES_MAX; i++) {
		int r = safe_frame(l, frame);

		if (r < 0) {
			return -1;
		}
		frames += r;
		if (safe_read_word(frame + l->frame_back, &frame) != 0) {
			return -1;
		}
	}
	return frames > 0;
}

/* May ts be read with plain loads for an event of the GIL of mutex? */
static int trusted_check(const struct py_layout *l, const void *mutex, uintptr_t ts)
{
	int proven;

	if (trusted_has(ts, mutex)) {
		/* Still this thread's: a plain load, ts is known to be there. */
		return py_word(ts, l->ts_thread_id) == self_id();
	}
	if (!identity_check(l, mutex, ts)) {
		return 0;
	}
	if (!__atomic_load_n(&chain_proven, __ATOMIC_ACQUIRE)) {
		proven = chain_check(l, ts);
		if (proven < 0) {
			py_layout_fail("layout check failed: a thread's frames are not what the layout "
				"says (frame or code object of another type)");
			return 0;
		}
		if (proven == 0) {
			return 1;	/* nothing to read yet; check again next time */
		}
		__atomic_store_n(&chain_proven, 1, __ATOMIC_RELEASE);
	}
	trusted_add(ts, mutex);
	return 1;
}

/* ---- reading the frames ----------------------------------------------- */

/* The innermost frame's identity: what must not have changed between a
 * release and the next acquisition for the release's frames to be kept. */
struct frame_top {
	enum py_step step;
	uintptr_t code;
	uint32_t instr;
};

static inline __attribute__((always_inline)) struct frame_top frame_top(const struct py_layout *l,
		uintptr_t frame)
{
	struct frame_top top = { PY_STEP_BROKEN, 0, 0 };

	if (frame) {
		top.step = py_chain_step(l, frame, &top.code, &top.instr);
	}
	return top;
}

/* The frames from frame outwards; *top is the innermost one's identity,
 * the walk's first step. */
static void frames_walk(const struct py_layout *l, uintptr_t frame, struct py_frames *f,
		struct frame_top *top)
{
	unsigned int depth = py_frames_depth;

	*top = frame_top(l, frame);
	if (top->step == PY_STEP_BROKEN) {
		return;
	}
	if (top->step == PY_STEP_FRAME && depth > 0) {
		f->code[0] = top->code;
		f->instr[0] = top->instr;
		f->n = 1;
	}
	frame = py_chain_next(l, frame);
	for (unsigned int i = 1; frame && f->n < depth && i < PY_CHAIN_MAX; i++) {
		uintptr_t code;
		uint32_t instr;
		enum py_step step = py_chain_step(l, frame, &code, &instr);

		if (step == PY_STEP_BROKEN) {
			return;
		}
		if (step == PY_STEP_FRAME) {
			f->code[f->n] = code;
			f->instr[f->n] = instr;
			f->n++;
		}
		frame = py_chain_next(l, frame);
	}
}

/* Name each code object before the event carries it; -1 if one does
 * not read as a code object (frames are then off), 1 if the names were
 * not recorded (py_code_name_all). */
static int frames_name(const struct py_layout *l, const struct py_frames *f)
{
	int r = py_code_name_all(l, f->code, f->n);

	if (r < 0) {
		py_layout_fail("layout check failed: a code object's names are not strings");
	}
	return r;
}

/*
 * The frames of this thread's last capture, which its event reads in
 * place; after a release, for its next acquisition too: between the two
 * it ran no Python code, so while its thread state and innermost frame
 * (address, code, instruction) are the same its frames are the same,
 * and their code objects, which those frames keep alive, are named
 * already in the epoch noted.  Saves a walk and a naming look-up per
 * frame on every acquisition.  Thread-local; any capture replaces it.
 * initial-exec for the same reason as the guard (guard.h).
 */
struct frames_kept {
	unsigned int epoch;		/* py_code_names_epoch() then; 0: not for an acquisition */
	const void *mutex;
	uintptr_t ts, frame;
	struct frame_top top;
	struct py_frames f;
};

static __thread struct frames_kept kept __attribute__((tls_model("initial-exec")));

void py_frames_forget(void)
{
	kept.epoch = 0;
}

static int kept_fits(const struct py_layout *l, const void *mutex, uintptr_t ts, uintptr_t frame)
{
	struct frame_top top;

	if (!kept.epoch || kept.mutex != mutex || kept.ts != ts || kept.frame != frame
			|| !tp_recorded(TP_PY_CODE)
			|| py_code_names_epoch() != kept.epoch) {
		return 0;
	}
	top = frame_top(l, frame);
	return top.step == kept.top.step && top.code == kept.top.code && top.instr == kept.top.instr;
}

/* The frames just read (kept.f) are a release's: keep them for the next
 * acquisition. */
static void kept_set(const void *mutex, uintptr_t ts, uintptr_t frame, const struct frame_top *top)
{
	kept.epoch = py_code_names_epoch();
	if (!kept.epoch) {
		return;
	}
	kept.mutex = mutex;
	kept.ts = ts;
	kept.frame = frame;
	kept.top = *top;
}

/*
 * At an acquisition: the thread state kept from this thread's release of
 * the same GIL, if the GIL's last_holder names it again (3.7+).  take_gil()
 * has just set it to the state the thread takes the GIL with, which is
 * so alive and this thread's, and trusted at the release: no check is
 * needed again.  0 otherwise.
 */
static uintptr_t kept_thread_state(const struct py_layout *l, const void *mutex)
{
	if (!kept.epoch || kept.mutex != mutex
			|| (l->tstate_way != PY_TSTATE_HOLDER && l->tstate_way != PY_TSTATE_HOLDER_TSS)) {
		return 0;
	}
	return holder_word(l, mutex) == kept.ts ? kept.ts : 0;
}

const struct py_frames *py_frames_capture(const void *mutex, enum py_frames_at at)
{
	struct py_frames *f = &kept.f;
	const struct py_layout *l;
	struct frame_top top;
	uintptr_t ts, frame;
	int fits;

	l = py_layout_get();
	if (!l) {
		kept.epoch = 0;
		return &py_frames_none;
	}
	ts = at == PY_AT_ACQUIRE ? kept_thread_state(l, mutex) : 0;
	if (!ts) {
		ts = thread_state_of(l, mutex);
		if (!ts || !trusted_check(l, mutex, ts)) {
			kept.epoch = 0;
			return &py_frames_none;
		}
	}
	frame = py_chain_first(l, ts);
	fits = at == PY_AT_ACQUIRE && kept_fits(l, mutex, ts, frame);
	kept.epoch = 0;
	if (fits) {
		f->untold = 0;
		f->as_release = 1;
		return f;
	}
	f->n = 0;
	f->untold = 0;
	f->as_release = 0;
	frames_walk(l, frame, f, &top);
	if (f->n > 0) {
		int named = frames_name(l, f);

		if (named < 0) {
			return &py_frames_none;
		}
		f->untold = named;
	}
	if (f->n > 0 && !py_thread_target_known()) {
		py_thread_target_note(l, frame);
	}
	if (at == PY_AT_RELEASE) {
		kept_set(mutex, ts, frame, &top);
	}
	return f;
}

/* ---- life cycle ------------------------------------------------------- */

void py_frames_init(void)
{
	py_frames_depth = env_depth("GILTRACE_PYFRAMES", PY_FRAMES_MAX);
}

void py_frames_after_fork_child(void)
{
	holder_at.mutex = NULL;
	py_layout_after_fork_child();
	py_code_names_after_fork_child();
	py_thread_target_after_fork_child();
}
