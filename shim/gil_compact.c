/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Compact cycles: the pending cycle of a GIL and who may touch it.
 *
 * g->pend_owner says whose cycle is pending on g.  A thread makes its
 * attempt pending by moving it from 0 to PEND_BUSY, writing the record,
 * then storing its serial; it goes on (acquisition, release) only by
 * moving it from its serial to PEND_BUSY again.  Any thread that must
 * emit an event after that cycle's start moves it from the owner's
 * serial to PEND_BUSY, emits gil_cycle_open from the record, and stores
 * 0: the owner's next move then fails and it emits today's events from
 * there on.  PEND_BUSY is held only for a few stores, a frame capture
 * and one event: a thread that finds it waits by spinning, never
 * blocking on anything the holder could be waiting for.
 */
#define _GNU_SOURCE
#include "config.h"

#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lttng/ust-clock.h>

#include "gil_compact.h"
#include "small_copy.h"
#include "ust_clock.h"

/*
 * How long a batch may go on, in the clock's units: a millisecond, so
 * that what reads the trace as it is written (giltrace top) sees each
 * cycle near its time, and a hold of a millisecond or more is told at
 * its release.  From the clock's frequency (LTTng-UST's, or a plug-in's;
 * 1 GHz when none is said).  Global: the process's one clock.
 */
static uint64_t batch_span;

static uint64_t batch_span_slow(void)
{
	lttng_ust_clock_freq_function freq = NULL;
	uint64_t span = 1000000;

	if (lttng_ust_trace_clock_get_freq_cb(&freq) == 0 && freq) {
		uint64_t hz = freq();

		if (hz >= 1000) {
			span = hz / 1000;
		}
	}
	__atomic_store_n(&batch_span, span, __ATOMIC_RELAXED);
	return span;
}

static inline uint64_t batch_span_get(void)
{
	uint64_t span = __atomic_load_n(&batch_span, __ATOMIC_RELAXED);

	return span ? span : batch_span_slow();
}

int compact_enabled(void)
{
	return lttng_ust_tracepoint_enabled(giltrace, gil_cycles)
		&& lttng_ust_tracepoint_enabled(giltrace, gil_cycle_open);
}

static int32_t thread_tid(struct gil_thread *t)
{
	if (!t->tid) {
		t->tid = (int32_t) syscall(SYS_gettid);
	}
	return t->tid;
}

/* Takes g's pending record if it holds want (a serial, or any owner
 * with want 0); returns the owner it held, 0 if none was taken. */
static uint64_t pend_take(struct gil *g, uint64_t want)
{
	for (;;) {
		uint64_t o = __atomic_load_n(&g->pend_owner, __ATOMIC_ACQUIRE);

		if (o == PEND_BUSY) {
			sched_yield();
			continue;
		}
		if (o == 0 || (want && o != want)) {
			return 0;
		}
		if (__atomic_compare_exchange_n(&g->pend_owner, &o, PEND_BUSY, 0, __ATOMIC_ACQUIRE,
				__ATOMIC_RELAXED)) {
			return o;
		}
	}
}

static void pend_put(struct gil *g, uint64_t owner)
{
	__atomic_store_n(&g->pend_owner, owner, __ATOMIC_RELEASE);
}

static void batch_clear(struct gil_cycle_batch *b)
{
	b->n = 0;
	b->n_acquire_bt = b->n_acquire_py = b->n_bt = b->n_py = 0;
	b->bytes = 0;
}

/* With g's record taken: tell the batch of cycles done. */
static void batch_emit(struct gil *g)
{
	if (!g->batch.n) {
		return;
	}
	g->batch.told_ts = ust_clock_read();
	lttng_ust_tracepoint(giltrace, gil_cycles, &g->batch, g->lock, g->pend_tid, NULL);
	batch_clear(&g->batch);
}

/* With g's record taken: tell what is pending (the cycles done, then
 * the start of the one going on) and drop it. */
