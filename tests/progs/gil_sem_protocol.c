/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * gil_sem_protocol: CPython 2.7's GIL, a semaphore (Python/thread_pthread.h
 * with USE_SEMAPHORES) taken by PyThread_acquire_lock and released by
 * PyThread_release_lock, called from the PyEval_* functions and from the
 * eval loop's periodic release and re-acquire (the check interval).
 * The threads count by themselves what the shim's trace must show:
 * acquisitions, switches, releases and missed hand-offs.
 *
 *   gil_sem_protocol [--threads N] [--rounds R] [--linger]
 *   gil_sem_protocol --script [--linger]
 *   gil_sem_protocol --alone [--rounds R]
 *   gil_sem_protocol --cancel-pending
 *
 * --alone: the main thread alone releases and takes the GIL R times, at
 * the check interval and around blocking calls.  Nobody else ever
 * holds it, so it waits for nothing: the report adds "waited_ns":0,
 * which the analyzer's must equal (giltrace(7), "Compact cycles").
 *
 * --cancel-pending: a thread with a cancellation pending attempts the
 * free GIL.  sem_wait acts on the cancellation before it takes the
 * semaphore (glibc does so first, even when it would not block), so the
 * thread is cancelled and the GIL stays free.  Prints one line; exit
 * status 1 if that is not what happened (tests/e2e_shim_hazards.sh runs
 * it with and without the shim).
 *
 * --linger: once the report is written, wait for a signal instead of
 * exiting, the GIL free (tests/e2e_idle_pending.sh).
 *
 * A missed hand-off: while a thread attempts to take the GIL, another
 * thread (the releaser itself included) takes it.  The count of each
 * attempt is the number of acquisitions between the attempt's start and
 * its success.
 *
 * Exact by construction.  The shim emits gil_acquire_begin inside the
 * sem_wait wrapper before the real wait, gil_acquire_end after it, and
 * gil_release before the real sem_post; this program's own bookkeeping
 * (the "book", under its own mutex) cannot run at those instants, so
 * the protocol is arranged so that the order of the two never matters:
 * - a thread announces its attempt (and notes the acquisition count)
 *   only while another thread holds the GIL, or while nobody holds it
 *   and nobody else is attempting;
 * - a holder releases only once every announced thread is blocked in
 *   sem_wait (the kernel shows it in a futex wait on the semaphore), so
 *   every attempt has begun in the trace before the GIL can change hands;
 * - a holder that releases and takes the GIL straight back while others
 *   wait (2.7's notorious convoy) first parks the waiters in a signal
 *   handler inside their sem_wait, so it certainly wins; the waiters'
 *   sem_wait then fails with EINTR and PyThread_acquire_lock retries it,
 *   within the same attempt.
 *
 * Output: one JSON object on stdout, the keys of gil_protocol plus
 * "missed_handoffs"; waits, timeouts, failed wake-ups and contended
 * acquisitions are 0 because a semaphore's waits are invisible.
 *
 * Exit status: 0 on success, 1 on a failed system call, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progs_util.h"
#include "task_state.h"

#define NOINLINE __attribute__((noinline, noclone))
#define MAX_THREADS 64

struct counts {
	unsigned long acquisitions;
	unsigned long switches;
	unsigned long releases;
	unsigned long missed_handoffs;
};

struct tstate {
	int index;
	pid_t tid;
	pthread_t thread;
	int io_bound;
	uint64_t work;
	/* Under book.lock: */
	int announced;			/* inside an acquire attempt */
	unsigned long start;		/* book.acquisitions when it began */
	struct counts c;
	/* Parking (see park_others): */
	atomic_int parked, unpark;
};

/* The GIL: 2.7's static PyThread_type_lock interpreter_lock. */
static sem_t *interpreter_lock;

/*
 * The program's own record of the GIL: who holds it, who attempts it,
 * how many acquisitions there were.  Global like the GIL it describes.
 */
static struct {
	pthread_mutex_t lock;
	struct tstate *holder;
	struct tstate *last_holder;
	unsigned long acquisitions;
	int announced;
} book = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0 };

/* Options; global because every thread reads them. */
static struct {
	int threads;
	int rounds;
	int script;
	int linger;		/* --linger */
	int alone;		/* --alone */
	int cancel_pending;	/* --cancel-pending */
} opt = { 8, 100, 0, 0, 0, 0 };

static struct tstate tstates[MAX_THREADS + 1];

/* This thread's state, for the signal handler that parks it. */
static __thread struct tstate *self_ts;

/* ---- CPython 2.7's lock and GIL functions ------------------------------ */

