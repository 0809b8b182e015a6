/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsite_table.h"

/*
 * Functions whose callers, not themselves, are where the GIL is taken
 * or given back (CPython 2.7 to 3.13).  Read-only table, global so that
 * the man page's list and the code have one place to agree on.
 */
static const char *const cs_machinery_names[] = {
	/* the lock itself */
	"take_gil", "drop_gil",
	/* the C API around it: extension code calls these */
	"PyEval_RestoreThread", "PyEval_SaveThread",
	"PyEval_AcquireThread", "PyEval_ReleaseThread",
	"PyEval_AcquireLock", "PyEval_ReleaseLock", "PyEval_InitThreads",
	"PyGILState_Ensure", "PyGILState_Release",
	/* internal steps of those (3.9 to 3.13) */
	"_PyEval_AcquireLock", "_PyEval_ReleaseLock",
	"_PyThreadState_Attach", "_PyThreadState_Detach", "_PyThreadState_Suspend",
	"detach_thread",
	/* the eval loop's periodic switch: its caller is the eval loop */
	"eval_frame_handle_pending", "_Py_HandlePending",
};

/* Semaphore GILs (2.7) and Python's lock functions: PyThread_*lock*. */
static int is_pythread_lock(const char *name, size_t len)
{
	return len > 9 && strncmp(name, "PyThread_", 9) == 0 && memmem(name, len, "lock", 4) != NULL;
}

int cs_is_machinery(const char *symbol)
{
	size_t len;

	if (!symbol) {
		return 0;
	}
	/* take_gil.lto_priv.0, drop_gil.isra.0: compiler clones keep the name. */
	len = strcspn(symbol, ".");
	if (is_pythread_lock(symbol, len)) {
		return 1;
	}
	for (size_t i = 0; i < sizeof(cs_machinery_names) / sizeof(cs_machinery_names[0]); i++) {
		if (strlen(cs_machinery_names[i]) == len && strncmp(symbol, cs_machinery_names[i], len) == 0) {
			return 1;
		}
	}
	return 0;
}

/* ---- names --------------------------------------------------------- */

/* The interned copy of a binary's path (a process loads few), or NULL. */
static const char *binary_intern(struct cs_names *n, const char *path)
{
	char **v;

	for (size_t i = 0; i < n->nbinaries; i++) {
		if (strcmp(n->binaries[i], path) == 0) {
			return n->binaries[i];
		}
	}
	if (n->nbinaries == CS_BINARIES_MAX) {
		return NULL;
	}
	v = realloc(n->binaries, (n->nbinaries + 1) * sizeof(*v));
	if (!v) {
		return NULL;
	}
	n->binaries = v;
	v[n->nbinaries] = strdup(path);
	if (!v[n->nbinaries]) {
		return NULL;
	}
	return v[n->nbinaries++];
}

/* The shim writes "[unknown]" where it has nothing (giltrace(7)). */
static int known(const char *s)
{
	return s && *s && strcmp(s, "[unknown]") != 0;
}

int cs_names_add(struct cs_names *n, uint64_t addr, const char *symbol, uint64_t offset,
		const char *binary, uint64_t binary_offset)
{
	struct cs_name *nm = idmap_get(&n->by_addr, addr);
	char *sym = NULL;

	if (!nm) {
		if (n->by_addr.len >= CS_NAMES_MAX) {
			n->dropped++;
			return 0;
		}
		nm = calloc(1, sizeof(*nm));
		if (!nm || idmap_put(&n->by_addr, addr, nm) != 0) {
			free(nm);
			return -1;
		}
		nm->addr = addr;
	}
	/* Named again (a forked child, a new session, an exec'd image at
	 * the same address): the latest name wins. */
	if (known(symbol)) {
		sym = strndup(symbol, CS_SYMBOL_MAX);
		if (!sym) {
			return -1;
		}
	}
	free(nm->symbol);
	nm->symbol = sym;
	nm->offset = sym ? offset : 0;
	nm->binary = known(binary) ? binary_intern(n, binary) : NULL;
	nm->binary_offset = binary_offset;
	nm->machinery = (uint8_t) cs_is_machinery(sym);
	return 0;
}

const struct cs_name *cs_names_find(const struct cs_names *n, uint64_t addr)
{
	return idmap_get(&n->by_addr, addr);
}

void cs_names_free(struct cs_names *n)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&n->by_addr, &pos, &v)) {
		struct cs_name *nm = v;

		free(nm->symbol);
		free(nm);
	}
	idmap_free(&n->by_addr);
	for (size_t i = 0; i < n->nbinaries; i++) {
		free(n->binaries[i]);
	}
	free(n->binaries);
	memset(n, 0, sizeof(*n));
}

/* ---- attribution --------------------------------------------------- */

static int frame_is_machinery(const struct cs_names *n, uint64_t addr)
{
	const struct cs_name *nm = cs_names_find(n, addr);

	return nm && nm->machinery;
}

uint64_t cs_attribute(const struct cs_names *n, uint64_t caller, const uint64_t *bt, uint32_t nbt,
		int *in_machinery)
{
	/* The caller made the lock call: it is the lock's own code. */
	for (uint32_t i = 0; i < nbt; i++) {
		if (!frame_is_machinery(n, bt[i])) {
			*in_machinery = 0;
			return bt[i];
		}
	}
	*in_machinery = 1;
	return nbt ? bt[nbt - 1] : caller;
}

/* ---- sites --------------------------------------------------------- */

struct cs_site *cs_site_get(struct cs_table *t, uint64_t addr, int in_machinery)
{
	struct cs_site *s = idmap_get(&t->by_addr, addr);

	if (s) {
		return s;
	}
	/* Keep one slot for the "other call sites" entry. */
	if (addr != 0 && t->by_addr.len >= CS_SITES_MAX - 1) {
		t->dropped++;
		return cs_site_get(t, 0, 0);
	}
	s = calloc(1, sizeof(*s));
	if (!s || idmap_put(&t->by_addr, addr, s) != 0) {
		free(s);
		return NULL;
	}
	s->addr = addr;
	s->in_machinery = (uint8_t) in_machinery;
	return s;
}

void cs_table_free(struct cs_table *t)
{
	idmap_free_values(&t->by_addr);
	memset(t, 0, sizeof(*t));
}

void cs_format(char *buf, size_t size, const struct cs_names *n, uint64_t addr)
{
	const struct cs_name *nm = n ? cs_names_find(n, addr) : NULL;
	const char *bin = NULL;

	if (addr == 0) {
		snprintf(buf, size, "(other call sites)");
		return;
	}
	if (nm && nm->binary) {
		bin = strrchr(nm->binary, '/');
		bin = bin ? bin + 1 : nm->binary;
	}
	if (nm && nm->symbol && bin) {
		snprintf(buf, size, "%s+%#" PRIx64 " (%s)", nm->symbol, nm->offset, bin);
	} else if (nm && nm->symbol) {
		snprintf(buf, size, "%s+%#" PRIx64, nm->symbol, nm->offset);
	} else if (bin) {
		snprintf(buf, size, "%s+%#" PRIx64, bin, nm->binary_offset);
	} else {
		snprintf(buf, size, "%#" PRIx64, addr);
	}
}
