/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * gil_protocol: CPython 3's GIL protocol (Python/ceval_gil.c, 3.7 to
 * 3.13: take_gil and drop_gil with FORCE_SWITCHING) run by a few
 * threads that count by themselves what the trace of the shim must
 * show: acquisitions, contended acquisitions, waits, timeouts, failed
 * wake-ups, switches and releases, per thread and in total.
 *
 *   gil_protocol [--threads N] [--rounds R] [--interval US] [--interpreters K]
 *                [--start-together] [--linger]
 *   gil_protocol --script [--linger]
 *   gil_protocol --alone [--rounds R]
 *
 * --alone: the main thread alone takes and drops the GIL R times, as a
 * single-threaded program's blocking calls do.  Nobody else ever holds
 * the GIL or its mutex, so it waits for nothing: the report adds
 * "waited_ns":0, which the analyzer's must equal (giltrace(7),
 * "Compact cycles").
 *
 * Half of the threads are CPU-bound (they honour drop requests, as the
 * eval loop does), half alternate short computations with "I/O" that
 * drops and retakes the GIL (Py_BEGIN/END_ALLOW_THREADS).  With K > 1
 * interpreters the threads are split between K GILs, as CPython 3.12+
 * sub-interpreters with their own GIL are.
 *
 * Output, one JSON object on stdout (the analyzer's tests compare with
 * these key names):
 *   {"pid":N,"gil":"0x...","threads":[{"tid":T,"acquisitions":...,
 *    "contended_acquisitions":...,"waits":...,"timeouts":...,
 *    "failed_wakeups":...,"switches":...,"releases":...}],"totals":{...}}
 * and with several interpreters {"pid":N,"gils":[<the same without pid>...]}.
 * "gil" is the address of the GIL's mutex: the shim's name for it.
 *
 * Built three ways (tests/local.mk): unstripped with the functions named
 * take_gil and drop_gil (the shim finds them by call-site symbol); and
 * with GP_RUNTIME_EXTENT, where they have other names, the GIL lives in
 * an exported object named _PyRuntime and an exported function named
 * take_gil sits just before them, so that once the binary is stripped
 * the nearest exported symbol of every GIL call site is a lie, as in
 * Debian's python3 (the shim must find the GIL by runtime extent).
 *
 * --linger: once the report is written, wait for a signal instead of
 * exiting, the GIL free (a service between requests): what the process
 * has pending must still reach the trace, with no exit to tell it.
 *
 * Exit status: 0 on success, 1 on a failed system call, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
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
#define EXPORTED __attribute__((visibility("default"), used))

#ifdef GP_RUNTIME_EXTENT
#define TAKE_GIL gp_gil_acquire
#define DROP_GIL gp_gil_release
#else
#define TAKE_GIL take_gil
#define DROP_GIL drop_gil
#endif

#define MAX_THREADS	64
#define MAX_INTERPS	16

/* CPython's struct _gil_runtime_state, FORCE_SWITCHING included. */
struct gil_state {
	atomic_ulong interval;		/* microseconds; sys.setswitchinterval */
	atomic_uintptr_t last_holder;	/* the tstate that took it last */
	atomic_int locked;
	unsigned long switch_number;	/* protected by mutex */
	pthread_cond_t cond;
	pthread_mutex_t mutex;
	pthread_cond_t switch_cond;
	pthread_mutex_t switch_mutex;
};

/* An interpreter: its GIL and its drop request (ceval2->gil_drop_request). */
struct interp {
	struct gil_state *gil;
	atomic_int drop_request;
};

/* Atomic: written by the counting thread, watched by the --script conductor. */
struct counts {
	atomic_ulong acquisitions;
	atomic_ulong contended_acquisitions;
	atomic_ulong waits;
	atomic_ulong timeouts;
	atomic_ulong failed_wakeups;
	atomic_ulong switches;
	atomic_ulong releases;
};

/* A thread state; its counts are written by its own thread only. */
struct tstate {
	int index;
	pid_t tid;
	int io_bound;
	struct interp *interp;
	struct counts c;
	uint64_t work;			/* result of the computations */
	pthread_t thread;
};

/*
 * The runtime: what CPython keeps in _PyRuntime.  Global because the
 * GP_RUNTIME_EXTENT build must export it under that name, with its size,
 * for the shim to find the GIL inside it.
 */