static NOINLINE sem_t *PyThread_allocate_lock(void)
{
	sem_t *lock = malloc(sizeof(*lock));

	if (!lock || sem_init(lock, 0, 1) != 0) {
		check(errno ? errno : ENOMEM, "sem_init");
	}
	return lock;
}

static NOINLINE int PyThread_acquire_lock(sem_t *lock, int waitflag)
{
	int status;

	do {
		if (waitflag) {
			status = sem_wait(lock) == 0 ? 0 : errno;
		} else {
			status = sem_trywait(lock) == 0 ? 0 : errno;
		}
	} while (status == EINTR);	/* Retry if interrupted by a signal */
	if (waitflag && status) {
		check(status, "sem_wait");
	}
	return status == 0;
}

static NOINLINE void PyThread_release_lock(sem_t *lock)
{
	int status = sem_post(lock) == 0 ? 0 : errno;

	check(status, "sem_post");
}

/* ---- the book ------------------------------------------------------- */

static void book_lock(void)
{
	check(pthread_mutex_lock(&book.lock), "pthread_mutex_lock");
}

static void book_unlock(void)
{
	check(pthread_mutex_unlock(&book.lock), "pthread_mutex_unlock");
}

static void note_attempt(struct tstate *ts)
{
	ts->announced = 1;
	ts->start = book.acquisitions;
	book.announced++;
}

/* Before an attempt by a thread that does not hold the GIL. */
static void book_announce(struct tstate *ts)
{
	book_lock();
	while (!book.holder && book.announced > 0) {
		/* Free, but someone may take it any moment: wait until
		 * someone has, so that this attempt starts after it. */
		book_unlock();
		pause_briefly();
		book_lock();
	}
	note_attempt(ts);
	book_unlock();
}

/* After PyThread_acquire_lock returned: ts holds the GIL. */
static void book_acquired(struct tstate *ts)
{
	book_lock();
	ts->c.missed_handoffs += book.acquisitions - ts->start;
	book.acquisitions++;
	ts->c.acquisitions++;
	if (book.last_holder != ts) {
		ts->c.switches++;
	}
	book.last_holder = ts;
	book.holder = ts;
	ts->announced = 0;
	book.announced--;
	book_unlock();
}

/* Under book.lock: until every other attempting thread is blocked in
 * sem_wait on the GIL or parked. */
static void book_await_blocked(struct tstate *self)
{
	for (int i = 0; i <= opt.threads; i++) {
		struct tstate *ts = &tstates[i];

		if (ts == self || !ts->announced) {
			continue;
		}
		while (!atomic_load(&ts->parked)
				&& !task_blocked_on(ts->tid, interpreter_lock, sizeof(*interpreter_lock))) {
			pause_briefly();
		}
	}
}

/* Under book.lock, the GIL held: the bookkeeping of a release. */
static void note_release(struct tstate *ts)
{
	book_await_blocked(ts);
	book.holder = NULL;
	ts->c.releases++;
}

/* Until ts has taken the GIL more than seen times. */
static void await_acquisition(struct tstate *ts, unsigned long seen)
{
	for (;;) {
		unsigned long n;

		book_lock();
		n = ts->c.acquisitions;
		book_unlock();
		if (n > seen) {
			return;
		}
		pause_briefly();
	}
}

static int others_attempting(struct tstate *self)
{
	return book.announced - (self->announced ? 1 : 0) > 0;
}

/* ---- parking waiters ------------------------------------------------ */

static void park_handler(int sig)
{
	struct tstate *ts = self_ts;

	(void) sig;
	atomic_store(&ts->parked, 1);
	while (!atomic_load(&ts->unpark)) {
		pause_briefly();
	}
	atomic_store(&ts->unpark, 0);
	atomic_store(&ts->parked, 0);	/* last: unpark_all waits for it */
}

/* Under book.lock: park every attempting thread but self and keep. */
static void park_others(struct tstate *self, struct tstate *keep)
{
	for (int i = 0; i <= opt.threads; i++) {
		struct tstate *ts = &tstates[i];

		if (ts == self || ts == keep || !ts->announced) {
			continue;
		}
		check(pthread_kill(ts->thread, SIGUSR1), "pthread_kill");
		while (!atomic_load(&ts->parked)) {
			pause_briefly();
		}
	}
}

/*
 * Let every parked thread go, and wait until each has left its handler:
 * a thread still parked when the next holder looks would be taken for
 * one that cannot take the GIL.
 */
