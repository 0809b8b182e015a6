/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "addr_word.h"
#include "gil_tracker.h"
#include "name_epoch.h"
#include "py_code_names.h"
#include "py_mem.h"
#include "py_text.h"
#include "real.h"
#include "tp_recording.h"

/*
 * The code objects this process has named: per slot the address as one
 * word (addr_word.h, tagged with the generation it was named in) and
 * the identity it had then (code_identity).  Read without a lock by
 * every GIL event that carries frames, written only under code_lock
 * after the py_code event is in the trace: a thread that finds a code
 * object missing, or changed, takes the lock and so waits for a naming
 * in progress instead of using the address before its name.  The
 * identity is stored before the key (release), and a renamed slot only
 * has its identity replaced.  Entries are never removed.  Global: code
 * objects are the process's.  65536 slots of 16 bytes, of which only
 * the touched pages cost memory.
 */
#define CODE_SLOT_BITS	16u
#define CODE_SLOTS	(1u << CODE_SLOT_BITS)
#define CODE_PROBES	64u

struct code_slot {
	uint64_t key;
	uint64_t identity;
};

static struct code_slot code_table[CODE_SLOTS];
static pthread_mutex_t code_lock = PTHREAD_MUTEX_INITIALIZER;

struct name_epoch py_code_epoch = NAME_EPOCH_INIT;

/* Longest name and file name py_code carries (contract: giltrace(7)),
 * and longest line table: an event must fit in one sub-buffer. */
#define NAME_MAX_BYTES		256
#define FILENAME_MAX_BYTES	1024
#define LINETABLE_MAX_BYTES	65536u

/* When the text of a string cannot be read (a form never used for names). */
#define UNREADABLE "[unreadable]"

/*
 * What tells this code object from one that may come to lie at its
 * address once it is freed: the objects holding its names and line
 * table, its first line (all in the code object itself), and the cached
 * hash of its name (a new string at the old name's address has another
 * text, so another hash, once computed: interned names always are).
 * Read at every use of a code object: a few loads from lines the live
 * code object holds, and one from its name's header.
 */
struct code_parts {
	uintptr_t name, filename, linetable, name_hash;
	int32_t firstlineno;
};

static inline __attribute__((always_inline)) void code_parts_read(const struct py_layout *l,
		uintptr_t code, struct code_parts *p)
{
	p->name = py_word(code, l->co_name);
	p->filename = py_word(code, l->co_filename);
	p->linetable = py_word(code, l->co_linetable);
	p->firstlineno = py_i32(code, l->co_firstlineno);
	p->name_hash = p->name ? py_word(p->name, l->name_hash) : 0;
}

/* The parts as the table keeps them: one word, each part multiplied
 * apart so that the products do not wait on one another. */
static uint64_t code_identity_of(const struct code_parts *p)
{
	uint64_t h = (uint64_t) p->name * UINT64_C(0x9E3779B97F4A7C15)
		^ (uint64_t) p->filename * UINT64_C(0xC2B2AE3D27D4EB4F)
		^ (uint64_t) p->linetable * UINT64_C(0x165667B19E3779F9)
		^ (uint64_t) (uint32_t) p->firstlineno * UINT64_C(0xD6E8FEB86659FD93)
		^ (uint64_t) p->name_hash * UINT64_C(0xFF51AFD7ED558CCD);

	return (h ^ (h >> 29)) | 1;	/* 0 is no identity */
}

static uint64_t code_identity(const struct py_layout *l, uintptr_t code)
{
	struct code_parts p;

	code_parts_read(l, code, &p);
	return code_identity_of(&p);
}

/*
 * Bumped whenever what the table says may have changed for a code
 * object already named: a slot written, the names gone stale or
 * renewed.  A thread's memo (below) holds only while it is unchanged.
 * Global: the table is the process's.  Starts at 1: an empty memo entry
 * (0) never holds.
 */
static uint64_t names_version = 1;

static void names_changed(void)
{
	__atomic_add_fetch(&names_version, 1, __ATOMIC_RELEASE);
}

