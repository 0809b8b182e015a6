/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * giltrace: record a program's GIL activity with LTTng and report on
 * it.  See giltrace(1).
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/trace_reader.h"
#include "frontend.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: giltrace record [OPTION]... [--] COMMAND [ARG]...\n"
		"       giltrace report [OPTION]... TRACE_DIR...\n"
		"       giltrace top [OPTION]... [--] COMMAND [ARG]... | --pid=PID | --session=NAME\n"
		"       giltrace --version\n"
		"\n"
		"Record who holds Python's global interpreter lock (or Ruby's, or OCaml's), who\n"
		"waits for it and how often wake-ups fail, then report on it, or watch it live\n"
		"(top).  'giltrace SUBCOMMAND --help' for more;\n"
		"man giltrace for everything.\n");
}

int main(int argc, char **argv)
{
	trace_reader_init("giltrace");
	if (argc < 2) {
		usage(stderr);
		return GT_EXIT_FAILURE;
	}
	if (strcmp(argv[1], "record") == 0) {
		return cmd_record(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "report") == 0) {
		return cmd_report(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "top") == 0) {
		return cmd_top(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("giltrace %s\n", PACKAGE_VERSION);
		return 0;
	}
	gt_err("Unknown subcommand '%s' (try 'giltrace --help')", argv[1]);
	return GT_EXIT_FAILURE;
}