static void pend_open(struct gil *g)
{
	batch_emit(g);
	if (g->pend_active) {
		g->pend.end_ts = ust_clock_read();
		lttng_ust_tracepoint(giltrace, gil_cycle_open, &g->pend, g->pend_tid, NULL);
		g->pend_active = 0;
	}
	pend_put(g, 0);
}

/*
 * The frames of the batch's last release, if they are n: where an
 * acquisition that reads them again (py_frames' as_release) points its
 * own, which then take no room of their own (GIL_BATCH_PY_AS_RELEASE).
 */
static int batch_last_release(const struct gil_cycle_batch *b, unsigned int n,
		const uint64_t **code, const uint32_t **instr)
{
	if (!b->n || b->py_count[b->n - 1] != n) {
		return 0;
	}
	*code = b->pycode + b->py_at[b->n - 1];
	*instr = b->pyinstr + b->py_at[b->n - 1];
	return 1;
}

/*
 * Releases looked back at for frames the same as a new release's
 * (GIL_BATCH_PY_BACK): a loop that blocks at a few places (a read and a
 * write, say) releases at each in turn.
 */
#define PY_BACK_LOOK	4u

/* Are cycle j's release frames those of pf? */
static int release_same(const struct gil_cycle_batch *b, unsigned int j, const struct py_frames *pf)
{
	const uint64_t *code = b->pycode + b->py_at[j];
	const uint32_t *instr = b->pyinstr + b->py_at[j];

	if (b->py_count[j] != pf->n) {
		return 0;
	}
	for (unsigned int k = 0; k < pf->n; k++) {
		if (code[k] != pf->code[k] || instr[k] != pf->instr[k]) {
			return 0;
		}
	}
	return 1;
}

/* How many releases back the batch has pf's frames (0: none of the last
 * PY_BACK_LOOK has). */
static unsigned int release_back(const struct gil_cycle_batch *b, const struct py_frames *pf)
{
	if (!pf->n) {
		return 0;
	}
	for (unsigned int k = 1; k <= PY_BACK_LOOK && k <= b->n; k++) {
		if (release_same(b, b->n - k, pf)) {
			return k;
		}
	}
	return 0;
}

/* The byte limit keeps each flattened sequence of frames within its
 * array: a frame takes at least 8 of a cycle's bytes. */
_Static_assert(GIL_BATCH_BYTES / 8 <= GIL_BATCH_FRAMES, "a batch's frames fit its arrays");
_Static_assert(GIL_BATCH_CYCLES == GIL_BATCH_BYTES / GIL_BATCH_CYCLE_BYTES(0, 0),
	"a batch holds as many cycles as its bytes allow without frames");

/*
 * With g's record taken: the cycle going on ends with its release and
 * joins the batch, which is told first if it has no room left.  An
 * acquisition as the batch's last release (compact_acquired) still is
 * here: only this thread adds to the batch, and another that tells it
 * takes the pending cycle too.  Told first, the batch leaves those
 * frames where they were, and they are copied before the release's.
 */
