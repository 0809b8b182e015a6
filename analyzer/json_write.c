/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <inttypes.h>

#include "json_write.h"

const struct json_style json_compact = { "", ":", "," };

void json_write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *) (s ? s : ""); *c; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*c < 0x20 || *c == 0x7f) {
				fprintf(out, "\\u%04x", *c);
			} else {
				fputc(*c, out);
			}
		}
	}
	fputc('"', out);
}

void json_write_u64(FILE *out, const struct json_style *st, const char *key, uint64_t v)
{
	fprintf(out, "%s\"%s\"%s%" PRIu64 "%s", st->indent, key, st->colon, v, st->comma);
}

void json_write_share(FILE *out, const struct json_style *st, const char *key, double v)
{
	fprintf(out, "%s\"%s\"%s%.6f%s", st->indent, key, st->colon, v, st->comma);
}

void json_write_counters(FILE *out, const struct json_style *st, const struct gs_counters *c)
{
	for (size_t i = 0; i < GS_COUNTER_COUNT; i++) {
		json_write_u64(out, st, gs_counter_fields[i].key, gs_counter(c, i));
	}
}

void json_write_dist(FILE *out, const struct hist *h)
{
	struct hist_summary s;

	hist_summarise(h, &s);
	fprintf(out, "{\"count\": %" PRIu64 ", \"mean\": %" PRIu64 ", \"p50\": %" PRIu64
		", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64 ", \"max\": %" PRIu64
		", \"min\": %" PRIu64 ", \"total\": %" PRIu64 "}",
		s.count, s.mean, s.p50, s.p90, s.p99, s.max, s.min, s.sum);
}
