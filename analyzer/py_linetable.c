/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <stdlib.h>

#include "py_linetable.h"

/* Lines below 0 are none, as CPython's co_lines() shows them. */
static int32_t line_value(int64_t line)
{
	if (line < 0) {
		return PY_NO_LINE;
	}
	return line > INT32_MAX ? INT32_MAX : (int32_t) line;
}

/* From start on the code is on line.  A run that would be empty is
 * replaced, one that goes on with the same line is not added. */
static void run_push(struct py_lines *l, uint64_t start, int64_t line)
{
	int32_t value = line_value(line);

	if (start > UINT32_MAX) {
		return;		/* past any code object: only a damaged table */
	}
	if (l->n && l->runs[l->n - 1].start == start) {
		l->n--;
	}
	if (l->n && l->runs[l->n - 1].line == value) {
		return;
	}
	l->runs[l->n].start = (uint32_t) start;
	l->runs[l->n].line = value;
	l->n++;
}

/*
 * co_lnotab (PyCode_Addr2Line up to 3.9): the line of offset q is
 * co_firstlineno plus the line deltas of every pair whose running byte
 * offset is at most q; the table has no end.
 */
static void decode_lnotab(struct py_lines *l, const uint8_t *t, size_t len, int64_t line, int is_signed)
{
	uint64_t addr = 0;

	run_push(l, 0, line);
	for (size_t i = 0; i + 1 < len; i += 2) {
		addr += t[i];
		line += is_signed ? (int8_t) t[i + 1] : t[i + 1];
		run_push(l, addr, line);
	}
}

/* 3.10's co_linetable: ranges of byte deltas; a line delta of -128 is
 * "no line" and leaves the running line alone; empty ranges still move
 * it.  Offsets past the last range have no line. */
static void decode_pep626(struct py_lines *l, const uint8_t *t, size_t len, int64_t computed)
{
	uint64_t end = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		uint64_t start = end;
		int8_t delta = (int8_t) t[i + 1];
		int64_t line = PY_NO_LINE;

		end += t[i];
		if (delta != -128) {
			computed += delta;
			line = computed;
		}
		if (end > start) {
			run_push(l, start, line);
		}
	}
	run_push(l, end, PY_NO_LINE);
}

/* Kinds of a location entry (3.11+), from bits 3-6 of its first byte. */
enum {
	LOC_ONE_LINE0 = 10,		/* 10, 11, 12: line delta 0, 1, 2 */
	LOC_NO_COLUMNS = 13,		/* svarint line delta */
	LOC_LONG = 14,			/* svarint line delta, then more */
	LOC_NONE = 15,			/* no location */
};

/* CPython's scan_varint(): 6 bits a byte, bit 6 says more follow; bounded
 * by the table's end, bits beyond 32 dropped. */
static uint32_t scan_varint(const uint8_t *t, size_t len, size_t i)
{
	uint32_t val, read;
	unsigned int shift = 0;

	if (i >= len) {
		return 0;
	}
	read = t[i++];
	val = read & 63;
	while ((read & 64) && i < len) {
		read = t[i++];
		shift += 6;
		if (shift < 32) {
			val |= (read & 63) << shift;
		}
	}
	return val;
}

/* scan_signed_varint(): the low bit is the sign. */
static int64_t scan_svarint(const uint8_t *t, size_t len, size_t i)
{
	uint32_t u = scan_varint(t, len, i);

	return (u & 1) ? -(int64_t) (u >> 1) : (int64_t) (u >> 1);
}

/* get_line_delta() of the entry starting at t[i]. */
static int64_t location_line_delta(const uint8_t *t, size_t len, size_t i)
{
	int kind = (t[i] >> 3) & 15;

	switch (kind) {
	case LOC_NO_COLUMNS:
	case LOC_LONG:
		return scan_svarint(t, len, i + 1);
	case LOC_ONE_LINE0:
	case LOC_ONE_LINE0 + 1:
	case LOC_ONE_LINE0 + 2:
		return kind - LOC_ONE_LINE0;
	default:
		return 0;	/* no location, short forms: the same line */
	}
}

/*
 * 3.11+'s location table (advance() in Objects/codeobject.c): each entry
 * covers (first byte & 7) + 1 code units of 2 bytes and moves the
 * running line by its delta; a "no location" entry (first byte 0xf8 to
 * 0xff) has no line.  An entry ends where a byte with bit 7 set begins
 * the next.
 */
static void decode_locations(struct py_lines *l, const uint8_t *t, size_t len, int64_t computed)
{
	uint64_t end = 0;
	size_t i = 0;

	while (i < len) {
		uint64_t start = end;

		computed += location_line_delta(t, len, i);
		end += ((uint64_t) (t[i] & 7) + 1) * 2;
		run_push(l, start, (t[i] >> 3) == 0x1f ? PY_NO_LINE : computed);
		i++;
		while (i < len && !(t[i] & 128)) {
			i++;
		}
	}
	run_push(l, end, PY_NO_LINE);
}

int py_lines_decode(struct py_lines *l, int format, const uint8_t *table, size_t len,
		int32_t firstlineno, int lnotab_signed)
{
	struct py_line_run *shrunk;

	l->n = 0;
	/* Every format adds at most one run a byte, plus one. */
	l->runs = malloc((len + 2) * sizeof(*l->runs));
	if (!l->runs) {
		return -1;
	}
	switch (format) {
	case PY_LT_LNOTAB:
		decode_lnotab(l, table, len, firstlineno, lnotab_signed);
		break;
	case PY_LT_LNOTAB27:
		decode_lnotab(l, table, len, firstlineno, 0);
		break;
	case PY_LT_PEP626:
		decode_pep626(l, table, len, firstlineno);
		break;
	case PY_LT_LOCATIONS:
		decode_locations(l, table, len, firstlineno);
		break;
	default:
		break;
	}
	shrunk = realloc(l->runs, (l->n ? l->n : 1) * sizeof(*l->runs));
	if (shrunk) {
		l->runs = shrunk;
	}
	return 0;
}

int32_t py_lines_at(const struct py_lines *l, uint32_t offset)
{
	uint32_t lo = 0, hi = l->n;

	/* The last run starting at or before offset. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->runs[mid].start <= offset) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo ? l->runs[lo - 1].line : PY_NO_LINE;
}

void py_lines_free(struct py_lines *l)
{
	free(l->runs);
	l->runs = NULL;
	l->n = 0;
}