struct runtime {
	int initialized;
	struct gil_state gil;		/* the main interpreter's GIL */
	struct interp interps[MAX_INTERPS];
};

#ifdef GP_RUNTIME_EXTENT
EXPORTED struct runtime _PyRuntime;
#define RUNTIME _PyRuntime
#else
static struct runtime gp_runtime;
#define RUNTIME gp_runtime
#endif

/* Options; global because every thread reads them. */
static struct {
	int threads;
	int rounds;
	unsigned long interval;
	int interps;
	int script;
	int linger;		/* --linger */
	int together;
	int alone;		/* --alone */
} opt = { 8, 200, 100, 1, 0, 0, 0, 0 };

/* --start-together: the threads take their GIL for the first time at
 * once, so that a new GIL is first locked by several threads together. */
static pthread_barrier_t start_barrier;

static struct tstate tstates[MAX_THREADS + 1];

static void gil_create(struct gil_state *gil, unsigned long interval)
{
	pthread_condattr_t attr;

	/* CPython's _PyThread_cond_init: monotonic clock when available. */
	check(pthread_condattr_init(&attr), "pthread_condattr_init");
	check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "pthread_condattr_setclock");
	check(pthread_mutex_init(&gil->mutex, NULL), "pthread_mutex_init");
	check(pthread_mutex_init(&gil->switch_mutex, NULL), "pthread_mutex_init");
	check(pthread_cond_init(&gil->cond, &attr), "pthread_cond_init");
	check(pthread_cond_init(&gil->switch_cond, &attr), "pthread_cond_init");
	pthread_condattr_destroy(&attr);
	atomic_store_explicit(&gil->interval, interval, memory_order_relaxed);
	atomic_store_explicit(&gil->last_holder, 0, memory_order_relaxed);
	atomic_store_explicit(&gil->locked, 0, memory_order_relaxed);
	gil->switch_number = 0;
}

/* PyCOND_TIMEDWAIT: 1 on timeout, 0 when woken. */
static int cond_timedwait_us(pthread_cond_t *cond, pthread_mutex_t *mutex, unsigned long us)
{
	struct timespec deadline = deadline_after_us(CLOCK_MONOTONIC, us);
	int ret;

	ret = pthread_cond_timedwait(cond, mutex, &deadline);
	if (ret == ETIMEDOUT) {
		return 1;
	}
	check(ret, "pthread_cond_timedwait");
	return 0;
}

/*
 * The exported decoy of the GP_RUNTIME_EXTENT build: an exported
 * function placed right before the stripped GIL functions, so that a
 * lookup of the nearest exported symbol names their call sites
 * take_gil+0x... although they are not in it.  All three are kept in
 * one section, in this order (checked by the test with nm).
 */
#ifdef GP_RUNTIME_EXTENT
int take_gil(int x);

EXPORTED NOINLINE __attribute__((section(".text.gp_gil")))
int take_gil(int x)
{
	return x * 3 + 1;
}
#endif

/* take_gil(tstate), as in CPython, counting what it does. */
NOINLINE __attribute__((section(".text.gp_gil")))
static void TAKE_GIL(struct tstate *ts)
{
	struct interp *interp = ts->interp;
	struct gil_state *gil = interp->gil;
	int err = errno;
	int last_woken = 0;

	check(pthread_mutex_lock(&gil->mutex), "pthread_mutex_lock");
	if (atomic_load_explicit(&gil->locked, memory_order_relaxed)) {
		ts->c.contended_acquisitions++;
	}
	while (atomic_load_explicit(&gil->locked, memory_order_relaxed)) {
		unsigned long saved_switchnum = gil->switch_number;
		unsigned long interval = atomic_load_explicit(&gil->interval, memory_order_relaxed);
		int timed_out;

		if (interval < 1) {
			interval = 1;
		}
		/* Woken last time, yet the GIL is still taken: failed. */
		if (last_woken) {
			ts->c.failed_wakeups++;
		}
		ts->c.waits++;
		timed_out = cond_timedwait_us(&gil->cond, &gil->mutex, interval);
		if (timed_out) {
			ts->c.timeouts++;
		}
		last_woken = !timed_out;
		/* Timed out and no switch in the meantime: ask the holder
		 * to drop it. */
		if (timed_out && atomic_load_explicit(&gil->locked, memory_order_relaxed)
				&& gil->switch_number == saved_switchnum) {
			atomic_store_explicit(&interp->drop_request, 1, memory_order_relaxed);
		}
	}
	/* FORCE_SWITCHING: this mutex must be taken before modifying
	 * last_holder (see drop_gil). */
	check(pthread_mutex_lock(&gil->switch_mutex), "pthread_mutex_lock");
	atomic_store_explicit(&gil->locked, 1, memory_order_relaxed);
	if ((uintptr_t) ts != atomic_load_explicit(&gil->last_holder, memory_order_relaxed)) {
		atomic_store_explicit(&gil->last_holder, (uintptr_t) ts, memory_order_relaxed);
		++gil->switch_number;
		ts->c.switches++;
	}
	check(pthread_cond_signal(&gil->switch_cond), "pthread_cond_signal");
	check(pthread_mutex_unlock(&gil->switch_mutex), "pthread_mutex_unlock");
	if (atomic_load_explicit(&interp->drop_request, memory_order_relaxed)) {
		atomic_store_explicit(&interp->drop_request, 0, memory_order_relaxed);
	}
	ts->c.acquisitions++;
	check(pthread_mutex_unlock(&gil->mutex), "pthread_mutex_unlock");
	errno = err;
}

