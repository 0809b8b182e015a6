/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Line numbers of Python code: a code object's line table, as the shim
 * copies it into its py_code event (giltrace(7)), decoded into the map
 * from a byte offset in co_code to a source line that CPython itself
 * uses for a frame's f_lineno.  Four formats:
 *
 *   PY_LT_LNOTAB     co_lnotab, CPython 2.7 to 3.9: (byte delta, line
 *                    delta) pairs; line deltas are signed from 3.6 on;
 *                    big jumps split into several pairs.
 *   PY_LT_LNOTAB27   co_lnotab of 2.7: the same with unsigned line deltas.
 *   PY_LT_PEP626     co_linetable of 3.10 (PEP 626): (byte delta, signed
 *                    line delta) pairs, -128 meaning "no line".
 *   PY_LT_LOCATIONS  co_linetable of 3.11 and later: entries of 1 to 8
 *                    code units, a kind in the first byte (no location,
 *                    long form, no columns, one line, short forms) and
 *                    varint/svarint fields after it.
 *
 * Each follows CPython's own decoder (PyCode_Addr2Line up to 3.9, the
 * address ranges of Objects/codeobject.c from 3.10 on), and
 * tests/check_py_linetable.c checks it at every byte offset of the code
 * objects of tests/py/linetable_sample*.py against what each real
 * interpreter says (tests/linetables/).  Damaged tables decode to
 * something, never out of bounds.
 */
#ifndef GILTRACE_ANALYZER_PY_LINETABLE_H
#define GILTRACE_ANALYZER_PY_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

/* The py_code event's linetable_format values. */
enum py_lt_format {
	PY_LT_LNOTAB = 1,
	PY_LT_PEP626 = 2,
	PY_LT_LOCATIONS = 3,
	PY_LT_LNOTAB27 = 4,
};

/* A line number that is none: an instruction without a line (3.10 on),
 * an offset past the table's end, or a format we do not know. */
#define PY_NO_LINE (-1)

/* From start on (up to the next run's start), the code is on line. */
struct py_line_run {
	uint32_t start;			/* byte offset in co_code */
	int32_t line;			/* PY_NO_LINE: none */
};

/* A decoded table: runs by increasing start, consecutive lines distinct. */
struct py_lines {
	struct py_line_run *runs;	/* owned by this */
	uint32_t n;
};

/*
 * Decodes table (len bytes) of the given format for a code object whose
 * co_firstlineno is firstlineno; lnotab_signed says whether PY_LT_LNOTAB
 * line deltas are signed (CPython 3.6 and later: traces whose shim gave
 * 2.7's tables format 1 too).  An unknown format
 * decodes to no line at all.  Returns 0, or -1 when out of memory.
 */
int py_lines_decode(struct py_lines *l, int format, const uint8_t *table, size_t len,
		int32_t firstlineno, int lnotab_signed);

/* The line of the instruction at this byte offset, or PY_NO_LINE. */
int32_t py_lines_at(const struct py_lines *l, uint32_t offset);

void py_lines_free(struct py_lines *l);

#endif
