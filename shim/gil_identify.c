/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil_identify.h"
#include "gil_runtimes.h"
#include "symbol.h"

/*
 * Functions named in GILTRACE_LOCK_FUNCS ("acquire:release[:yield],..."),
 * read once by the constructor.  Static storage: parsing runs before the
 * program's main and must not allocate.  A missing yield is "".
 */
#define USER_LOCKS_MAX	8
#define USER_NAME_MAX	128
static char user_acquire[USER_LOCKS_MAX][USER_NAME_MAX];
static char user_release[USER_LOCKS_MAX][USER_NAME_MAX];
static char user_yield[USER_LOCKS_MAX][USER_NAME_MAX];
static unsigned int user_lock_count;

/*
 * Functions named in GILTRACE_LOCK_WRAPPERS ("name,..."): a lock call
 * made inside one counts as made where the wrapper was called.  Static
 * storage for the same reason.
 */
#define USER_WRAPPERS_MAX	8
static char user_wrapper[USER_WRAPPERS_MAX][USER_NAME_MAX];
static unsigned int user_wrapper_count;

/* Wrappers calling wrappers: how many frames up a lock call is followed. */
#define WRAPPER_DEPTH_MAX	4

/* Extent of CPython's exported _PyRuntime (3.7+), 0..0 until found. */
static uintptr_t runtime_lo, runtime_hi;

/* Call sites where a known GIL's acquire locks its mutex. */
#define TAKE_SITES_MAX 8
static uintptr_t take_sites[TAKE_SITES_MAX];
static unsigned int take_site_count;

static void find_runtime_extent(void)
{
	size_t size;
	void *addr = symbol_lookup("_PyRuntime", &size);

	if (!addr || size == 0)
		return;
	__atomic_store_n(&runtime_hi, (uintptr_t) addr + size, __ATOMIC_RELAXED);
	__atomic_store_n(&runtime_lo, (uintptr_t) addr, __ATOMIC_RELEASE);
}

int gil_identify_in_runtime(const void *addr)
{
	uintptr_t a = (uintptr_t) addr;
	uintptr_t lo = __atomic_load_n(&runtime_lo, __ATOMIC_ACQUIRE);

	return lo && a >= lo && a < __atomic_load_n(&runtime_hi, __ATOMIC_RELAXED);
}

/* symbol_function_at (symbol.h), with a compiler clone's suffix dropped. */
static uintptr_t function_at(uintptr_t ip, char *buf, size_t len)
{
	uintptr_t start = symbol_function_at(ip, buf, len);
	char *dot;

	/* take_gil.lto_priv.0, drop_gil.isra.0: compiler clones keep the name. */
	dot = strchr(buf, '.');
	if (dot) {
		*dot = '\0';
	}
	return start;
}

static int name_in(const char *name, char (*names)[USER_NAME_MAX], unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(name, names[i]) == 0) {
			return 1;
		}
	}
	return 0;
}

/*
 * Call sites where a critical section on an OCaml 5 master lock showed
 * what it does (gil_tracker.c learns them): SITE_OCAML_TAKE, _DROP or
 * _YIELD.  Each entry is one word, the role in the top byte above the
 * address (user-space addresses fit in 56 bits), claimed by a
 * compare-and-swap of an empty slot, so that readers never see a site
 * with another's role.  Global: the sites are the process's code.
 */
#define OCAML_SITES_MAX		16
#define OCAML_SITE_SHIFT	56
static uint64_t ocaml_sites[OCAML_SITES_MAX];

enum site_role gil_identify_ocaml_learned(void *caller)
{
	uint64_t site = (uintptr_t) caller;

	for (unsigned int i = 0; i < OCAML_SITES_MAX; i++) {
		uint64_t w = __atomic_load_n(&ocaml_sites[i], __ATOMIC_ACQUIRE);

		if (w == 0) {
			break;
		}
		if ((w & ((UINT64_C(1) << OCAML_SITE_SHIFT) - 1)) == site) {
			return (enum site_role) (w >> OCAML_SITE_SHIFT);
		}
	}
	return SITE_OTHER;
}