/* drop_gil(tstate), as in CPython. */
NOINLINE __attribute__((section(".text.gp_gil")))
static void DROP_GIL(struct tstate *ts)
{
	struct interp *interp = ts->interp;
	struct gil_state *gil = interp->gil;

	if (!atomic_load_explicit(&gil->locked, memory_order_relaxed)) {
		fprintf(stderr, "gil_protocol: drop_gil: GIL is not locked\n");
		abort();
	}
	atomic_store_explicit(&gil->last_holder, (uintptr_t) ts, memory_order_relaxed);
	check(pthread_mutex_lock(&gil->mutex), "pthread_mutex_lock");
	atomic_store_explicit(&gil->locked, 0, memory_order_relaxed);
	check(pthread_cond_signal(&gil->cond), "pthread_cond_signal");
	ts->c.releases++;
	check(pthread_mutex_unlock(&gil->mutex), "pthread_mutex_unlock");
	/* FORCE_SWITCHING: a thread asked for the GIL; do not take it back
	 * before that thread (or another) got it. */
	if (atomic_load_explicit(&interp->drop_request, memory_order_relaxed)) {
		check(pthread_mutex_lock(&gil->switch_mutex), "pthread_mutex_lock");
		if (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) == (uintptr_t) ts) {
			atomic_store_explicit(&interp->drop_request, 0, memory_order_relaxed);
			check(pthread_cond_wait(&gil->switch_cond, &gil->switch_mutex),
				"pthread_cond_wait");
		}
		check(pthread_mutex_unlock(&gil->switch_mutex), "pthread_mutex_unlock");
	}
}

/* The eval loop's check between two "bytecodes". */
static void eval_breaker(struct tstate *ts)
{
	if (atomic_load_explicit(&ts->interp->drop_request, memory_order_relaxed)) {
		DROP_GIL(ts);
		TAKE_GIL(ts);
	}
}

static void run_cpu_bound(struct tstate *ts)
{
	for (int i = 0; i < opt.rounds * 8; i++) {
		ts->work = compute(ts->work, 2000);
		eval_breaker(ts);
	}
}

static void run_io_bound(struct tstate *ts)
{
	for (int i = 0; i < opt.rounds; i++) {
		ts->work = compute(ts->work, 500);
		eval_breaker(ts);
		DROP_GIL(ts);		/* Py_BEGIN_ALLOW_THREADS */
		io_wait(i);
		TAKE_GIL(ts);		/* Py_END_ALLOW_THREADS */
	}
}

static void *thread_main(void *arg)
{
	struct tstate *ts = arg;

	ts->tid = gettid();
	if (opt.together) {
		pthread_barrier_wait(&start_barrier);
	}
	TAKE_GIL(ts);			/* t_bootstrap: PyEval_AcquireThread */
	if (ts->io_bound) {
		run_io_bound(ts);
	} else {
		run_cpu_bound(ts);
	}
	DROP_GIL(ts);			/* the thread state is deleted */
	return NULL;
}

