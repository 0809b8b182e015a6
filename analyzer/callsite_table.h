/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Call sites: where each GIL acquisition and release happened, and what
 * followed.  The shim names every code address its GIL events carry
 * with a gil_callsite event (symbol, offset, binary, offset in it)
 * before the first event that carries it; gil_acquire_end and
 * gil_release carry the caller and, when recorded with
 * GILTRACE_CALLSITES, a backtrace above it.
 *
 * An event is attributed to the first frame outside the GIL machinery:
 * the caller is always inside it (it is the lock's own code: take_gil,
 * drop_gil, a PyThread_*_lock function), and so is every frame above it
 * named as one of the functions in cs_machinery_names (callsite_table.c):
 * PyEval_RestoreThread/SaveThread and friends, PyGILState_*, the
 * eval-breaker helpers.  A frame without a name (a stripped binary)
 * counts as outside.  If no frame is outside (no backtrace, or too
 * short a one), the outermost frame is the site, flagged in_machinery.
 *
 * Memory: at most CS_NAMES_MAX names per process and CS_SITES_MAX sites
 * per GIL; what does not fit is counted (names_dropped), and events of
 * sites beyond the cap go to one "other call sites" entry (address 0)
 * so that totals stay complete.
 */
#ifndef GILTRACE_ANALYZER_CALLSITE_TABLE_H
#define GILTRACE_ANALYZER_CALLSITE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"

#define CS_NAMES_MAX	65536
#define CS_SITES_MAX	4096
#define CS_SYMBOL_MAX	256	/* longer symbols are cut */
#define CS_BINARIES_MAX	4096

/* A code address, as gil_callsite named it. */
struct cs_name {
	uint64_t addr;
	char *symbol;			/* owned; NULL when the shim found none */
	uint64_t offset;		/* from the symbol's start */
	const char *binary;		/* interned in struct cs_names, NULL if unknown */
	uint64_t binary_offset;		/* address in the binary's own ELF address space */
	uint8_t machinery;		/* a function of the GIL machinery */
};

/* The names of one process's code addresses. */
struct cs_names {
	struct idmap by_addr;		/* addr -> struct cs_name, owned */
	char **binaries;		/* owned, each owned */
	size_t nbinaries;
	uint64_t dropped;		/* names not kept: CS_NAMES_MAX reached */
};

/* What happened at one call site of one GIL. */
struct cs_site {
	uint64_t addr;			/* 0: the "other call sites" entry */
	uint8_t in_machinery;		/* no frame outside the machinery was known */
	/* GIL acquisitions attributed here and what followed them */
	uint64_t acquisitions;
	uint64_t contended;		/* of which had to wait */
	uint64_t waits;
	uint64_t failed_wakeups;
	uint64_t timeouts;
	uint64_t waited_ns;		/* attempt begin to acquisition, summed */
	uint64_t longest_wait_ns;
	uint64_t holds;			/* acquisitions here whose release was seen */
	uint64_t held_ns;		/* those holds, and one still open at the end */
	uint64_t longest_hold_ns;
	uint64_t longest_hold_release;	/* where the longest hold was released (site address) */
	/* releases and abandoned attempts attributed here */
	uint64_t releases;
	uint64_t abandoned;
};

/* The call sites of one GIL. */
struct cs_table {
	struct idmap by_addr;		/* addr -> struct cs_site, owned; its len counts "other" too */
	uint64_t dropped;		/* events that went to "other": CS_SITES_MAX reached */
	uint32_t max_depth;		/* longest backtrace seen (0: none recorded) */
};

/* Records a gil_callsite event; 0, or -1 when out of memory. */
int cs_names_add(struct cs_names *n, uint64_t addr, const char *symbol, uint64_t offset,
		const char *binary, uint64_t binary_offset);
const struct cs_name *cs_names_find(const struct cs_names *n, uint64_t addr);
void cs_names_free(struct cs_names *n);

/* Is this function (clone suffixes such as ".isra.0" ignored) part of
 * the GIL machinery? */
int cs_is_machinery(const char *symbol);

/* The site of an event with this caller and backtrace (see above);
 * *in_machinery set when no frame outside it was known. */
uint64_t cs_attribute(const struct cs_names *n, uint64_t caller, const uint64_t *bt, uint32_t nbt,
		int *in_machinery);

/* The site entry for addr, created on first use (or the "other" entry
 * once the table is full); NULL when out of memory. */
struct cs_site *cs_site_get(struct cs_table *t, uint64_t addr, int in_machinery);
void cs_table_free(struct cs_table *t);

/*
 * "hold_gil+0x7a (gilhold.so)", or "python3.11+0x4f93ee" without a
 * symbol, or "0x4f93ee" without a name at all; "(other call sites)" for
 * address 0.
 */
void cs_format(char *buf, size_t size, const struct cs_names *n, uint64_t addr);

#endif
