/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The JSON giltrace writes, for giltrace-analyze's report and giltrace
 * top's records alike: one string escaper, and the lists of the analysis
 * core (counters, distributions) written from its tables, so that a
 * counter has one key wherever it appears.  The two outputs lay members
 * out differently (an indented document, one record per line): a style
 * says how.
 */
#ifndef GILTRACE_ANALYZER_JSON_WRITE_H
#define GILTRACE_ANALYZER_JSON_WRITE_H

#include <stdint.h>
#include <stdio.h>

#include "gil_analysis.h"

struct json_style {
	const char *indent;		/* before each member */
	const char *colon;		/* between a key and its value */
	const char *comma;		/* after each member */
};

/* giltrace top's records: {"key":value,...} on one line. */
extern const struct json_style json_compact;

/* A JSON string, quoted and escaped; NULL is "". */
void json_write_string(FILE *out, const char *s);

/* "key": value, as the style lays members out. */
void json_write_u64(FILE *out, const struct json_style *st, const char *key, uint64_t v);
void json_write_share(FILE *out, const struct json_style *st, const char *key, double v);

/* Every counter of c, in gs_counter_fields order. */
void json_write_counters(FILE *out, const struct json_style *st, const struct gs_counters *c);

/* A distribution's summary as one object: {"count": N, "mean": N, ...}. */
void json_write_dist(FILE *out, const struct hist *h);

#endif
