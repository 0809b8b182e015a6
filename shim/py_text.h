/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The text of the interpreter's string objects, as UTF-8, without
 * calling the interpreter: for py_code's names (once per code object)
 * and the thread-start test of py_thread_target, never per event.
 */
#ifndef GILTRACE_SHIM_PY_TEXT_H
#define GILTRACE_SHIM_PY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "py_layout.h"

/* What py_text found. */
enum py_text_status {
	PY_TEXT_OK,
	PY_TEXT_UNREADABLE,	/* a string of a form the shim does not read */
	PY_TEXT_NOT_STRING,	/* not a string object at all: the layout is wrong */
};

/*
 * The text of str object obj (2.7: a str, bytes; 3.x: a compact str)
 * as UTF-8 of at most max - 1 bytes, cut at a character boundary,
 * NUL-terminated: *text is the object's own data when it can serve as
 * is (ASCII, short enough), else buf (max bytes) holding a copy.
 */
enum py_text_status py_text(const struct py_layout *l, uintptr_t obj, char *buf, size_t max,
		const char **text);

/* Does the text of str object obj equal s (ASCII)? */
int py_text_is(const struct py_layout *l, uintptr_t obj, const char *s);

#endif