/* ---- --script: a choreography whose counts do not depend on timing ---- */

/* Until ts waits on its GIL's condition variable, having waited waits times. */
static void await_waiting(struct tstate *ts, unsigned long waits)
{
	struct gil_state *gil = ts->interp->gil;

	while (atomic_load(&ts->c.waits) < waits
			|| !task_blocked_on(ts->tid, &gil->cond, sizeof(gil->cond))) {
		pause_briefly();
	}
}

static void await_holder(struct tstate *ts)
{
	while (atomic_load_explicit(&ts->interp->gil->last_holder, memory_order_relaxed)
			!= (uintptr_t) ts) {
		pause_briefly();
	}
}

/*
 * A thread "parked" in a signal handler while blocked in its condvar
 * wait: its wake-up is pending while the holder drops and retakes the
 * GIL, so that the wake-up fails for certain.  Globals: the handler
 * has no other way to reach them.
 */
static atomic_int parked, unpark;

static void park_handler(int sig)
{
	(void) sig;
	atomic_store(&parked, 1);
	while (!atomic_load(&unpark)) {
		pause_briefly();
	}
	atomic_store(&parked, 0);
}

static void park(struct tstate *ts)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = park_handler;
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGUSR1, &sa, NULL) ? errno : 0, "sigaction");
	atomic_store(&unpark, 0);
	check(pthread_kill(ts->thread, SIGUSR1), "pthread_kill");
	while (!atomic_load(&parked)) {
		pause_briefly();
	}
}

static void unpark_thread(void)
{
	atomic_store(&unpark, 1);
}

/* The other thread of --script, A. */
static void *script_thread(void *arg)
{
	struct tstate *ts = arg;
	struct tstate *main_ts = &tstates[0];

	ts->tid = gettid();
	/* 1: wait until the main thread drops the GIL. */
	TAKE_GIL(ts);
	/* 2: hand the GIL to the main thread once it waits. */
	await_waiting(main_ts, 1);
	DROP_GIL(ts);
	await_holder(main_ts);
	/* 3: wait; woken while parked, the wake-up fails; wait again. */
	TAKE_GIL(ts);
	DROP_GIL(ts);
	return NULL;
}

/*
 * --script: the main thread M and a thread A go through a fixed
 * sequence of hand-overs; each step waits until the kernel shows the
 * other thread blocked where it must be, so the counts are the same on
 * every run: uncontended and contended acquisitions, waits woken by a
 * release, a failed wake-up, switches and releases.  Timeouts are not
 * part of it (their number depends on time): the interval is an hour.
 */
static void run_script(void)
{
	struct tstate *m = &tstates[0], *a = &tstates[1];

	a->index = 1;
	a->interp = m->interp;
	TAKE_GIL(m);
	check(pthread_create(&a->thread, NULL, script_thread, a), "pthread_create");
	/* 1: A waits; M drops, A takes it (M must not retake first). */
	await_waiting(a, 1);
	DROP_GIL(m);
	await_holder(a);
	/* 2: M waits until A hands it over. */
	TAKE_GIL(m);
	/* 3: A waits again; park it in its wait while M drops and
	 * retakes, so that its wake-up fails; then hand it over. */
	await_waiting(a, 2);
	park(a);
	DROP_GIL(m);
	TAKE_GIL(m);
	unpark_thread();
	await_waiting(a, 3);
	DROP_GIL(m);
	await_holder(a);
	check(pthread_join(a->thread, NULL), "pthread_join");
	TAKE_GIL(m);
	DROP_GIL(m);
}

static void print_counts(const struct counts *c)
{
	printf("\"acquisitions\":%lu,\"contended_acquisitions\":%lu,\"waits\":%lu,"
		"\"timeouts\":%lu,\"failed_wakeups\":%lu,\"switches\":%lu,\"releases\":%lu",
		c->acquisitions, c->contended_acquisitions, c->waits, c->timeouts,
		c->failed_wakeups, c->switches, c->releases);
	if (opt.alone) {
		printf(",\"waited_ns\":0");
	}
}

static void add_counts(struct counts *sum, const struct counts *c)
{
	sum->acquisitions += c->acquisitions;
	sum->contended_acquisitions += c->contended_acquisitions;
	sum->waits += c->waits;
	sum->timeouts += c->timeouts;
	sum->failed_wakeups += c->failed_wakeups;
	sum->switches += c->switches;
	sum->releases += c->releases;
}

