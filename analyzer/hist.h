/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * A log-linear histogram of nanosecond durations: memory bounded by the
 * range of values, never by how many there are.  Count, sum, min and max
 * are exact; percentiles come from buckets 1/32 of their lower bound
 * wide and are reported as the bucket's midpoint (clamped to min..max),
 * so they are within 1/64 (1.6 %) of the exact value, and exact below
 * 64 ns.
 *
 * Values below 2^HIST_SUB_BITS sit in group 0, one per bucket; group
 * g >= 1 covers [2^(g+4), 2^(g+5)) in 32 buckets of 2^(g-1) ns.  A
 * group's buckets are allocated the first time one of its values comes,
 * so a histogram costs a few hundred bytes per power of two it spans.
 */
#ifndef GILTRACE_ANALYZER_HIST_H
#define GILTRACE_ANALYZER_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS	5
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_GROUPS	(64 - HIST_SUB_BITS + 1)

struct hist {
	uint64_t count;
	uint64_t sum;			/* saturates at UINT64_MAX (584 years) */
	uint64_t min;
	uint64_t max;
	uint64_t **groups;		/* owned by this: HIST_GROUPS lazily allocated rows */
};

/* The summary every report prints. */
struct hist_summary {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t mean;			/* rounded to the nearest ns */
	uint64_t p50;
	uint64_t p90;
	uint64_t p99;
};

/* Returns 0, or -1 when out of memory (the value is then lost). */
int hist_add(struct hist *h, uint64_t v);
int hist_merge(struct hist *into, const struct hist *from);
/* Value at percentile p (0 < p <= 100), nearest rank; 0 if empty. */
uint64_t hist_percentile(const struct hist *h, double p);
void hist_summarise(const struct hist *h, struct hist_summary *s);
void hist_free(struct hist *h);

/*
 * For views over intervals of a growing histogram (giltrace top):
 * hist_copy() makes into an exact copy of from (into's old content is
 * replaced); hist_diff() makes into (empty) hold what now has gained since
 * it was copied to before.  The difference's count and sum are exact; its
 * min and max are exact when they are new extremes of now, otherwise the
 * bounds of the first and last bucket that grew.  Both return -1 when out
 * of memory.
 */
int hist_copy(struct hist *into, const struct hist *from);
int hist_diff(struct hist *into, const struct hist *now, const struct hist *before);

/*
 * Counts per power of two, for pictures: bins[k] counts the values in
 * [2^k, 2^(k+1)), bins[0] also 0.  Exact: every bucket lies within one
 * power of two.
 */
#define HIST_LOG2_BINS 64
void hist_log2_bins(const struct hist *h, uint64_t bins[HIST_LOG2_BINS]);

/* A duration for people, three significant digits, sep between number
 * and unit: "850ns", "12.3us", "4.56ms", "1.23s" with sep "" (the
 * analyzer's text report), "1.23 s" with " " (giltrace top). */
void hist_duration(char *buf, size_t size, uint64_t ns, const char *sep);

#endif