static void batch_add(struct gil *g, unsigned int waiters, int signalled, void *caller,
		const uintptr_t *bt, unsigned int bt_len, const struct py_frames *pf)
{
	struct gil_cycle_batch *b = &g->batch;
	const struct gil_cycle_rec *c = &g->pend;
	unsigned int acquire_py = c->py_as_release ? 0 : c->py_n;
	unsigned int back = release_back(b, pf);
	unsigned int bytes = GIL_BATCH_CYCLE_BYTES(c->bt_len + bt_len, acquire_py + (back ? 0 : pf->n));
	unsigned int i;

	if (b->n == GIL_BATCH_CYCLES || b->bytes + bytes > GIL_BATCH_BYTES) {
		batch_emit(g);
		acquire_py = c->py_n;
		back = 0;
		bytes = GIL_BATCH_CYCLE_BYTES(c->bt_len + bt_len, acquire_py + pf->n);
	}
	b->bytes += bytes;
	i = b->n++;
	b->begin_ts[i] = c->begin_ts;
	b->acquired_ts[i] = c->acquired_ts;
	b->released_ts[i] = ust_clock_read();
	b->begin_caller[i] = c->begin_caller;
	b->acquire_caller[i] = c->acquire_caller;
	b->caller[i] = (uintptr_t) caller;
	b->waiters[i] = waiters;
	b->signalled[i] = (uint8_t) signalled;
	b->acquire_bt_len[i] = (uint8_t) c->bt_len;
	small_copy(b->acquire_bt + b->n_acquire_bt, c->bt, c->bt_len * sizeof(c->bt[0]));
	b->n_acquire_bt += c->bt_len;
	b->acquire_py_len[i] = (uint8_t) (acquire_py == c->py_n ? acquire_py : GIL_BATCH_PY_AS_RELEASE);
	small_copy(b->acquire_pycode + b->n_acquire_py, c->pycode, acquire_py * sizeof(c->pycode[0]));
	small_copy(b->acquire_pyinstr + b->n_acquire_py, c->pyinstr, acquire_py * sizeof(c->pyinstr[0]));
	b->n_acquire_py += acquire_py;
	b->bt_len[i] = (uint8_t) bt_len;
	small_copy(b->bt + b->n_bt, bt, bt_len * sizeof(bt[0]));
	b->n_bt += bt_len;
	b->py_count[i] = (uint8_t) pf->n;
	if (back) {
		b->py_len[i] = (uint8_t) (GIL_BATCH_PY_BACK + back);
		b->py_at[i] = b->py_at[i - back];
	} else {
		b->py_len[i] = (uint8_t) pf->n;
		b->py_at[i] = (uint16_t) b->n_py;
		small_copy(b->pycode + b->n_py, pf->code, pf->n * sizeof(pf->code[0]));
		small_copy(b->pyinstr + b->n_py, pf->instr, pf->n * sizeof(pf->instr[0]));
		b->n_py += pf->n;
	}
	g->pend_active = 0;
}

/* What t has pending on own (its cycle, its batch) is told now, unless
 * another thread told it already. */
static void own_tell(struct gil *own, struct gil_thread *t)
{
	t->pending = NULL;
	if (pend_take(own, t->serial)) {
		pend_open(own);
	}
}

/*
 * Why the count: a thread that found nothing pending goes on to write
 * its event, whose time LTTng reads later; a cycle made pending in
 * between would begin before that event.  The count is raised before
 * the pending word is read, and compact_begin reads it after setting
 * that word (both sequentially consistent): either the writer sees the
 * new cycle and opens it, or the new cycle sees the writer and gives up.
 */
void compact_before(struct gil *g, struct gil_thread *t)
{
	struct gil *own = t->pending;

	__atomic_add_fetch(&g->emitters, 1, __ATOMIC_SEQ_CST);

	if (own && own != g) {
		own_tell(own, t);
	}
	if (__atomic_load_n(&g->pend_owner, __ATOMIC_SEQ_CST) && pend_take(g, 0)) {
		if (t->pending == g) {
			t->pending = NULL;
		}
		pend_open(g);
	}
}

/* As compact_before, but t's own batch on g stays pending: the attempt
 * about to begin may join it (compact_begin), or tells it first. */
void compact_before_attempt(struct gil *g, struct gil_thread *t)
{
	struct gil *own = t->pending;
	uint64_t o;

	__atomic_add_fetch(&g->emitters, 1, __ATOMIC_SEQ_CST);

	if (own && own != g) {
		own_tell(own, t);
	}
	o = __atomic_load_n(&g->pend_owner, __ATOMIC_SEQ_CST);
	if (o && o != t->serial && pend_take(g, 0)) {
		pend_open(g);
	}
}

void compact_after(struct gil *g)
{
	__atomic_sub_fetch(&g->emitters, 1, __ATOMIC_RELEASE);
}

