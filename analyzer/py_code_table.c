/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py_code_table.h"

/* The contract's bounds (giltrace(7), py_code); longer is a damaged trace. */
#define PY_NAME_MAX	255
#define PY_FILENAME_MAX	1023

/* Shared by every process: constants, never freed. */
const struct py_func py_func_none = { "(no Python frame)", NULL, 0 };
const struct py_func py_func_unnamed = { "(unnamed code object)", NULL, 0 };

/* ---- functions ----------------------------------------------------- */

/* A name or file as kept: the contract's bound cuts a damaged one. */
struct text {
	const char *s;
	size_t len;
};

static struct text text_of(const char *s, size_t max)
{
	s = s ? s : "";
	return (struct text) { s, strnlen(s, max) };
}

/* FNV-1a over name, file and line, each string with a separator. */
static uint64_t func_hash(struct text name, struct text file, int32_t firstlineno)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const struct text parts[2] = { name, file };

	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; k < parts[i].len; k++) {
			h = (h ^ (uint8_t) parts[i].s[k]) * UINT64_C(0x100000001b3);
		}
		h = (h ^ 0xff) * UINT64_C(0x100000001b3);
	}
	return h ^ (uint32_t) firstlineno;
}

static int text_is(const char *kept, struct text t)
{
	return strlen(kept) == t.len && memcmp(kept, t.s, t.len) == 0;
}

static void func_free(struct py_func *f)
{
	if (f) {
		free((char *) f->name);
		free((char *) f->filename);
	}
	free(f);
}

static struct py_func *func_new(struct text name, struct text file, int32_t firstlineno)
{
	struct py_func *f = calloc(1, sizeof(*f));

	if (!f) {
		return NULL;
	}
	f->name = strndup(name.s, name.len);
	f->filename = strndup(file.s, file.len);
	f->firstlineno = firstlineno;
	if (!f->name || !f->filename) {
		func_free(f);
		return NULL;
	}
	return f;
}

/*
 * The one function of this name, file and line: *out is NULL when the
 * table is full.  Returns 0, or -1 when out of memory.
 */
static int func_intern(struct py_codes *c, const char *name, const char *filename, int32_t firstlineno,
		const struct py_func **out)
{
	struct text n = text_of(name, PY_NAME_MAX), file = text_of(filename, PY_FILENAME_MAX);
	uint64_t key = func_hash(n, file, firstlineno);
	struct py_func *f = idmap_get(&c->funcs, key);

	/* The key is a hash: a collision is told apart here. */
	while (f && !(f->firstlineno == firstlineno && text_is(f->name, n) && text_is(f->filename, file))) {
		key = key * 31 + 7;
		f = idmap_get(&c->funcs, key);
	}
	*out = f;
	if (f || c->funcs.len >= PY_CODES_MAX) {
		return 0;
	}
	f = func_new(n, file, firstlineno);
	if (!f || idmap_put(&c->funcs, key, f) != 0) {
		func_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

/* ---- code objects -------------------------------------------------- */

static void code_forget_table(struct py_code *pc)
{
	free(pc->table);
	pc->table = NULL;
	pc->ntable = 0;
	py_lines_free(&pc->lines);
	pc->decoded = 0;
}

/* Keeps a copy of the raw table, or none (format 0: no lines) when it
 * is missing or the budget is spent. */
static int code_set_table(struct py_codes *c, struct py_code *pc, int format, const uint8_t *table,
		uint32_t ntable)
{
	pc->format = format;
	if ((!table && ntable) || c->table_bytes + ntable > PY_TABLE_BYTES_MAX) {
		c->tables_dropped++;
		pc->format = 0;
		return 0;
	}
	if (ntable) {
		pc->table = malloc(ntable);
		if (!pc->table) {
			return -1;
		}
		memcpy(pc->table, table, ntable);
	}
	pc->ntable = ntable;
	c->table_bytes += ntable;
	return 0;
}

int py_codes_add(struct py_codes *c, uint64_t addr, const char *name, const char *filename,
		int32_t firstlineno, int format, const uint8_t *table, uint32_t ntable)
{
	struct py_code *pc = idmap_get(&c->by_addr, addr);
	const struct py_func *f;

	if (!pc) {
		if (c->by_addr.len >= PY_CODES_MAX) {
			c->dropped++;
			return 0;
		}
		pc = calloc(1, sizeof(*pc));
		if (!pc || idmap_put(&c->by_addr, addr, pc) != 0) {
			free(pc);
			return -1;
		}
		pc->addr = addr;
	}
	if (func_intern(c, name, filename, firstlineno, &f) != 0) {
		return -1;
	}
	if (!f) {
		c->dropped++;
		f = &py_func_unnamed;
	}
	/* Named again: the address holds another code object now. */
	code_forget_table(pc);
	pc->func = f;
	pc->firstlineno = firstlineno;
	return code_set_table(c, pc, format, table, ntable);
}

const struct py_code *py_codes_find(const struct py_codes *c, uint64_t addr)
{
	return idmap_get(&c->by_addr, addr);
}

int py_codes_where(struct py_codes *c, const uint64_t *code, const uint32_t *instr, uint32_t n,
		int lnotab_signed, struct py_where *w)
{
	struct py_code *pc = n ? idmap_get(&c->by_addr, code[0]) : NULL;

	w->line = PY_NO_LINE;
	if (!pc) {
		w->func = n ? &py_func_unnamed : &py_func_none;
		return 0;
	}
	w->func = pc->func;
	if (!pc->decoded) {
		if (py_lines_decode(&pc->lines, pc->format, pc->table, pc->ntable, pc->firstlineno,
				lnotab_signed) != 0) {
			return -1;
		}
		/* The decoded runs are all that is asked of it from now on. */
		free(pc->table);
		pc->table = NULL;
		pc->decoded = 1;
	}
	w->line = py_lines_at(&pc->lines, instr[0]);
	return 0;
}

void py_codes_free(struct py_codes *c)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&c->by_addr, &pos, &v)) {
		code_forget_table(v);
		free(v);
	}
	pos = 0;
	while (idmap_next(&c->funcs, &pos, &v)) {
		func_free(v);
	}
	idmap_free(&c->by_addr);
	idmap_free(&c->funcs);
	memset(c, 0, sizeof(*c));
}

uint64_t py_where_key(const void *who, const struct py_where *w)
{
	uint64_t k = (uint64_t) (uintptr_t) who * UINT64_C(0x9E3779B97F4A7C15);

	k ^= (uint64_t) (uintptr_t) w->func * UINT64_C(0xC2B2AE3D27D4EB4F);
	return k ^ (uint32_t) w->line;
}

void py_where_format(char *buf, size_t size, const struct py_where *w)
{
	const char *file = w->func->filename;
	const char *name = w->func->name[0] ? w->func->name : "?";

	if (!file || !file[0]) {
		snprintf(buf, size, "%s", name);
		return;
	}
	file = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (w->line == PY_NO_LINE) {
		snprintf(buf, size, "%s (%s)", name, file);
	} else {
		snprintf(buf, size, "%s (%s:%d)", name, file, (int) w->line);
	}
}
