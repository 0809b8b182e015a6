/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "addr_word.h"
#include "callsite_events.h"
#include "env_depth.h"
#include "name_epoch.h"
#include "real.h"
#include "symbol.h"

/* Depth used when GILTRACE_CALLSITES is not set (see giltrace(7)). */
#define CALLSITES_DEPTH_DEFAULT 0

unsigned int callsites_depth = CALLSITES_DEPTH_DEFAULT;

/* ---- backtraces ---------------------------------------------------- */

/*
 * The shim's own frames below the caller: the hook, the state machine,
 * the wrapper's traced path.  Room for a few more than there are, so
 * that inlining decisions do not matter.
 */
#define CALLSITES_OWN_FRAMES 12

unsigned int callsites_backtrace(void *caller, uintptr_t *frames)
{
	void *raw[CALLSITES_OWN_FRAMES + 1 + CALLSITES_DEPTH_MAX];
	unsigned int depth = callsites_depth;
	int n = symbol_backtrace(raw, (int) (CALLSITES_OWN_FRAMES + 1 + depth));

	for (int i = 0; i < n; i++) {
		if (raw[i] != caller) {
			continue;
		}
		unsigned int k = 0;

		for (int j = i + 1; j < n && k < depth; j++) {
			frames[k++] = (uintptr_t) raw[j];
		}
		return k;
	}
	return 0;
}

/* ---- naming -------------------------------------------------------- */

/*
 * The addresses this process has named, each as one word (addr_word.h)
 * tagged with the generation it was named in.
 * Read without a lock by every GIL event (a named address costs one
 * hash and one load), written only under named_lock, after its
 * gil_callsite event is in the trace: a thread that finds an address
 * missing takes the lock, and so waits for a naming in progress instead
 * of using the address before its name.  Entries are never removed, so
 * an address always sits at the same place in its probe sequence.
 * Global: the addresses are the process's.  65536 slots (512 KiB of
 * address space, of which only the touched pages cost memory).
 */
#define NAMED_PROBES	64u
uint64_t callsites_named_table[CALLSITES_NAMED_SLOTS];
static pthread_mutex_t named_lock = PTHREAD_MUTEX_INITIALIZER;

/* Entries of another generation count as not named (name_epoch.h):
 * gil_callsite is the name event. */
struct name_epoch callsites_named_epoch = NAME_EPOCH_INIT;

/* callsites_named, the whole probe sequence. */
int callsites_named_probe(uintptr_t addr)
{
	uint64_t want = addr_word(addr, name_epoch_generation(&callsites_named_epoch));
	size_t slot = addr_word_slot(addr, CALLSITES_NAMED_SLOT_BITS);

	if (addr == 0) {
		return 1;	/* nothing to name */
	}
	if (name_epoch_stale(&callsites_named_epoch)) {
		return 0;	/* enabled again: name anew (callsites_name_slow) */
	}
	for (unsigned int i = 0; i < NAMED_PROBES; i++) {
		uint64_t seen = __atomic_load_n(&callsites_named_table[(slot + i) & (CALLSITES_NAMED_SLOTS - 1)],
			__ATOMIC_ACQUIRE);

		if (seen == want) {
			return 1;
		}
		if (seen == 0) {
			return 0;
		}
	}
	return 0;
}

/* GIL events ran while gil_callsite was disabled: whatever session
 * enables it next needs every name again. */
void callsites_disabled(void)
{
	name_epoch_mark_stale(&callsites_named_epoch);
}

/* A new generation: every address is named again.  Under named_lock,
 * or in a single-threaded child. */
static void named_renew(void)
{
	if (name_epoch_wraps(&callsites_named_epoch)) {
		for (size_t i = 0; i < CALLSITES_NAMED_SLOTS; i++) {
			__atomic_store_n(&callsites_named_table[i], 0, __ATOMIC_RELAXED);
		}
	}
	name_epoch_renew(&callsites_named_epoch);
}

/*
 * What gil_callsite says for an unknown symbol or binary, as perf does.
 * Not an empty string: babeltrace2 2.0.4 (Debian 12) shows an empty
 * string field as the previous event's value of that field; not "??"
 * either, which its text output escapes to "\?\?".
 */
#define CALLSITES_UNKNOWN "[unknown]"

static void name_emit(uintptr_t addr)
{
	char symbol[512];
	uintptr_t start = addr, bias = 0;
	const char *path = CALLSITES_UNKNOWN;

	/* addr is a return address: addr - 1 lies in the call itself,
	 * which matters when the call ends its function. */
	if (symbol_at(addr - 1, symbol, sizeof(symbol), &start) != 0) {
		strcpy(symbol, CALLSITES_UNKNOWN);
		start = addr;
	}
	if (symbol_object_at(addr - 1, &path, &bias) != 0) {
		path = CALLSITES_UNKNOWN;
		bias = 0;
	}
	lttng_ust_tracepoint(giltrace, gil_callsite, (const void *) addr, symbol,
		(uint64_t) (addr - start), path, (uint64_t) (addr - bias), (void *) addr);
}

void callsites_name_slow(uintptr_t addr)
{
	uint64_t key = addr_word(addr, 0);
	size_t slot = addr_word_slot(addr, CALLSITES_NAMED_SLOT_BITS);
	uint64_t *free_slot = NULL;

	real_pthread_mutex_lock(&named_lock);
	/* Told while not recorded (a session starting): told again at the
	 * next use, in an epoch of its own once it is. */
	if (!tp_recorded(TP_GIL_CALLSITE)) {
		name_epoch_mark_stale(&callsites_named_epoch);
		name_emit(addr);
		goto out;
	}
	if (name_epoch_stale(&callsites_named_epoch)) {
		named_renew();
	}
	for (unsigned int i = 0; i < NAMED_PROBES; i++) {
		uint64_t *entry = &callsites_named_table[(slot + i) & (CALLSITES_NAMED_SLOTS - 1)];
		uint64_t seen = __atomic_load_n(entry, __ATOMIC_RELAXED);

		if (seen == addr_word(addr, callsites_named_epoch.generation)) {
			goto out;	/* named while this thread waited */
		}
		if (seen == 0 || (seen & ADDR_WORD_MASK) == key) {
			free_slot = entry;
			break;
		}
	}
	name_emit(addr);
	/* No room: the name is emitted at every use instead, still before
	 * it (never seen with fewer than some 40,000 addresses). */
	if (free_slot) {
		__atomic_store_n(free_slot, addr_word(addr, callsites_named_epoch.generation), __ATOMIC_RELEASE);
	}
out:
	real_pthread_mutex_unlock(&named_lock);
}

/* ---- life cycle ---------------------------------------------------- */

void callsites_init(void)
{
	callsites_depth = env_depth("GILTRACE_CALLSITES", CALLSITES_DEPTH_MAX);
}

void callsites_after_fork_child(void)
{
	pthread_mutex_init(&named_lock, NULL);
	named_renew();
}
