/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The line-table decoder (analyzer/py_linetable.c) against the real
 * interpreters: tests/linetables/cpython-X.Y.txt hold, for every code
 * object of tests/py/linetable_sample*.py and a few made-up long ones,
 * the raw table and the line each interpreter gives every byte offset
 * of the code (tests/py/linetable_dump.py wrote them;
 * tests/linetables/regenerate.sh writes them again).  Every offset must
 * decode to exactly that line.  Then hand-built tables for what real
 * code rarely or never has: the two readings of a co_lnotab delta of
 * 128 or more, empty and damaged tables.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/py_linetable.h"

#ifndef GT_LINETABLES_DIR
#define GT_LINETABLES_DIR "tests/linetables"
#endif

#define FIXTURES_MAX 32

/* The fixture files, found once by main(). */
static char *fixtures[FIXTURES_MAX];
static int nfixtures;

/* One code object of a fixture. */
struct fixture_code {
	char name[256];
	int format;
	int32_t firstlineno;
	uint32_t codelen;
	uint8_t *table;			/* owned */
	size_t ntable;
	int32_t *want;			/* owned: codelen lines, PY_NO_LINE for none */
};

static void code_free(struct fixture_code *c)
{
	free(c->table);
	free(c->want);
	memset(c, 0, sizeof(*c));
}

static void parse_table(struct fixture_code *c, const char *hex)
{
	size_t len = strspn(hex, "0123456789abcdef");

	ck_assert_uint_eq(len % 2, 0);
	c->ntable = len / 2;
	c->table = malloc(c->ntable + 1);
	ck_assert_ptr_nonnull(c->table);
	for (size_t i = 0; i < c->ntable; i++) {
		unsigned int b;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
		c->table[i] = (uint8_t) b;
	}
}

/* "0:12 6:- 10:13": each run lasts up to the next one, the last to codelen. */
static void parse_lines(struct fixture_code *c, char *runs)
{
	uint32_t from = 0;
	int32_t line = PY_NO_LINE;
	char *save = NULL;

	c->want = malloc((c->codelen + 1) * sizeof(*c->want));
	ck_assert_ptr_nonnull(c->want);
	for (char *tok = strtok_r(runs, " \n", &save); ; tok = strtok_r(NULL, " \n", &save)) {
		uint32_t start = c->codelen;
		char *colon = tok ? strchr(tok, ':') : NULL;

		if (tok) {
			ck_assert_ptr_nonnull(colon);
			start = (uint32_t) strtoul(tok, NULL, 10);
		}
		for (uint32_t off = from; off < start && off < c->codelen; off++) {
			c->want[off] = line;
		}
		if (!tok) {
			break;
		}
		from = start;
		line = colon[1] == '-' ? PY_NO_LINE : (int32_t) strtol(colon + 1, NULL, 10);
	}
}

/* Reads the next code object of f; 0 at the end of the file. */
static int code_read(FILE *f, struct fixture_code *c)
{
	char *line = NULL;
	size_t cap = 0;
	int got = 0;

	memset(c, 0, sizeof(*c));
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "code ", 5) == 0 && sscanf(line + 5, "%255s", c->name) == 1) {
			got = 1;
		} else if (sscanf(line, "format %d", &c->format) == 1) {
		} else if (sscanf(line, "firstlineno %d", &c->firstlineno) == 1) {
		} else if (sscanf(line, "codelen %u", &c->codelen) == 1) {
		} else if (strncmp(line, "table ", 6) == 0) {
			parse_table(c, line + 6);
		} else if (strncmp(line, "lines ", 6) == 0) {
			parse_lines(c, line + 6);
		} else if (strcmp(line, "end\n") == 0) {
			break;
		}
	}
	free(line);
	if (got) {
		ck_assert_ptr_nonnull(c->table);
		ck_assert_ptr_nonnull(c->want);
	}
	return got;
}

/* "python 3.6" and later: co_lnotab's line deltas are signed. */
static int read_version(FILE *f, int *major, int *minor)
{
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	while (!found && getline(&line, &cap, f) > 0) {
		found = sscanf(line, "python %d.%d", major, minor) == 2;
	}
	free(line);
	return found;
}

