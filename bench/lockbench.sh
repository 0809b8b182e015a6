#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/lockbench.sh [-n REPS] [-m MODES]: ns per uncontended mutex
# lock+unlock pair and per condvar ping-pong round trip, in the modes of
# bench/lib.sh (default: all but b*), REPS (default 5) paired
# repetitions with the modes in rotating order.  Before/after figures of
# a shim change: BENCH_SHIM_B=OLD/libgiltrace.so with -m "none shim b
# shim+gil b+gil".  Prints a markdown table and appends it to
# bench/RESULTS.md.  Exit status: 0, 1 on a failed run, 77 when no
# private session daemon can be started.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"

reps=5
modes="none shim shim+gil shim+all ust ust+ev"
while getopts n:m: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	m) modes=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-m MODES]" >&2; exit 2 ;;
	esac
done
bench_check_built
[ -x "$GT_BUILDDIR/bench/lockbench" ] || bench_die "$GT_BUILDDIR/bench/lockbench not built (make)"
gt_lttng_private "$@"

# Every event of a traced batch must fit in the buffers: a discarded
# event costs less than a recorded one and would flatter the figure.
BENCH_SUBBUF=4M BENCH_NSUBBUF=8
data="$GT_TMP/lock"
for ((rep = 1; rep <= reps; rep++)); do
	for mode in $(bench_rotate "$rep" $modes); do
		# Tens of thousands of traced pairs give a stable figure;
		# millions would overflow any buffer.
		case $mode in
		none|shim|ust|b) pairs=1000000 ;;
		*) pairs=20000 ;;
		esac
		mkdir -p "$data/lock"
		bench_run "$data/lock/$mode.$rep" "$mode" -- \
			"$GT_BUILDDIR/bench/lockbench" -p "$pairs" -r 3000 -b 9
	done
	echo "lockbench: repetition $rep of $reps done" >&2
done
/usr/bin/python3 "$BENCH_SRCDIR/bench/summary.py" lock "$data" >"$GT_TMP/table.md"
cat "$GT_TMP/table.md"
bench_append "$GT_TMP/table.md" "C microbenchmark (bench/lockbench.sh, $reps paired repetitions)"
