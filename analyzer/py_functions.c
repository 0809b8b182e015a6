/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <stdlib.h>
#include <string.h>

#include "py_functions.h"

/* Shared by every GIL: a constant, never freed. */
const struct py_func py_func_other = { "(other functions)", NULL, 0 };

struct py_fstat *py_ftable_get(struct py_ftable *t, const struct py_func *func)
{
	uint64_t key = (uint64_t) (uintptr_t) func;
	struct py_fstat *s = idmap_get(&t->by_func, key);

	if (s) {
		return s;
	}
	/* Keep one slot for the "other functions" entry. */
	if (func != &py_func_other && t->by_func.len >= PY_FUNCS_MAX - 1) {
		t->dropped++;
		return py_ftable_get(t, &py_func_other);
	}
	s = calloc(1, sizeof(*s));
	if (!s || idmap_put(&t->by_func, key, s) != 0) {
		free(s);
		return NULL;
	}
	s->func = func;
	s->longest_hold_line = PY_NO_LINE;
	s->longest_hold_taken_func = &py_func_none;
	s->longest_hold_taken_line = PY_NO_LINE;
	s->longest_wait_line = PY_NO_LINE;
	return s;
}

void py_fstat_hold(struct py_fstat *s, uint64_t held, int32_t line, const struct py_where *taken)
{
	s->holds++;
	s->held_ns += held;
	if (held > s->longest_hold_ns || s->holds == 1) {
		s->longest_hold_ns = held;
		s->longest_hold_line = line;
		s->longest_hold_taken_func = taken->func;
		s->longest_hold_taken_line = taken->line;
	}
}

void py_fstat_attempt(struct py_fstat *s, uint64_t waited, int32_t line, uint32_t waits, uint32_t failed,
		uint32_t timeouts)
{
	s->attempts++;
	s->waits += waits;
	s->failed_wakeups += failed;
	s->timeouts += timeouts;
	s->waited_ns += waited;
	if (waited > s->longest_wait_ns || s->attempts == 1) {
		s->longest_wait_ns = waited;
		s->longest_wait_line = line;
	}
}

void py_ftable_free(struct py_ftable *t)
{
	idmap_free_values(&t->by_func);
	memset(t, 0, sizeof(*t));
}
