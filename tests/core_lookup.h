/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * What the check tests of the analysis core look up in what they fed
 * it: a GIL and a thread's dealings with it, failing the test when
 * absent.  Header-only: each test is one program.
 */
#ifndef GILTRACE_TESTS_CORE_LOOKUP_H
#define GILTRACE_TESTS_CORE_LOOKUP_H

#include <check.h>

#include "analyzer/gil_analysis.h"

static inline struct gs_gil *core_gil(const struct gs_analysis *a, int64_t pid, uint64_t addr)
{
	struct gs_process *p = gs_process_find(a, pid);

	ck_assert_msg(p != NULL, "no process %lld", (long long) pid);
	ck_assert_msg(gs_gil_find(p, addr) != NULL, "no GIL %#llx", (unsigned long long) addr);
	return gs_gil_find(p, addr);
}

static inline struct gs_gil_thread *core_thread(const struct gs_analysis *a, int64_t pid, uint64_t addr,
		int64_t tid)
{
	struct gs_gil_thread *gt = gs_gil_thread_find(core_gil(a, pid, addr), tid);

	ck_assert_msg(gt != NULL, "no stats for tid %lld", (long long) tid);
	return gt;
}

#endif