/*
 * The code objects this thread last found named, by address: their
 * parts as they read then, and the table's version then.  A frame's
 * code object that reads the same, the table unchanged, is the object
 * the table named (a code object replaced at its address reads
 * otherwise, as with the table's identity): no look-up and no hash.
 * Four ways to a set, the latest first: with one, two of a chain's few
 * code objects shared a slot in one run out of two; with two, three of
 * Debian 3.11's stress chain shared a set in half the runs, and every
 * cycle looked in the table (bench/RESULTS.md).  3.5 KiB a thread.
 * Thread-local, so no lock; initial-exec as the guard (guard.h).
 */
#define MEMO_BITS	4u
#define MEMO_WAYS	4u
#define MEMO_SLOTS	((1u << MEMO_BITS) * MEMO_WAYS)

struct code_memo {
	uintptr_t code;
	uint64_t version;
	struct code_parts parts;
};

static __thread struct code_memo code_memo[MEMO_SLOTS] __attribute__((tls_model("initial-exec")));

static inline __attribute__((always_inline)) int parts_equal(const struct code_parts *a,
		const struct code_parts *b)
{
	return a->name == b->name && a->filename == b->filename && a->linetable == b->linetable
		&& a->firstlineno == b->firstlineno && a->name_hash == b->name_hash;
}

/* Does the table hold code with this identity, in the current generation? */
static int table_named(uintptr_t code, uint64_t identity)
{
	uint64_t want = addr_word(code, name_epoch_generation(&py_code_epoch));
	size_t slot = addr_word_slot(code, CODE_SLOT_BITS);

	if (name_epoch_stale(&py_code_epoch)) {
		return 0;	/* recorded again: name anew (py_code_name_slow) */
	}
	for (unsigned int i = 0; i < CODE_PROBES; i++) {
		struct code_slot *s = &code_table[(slot + i) & (CODE_SLOTS - 1)];
		uint64_t seen = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);

		if (seen == want) {
			return __atomic_load_n(&s->identity, __ATOMIC_RELAXED) == identity;
		}
		if (seen == 0) {
			return 0;
		}
	}
	return 0;
}

int py_code_named(const struct py_layout *l, uintptr_t code)
{
	return table_named(code, code_identity(l, code));
}

/* py_code_named through this thread's memo, version being names_version
 * read before. */
static inline __attribute__((always_inline)) int memo_named(const struct py_layout *l,
		uintptr_t code, uint64_t version)
{
	struct code_memo *m = &code_memo[addr_word_slot(code, MEMO_BITS) * MEMO_WAYS];
	struct code_parts p;

	code_parts_read(l, code, &p);
	for (unsigned int w = 0; w < MEMO_WAYS; w++) {
		if (m[w].code == code && m[w].version == version && parts_equal(&m[w].parts, &p)) {
			return 1;
		}
	}
	if (!table_named(code, code_identity_of(&p))) {
		return 0;
	}
	for (unsigned int w = MEMO_WAYS - 1; w > 0; w--) {
		m[w] = m[w - 1];
	}
	m[0] = (struct code_memo) { code, version, p };
	return 1;
}

void py_code_names_disabled(void)
{
	if (!name_epoch_stale(&py_code_epoch)) {
		name_epoch_mark_stale(&py_code_epoch);
		names_changed();
	}
}

/* A new generation: every code object is named again.  Under code_lock,
 * or in a single-threaded child. */
static void code_renew(void)
{
	if (name_epoch_wraps(&py_code_epoch)) {
		for (size_t i = 0; i < CODE_SLOTS; i++) {
			__atomic_store_n(&code_table[i].key, 0, __ATOMIC_RELAXED);
		}
	}
	name_epoch_renew(&py_code_epoch);
	names_changed();
}

/* The text of a name for py_code; -1 if obj is no string (the layout is
 * wrong). */
static int name_text(const struct py_layout *l, uintptr_t obj, char *buf, size_t max,
		const char **text)
{
	switch (py_text(l, obj, buf, max, text)) {
	case PY_TEXT_OK:
		return 0;
	case PY_TEXT_UNREADABLE:
		*text = UNREADABLE;
		return 0;
	default:
		return -1;
	}
}

