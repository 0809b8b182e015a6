/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

static unsigned int bucket_group(uint64_t v, unsigned int *sub)
{
	unsigned int e;

	if (v < HIST_SUB) {
		*sub = (unsigned int) v;
		return 0;
	}
	e = 63 - (unsigned int) __builtin_clzll(v);
	*sub = (unsigned int) (v >> (e - HIST_SUB_BITS)) - HIST_SUB;
	return e - HIST_SUB_BITS + 1;
}

/* Smallest value of a bucket, and its width. */
static uint64_t bucket_low(unsigned int group, unsigned int sub, uint64_t *width)
{
	if (group == 0) {
		*width = 1;
		return sub;
	}
	*width = UINT64_C(1) << (group - 1);
	return ((uint64_t) HIST_SUB + sub) << (group - 1);
}

static uint64_t *group_row(struct hist *h, unsigned int group)
{
	if (!h->groups) {
		h->groups = calloc(HIST_GROUPS, sizeof(*h->groups));
		if (!h->groups) {
			return NULL;
		}
	}
	if (!h->groups[group]) {
		h->groups[group] = calloc(HIST_SUB, sizeof(**h->groups));
	}
	return h->groups[group];
}

static void totals_add(struct hist *h, uint64_t count, uint64_t sum, uint64_t min, uint64_t max)
{
	if (h->count == 0 || min < h->min) {
		h->min = min;
	}
	if (h->count == 0 || max > h->max) {
		h->max = max;
	}
	h->count += count;
	h->sum = h->sum + sum < h->sum ? UINT64_MAX : h->sum + sum;
}

int hist_add(struct hist *h, uint64_t v)
{
	unsigned int sub;
	unsigned int group = bucket_group(v, &sub);
	uint64_t *row = group_row(h, group);

	if (!row) {
		return -1;
	}
	row[sub]++;
	totals_add(h, 1, v, v, v);
	return 0;
}

void hist_log2_bins(const struct hist *h, uint64_t bins[HIST_LOG2_BINS])
{
	memset(bins, 0, HIST_LOG2_BINS * sizeof(*bins));
	for (unsigned int g = 0; h->count && g < HIST_GROUPS; g++) {
		if (!h->groups[g]) {
			continue;
		}
		for (unsigned int s = 0; s < HIST_SUB; s++) {
			uint64_t width, low = bucket_low(g, s, &width);
			unsigned int k = low > 1 ? 63 - (unsigned int) __builtin_clzll(low) : 0;

			bins[k] += h->groups[g][s];
		}
	}
}

int hist_merge(struct hist *into, const struct hist *from)
{
	if (from->count == 0) {
		return 0;
	}
	for (unsigned int g = 0; g < HIST_GROUPS; g++) {
		uint64_t *row;

		if (!from->groups[g]) {
			continue;
		}
		row = group_row(into, g);
		if (!row) {
			return -1;
		}
		for (unsigned int s = 0; s < HIST_SUB; s++) {
			row[s] += from->groups[g][s];
		}
	}
	totals_add(into, from->count, from->sum, from->min, from->max);
	return 0;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (h->count == 0) {
		return 0;
	}
	rank = (uint64_t) ceil(p / 100.0 * (double) h->count);
	if (rank < 1) {
		rank = 1;
	}
	if (rank >= h->count) {
		return h->max;
	}
	for (unsigned int g = 0; g < HIST_GROUPS; g++) {
		if (!h->groups[g]) {
			continue;
		}
		for (unsigned int s = 0; s < HIST_SUB; s++) {
			uint64_t width, v;

			seen += h->groups[g][s];
			if (seen < rank) {
				continue;
			}
			v = bucket_low(g, s, &width) + width / 2;
			/* The bucket holds the exact extremes too. */
			if (v < h->min) {
				v = h->min;
			}
			if (v > h->max) {
				v = h->max;
			}
			return v;
		}
	}
	return h->max;
}

void hist_summarise(const struct hist *h, struct hist_summary *s)
{
	s->count = h->count;
	s->sum = h->sum;
	s->min = h->count ? h->min : 0;
	s->max = h->count ? h->max : 0;
	s->mean = 0;
	if (h->count) {
		/* Rounded to nearest without overflowing the sum. */
		s->mean = h->sum / h->count + (h->sum % h->count >= (h->count + 1) / 2);
	}
	s->p50 = hist_percentile(h, 50);
	s->p90 = hist_percentile(h, 90);
	s->p99 = hist_percentile(h, 99);
}

void hist_free(struct hist *h)
{
	if (h->groups) {
		for (unsigned int g = 0; g < HIST_GROUPS; g++) {
			free(h->groups[g]);
		}
		free(h->groups);
	}
	h->groups = NULL;
	h->count = h->sum = h->min = h->max = 0;
}

int hist_copy(struct hist *into, const struct hist *from)
{
	for (unsigned int g = 0; into->groups && g < HIST_GROUPS; g++) {
		if (into->groups[g]) {
			memset(into->groups[g], 0, HIST_SUB * sizeof(**into->groups));
		}
	}
	into->count = into->sum = into->min = into->max = 0;
	return hist_merge(into, from);
}

/* Count of bucket (g, s) in h, 0 where the row was never allocated. */
static uint64_t bucket_count(const struct hist *h, unsigned int g, unsigned int s)
{
	return h->groups && h->groups[g] ? h->groups[g][s] : 0;
}

int hist_diff(struct hist *into, const struct hist *now, const struct hist *before)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	if (now->count <= before->count) {
		return 0;
	}
	for (unsigned int g = 0; g < HIST_GROUPS; g++) {
		uint64_t *row;

		if (!now->groups || !now->groups[g]) {
			continue;
		}
		for (unsigned int s = 0; s < HIST_SUB; s++) {
			uint64_t n = now->groups[g][s] - bucket_count(before, g, s);
			uint64_t width, low;

			if (n == 0) {
				continue;
			}
			row = group_row(into, g);
			if (!row) {
				return -1;
			}
			row[s] += n;
			low = bucket_low(g, s, &width);
			lo = low < lo ? low : lo;
			hi = low + width - 1 > hi ? low + width - 1 : hi;
		}
	}
	/* A new extreme was reached in the interval: it is exact. */
	if (before->count == 0 || now->min < before->min || lo < now->min) {
		lo = now->min;
	}
	if (before->count == 0 || now->max > before->max || hi > now->max) {
		hi = now->max;
	}
	totals_add(into, now->count - before->count, now->sum - before->sum, lo, hi);
	return 0;
}

void hist_duration(char *buf, size_t size, uint64_t ns, const char *sep)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double v;

		if ((double) ns < units[i].scale) {
			continue;
		}
		v = (double) ns / units[i].scale;
		snprintf(buf, size, v < 10 ? "%.2f%s%s" : v < 100 ? "%.1f%s%s" : "%.0f%s%s", v, sep,
			units[i].unit);
		return;
	}
	snprintf(buf, size, "%" PRIu64 "%sns", ns, sep);
}
