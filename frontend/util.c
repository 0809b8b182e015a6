/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/trace_reader.h"
#include "util.h"

void gt_err(const char *fmt, ...)
{
	va_list ap;

	fputs("giltrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void gt_warn_unknown_events(const struct trace_read_stats *st)
{
	char what[512];

	trace_unknown_describe(st, what, sizeof(what));
	if (what[0]) {
		gt_err("Warning: %s, and the figures may be wrong: read it with that version's giltrace", what);
	}
}

bool gt_parse_size(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long value;
	unsigned int shift = 0;

	if (!text || *text < '0' || *text > '9') {
		return false;
	}
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || value == 0) {
		return false;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return false;
	}
	/* Accept "4M", "4MiB" and "4MB" alike. */
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)) {
		end += strlen(end);
	}
	if (*end != '\0' || value > (UINT64_MAX >> shift)) {
		return false;
	}
	*out = (uint64_t) value << shift;
	return true;
}

uint64_t gt_pow2_ceil(uint64_t value)
{
	uint64_t p = 1;

	while (p < value && p < (UINT64_C(1) << 63)) {
		p <<= 1;
	}
	return p;
}

bool gt_parse_pow2(const char *opt, const char *arg, uint64_t *out)
{
	uint64_t value;

	if (!gt_parse_size(arg, &value)) {
		gt_err("Invalid %s: '%s'", opt, arg);
		return false;
	}
	/* LTTng wants powers of two; round up as lttng(1) does. */
	*out = gt_pow2_ceil(value);
	return true;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP) {
		return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
	}
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Set by has_file_cb: nftw's callback has no user argument. */
static int found_file;

static int has_file_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) path;
	(void) st;
	(void) ftw;
	if (flag != FTW_D && flag != FTW_DP) {
		found_file = 1;
		return 1;
	}
	return 0;
}

int gt_rm_empty_tree(const char *path)
{
	found_file = 0;
	if (nftw(path, has_file_cb, 16, FTW_PHYS) != 0 || found_file) {
		return -1;
	}
	return gt_rm_rf(path);
}

int gt_rm_rf(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *gt_abspath(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/') {
		return strdup(path);
	}
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		return NULL;
	}
	if (asprintf(&abs, "%s/%s", cwd, path) < 0) {
		abs = NULL;
	}
	free(cwd);
	return abs;
}

bool gt_dir_is_empty(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	bool empty = true;

	if (!dir) {
		return false;
	}
	while ((entry = readdir(dir))) {
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
			empty = false;
			break;
		}
	}
	closedir(dir);
	return empty;
}

int gt_make_dirs(const char *path)
{
	char *copy = strdup(path), *p;
	int ret = 0;

	if (!copy) {
		return -1;
	}
	for (p = copy + 1; *p && ret == 0; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
				ret = -1;
			}
			*p = '/';
		}
	}
	if (ret == 0 && mkdir(copy, 0777) != 0 && errno != EEXIST) {
		ret = -1;
	}
	free(copy);
	return ret;
}

char *gt_prepare_output_dir(const char *dir)
{
	struct stat st;
	char *abs;

	if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !gt_dir_is_empty(dir))) {
		gt_err("Output directory exists and is not empty: %s (choose another with -o)", dir);
		return NULL;
	}
	abs = gt_abspath(dir);
	if (!abs || gt_make_dirs(abs) != 0) {
		/* The message first: free() may change errno. */
		gt_err("Cannot create output directory %s: %s", dir, strerror(errno));
		free(abs);
		return NULL;
	}
	return abs;
}
