/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "object_table.h"
#include "symbol.h"

/*
 * Names come from the object table (object_table.h), never from dladdr,
 * dlsym or libunwind: a name is asked for inside intercepted calls,
 * which may run in a signal handler, under another thread's dlopen, or
 * on a small alternate stack.
 */

static void copy_name(char *buf, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (n >= len) {
		n = len - 1;
	}
	memcpy(buf, name, n);
	buf[n] = '\0';
}

int symbol_in_object(uintptr_t ip)
{
	return object_at(ip) != NULL;
}

uintptr_t symbol_function_at(uintptr_t ip, char *buf, size_t len)
{
	const struct object *o = object_at(ip);
	const char *name;
	uintptr_t start, sym_start = 0;

	if (len) {
		buf[0] = '\0';
	}
	if (!o) {
		return 0;
	}
	start = object_function_start(o, ip);
	name = object_symbol_covering(o, ip, &sym_start);
	/* A symbol counts only where it starts the function the unwind
	 * tables see (or where they see none). */
	if (name && (!start || start == sym_start)) {
		if (len) {
			copy_name(buf, len, name);
		}
		return sym_start;
	}
	return start;
}

int symbol_at(uintptr_t ip, char *buf, size_t len, uintptr_t *start)
{
	const struct object *o = object_at(ip);
	const char *name;

	if (len == 0 || !o) {
		return -1;
	}
	name = object_symbol_covering(o, ip, start);
	if (!name) {
		return -1;
	}
	copy_name(buf, len, name);
	return 0;
}

/* Most frames symbol_backtrace returns: more than any caller asks for. */
#define SYMBOL_BACKTRACE_MAX 64

/* noinline: its own frame is the one dropped. */
__attribute__((noinline)) int symbol_backtrace(void **frames, int max)
{
	void *raw[SYMBOL_BACKTRACE_MAX + 1];
	int n, err = errno;

	if (max > SYMBOL_BACKTRACE_MAX) {
		max = SYMBOL_BACKTRACE_MAX;
	}
	/* raw[0] lies in this function: dropped, the caller sees what
	 * unw_backtrace would have given it (callers count frames).
	 * libunwind 1.8 sets errno probing addresses; a backtrace may be
	 * taken after the real call, whose errno is the program's. */
	n = unw_backtrace(raw, max + 1);
	errno = err;
	if (n <= 1) {
		return 0;
	}
	memcpy(frames, raw + 1, (size_t) (n - 1) * sizeof(*frames));
	return n - 1;
}

void *symbol_lookup(const char *name, size_t *size)
{
	if (size) {
		*size = 0;
	}
	return objects_lookup(name, size);
}

int symbol_object_at(uintptr_t ip, const char **path, uintptr_t *bias)
{
	const struct object *o = object_at(ip);

	if (!o) {
		return -1;
	}
	*path = object_path(o);
	*bias = object_bias(o);
	return 0;
}