START_TEST(test_fixture)
{
	FILE *f = fopen(fixtures[_i], "r");
	struct fixture_code c;
	int major, minor, lnotab_signed;
	unsigned int codes = 0;
	uint64_t offsets = 0;

	ck_assert_msg(f != NULL, "cannot open %s: %s", fixtures[_i], strerror(errno));
	ck_assert_msg(read_version(f, &major, &minor), "%s: no python line", fixtures[_i]);
	lnotab_signed = major > 3 || (major == 3 && minor >= 6);
	while (code_read(f, &c)) {
		struct py_lines l;

		/* The shim gives 2.7's tables a format of their own: it must
		 * read unsigned whatever the guess from the runtime says. */
		if (major == 2 && c.format == PY_LT_LNOTAB) {
			c.format = PY_LT_LNOTAB27;
			lnotab_signed = 1;
		}

		ck_assert_int_eq(py_lines_decode(&l, c.format, c.table, c.ntable, c.firstlineno,
			lnotab_signed), 0);
		for (uint32_t off = 0; off < c.codelen; off++) {
			ck_assert_msg(py_lines_at(&l, off) == c.want[off],
				"%s: %s (format %d): offset %u: line %d, CPython %d.%d says %d",
				fixtures[_i], c.name, c.format, off, py_lines_at(&l, off), major, minor,
				c.want[off]);
		}
		offsets += c.codelen;
		codes++;
		py_lines_free(&l);
		code_free(&c);
	}
	fclose(f);
	ck_assert_uint_gt(codes, 40);
	printf("%s: %u code objects, %llu byte offsets exact\n", strrchr(fixtures[_i], '/') + 1, codes,
		(unsigned long long) offsets);
}
END_TEST

/* ---- Hand-built tables --------------------------------------------- */

/* A table, and the line wanted at some offsets. */
struct edge_case {
	const char *what;
	int format;
	int lnotab_signed;
	int32_t firstlineno;
	const uint8_t *table;
	size_t len;
	struct {
		uint32_t offset;
		int32_t line;
	} want[6];
};

#define T(...) (const uint8_t[]) { __VA_ARGS__ }, sizeof((const uint8_t[]) { __VA_ARGS__ })

static const struct edge_case edges[] = {
	/* 2.7 writes a jump of 150 lines as one unsigned byte; 3.6+ as 127 + 23. */
	{ "lnotab, unsigned delta of 150 (2.7)", PY_LT_LNOTAB, 0, 10, T(4, 150, 6, 1),
		{ { 0, 10 }, { 3, 10 }, { 4, 160 }, { 9, 160 }, { 10, 161 }, { 1000, 161 } } },
	{ "lnotab, the same bytes signed (3.6+): -106", PY_LT_LNOTAB, 1, 200, T(4, 150, 6, 1),
		{ { 0, 200 }, { 4, 94 }, { 10, 95 }, { 1000, 95 } } },
	{ "lnotab, a byte jump split in two", PY_LT_LNOTAB, 1, 1, T(255, 0, 45, 2),
		{ { 0, 1 }, { 254, 1 }, { 299, 1 }, { 300, 3 } } },
	{ "lnotab, empty: the first line everywhere", PY_LT_LNOTAB, 1, 7, NULL, 0,
		{ { 0, 7 }, { 100000, 7 } } },
	{ "lnotab, odd length: the last byte ignored", PY_LT_LNOTAB, 1, 7, T(2, 1, 9),
		{ { 0, 7 }, { 2, 8 }, { 11, 8 } } },
	{ "3.10, no line (-128), then a line again", PY_LT_PEP626, 1, 5, T(4, 0, 2, 0x80, 6, 2),
		{ { 0, 5 }, { 3, 5 }, { 4, PY_NO_LINE }, { 6, 7 }, { 11, 7 }, { 12, PY_NO_LINE } } },
	{ "3.10, an empty range still moves the line", PY_LT_PEP626, 1, 5, T(2, 0, 0, 3, 2, 1),
		{ { 0, 5 }, { 2, 9 }, { 4, PY_NO_LINE } } },
	{ "3.10, empty table: no line", PY_LT_PEP626, 1, 5, NULL, 0,
		{ { 0, PY_NO_LINE } } },
	/* 3.11+: one line (kind 11: +1) of 2 units, no location of 1 unit,
	 * long form (14) of 1 unit with svarint -3 (7 = 3 << 1 | 1) and
	 * three more varints, no columns (13) of 3 units, +2 (2 << 1 = 4). */
	{ "3.11+, one line, no location, long form, no columns", PY_LT_LOCATIONS, 1, 20,
		T(0x80 | 11 << 3 | 1, 4, 8, 0xf8, 0x80 | 14 << 3, 7, 0, 1, 1, 0x80 | 13 << 3 | 2, 4),
		{ { 0, 21 }, { 3, 21 }, { 4, PY_NO_LINE }, { 6, 18 }, { 8, 20 }, { 14, PY_NO_LINE } } },
	{ "3.11+, a varint running off the end", PY_LT_LOCATIONS, 1, 20, T(0x80 | 13 << 3, 0x41),
		{ { 0, 20 }, { 1, 20 }, { 2, PY_NO_LINE } } },
	{ "3.11+, an over-long varint", PY_LT_LOCATIONS, 1, 20,
		T(0x80 | 13 << 3, 0x42, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x00),
		{ { 0, 21 }, { 2, PY_NO_LINE } } },
	{ "3.11+, a first byte without bit 7 (damaged)", PY_LT_LOCATIONS, 1, 3, T(0x78, 0x01),
		{ { 0, 3 }, { 2, PY_NO_LINE } } },
	{ "3.11+, below line 0: none", PY_LT_LOCATIONS, 1, 1, T(0x80 | 13 << 3, 5),
		{ { 0, PY_NO_LINE } } },
	{ "unknown format", 9, 1, 1, T(1, 2, 3, 4),
		{ { 0, PY_NO_LINE }, { 3, PY_NO_LINE } } },
};