void gil_identify_learn_ocaml_site(void *caller, enum site_role role)
{
	uint64_t site = (uintptr_t) caller;
	uint64_t w = site | (uint64_t) role << OCAML_SITE_SHIFT;

	if (site >> OCAML_SITE_SHIFT) {
		return;
	}
	for (unsigned int i = 0; i < OCAML_SITES_MAX; i++) {
		uint64_t old = 0;

		if (__atomic_compare_exchange_n(&ocaml_sites[i], &old, w, 0,
				__ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
			return;
		}
		/* Taken: by this site already (first word wins), or another. */
		if ((old & ((UINT64_C(1) << OCAML_SITE_SHIFT) - 1)) == site) {
			return;
		}
	}
}

static enum site_role classify_site(uintptr_t ip)
{
	char name[256];
	uintptr_t start;
	enum site_role role;

	/* ip is a return address; ip - 1 lies in the calling instruction.
	 * An object loaded since the table last saw one is entered now
	 * (object_table.h: safe here, whatever the context). */
	if (!symbol_in_object(ip - 1)) {
		return SITE_UNMAPPED;
	}
	/* libpython may have been loaded late */
	if (!__atomic_load_n(&runtime_lo, __ATOMIC_ACQUIRE)) {
		find_runtime_extent();
	}
	start = function_at(ip - 1, name, sizeof(name));
	role = ocaml_site_role(start, name[0] ? name : NULL);
	if (role != SITE_OTHER || !name[0]) {
		return role;
	}
	if (name_in(name, user_wrapper, user_wrapper_count)) {
		return SITE_WRAPPER;
	}
	if (name_in(name, user_acquire, user_lock_count)) {
		return SITE_USER_TAKE;
	}
	if (name_in(name, user_release, user_lock_count)) {
		return SITE_USER_DROP;
	}
	if (name_in(name, user_yield, user_lock_count)) {
		return SITE_USER_YIELD;
	}
	if (strcmp(name, "take_gil") == 0) {
		return SITE_TAKE;
	}
	if (strcmp(name, "drop_gil") == 0) {
		return SITE_DROP;
	}
	if (strcmp(name, "PyThread_acquire_lock") == 0
			|| strcmp(name, "PyThread_acquire_lock_timed") == 0
			|| strcmp(name, "PyThread_release_lock") == 0) {
		return SITE_PYTHREAD_LOCK;
	}
	if (strncmp(name, "PyEval_", 7) == 0) {
		return SITE_PYEVAL;
	}
	if (strcmp(name, "rb_native_mutex_lock") == 0) {
		ruby_lock_seen();
		return SITE_RUBY_LOCK;
	}
	return SITE_OTHER;
}

enum site_role gil_identify_site_role(void *caller)
{
	return callsite_cache_lookup((uintptr_t) caller, classify_site);
}

/*
 * A lock call made inside a wrapper named in GILTRACE_LOCK_WRAPPERS
 * counts as made where the wrapper was called: follow the stack up
 * through nested wrappers.  The cost, a short unwinding, is paid only
 * at wrapper sites.
 */
struct lock_site gil_identify_lock_site(void *caller)
{
	struct lock_site site = { caller, gil_identify_site_role(caller) };
	void *frames[32];
	int n, i;

	if (site.role != SITE_WRAPPER) {
		return site;
	}
	n = symbol_backtrace(frames, 32);
	i = 0;
	while (i < n && frames[i] != caller) {
		i++;
	}
	for (int up = 1; up <= WRAPPER_DEPTH_MAX && i + up < n; up++) {
		site.caller = frames[i + up];
		site.role = gil_identify_site_role(site.caller);
		if (site.role != SITE_WRAPPER) {
			return site;
		}
	}
	site.caller = caller;
	site.role = SITE_OTHER;
	return site;
}

static int is_take_site(uintptr_t site)
{
	unsigned int n = __atomic_load_n(&take_site_count, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		if (take_sites[i] == site)
			return 1;
	}
	return 0;
}

void gil_identify_learn_take_site(void *caller)
{
	uintptr_t site = (uintptr_t) caller;
	unsigned int n = __atomic_load_n(&take_site_count, __ATOMIC_ACQUIRE);

	if (n == TAKE_SITES_MAX || is_take_site(site))
		return;
	/* A lost race only leaves a duplicate or a missing entry that the
	 * next acquire at that site adds again. */
	take_sites[n] = site;
	__atomic_compare_exchange_n(&take_site_count, &n, n + 1, 0,
		__ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/* A GIL, whose section on its mutex (role) begins with this lock call. */
static struct gil_verdict found_mutex(const void *mutex, enum gil_runtime rt,
		const char *method, int by_site, enum gil_role role, void *caller)
{
	struct gil_verdict v = {
		.found = GIL_FOUND_LOCK, .lock = mutex, .kind = GIL_KIND_COND, .rt = rt,
		.method = method, .by_site = by_site, .role = role, .caller = caller,
	};

	return v;
}

/* A GIL found at a yield function's site: its release takes it back. */
static struct gil_verdict as_yield(struct gil_verdict v)
{
	v.yield = 1;
	return v;
}

/* Maybe a GIL: the state machine follows its section to decide. */
static struct gil_verdict candidate_mutex(const void *mutex, enum gil_runtime rt,
		const char *method, void *caller)
{
	struct gil_verdict v = {
		.found = GIL_FOUND_CANDIDATE, .lock = mutex, .kind = GIL_KIND_COND, .rt = rt,
		.method = method, .role = ROLE_UNKNOWN, .caller = caller,
	};

	return v;
}

/* The verdict when nothing was found (all zero: GIL_FOUND_NOTHING);
 * a constant so that every such return reads the same. */
static const struct gil_verdict nothing_found;

/* An OCaml master lock found at a site of the given role (OCaml 4's
 * hooks, OCaml 5's learned sites): nothing for any other role. */
static struct gil_verdict ocaml_site_verdict(enum site_role role, const void *mutex,
		const char *method, void *caller)
{
	switch (role) {
	case SITE_OCAML_TAKE:
		return found_mutex(mutex, GIL_RT_OCAML, method, 0, ROLE_ACQUIRE, caller);
	case SITE_OCAML_DROP:
		return found_mutex(mutex, GIL_RT_OCAML, method, 0, ROLE_RELEASE, caller);
	case SITE_OCAML_YIELD:
		return as_yield(found_mutex(mutex, GIL_RT_OCAML, method, 0, ROLE_RELEASE, caller));
	default:
		return nothing_found;
	}
}

/* A mutex locked where an OCaml 5 master lock was: the master lock of
 * another domain (or the same one, re-made after a fork). */
static struct gil_verdict ocaml_learned_verdict(const void *mutex, void *caller)
{
	return ocaml_site_verdict(gil_identify_ocaml_learned(caller), mutex, "callsite-learned", caller);
}

struct gil_verdict gil_identify_masterlock(const void *mutex, void *caller, enum gil_role role)
{
	return found_mutex(mutex, GIL_RT_OCAML, "domain-lock", 0, role, caller);
}

static struct gil_verdict ruby_verdict(const void *mutex, void *caller, int first, int known)
{
	/* The first lock call of a thread Ruby just created: see gil_ruby.c. */
	if (first) {
		switch (ruby_gvl_at_thread_start(mutex, caller)) {
		case 1:
			return found_mutex(mutex, GIL_RT_RUBY, "thread-start", 0, ROLE_ACQUIRE, caller);
		case 2:
			return found_mutex(mutex, GIL_RT_RUBY, "callsite-learned", 0, ROLE_ACQUIRE, caller);
		default:
			break;
		}
	}
	/* Tracing began after the threads did, or Ruby 3.3: a wait in the
	 * section will tell (ruby_queue_wait). */
	if (!known && ruby_gvl_candidate(mutex)) {
		return candidate_mutex(mutex, GIL_RT_RUBY,
			ruby_gvl_is_scheduler() ? "scheduler-wait" : "runtime-extent", caller);
	}
	return nothing_found;
}

struct gil_verdict gil_identify_mutex(const void *mutex, void *caller, int first, int known)
{
	struct lock_site site;

	if (is_take_site((uintptr_t) caller)) {
		return found_mutex(mutex, GIL_RT_CPYTHON, "callsite-learned", 0, ROLE_ACQUIRE, caller);
	}
	if (ocaml_domain_locks()) {
		struct gil_verdict v = ocaml_learned_verdict(mutex, caller);

		if (v.found != GIL_FOUND_NOTHING) {
			return v;
		}
	}
	/* Once a GIL is known, only a thread's first lock (Ruby: another
	 * ractor's GVL) or a user-named lock can reveal another one. */
	if (known && user_lock_count == 0 && !first) {
		return nothing_found;
	}
	site = gil_identify_lock_site(caller);
	switch (site.role) {
	case SITE_RUBY_LOCK:
		return ruby_verdict(mutex, caller, first, known);
	case SITE_USER_TAKE:
		return found_mutex(mutex, GIL_RT_USER, "user-functions", 1, ROLE_ACQUIRE, site.caller);
	default:
		break;
	}
	if (known) {
		return nothing_found;
	}
	switch (site.role) {
	case SITE_TAKE:
		return found_mutex(mutex, GIL_RT_CPYTHON, "callsite-symbol", 0, ROLE_ACQUIRE, caller);
	case SITE_OCAML_TAKE:
	case SITE_OCAML_DROP:
	case SITE_OCAML_YIELD:
		return ocaml_site_verdict(site.role, mutex, "blocking-section-hook", caller);
	default:
		break;
	}
	/* The section opens where the lock was called, wrapper or not. */
	if (gil_identify_in_runtime(mutex)) {
		return candidate_mutex(mutex, GIL_RT_CPYTHON, "runtime-extent", caller);
	}
	return nothing_found;
}

/* The return address of the function that called the one returning to
 * caller, or 0. */
static uintptr_t caller_of(void *caller)
{
	void *frames[16];
	int n = symbol_backtrace(frames, 16);

	for (int i = 0; i + 1 < n; i++) {
		if (frames[i] == caller)
			return (uintptr_t) frames[i + 1];
	}
	return 0;
}

struct gil_verdict gil_identify_sem(const void *sem, void *caller, int known)
{
	struct gil_verdict v = {
		.found = GIL_FOUND_LOCK, .lock = sem, .kind = GIL_KIND_SEM, .rt = GIL_RT_CPYTHON,
		.method = "semaphore-caller", .caller = caller,
	};
	uintptr_t outer;

	/* CPython 2.7 has one GIL; once it is known, stop looking (the
	 * costly part: this search unwinds on every call at PyThread_* sites). */
	if (known)
		return nothing_found;
	if (gil_identify_site_role(caller) != SITE_PYTHREAD_LOCK)
		return nothing_found;
	outer = caller_of(caller);
	if (!outer || callsite_cache_lookup(outer, classify_site) != SITE_PYEVAL)
		return nothing_found;
	return v;
}

static void cpython_runtime_name(char *buf, size_t len)
{
	const char *(*get_version)(void) = (const char *(*)(void)) symbol_lookup("Py_GetVersion", NULL);
	const char *v;
	size_t n;

	if (!get_version) {
		snprintf(buf, len, "unknown");
		return;
	}
	/* "3.11.7 (main, ...) [GCC ...]": keep the version number. */
	v = get_version();
	n = strcspn(v, " ");
	snprintf(buf, len, "CPython %.*s", (int) n, v);
}

void gil_identify_runtime_name(enum gil_runtime rt, char *buf, size_t len)
{
	switch (rt) {
	case GIL_RT_RUBY:
		if (!ruby_runtime_name(buf, len)) {
			snprintf(buf, len, "Ruby");
		}
		break;
	case GIL_RT_OCAML:
		if (!ocaml_runtime_name(buf, len)) {
			snprintf(buf, len, "OCaml");
		}
		break;
	case GIL_RT_USER:
		snprintf(buf, len, "user-named lock");
		break;
	default:
		cpython_runtime_name(buf, len);
		break;
	}
}

/* Copy field number n (0-based, ':'-separated) of item into out; its
 * length, or -1 if too long.  A missing field is "". */
static int item_field(const char *item, size_t len, int n, char *out)
{
	const char *p = item, *end = item + len;
	size_t flen;

	for (int i = 0; i < n; i++) {
		p = memchr(p, ':', (size_t) (end - p));
		if (!p) {
			out[0] = '\0';
			return 0;
		}
		p++;
	}
	flen = strcspn(p, ":,");
	if (p + flen > end) {
		flen = (size_t) (end - p);
	}
	if (flen >= USER_NAME_MAX) {
		return -1;
	}
	memcpy(out, p, flen);
	out[flen] = '\0';
	return (int) flen;
}

static void parse_user_locks(const char *spec)
{
	const char *p = spec;

	while (*p && user_lock_count < USER_LOCKS_MAX) {
		size_t item = strcspn(p, ",");
		unsigned int n = user_lock_count;
		int colons = 0;

		for (size_t i = 0; i < item; i++) {
			colons += p[i] == ':';
		}
		if (colons < 1 || colons > 2 || item_field(p, item, 0, user_acquire[n]) <= 0
				|| item_field(p, item, 1, user_release[n]) <= 0
				|| item_field(p, item, 2, user_yield[n]) < (colons == 2 ? 1 : 0)) {
			fprintf(stderr, "giltrace: ignoring GILTRACE_LOCK_FUNCS=\"%s\": expected ACQUIRE_FUNCTION:RELEASE_FUNCTION[:YIELD_FUNCTION][,...]\n", spec);
			user_lock_count = 0;
			return;
		}
		user_lock_count++;
		p += item;
		if (*p == ',') {
			p++;
		}
	}
}

static void parse_user_wrappers(const char *spec)
{
	const char *p = spec;

	while (*p && user_wrapper_count < USER_WRAPPERS_MAX) {
		size_t item = strcspn(p, ",");

		if (item == 0 || item >= USER_NAME_MAX) {
			fprintf(stderr, "giltrace: ignoring GILTRACE_LOCK_WRAPPERS=\"%s\": expected FUNCTION[,...]\n", spec);
			user_wrapper_count = 0;
			return;
		}
		memcpy(user_wrapper[user_wrapper_count], p, item);
		user_wrapper[user_wrapper_count][item] = '\0';
		user_wrapper_count++;
		p += item;
		if (*p == ',') {
			p++;
		}
	}
}

void gil_identify_init(void)
{
	const char *spec = getenv("GILTRACE_LOCK_FUNCS");

	if (spec && *spec) {
		parse_user_locks(spec);
	}
	spec = getenv("GILTRACE_LOCK_WRAPPERS");
	if (spec && *spec) {
		parse_user_wrappers(spec);
	}
	find_runtime_extent();
}
