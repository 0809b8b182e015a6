/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Small helpers shared by the giltrace front end's subcommands. */
#ifndef GILTRACE_FRONTEND_UTIL_H
#define GILTRACE_FRONTEND_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses of giltrace itself, as env(1) and timeout(1) use them. */
#define GT_EXIT_FAILURE		125	/* giltrace failed before running COMMAND */
#define GT_EXIT_CANNOT_EXEC	126	/* COMMAND found but could not be run */
#define GT_EXIT_NOT_FOUND	127	/* COMMAND not found */

/* Print "giltrace: MESSAGE" on stderr, one line. */
void gt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct trace_read_stats;

/* Says on stderr that a trace held giltrace events of kinds this
 * version does not know (trace_unknown_describe), if it did. */
void gt_warn_unknown_events(const struct trace_read_stats *st);

/*
 * Parse a size such as "4M", "512k" or "1048576" (k, M and G are
 * powers of 1024).  Returns false on a malformed or zero value.
 */
bool gt_parse_size(const char *text, uint64_t *out);

/* Smallest power of two >= value (value > 0). */
uint64_t gt_pow2_ceil(uint64_t value);

/*
 * A channel geometry option (opt names it, e.g. "--subbuf-size"): a size
 * as gt_parse_size reads it, rounded up to a power of two.  Returns false
 * after one line if arg is malformed.
 */
bool gt_parse_pow2(const char *opt, const char *arg, uint64_t *out);

/* Remove a directory tree without following symbolic links. */
int gt_rm_rf(const char *path);

/* Remove a directory tree that holds directories only; -1 otherwise. */
int gt_rm_empty_tree(const char *path);

/* mkdir -p: create path and its parents, leaving existing ones alone. */
int gt_make_dirs(const char *path);

/* Absolute form of path (which need not exist); caller frees. */
char *gt_abspath(const char *path);

/* Whether path names a directory holding no entry. */
bool gt_dir_is_empty(const char *path);

/*
 * A trace's output directory, -o DIR: refuse one holding anything (a
 * trace must not mix with old data), else create it and its parents.
 * Returns its absolute form (caller frees), or NULL after one line.
 */
char *gt_prepare_output_dir(const char *dir);

#endif