static void unpark_all(void)
{
	for (int i = 0; i <= opt.threads; i++) {
		struct tstate *ts = &tstates[i];

		if (!atomic_load(&ts->parked)) {
			continue;
		}
		atomic_store(&ts->unpark, 1);
		while (atomic_load(&ts->parked)) {
			pause_briefly();
		}
	}
}

/* ---- PyEval_* ------------------------------------------------------- */

static NOINLINE void PyEval_InitThreads(struct tstate *ts)
{
	interpreter_lock = PyThread_allocate_lock();
	book_announce(ts);
	PyThread_acquire_lock(interpreter_lock, 1);
	book_acquired(ts);
}

static NOINLINE void PyEval_AcquireThread(struct tstate *ts)
{
	book_announce(ts);
	PyThread_acquire_lock(interpreter_lock, 1);
	book_acquired(ts);
}

/*
 * A release; winner, when given, is the only waiter not parked meanwhile,
 * so that it is the one that takes the GIL (--script's hand-overs).
 */
static void release_to(struct tstate *ts, struct tstate *winner)
{
	unsigned long seen = 0;

	book_lock();
	book_await_blocked(ts);
	if (winner) {
		park_others(ts, winner);
		seen = winner->c.acquisitions;
	}
	note_release(ts);
	book_unlock();
	PyThread_release_lock(interpreter_lock);
	if (winner) {
		await_acquisition(winner, seen);
		unpark_all();
	}
}

static NOINLINE void PyEval_ReleaseThread(struct tstate *ts, struct tstate *winner)
{
	release_to(ts, winner);
}

static NOINLINE void PyEval_SaveThread(struct tstate *ts, struct tstate *winner)
{
	release_to(ts, winner);
}

static NOINLINE void PyEval_RestoreThread(struct tstate *ts)
{
	int err = errno;

	book_announce(ts);
	PyThread_acquire_lock(interpreter_lock, 1);
	book_acquired(ts);
	errno = err;
}

enum yield_kind {
	YIELD_RETAKE,		/* release and take it straight back */
	YIELD_HANDOFF,		/* release and let a waiter have it */
};

/*
 * The eval loop's "Give another thread a chance": release, then
 * acquire again.  RETAKE parks the other waiters first, so that this
 * thread wins; HANDOFF announces the new attempt only after another
 * thread took the GIL, parking every waiter but winner if one is given.
 */
static NOINLINE void PyEval_EvalFrameEx(struct tstate *ts, enum yield_kind kind, struct tstate *winner)
{
	book_lock();
	if (kind == YIELD_HANDOFF && others_attempting(ts)) {
		book_unlock();
		release_to(ts, winner);
		book_announce(ts);
	} else {
		book_await_blocked(ts);
		park_others(ts, NULL);
		note_release(ts);
		note_attempt(ts);
		book_unlock();
		PyThread_release_lock(interpreter_lock);
	}
	PyThread_acquire_lock(interpreter_lock, 1);
	book_acquired(ts);
	unpark_all();
}

/* ---- the free-running mix ------------------------------------------- */

static void *thread_main(void *arg)
{
	struct tstate *ts = arg;

	self_ts = ts;
	__atomic_store_n(&ts->tid, gettid(), __ATOMIC_RELEASE);
	PyEval_AcquireThread(ts);	/* t_bootstrap */
	for (int i = 0; i < opt.rounds; i++) {
		ts->work = compute(ts->work, 3000);
		PyEval_EvalFrameEx(ts, (i + ts->index) % 2 ? YIELD_RETAKE : YIELD_HANDOFF, NULL);
		if (ts->io_bound) {
			PyEval_SaveThread(ts, NULL);	/* Py_BEGIN_ALLOW_THREADS */
			io_wait(i);
			PyEval_RestoreThread(ts);	/* Py_END_ALLOW_THREADS */
		}
	}
	PyEval_ReleaseThread(ts, NULL);		/* the thread state is deleted */
	return NULL;
}

static void start_thread(struct tstate *ts, int index)
{
	ts->index = index;
	ts->work = (uint64_t) index;
	check(pthread_create(&ts->thread, NULL, thread_main, ts), "pthread_create");
	/* Its tid is needed before it can attempt anything. */
	while (!__atomic_load_n(&ts->tid, __ATOMIC_ACQUIRE)) {
		pause_briefly();
	}
}