/* Emit py_code for code; -1 if it does not read as a code object. */
static int code_emit(const struct py_layout *l, uintptr_t code)
{
	char name_buf[NAME_MAX_BYTES], file_buf[FILENAME_MAX_BYTES];
	const char *name, *file;
	uintptr_t table = py_word(code, l->co_linetable);
	intptr_t len;

	if (name_text(l, py_word(code, l->co_name), name_buf, sizeof(name_buf), &name) != 0
	    || name_text(l, py_word(code, l->co_filename), file_buf, sizeof(file_buf), &file) != 0
	    || !table || py_word(table, l->ob_type) != l->bytes_type) {
		return -1;
	}
	len = (intptr_t) py_word(table, l->var_size);
	if (len < 0) {
		return -1;
	}
	/* Cut short, an even length keeps every entry of a 2.7-3.10 table
	 * (pairs of bytes) whole; a cut 3.11+ table ends mid-entry. */
	if ((uintptr_t) len > LINETABLE_MAX_BYTES) {
		len = LINETABLE_MAX_BYTES;
	}
	/* The line table goes from the bytes object into the trace: no copy.
	 * Compact cycles pending are opened first (gil_tracker.c). */
	unsigned int gils = gil_tracker_naming_begin();

	lttng_ust_tracepoint(giltrace, py_code, (const void *) code, name, file,
		py_i32(code, l->co_firstlineno), l->linetable_format,
		(const uint8_t *) (table + l->bytes_sval), (uint32_t) len, NULL);
	gil_tracker_naming_end(gils);
	return 0;
}

int py_code_name_slow(const struct py_layout *l, uintptr_t code)
{
	uint64_t key = addr_word(code, 0), identity = code_identity(l, code);
	size_t slot = addr_word_slot(code, CODE_SLOT_BITS);
	struct code_slot *free_slot = NULL;
	int ret = 0;

	real_pthread_mutex_lock(&code_lock);
	/* Told while not recorded (a session starting): told again at the
	 * next use, in an epoch of its own once it is. */
	if (!tp_recorded(TP_PY_CODE)) {
		py_code_names_disabled();
		ret = code_emit(l, code);
		goto out;
	}
	if (name_epoch_stale(&py_code_epoch)) {
		code_renew();
	}
	for (unsigned int i = 0; i < CODE_PROBES; i++) {
		struct code_slot *s = &code_table[(slot + i) & (CODE_SLOTS - 1)];
		uint64_t seen = __atomic_load_n(&s->key, __ATOMIC_RELAXED);

		if (seen == addr_word(code, py_code_epoch.generation) && s->identity == identity) {
			goto out;	/* named while this thread waited */
		}
		if (seen == 0 || (seen & ADDR_WORD_MASK) == key) {
			free_slot = s;
			break;
		}
	}
	if (code_emit(l, code) != 0) {
		ret = -1;
		goto out;
	}
	/* No room: the name is emitted at every use instead, still before it. */
	if (free_slot) {
		__atomic_store_n(&free_slot->identity, identity, __ATOMIC_RELAXED);
		__atomic_store_n(&free_slot->key, addr_word(code, py_code_epoch.generation), __ATOMIC_RELEASE);
		names_changed();
	}
out:
	real_pthread_mutex_unlock(&code_lock);
	return ret;
}

int py_code_name_all(const struct py_layout *l, const uint64_t *codes, unsigned int n)
{
	uint64_t version;

	if (!lttng_ust_tracepoint_enabled(giltrace, py_code)) {
		py_code_names_disabled();
		return 0;
	}
	version = __atomic_load_n(&names_version, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < n; i++) {
		if (!memo_named(l, codes[i], version) && py_code_name_slow(l, codes[i]) != 0) {
			return -1;
		}
	}
	/* Stale after naming: told while not recorded (py_code_name_slow),
	 * or not recorded since the GIL event began (names_stale_check). */
	return name_epoch_stale(&py_code_epoch) ? 1 : 0;
}

void py_code_names_after_fork_child(void)
{
	pthread_mutex_init(&code_lock, NULL);
	code_renew();
}