START_TEST(test_edge)
{
	const struct edge_case *e = &edges[_i];
	struct py_lines l;

	ck_assert_int_eq(py_lines_decode(&l, e->format, e->table, e->len, e->firstlineno, e->lnotab_signed), 0);
	for (size_t k = 0; k < sizeof(e->want) / sizeof(e->want[0]); k++) {
		if (k && e->want[k].offset == 0) {
			break;
		}
		ck_assert_msg(py_lines_at(&l, e->want[k].offset) == e->want[k].line, "%s: offset %u: line %d, want %d",
			e->what, e->want[k].offset, py_lines_at(&l, e->want[k].offset), e->want[k].line);
	}
	py_lines_free(&l);
}
END_TEST

static void fixtures_find(void)
{
	const char *dir = getenv("GT_SRCDIR") ? NULL : GT_LINETABLES_DIR;
	char path[4096];
	DIR *d;
	struct dirent *de;

	if (!dir) {
		snprintf(path, sizeof(path), "%s/tests/linetables", getenv("GT_SRCDIR"));
		dir = path;
	}
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "check_py_linetable: cannot open %s: %s\n", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) && nfixtures < FIXTURES_MAX) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "cpython-", 8) == 0 && len > 4 && strcmp(de->d_name + len - 4, ".txt") == 0) {
			char *p = malloc(strlen(dir) + len + 2);

			if (p) {
				sprintf(p, "%s/%s", dir, de->d_name);
				fixtures[nfixtures++] = p;
			}
		}
	}
	closedir(d);
}

static Suite *py_linetable_suite(void)
{
	Suite *s = suite_create("py_linetable");
	TCase *tc = tcase_create("Interpreters");

	tcase_add_loop_test(tc, test_fixture, 0, nfixtures);
	suite_add_tcase(s, tc);
	tc = tcase_create("Hand-built");
	tcase_add_loop_test(tc, test_edge, 0, sizeof(edges) / sizeof(edges[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	fixtures_find();
	/* 2.7 and 3.6 to 3.13: one file each. */
	if (nfixtures < 9) {
		fprintf(stderr, "check_py_linetable: %d fixture files found, want 9\n", nfixtures);
		return EXIT_FAILURE;
	}
	sr = srunner_create(py_linetable_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < nfixtures; i++) {
		free(fixtures[i]);
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
