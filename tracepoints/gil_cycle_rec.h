/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The start of a compact GIL cycle (giltrace(7), "Compact cycles"): what
 * gil_cycle and gil_cycle_open carry of the cycle's begin and
 * acquisition.  A struct because a tracepoint takes at most ten
 * arguments.
 */
#ifndef GILTRACE_TRACEPOINTS_GIL_CYCLE_REC_H
#define GILTRACE_TRACEPOINTS_GIL_CYCLE_REC_H

#include <stdint.h>

struct gil_cycle_rec {
	const void *gil;
	uint64_t begin_ts;		/* trace clock, as LTTng-UST reads it */
	uint64_t acquired_ts;		/* 0: the attempt goes on (gil_cycle_open) */
	uint64_t end_ts;		/* read just before the event: the release (gil_cycle's
					 * released_ts), or the opening (gil_cycle_open's opened_ts) */
	uintptr_t begin_caller;		/* caller of the gil_acquire_begin it stands for */
	uintptr_t acquire_caller;	/* caller of the gil_acquire_end */
	const uintptr_t *bt;		/* the acquisition's backtrace */
	unsigned int bt_len;
	const uint64_t *pycode;		/* and its Python frames */
	const uint32_t *pyinstr;
	unsigned int py_n;
	int py_as_release;		/* they are the batch's last release's, where pycode points */
	unsigned int waiters;		/* gil_cycle: its release's, as gil_release's */
	int signalled;
};

/*
 * Completed compact cycles of one thread on one GIL, told at once
 * (gil_cycles): cycle i's times, callers, waiters and signalled at
 * index i; its frames are the next *_len[i] entries of the flattened
 * arrays, in cycle order.  An acquire_py_len of GIL_BATCH_PY_AS_RELEASE
 * (cycle 1 on) says the acquisition's Python frames are the previous
 * cycle's release's, and takes no entries: the thread ran no Python
 * code between the two (giltrace(7)).  A py_len of GIL_BATCH_PY_BACK + k
 * (k from 1 to i) says the release's Python frames are those of cycle
 * i - k's release, and takes no entries either: a loop releasing at the
 * same few places (giltrace(7)).
 */
/*
 * At most this many cycles: as many as the byte limit below lets in
 * without frames of their own (62 of 57 bytes), as a loop of small reads
 * and writes makes them.  LTTng-UST reserves a batch's event once and
 * writes each of its fields in one call, whatever the batch's length,
 * so fuller batches cost less a cycle (bench/RESULTS.md, "Issue 14,
 * tenth session").
 */
#define GIL_BATCH_CYCLES	62
#define GIL_BATCH_FRAMES	512
/*
 * At most this many bytes of cycles: an event must fit in a sub-buffer,
 * and LTTng's smallest is a page.  Of its 4,096 bytes, the packet's
 * header and context take some 90, the event's header 16, the contexts
 * giltrace record adds (vpid, vtid, procname, ip) 40, gil_cycles' own
 * fields and their alignment some 110: this leaves about 250 for
 * contexts a session of the user's adds.  One cycle with the deepest
 * frames of both ends takes 1,337.  Fewer, fuller events cost less a
 * cycle: LTTng-UST writes a field in one call, whatever its length
 * (bench/RESULTS.md, "Issue 14, this session").
 */
#define GIL_BATCH_BYTES		3584
/* A cycle's bytes in gil_cycles: three times, three callers, waiters,
 * signalled and four lengths, then its frames. */
#define GIL_BATCH_CYCLE_BYTES(bt_n, py_n)	(57u + 8u * (bt_n) + 12u * (py_n))
/* No length of frames: those are at most 32 (PY_FRAMES_MAX). */
#define GIL_BATCH_PY_AS_RELEASE	255u
#define GIL_BATCH_PY_BACK	128u

struct gil_cycle_batch {
	unsigned int n;
	uint64_t told_ts;		/* read just before the event */
	uint64_t begin_ts[GIL_BATCH_CYCLES];
	uint64_t acquired_ts[GIL_BATCH_CYCLES];
	uint64_t released_ts[GIL_BATCH_CYCLES];
	uintptr_t begin_caller[GIL_BATCH_CYCLES];
	uintptr_t acquire_caller[GIL_BATCH_CYCLES];
	uintptr_t caller[GIL_BATCH_CYCLES];
	uint32_t waiters[GIL_BATCH_CYCLES];
	uint8_t signalled[GIL_BATCH_CYCLES];
	uint8_t acquire_bt_len[GIL_BATCH_CYCLES];
	uint8_t acquire_py_len[GIL_BATCH_CYCLES];
	uint8_t bt_len[GIL_BATCH_CYCLES];
	uint8_t py_len[GIL_BATCH_CYCLES];
	/* Not in the event: where each release's frames are in pycode and
	 * pyinstr, and how many (a py_len of GIL_BATCH_PY_BACK + k followed). */
	uint16_t py_at[GIL_BATCH_CYCLES];
	uint8_t py_count[GIL_BATCH_CYCLES];
	unsigned int n_acquire_bt, n_acquire_py, n_bt, n_py;
	unsigned int bytes;		/* of the cycles so far (GIL_BATCH_CYCLE_BYTES) */
	uintptr_t acquire_bt[GIL_BATCH_FRAMES];
	uint64_t acquire_pycode[GIL_BATCH_FRAMES];
	uint32_t acquire_pyinstr[GIL_BATCH_FRAMES];
	uintptr_t bt[GIL_BATCH_FRAMES];
	uint64_t pycode[GIL_BATCH_FRAMES];
	uint32_t pyinstr[GIL_BATCH_FRAMES];
};

#endif