/* With g's record taken by t: t's attempt begins there, as a cycle of
 * its own; the record is then t's. */
static void pend_start(struct gil *g, struct gil_thread *t, void *caller)
{
	g->pend_tid = thread_tid(t);
	g->pend.gil = g->lock;
	g->pend.begin_ts = ust_clock_read();
	/* A batch begun a while ago is told before this cycle begins. */
	if (g->batch.n && g->pend.begin_ts - g->batch.begin_ts[0] >= batch_span_get()) {
		batch_emit(g);
	}
	g->pend.acquired_ts = 0;
	g->pend.end_ts = 0;
	g->pend.begin_caller = (uintptr_t) caller;
	g->pend.acquire_caller = 0;
	g->pend.bt_len = 0;
	g->pend.py_n = 0;
	g->pend.waiters = 0;
	g->pend.signalled = 0;
	g->pend.py_as_release = 0;
	g->pend.bt = g->pend_bt;
	g->pend.pycode = g->pend_pycode;
	g->pend.pyinstr = g->pend_pyinstr;
	g->pend_active = 1;
	t->pending = g;
	pend_put(g, t->serial);
}

/* Can an attempt of t on g be a cycle of its own, as far as t and g
 * tell without g's record? */
static int cycle_possible(struct gil *g, const struct gil_thread *t)
{
	return compact_enabled()
		&& !(__atomic_load_n(&g->holder_known, __ATOMIC_RELAXED)
			&& __atomic_load_n(&g->holder, __ATOMIC_RELAXED) != 0)
		&& t->serial && !t->sites_untold;
}

/*
 * No count of emitters here: the batch became pending at a first cycle
 * that found none (compact_begin), and has been pending ever since, or
 * the take fails.  Meanwhile any thread about to emit an event of g
 * found it pending and takes it, and no other cycle could become
 * pending: none is writing an event that this cycle would precede.
 */
int compact_continue(struct gil *g, struct gil_thread *t, void *caller)
{
	if (t->pending != g || !cycle_possible(g, t)) {
		return 0;
	}
	if (!pend_take(g, t->serial)) {
		t->pending = NULL;
		return 0;
	}
	pend_start(g, t, caller);
	return 1;
}

