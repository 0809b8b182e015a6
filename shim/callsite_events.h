/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Where the GIL changes hands: a short native backtrace recorded with
 * gil_acquire_end and gil_release (GILTRACE_CALLSITES=DEPTH), and one
 * giltrace:gil_callsite event per code address a GIL event carries,
 * naming it (symbol + offset, binary + offset) before its first use in
 * the process, so that reports need no debug information.
 */
#ifndef GILTRACE_SHIM_CALLSITE_EVENTS_H
#define GILTRACE_SHIM_CALLSITE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "addr_word.h"
#include "giltrace_tp.h"
#include "name_epoch.h"
#include "tp_recording.h"

/* Most frames a backtrace may hold (GILTRACE_CALLSITES is capped to it). */
#define CALLSITES_DEPTH_MAX 32

/* Frames to record above the caller; 0 = no backtrace.  Set once by
 * the constructor (callsites_init). */
extern unsigned int callsites_depth;

/*
 * The return addresses of the frames above caller, the intercepted
 * call's return address (the shim's own frames skipped): frames[0] is
 * where the function containing caller was called from.  Returns how
 * many were written (at most callsites_depth), 0 if caller is not on
 * the stack as unwound.
 */
unsigned int callsites_backtrace(void *caller, uintptr_t *frames);

/*
 * The addresses this process has named (callsite_events.c), and the
 * naming's epoch: the first probe is read in line, at every GIL event.
 * Global: the addresses are the process's.
 */
#define CALLSITES_NAMED_SLOT_BITS	16u
#define CALLSITES_NAMED_SLOTS		(1u << CALLSITES_NAMED_SLOT_BITS)
extern uint64_t callsites_named_table[CALLSITES_NAMED_SLOTS];
extern struct name_epoch callsites_named_epoch;

int callsites_named_probe(uintptr_t addr);

/* Has this process named addr in the current epoch? */
static inline int callsites_named(uintptr_t addr)
{
	uint64_t want = addr_word(addr, name_epoch_generation(&callsites_named_epoch));
	size_t slot = addr_word_slot(addr, CALLSITES_NAMED_SLOT_BITS);

	if (addr && !name_epoch_stale(&callsites_named_epoch)
			&& __atomic_load_n(&callsites_named_table[slot], __ATOMIC_ACQUIRE) == want) {
		return 1;
	}
	return callsites_named_probe(addr);
}

void callsites_name_slow(uintptr_t addr);
void callsites_disabled(void);

/*
 * Is gil_callsite recorded?  Called before every GIL event, recorded
 * or not, so that a tracing session that enables it after others (or
 * after none) gets every name again.
 */
static inline int callsites_on(void)
{
	if (tp_recorded(TP_GIL_CALLSITE)) {
		return 1;
	}
	callsites_disabled();
	return 0;
}

/* Emit gil_callsite for addr unless this process already named it;
 * only when callsites_on(). */
static inline void callsites_name(uintptr_t addr)
{
	if (!callsites_named(addr)) {
		callsites_name_slow(addr);
	}
}

/* Name caller and every frame of a backtrace. */
static inline void callsites_name_all(void *caller, const uintptr_t *frames, unsigned int n)
{
	callsites_name((uintptr_t) caller);
	for (unsigned int i = 0; i < n; i++) {
		callsites_name(frames[i]);
	}
}

/* Constructor: read GILTRACE_CALLSITES. */
void callsites_init(void);

/* In the child of a fork: every address is named again there. */
void callsites_after_fork_child(void);

#endif