static void run_mix(void)
{
	struct tstate *m = &tstates[0];

	PyEval_InitThreads(m);
	for (int i = 1; i <= opt.threads; i++) {
		tstates[i].io_bound = i % 2 == 0;
		start_thread(&tstates[i], i);
	}
	PyEval_SaveThread(m, NULL);		/* join() with the GIL released */
	for (int i = 1; i <= opt.threads; i++) {
		check(pthread_join(tstates[i].thread, NULL), "pthread_join");
	}
	PyEval_RestoreThread(m);
	PyEval_SaveThread(m, NULL);		/* Py_Finalize */
}

/* ---- --alone: one thread, nobody to wait for ------------------------- */

static void run_alone(void)
{
	struct tstate *m = &tstates[0];

	PyEval_InitThreads(m);
	for (int i = 0; i < opt.rounds; i++) {
		m->work = compute(m->work, 3000);
		PyEval_EvalFrameEx(m, YIELD_RETAKE, NULL);
		PyEval_SaveThread(m, NULL);	/* Py_BEGIN_ALLOW_THREADS */
		io_wait(i);
		PyEval_RestoreThread(m);	/* Py_END_ALLOW_THREADS */
	}
	PyEval_SaveThread(m, NULL);		/* Py_Finalize */
}

/* ---- --cancel-pending: a cancellation acted on before the GIL is taken -- */

/* The thread and the main thread meet twice; the cleanup handler says it
 * ran.  Globals: the handler has no other way to reach them. */
static atomic_int cancel_ready, cancel_sent;
static int cancel_cleanup_ran;

static void cancel_cleanup(void *arg)
{
	(void) arg;
	cancel_cleanup_ran = 1;
}

/* The cancellation arrives while the thread cannot act on it; then it
 * attempts the free GIL with cancellation enabled. */
static void *cancel_thread(void *arg)
{
	int old;

	(void) arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	atomic_store(&cancel_ready, 1);
	while (!atomic_load(&cancel_sent)) {
		pause_briefly();
	}
	pthread_cleanup_push(cancel_cleanup, NULL);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	PyThread_acquire_lock(interpreter_lock, 1);
	pthread_cleanup_pop(0);
	return NULL;
}

static int run_cancel_pending(void)
{
	struct tstate *m = &tstates[0];
	void *res = NULL;
	int value = -1;
	pthread_t t;

	PyEval_InitThreads(m);
	PyEval_SaveThread(m, NULL);		/* the GIL free */
	check(pthread_create(&t, NULL, cancel_thread, NULL), "pthread_create");
	while (!atomic_load(&cancel_ready)) {
		pause_briefly();
	}
	check(pthread_cancel(t), "pthread_cancel");
	atomic_store(&cancel_sent, 1);
	check(pthread_join(t, &res), "pthread_join");
	check(sem_getvalue(interpreter_lock, &value) ? errno : 0, "sem_getvalue");
	printf("cancelled=%d cleanup=%d gil_free=%d\n", res == PTHREAD_CANCELED, cancel_cleanup_ran,
		value == 1);
	return res == PTHREAD_CANCELED && cancel_cleanup_ran && value == 1;
}

/* ---- --script: fixed hand-overs, the same counts on every run ---------- */

static void await_blocked(struct tstate *ts)
{
	while (!task_blocked_on(ts->tid, interpreter_lock, sizeof(*interpreter_lock))) {
		pause_briefly();
	}
}

/* --script: whose turn it is to start attempting. */
static atomic_int script_step;

static void await_step(int step)
{
	while (atomic_load(&script_step) < step) {
		pause_briefly();
	}
}

/* Threads A (index 1) and B (index 2) of the script (see run_script). */
static void *script_thread(void *arg)
{
	struct tstate *ts = arg;
	struct tstate *m = &tstates[0], *a = &tstates[1], *b = &tstates[2];

	self_ts = ts;
	__atomic_store_n(&ts->tid, gettid(), __ATOMIC_RELEASE);
	await_step(ts->index);
	PyEval_AcquireThread(ts);
	if (ts == a) {
		await_blocked(m);
		await_blocked(b);
		PyEval_EvalFrameEx(a, YIELD_RETAKE, NULL);
		await_blocked(m);
		await_blocked(b);
		PyEval_EvalFrameEx(a, YIELD_HANDOFF, b);
		PyEval_ReleaseThread(a, NULL);
	} else {
		await_blocked(m);
		await_blocked(a);
		PyEval_ReleaseThread(b, m);
	}
	return NULL;
}

/*
 * Main thread M, threads A and B; each step starts once the kernel
 * shows the threads it depends on blocked in sem_wait:
 *  1. M holds the GIL; A, then B, wait for it;
 *  2. M releases and retakes it (A and B parked): both miss it;
 *  3. M hands it to A (B parked: misses it again) and waits;
 *  4. A retakes it once (M and B miss it), hands it to B (M parked)
 *     and waits;
 *  5. B hands it to M (A parked) and leaves; M hands it to A, which
 *     leaves; M takes it back, uncontended, and lets go.
 */
