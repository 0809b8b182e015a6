/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Python code objects of one process, as the shim names them: a py_code
 * event gives a code object's address, name (co_qualname from 3.11 on,
 * co_name before), file, first line and raw line table, before the
 * first GIL event whose frames carry that address, and again if the
 * address comes to hold another code object (giltrace(7)).
 *
 * A Python function, for the reports, is a name, a file and a first
 * line: code objects that share them (the same function compiled twice,
 * exec'd code such as namedtuple's) are one function, interned here so
 * that statistics can key on its address.  A frame is placed at a
 * function and a line: the line of its instruction offset, from its code
 * object's line table (py_linetable.h), decoded the first time a line
 * is asked of it.
 *
 * Memory: at most PY_CODES_MAX code objects and as many functions per
 * process, and PY_TABLE_BYTES_MAX bytes of line tables; what does not
 * fit is counted (dropped, tables_dropped).  A frame whose code object
 * was never named (its py_code was lost or not kept) is placed at
 * py_func_unnamed, with no line.
 */
#ifndef GILTRACE_ANALYZER_PY_CODE_TABLE_H
#define GILTRACE_ANALYZER_PY_CODE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "py_linetable.h"

#define PY_CODES_MAX		65536
#define PY_TABLE_BYTES_MAX	(16u << 20)

/* A Python function as people name it. */
struct py_func {
	const char *name;		/* owned by the table (the constants below: static) */
	const char *filename;		/* NULL for the constants below */
	int32_t firstlineno;
};

/* Functions that are none: a hold or an attempt is always placed somewhere. */
extern const struct py_func py_func_none;	/* "(no Python frame)": a C thread, frames off */
extern const struct py_func py_func_unnamed;	/* "(unnamed code object)": its py_code is missing */

/* One code object, as its latest py_code named it. */
struct py_code {
	uint64_t addr;
	const struct py_func *func;	/* interned in struct py_codes */
	int32_t firstlineno;
	int format;			/* enum py_lt_format; 0: no table kept */
	uint8_t *table;			/* owned: the raw table until decoded, then NULL */
	uint32_t ntable;
	int decoded;			/* lines holds the decoded table */
	struct py_lines lines;		/* owned */
};

struct py_codes {
	struct idmap by_addr;		/* address -> struct py_code, owned */
	struct idmap funcs;		/* hash of name, file, line -> struct py_func, owned */
	uint64_t table_bytes;		/* raw table bytes accepted so far */
	uint64_t dropped;		/* py_code events not kept: PY_CODES_MAX reached */
	uint64_t tables_dropped;	/* line tables not kept: PY_TABLE_BYTES_MAX reached */
};

/* Where a thread was in Python at an event: its innermost frame. */
struct py_where {
	const struct py_func *func;	/* &py_func_none without a frame */
	int32_t line;			/* PY_NO_LINE when unknown */
};

/*
 * Records a py_code event.  A table that is NULL although ntable > 0
 * was too long for the reader to copy, and is counted as not kept.
 * Returns 0, or -1 when out of memory.
 */
int py_codes_add(struct py_codes *c, uint64_t addr, const char *name, const char *filename,
		int32_t firstlineno, int format, const uint8_t *table, uint32_t ntable);
const struct py_code *py_codes_find(const struct py_codes *c, uint64_t addr);

/*
 * Where the innermost of n frames (code addresses, byte offsets) is:
 * &py_func_none if n is 0.  lnotab_signed: how to read a co_lnotab
 * decoded now (py_linetable.h).  Returns 0, or -1 when out of memory
 * (the line is then unknown).
 */
int py_codes_where(struct py_codes *c, const uint64_t *code, const uint32_t *instr, uint32_t n,
		int lnotab_signed, struct py_where *w);

void py_codes_free(struct py_codes *c);

/* "spin_until (gil_convoy.py:39)": the function, its file's last
 * component and the line; the line left out when unknown, the file
 * for the constants above. */
void py_where_format(char *buf, size_t size, const struct py_where *w);

/* A hash of (who, w), for tables of places by thread: its callers tell
 * collisions apart. */
uint64_t py_where_key(const void *who, const struct py_where *w);

#endif
