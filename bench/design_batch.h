/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* What bench/design_floor_tp.h's cycles_wide carries (a struct, as a
 * tracepoint takes at most ten arguments). */
#ifndef GILTRACE_BENCH_DESIGN_BATCH_H
#define GILTRACE_BENCH_DESIGN_BATCH_H

#include <stdint.h>

#define DESIGN_BATCH 32

struct design_wide {
	unsigned int n;
	uint64_t told_ts;
	uint64_t begin_ts[DESIGN_BATCH], acquired_ts[DESIGN_BATCH], released_ts[DESIGN_BATCH];
	uintptr_t callers[DESIGN_BATCH];
	uint32_t waiters[DESIGN_BATCH];
	uint8_t zeros[DESIGN_BATCH];
};

#endif