static void run_script(void)
{
	struct tstate *m = &tstates[0], *a = &tstates[1], *b = &tstates[2];

	PyEval_InitThreads(m);
	for (int i = 1; i <= 2; i++) {
		tstates[i].index = i;
		check(pthread_create(&tstates[i].thread, NULL, script_thread, &tstates[i]),
			"pthread_create");
		while (!__atomic_load_n(&tstates[i].tid, __ATOMIC_ACQUIRE)) {
			pause_briefly();
		}
	}
	atomic_store(&script_step, 1);
	await_blocked(a);
	atomic_store(&script_step, 2);
	await_blocked(b);
	PyEval_EvalFrameEx(m, YIELD_RETAKE, NULL);
	await_blocked(a);
	await_blocked(b);
	PyEval_EvalFrameEx(m, YIELD_HANDOFF, a);
	await_blocked(a);
	PyEval_SaveThread(m, a);
	for (int i = 1; i <= 2; i++) {
		check(pthread_join(tstates[i].thread, NULL), "pthread_join");
	}
	PyEval_RestoreThread(m);
	PyEval_SaveThread(m, NULL);
}

/* ---- output and options ----------------------------------------------- */

static void print_counts(const struct counts *c)
{
	printf("\"acquisitions\":%lu,\"contended_acquisitions\":0,\"waits\":0,"
		"\"timeouts\":0,\"failed_wakeups\":0,\"switches\":%lu,\"releases\":%lu,"
		"\"missed_handoffs\":%lu",
		c->acquisitions, c->switches, c->releases, c->missed_handoffs);
	if (opt.alone) {
		printf(",\"waited_ns\":0");
	}
}

static void print_report(int nts)
{
	struct counts totals = { 0 };

	printf("{\"pid\":%d,\"gil\":\"%p\",\"threads\":[", (int) getpid(), (void *) interpreter_lock);
	for (int i = 0; i < nts; i++) {
		const struct counts *c = &tstates[i].c;

		printf("%s{\"tid\":%d,", i ? "," : "", (int) tstates[i].tid);
		print_counts(c);
		printf("}");
		totals.acquisitions += c->acquisitions;
		totals.switches += c->switches;
		totals.releases += c->releases;
		totals.missed_handoffs += c->missed_handoffs;
	}
	printf("],\"totals\":{");
	print_counts(&totals);
	printf("}}\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: gil_sem_protocol [--threads N] [--rounds R] [--linger]\n"
		"       gil_sem_protocol --script [--linger]\n"
		"       gil_sem_protocol --alone [--rounds R]\n"
		"       gil_sem_protocol --cancel-pending\n");
	exit(2);
}

static long parse_number(const char *s, long lo, long hi)
{
	return parse_number_or(s, lo, hi, usage);
}

static void parse_options(int argc, char **argv)
{
	const struct flag_option flags[] = {
		{ "--script", &opt.script },
		{ "--linger", &opt.linger },
		{ "--alone", &opt.alone },
		{ "--cancel-pending", &opt.cancel_pending },
		{ NULL, NULL },
	};

	for (int i = 1; i < argc; i++) {
		if (parse_flag(argv[i], flags)) {
			continue;
		}
		if (i + 1 >= argc) {
			usage();
		}
		if (strcmp(argv[i], "--threads") == 0) {
			opt.threads = (int) parse_number(argv[++i], 1, MAX_THREADS);
		} else if (strcmp(argv[i], "--rounds") == 0) {
			opt.rounds = (int) parse_number(argv[++i], 1, 1000000);
		} else {
			usage();
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	parse_options(argc, argv);
	if (opt.script) {
		opt.threads = 2;
	}
	/* No SA_RESTART: a parked sem_wait fails with EINTR, as a Python
	 * thread's does when a signal arrives. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = park_handler;
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGUSR1, &sa, NULL) ? errno : 0, "sigaction");
	self_ts = &tstates[0];
	tstates[0].tid = gettid();
	tstates[0].thread = pthread_self();
	if (opt.cancel_pending) {
		return run_cancel_pending() ? 0 : 1;
	}
	if (opt.script) {
		run_script();
	} else if (opt.alone) {
		run_alone();
	} else {
		run_mix();
	}
	print_report(opt.alone ? 1 : opt.threads + 1);
	if (opt.linger) {
		linger();
	}
	return 0;
}
