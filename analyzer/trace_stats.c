/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * What a reading of traces says of itself (trace_reader.h), put in
 * words once for every view.  No libbabeltrace2 here: the reports that
 * print it are also linked into the check tests.
 */
#include <inttypes.h>
#include <stdio.h>

#include "trace_reader.h"

void trace_unknown_describe(const struct trace_read_stats *st, char *buf, size_t len)
{
	size_t at;

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	if (st->unknown_events == 0) {
		return;
	}
	at = (size_t) snprintf(buf, len, "%" PRIu64 " giltrace event%s of kinds this version does not know "
		"%s left out (", st->unknown_events, st->unknown_events == 1 ? "" : "s",
		st->unknown_events == 1 ? "was" : "were");
	for (unsigned int i = 0; i < st->unknown_kinds && at < len; i++) {
		at += (size_t) snprintf(buf + at, len - at, "%s%s", i ? ", " : "", st->unknown_names[i]);
	}
	if (at < len) {
		snprintf(buf + at, len - at, "%s): the trace was recorded by a newer giltrace",
			st->unknown_more ? " and others" : "");
	}
}