/* One GIL's object: "gil", "threads", "totals". */
static void print_gil(const struct interp *interp, int nts)
{
	struct counts totals = { 0 };
	int first = 1;

	printf("\"gil\":\"%p\",\"threads\":[", (void *) &interp->gil->mutex);
	for (int i = 0; i < nts; i++) {
		const struct tstate *ts = &tstates[i];

		if (ts->interp != interp) {
			continue;
		}
		printf("%s{\"tid\":%d,", first ? "" : ",", (int) ts->tid);
		print_counts(&ts->c);
		printf("}");
		add_counts(&totals, &ts->c);
		first = 0;
	}
	printf("],\"totals\":{");
	print_counts(&totals);
	printf("}");
}

static void print_report(int nts)
{
	printf("{\"pid\":%d,", (int) getpid());
	if (opt.interps == 1) {
		print_gil(&RUNTIME.interps[0], nts);
	} else {
		printf("\"gils\":[");
		for (int i = 0; i < opt.interps; i++) {
			printf("%s{", i ? "," : "");
			print_gil(&RUNTIME.interps[i], nts);
			printf("}");
		}
		printf("]");
	}
	printf("}\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: gil_protocol [--threads N] [--rounds R] [--interval US] [--interpreters K]\n"
		"                    [--start-together] [--linger]\n"
		"       gil_protocol --script [--linger]\n"
		"       gil_protocol --alone [--rounds R]\n");
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
		{ "--alone", &opt.alone },
		{ "--start-together", &opt.together },
		{ "--linger", &opt.linger },
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
		} else if (strcmp(argv[i], "--interval") == 0) {
			opt.interval = (unsigned long) parse_number(argv[++i], 1, 100000000);
		} else if (strcmp(argv[i], "--interpreters") == 0) {
			opt.interps = (int) parse_number(argv[++i], 1, MAX_INTERPS);
		} else {
			usage();
		}
	}
}

/* Py_Initialize and, with two interpreters, Py_NewInterpreterFromConfig
 * with its own GIL (allocated apart, as a sub-interpreter's is). */
static void runtime_init(void)
{
	gil_create(&RUNTIME.gil, opt.interval);
	RUNTIME.interps[0].gil = &RUNTIME.gil;
	for (int i = 1; i < opt.interps; i++) {
		struct gil_state *gil = calloc(1, sizeof(*gil));

		if (!gil) {
			die("calloc", ENOMEM);
		}
		gil_create(gil, opt.interval);
		RUNTIME.interps[i].gil = gil;
	}
	RUNTIME.initialized = 1;
}

/* The free-running mix: CPU-bound and I/O-bound threads. */
static void run_mix(void)
{
	struct tstate *main_ts = &tstates[0];

	if (opt.together) {
		check(pthread_barrier_init(&start_barrier, NULL, (unsigned) opt.threads),
			"pthread_barrier_init");
	}
	TAKE_GIL(main_ts);
	for (int i = 1; i <= opt.threads; i++) {
		struct tstate *ts = &tstates[i];

		ts->index = i;
		ts->io_bound = (i - 1) / opt.interps % 2 == 1;
		ts->interp = &RUNTIME.interps[i % opt.interps];
		ts->work = (uint64_t) i;
		check(pthread_create(&ts->thread, NULL, thread_main, ts), "pthread_create");
	}
	DROP_GIL(main_ts);		/* join() waits with the GIL released */
	for (int i = 1; i <= opt.threads; i++) {
		check(pthread_join(tstates[i].thread, NULL), "pthread_join");
	}
	TAKE_GIL(main_ts);
	DROP_GIL(main_ts);		/* Py_Finalize */
}

/* --alone: the main thread's blocking calls, nobody else's. */
static void run_alone(void)
{
	struct tstate *ts = &tstates[0];

	TAKE_GIL(ts);
	run_io_bound(ts);
	DROP_GIL(ts);
}

int main(int argc, char **argv)
{
	parse_options(argc, argv);
	if (opt.script) {
		opt.threads = 1;
		opt.interps = 1;
		opt.interval = 3600UL * 1000000;
	}
	runtime_init();
	tstates[0].tid = gettid();
	tstates[0].interp = &RUNTIME.interps[0];
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
