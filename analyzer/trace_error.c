/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <babeltrace2/babeltrace.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trace_error.h"
#include "trace_reader.h"

/*
 * The program's name: set once by main() and read wherever a cause is
 * appended, deep in babeltrace's callbacks too, and by the crash
 * isolation's parent: global so that no call has to carry it.
 */
static const char *prog = "giltrace";

void trace_reader_init(const char *name)
{
	prog = name;
}

const char *trace_reader_prog(void)
{
	return prog;
}

/*
 * Longest part of a library's message in the one line (--verbose prints
 * it whole): Babeltrace 2.1's CTF parser quotes the rest of the metadata
 * text, newlines and all, as the token it stopped at.
 */
#define CAUSE_MAX 240

/* A library's message on one line: control characters (its newlines)
 * as one space each run, cut after max bytes. */
static void put_cause(const char *msg, size_t max)
{
	size_t n = 0;
	int space = 0;

	for (const unsigned char *p = (const unsigned char *) msg; *p; p++) {
		if (n == max) {
			fputs("...", stderr);
			return;
		}
		if (*p < 0x20 || *p == 0x7f) {
			space = 1;
			continue;
		}
		if (space && n > 0) {
			fputc(' ', stderr);
			n++;
		}
		space = 0;
		fputc(*p, stderr);
		n++;
	}
}

void trace_error_print(int verbose, const char *fallback)
{
	const bt_error *err = bt_current_thread_take_error();
	uint64_t n = err ? bt_error_get_cause_count(err) : 0;
	const char *what, *why;

	if (n == 0) {
		fprintf(stderr, "%s: %s\n", prog, fallback);
		goto end;
	}
	/* Index 0 is the first cause appended, at the root of the failure;
	 * the last one was appended furthest up the stack. */
	what = bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, n - 1));
	why = bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, 0));
	fprintf(stderr, "%s: ", prog);
	put_cause(what, CAUSE_MAX);
	if (n > 1 && strcmp(what, why) != 0) {
		fputs(": ", stderr);
		put_cause(why, CAUSE_MAX);
	}
	fputc('\n', stderr);
	for (uint64_t i = n; verbose && i > 0; i--) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(err, i - 1);

		fprintf(stderr, "  caused by [%s] (%s:%" PRIu64 ") ",
			bt_error_cause_get_module_name(c), bt_error_cause_get_file_name(c),
			bt_error_cause_get_line_number(c));
		put_cause(bt_error_cause_get_message(c), SIZE_MAX);
		fputc('\n', stderr);
	}
end:
	if (err) {
		bt_error_release(err);
	}
}

enum trace_exit trace_exit_status(enum trace_read_status st)
{
	switch (st) {
	case TRACE_READ_OK:
		return TRACE_EXIT_OK;
	case TRACE_READ_NOT_FOUND:
		return TRACE_EXIT_NO_TRACE;
	case TRACE_READ_BAD_TRACE:
		return TRACE_EXIT_BAD_TRACE;
	case TRACE_READ_NO_CONTEXT:
		return TRACE_EXIT_NO_CONTEXT;
	default:
		return TRACE_EXIT_FAILURE;
	}
}
