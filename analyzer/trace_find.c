/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Finding traces: every directory below a path that holds a "metadata"
 * file is a CTF trace (one per process with per-process buffers). */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_error.h"
#include "trace_reader.h"

static enum trace_read_status list_add(struct trace_list *list, const char *dir)
{
	char *copy;

	for (size_t i = 0; i < list->len; i++) {
		if (strcmp(list->paths[i], dir) == 0) {
			return TRACE_READ_OK;
		}
	}
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		char **paths = realloc(list->paths, cap * sizeof(*paths));

		if (!paths) {
			return TRACE_READ_MEMORY;
		}
		list->paths = paths;
		list->cap = cap;
	}
	copy = strdup(dir);
	if (!copy) {
		return TRACE_READ_MEMORY;
	}
	list->paths[list->len++] = copy;
	return TRACE_READ_OK;
}

/*
 * nftw() has no user argument: the list being filled is global for the
 * duration of one walk (trace_find is not reentrant, nor need it be).
 */
static struct trace_list *walk_list;
static enum trace_read_status walk_status;

static int walk_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char *dir;

	if (type != FTW_F || strcmp(path + ftw->base, "metadata") != 0 || !S_ISREG(st->st_mode)) {
		return 0;
	}
	dir = strndup(path, ftw->base > 1 ? (size_t) ftw->base - 1 : 1);
	if (!dir) {
		walk_status = TRACE_READ_MEMORY;
		return 1;
	}
	walk_status = list_add(walk_list, dir);
	free(dir);
	return walk_status != TRACE_READ_OK;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A trace's metadata file names its directory; another file is no trace. */
static enum trace_read_status file_add(const char *input, struct trace_list *list)
{
	char *copy = strdup(input);
	enum trace_read_status status;

	if (!copy) {
		return TRACE_READ_MEMORY;
	}
	/* basename() and dirname() may write into their argument. */
	if (strcmp(basename(copy), "metadata") != 0) {
		TRACE_APPEND_CAUSE("Not a trace directory: path=\"%s\" is a file; give the directory LTTng wrote", input);
		status = TRACE_READ_NOT_FOUND;
		goto end;
	}
	strcpy(copy, input);
	status = list_add(list, dirname(copy));
end:
	free(copy);
	return status;
}

/* Every trace below the directory input, sorted. */
static enum trace_read_status dir_add(const char *input, struct trace_list *list)
{
	size_t before = list->len;

	walk_list = list;
	walk_status = TRACE_READ_OK;
	/* FTW_PHYS: never follow symlinks (no loops, no escaping the tree). */
	if (nftw(input, walk_visit, 32, FTW_PHYS) < 0) {
		TRACE_APPEND_CAUSE("Cannot read directory: path=\"%s\", error=\"%s\"", input, strerror(errno));
		return TRACE_READ_NOT_FOUND;
	}
	if (walk_status != TRACE_READ_OK) {
		return walk_status;
	}
	if (list->len == before) {
		TRACE_APPEND_CAUSE("No CTF trace found: path=\"%s\" holds no directory with a \"metadata\" file", input);
		return TRACE_READ_NOT_FOUND;
	}
	qsort(list->paths + before, list->len - before, sizeof(*list->paths), path_cmp);
	return TRACE_READ_OK;
}

enum trace_read_status trace_find(const char *input, struct trace_list *list)
{
	struct stat st;

	if (stat(input, &st) != 0) {
		TRACE_APPEND_CAUSE("Cannot open trace directory: path=\"%s\", error=\"%s\"", input, strerror(errno));
		return TRACE_READ_NOT_FOUND;
	}
	if (S_ISREG(st.st_mode)) {
		return file_add(input, list);
	}
	if (!S_ISDIR(st.st_mode)) {
		TRACE_APPEND_CAUSE("Not a trace directory: path=\"%s\"", input);
		return TRACE_READ_NOT_FOUND;
	}
	return dir_add(input, list);
}

void trace_list_free(struct trace_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		free(list->paths[i]);
	}
	free(list->paths);
	list->paths = NULL;
	list->len = list->cap = 0;
}
