/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The GIL timeline as a self-contained SVG image or HTML page, in the
 * spirit of David Beazley's GIL plots: one row per thread showing when
 * it held the GIL and when it waited for it, failed wake-ups and
 * timeouts marked, and the wait and wake-up latency histograms beside.
 * The number of shapes is bounded by rows x columns, whatever the
 * length of the trace.
 */
#ifndef GILTRACE_FRONTEND_RENDER_H
#define GILTRACE_FRONTEND_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "timeline.h"

#define RENDER_MAX_ROWS 48

struct render_info {
	const char *trace;		/* what the header names */
	uint64_t events;		/* events read from the trace */
	uint64_t discarded_events;
};

int render_svg(FILE *out, const struct timeline *tl, const struct render_info *info);
int render_html(FILE *out, const struct timeline *tl, const struct render_info *info);

#endif
