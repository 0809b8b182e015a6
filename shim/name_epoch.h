/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * When what a process has named (call sites, code objects, its GILs) must
 * be named again: a trace that records a name event must have every name
 * its other events use, so a session that records it after GIL events
 * went without it (a new tracing session) needs them all again, and so
 * does a forked child (a process of its own in the trace).
 *
 * Any thread that sees the name event not recorded marks the names stale
 * (one relaxed load, and a store the first time); the next naming, under
 * its table's lock, begins a new epoch.  Names of another epoch count as
 * not named.  The epoch comes in two forms: generation, 8 bits, for
 * tables that tag each entry with it (addr_word.h), and which comes back
 * to 1 after 255 renewals, when such a table must be emptied; and epoch,
 * which never comes back in practice, for a mark kept beside a name.
 */
#ifndef GILTRACE_SHIM_NAME_EPOCH_H
#define GILTRACE_SHIM_NAME_EPOCH_H

struct name_epoch {
	unsigned int generation;	/* 1..255 */
	unsigned int epoch;		/* never 0 */
	int stale;			/* names must be given again at the next naming */
};

#define NAME_EPOCH_INIT { 1, 1, 0 }

/* The name event went unrecorded: every name is needed again. */
static inline void name_epoch_mark_stale(struct name_epoch *e)
{
	if (!__atomic_load_n(&e->stale, __ATOMIC_RELAXED)) {
		__atomic_store_n(&e->stale, 1, __ATOMIC_RELAXED);
	}
}

static inline int name_epoch_stale(const struct name_epoch *e)
{
	return __atomic_load_n(&e->stale, __ATOMIC_RELAXED);
}

static inline unsigned int name_epoch_generation(const struct name_epoch *e)
{
	return __atomic_load_n(&e->generation, __ATOMIC_RELAXED);
}

/* The current epoch, 0 while stale (no name of it can be trusted). */
static inline unsigned int name_epoch_current(const struct name_epoch *e)
{
	if (name_epoch_stale(e)) {
		return 0;
	}
	return __atomic_load_n(&e->epoch, __ATOMIC_RELAXED);
}

/* Will the next renewal bring the generation back to 1?  Then entries
 * tagged with it must be emptied first, before readers can see it. */
static inline int name_epoch_wraps(const struct name_epoch *e)
{
	return e->generation >= 255;
}

/* A new epoch.  Under the lock of the names' table, or in a
 * single-threaded child. */
static inline void name_epoch_renew(struct name_epoch *e)
{
	__atomic_store_n(&e->generation, name_epoch_wraps(e) ? 1 : e->generation + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&e->epoch, e->epoch + 1 ? e->epoch + 1 : 1, __ATOMIC_RELAXED);
	__atomic_store_n(&e->stale, 0, __ATOMIC_RELAXED);
}

#endif