int compact_begin(struct gil *g, struct gil_thread *t, void *caller)
{
	uint64_t none = 0;

	/*
	 * Only an attempt that finds the GIL free can be a cycle of its own.
	 * Others may be trying too (CPython 2.7's waiter sleeps in sem_wait
	 * through many of the holder's cycles, a 3.x waiter woken too late
	 * finds the GIL retaken): whatever they emit opens this one first.
	 */
	if (!cycle_possible(g, t)) {
		/* t's own batch is told first: its next event is not a cycle. */
		if (t->pending == g) {
			own_tell(g, t);
		}
		return 0;
	}
	/* t's own batch goes on, unless another thread told it meanwhile. */
	if (t->pending == g && !pend_take(g, t->serial)) {
		t->pending = NULL;
	}
	if (t->pending != g && !__atomic_compare_exchange_n(&g->pend_owner, &none, PEND_BUSY, 0,
			__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		return 0;
	}
	/* Another thread is writing an event of g (this one counts itself). */
	if (__atomic_load_n(&g->emitters, __ATOMIC_SEQ_CST) != 1) {
		t->pending = NULL;
		pend_open(g);
		return 0;
	}
	pend_start(g, t, caller);
	return 1;
}

int compact_acquired(struct gil *g, struct gil_thread *t, int at_once, void *caller,
		const uintptr_t *bt, unsigned int bt_len, const struct py_frames *pf)
{
	/* Names told while not recorded: the event goes with them now, and
	 * the pending cycle is opened before it (compact_before). */
	if (t->pending != g || t->sites_untold || pf->untold) {
		return 0;
	}
	if (!pend_take(g, t->serial)) {
		/* Opened by another thread: today's events from here on. */
		t->pending = NULL;
		return 0;
	}
	if (!g->pend_active) {
		/* Only the batch is pending: this attempt was told already. */
		t->pending = NULL;
		pend_open(g);
		return 0;
	}
	/* Nothing was waited for since the begin's reading: that is the
	 * acquisition's time too (giltrace(7), "Compact cycles"). */
	g->pend.acquired_ts = at_once ? g->pend.begin_ts : ust_clock_read();
	g->pend.acquire_caller = (uintptr_t) caller;
	g->pend.bt_len = bt_len;
	small_copy(g->pend_bt, bt, bt_len * sizeof(bt[0]));
	g->pend.py_n = pf->n;
	/* Frames read again since the batch's last release: read there
	 * (by gil_cycle_open too, until the batch takes another cycle). */
	g->pend.py_as_release = pf->as_release
		&& batch_last_release(&g->batch, pf->n, &g->pend.pycode, &g->pend.pyinstr);
	if (!g->pend.py_as_release) {
		g->pend.pycode = g->pend_pycode;
		g->pend.pyinstr = g->pend_pyinstr;
		small_copy(g->pend_pycode, pf->code, pf->n * sizeof(pf->code[0]));
		small_copy(g->pend_pyinstr, pf->instr, pf->n * sizeof(pf->instr[0]));
	}
	pend_put(g, t->serial);
	return 1;
}

int compact_released(struct gil *g, struct gil_thread *t, unsigned int waiters, int signalled,
		void *caller, const uintptr_t *bt, unsigned int bt_len, const struct py_frames *pf)
{
	if (t->pending != g || t->sites_untold || pf->untold) {
		return 0;
	}
	if (!pend_take(g, t->serial)) {
		t->pending = NULL;
		return 0;
	}
	if (!g->pend_active || !g->pend.acquired_ts) {
		/* Not acquired in this cycle (cannot happen): tell what was. */
		t->pending = NULL;
		pend_open(g);
		return 0;
	}
	batch_add(g, waiters, signalled, caller, bt, bt_len, pf);
	if (g->batch.released_ts[g->batch.n - 1] - g->batch.begin_ts[0] >= batch_span_get()) {
		batch_emit(g);
	}
	pend_put(g, t->serial);
	return 1;
}

void compact_at_exit(struct gil *g)
{
	if (pend_take(g, 0)) {
		pend_open(g);
	}
}

/* Takes g's pending record unless someone is writing it (no wait);
 * returns the owner it held, 0 if none was taken. */
static uint64_t pend_take_now(struct gil *g)
{
	uint64_t o = __atomic_load_n(&g->pend_owner, __ATOMIC_ACQUIRE);

	if (o == 0 || o == PEND_BUSY
			|| !__atomic_compare_exchange_n(&g->pend_owner, &o, PEND_BUSY, 0, __ATOMIC_ACQUIRE,
				__ATOMIC_RELAXED)) {
		return 0;
	}
	return o;
}

void compact_before_exit(struct gil *g)
{
	if (pend_take_now(g)) {
		pend_open(g);
	}
}

/*
 * The flusher's look (gil_flusher.c).  The oldest of what is pending is
 * the batch's first cycle, else the cycle going on; what began a batch
 * span ago or more is told, the rest put back as it was, and a record
 * being written is left to the next look.
 */
void compact_tell_stale(struct gil *g)
{
	uint64_t o = pend_take_now(g);
	uint64_t oldest, now;

	if (!o) {
		return;
	}
	now = ust_clock_read();
	oldest = g->batch.n ? g->batch.begin_ts[0] : g->pend_active ? g->pend.begin_ts : now;
	if (now - oldest < batch_span_get()) {
		pend_put(g, o);
		return;
	}
	pend_open(g);
}

void compact_after_fork_child(struct gil *g)
{
	g->pend_owner = 0;
	g->pend_active = 0;
	batch_clear(&g->batch);
	g->emitters = 0;
}
