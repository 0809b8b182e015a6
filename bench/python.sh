#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/python.sh [-n REPS] [-i INTERPRETERS] [-w WORKLOADS] [-m MODES]:
# real CPython workloads (bench/workloads.py) in every mode of
# bench/lib.sh, REPS (default 3; 5/3 as many for the convoy) paired
# repetitions with the modes in rotating order.  INTERPRETERS: names among "debian 3.13 2.7" (default
# all present); WORKLOADS among "countdown countdown1 threads convoy stress"
# (countdown1: the countdown's work on one thread, no race for the GIL).
# Prints markdown tables and appends them to bench/RESULTS.md.
# Exit status: 0, 1 on a failed run, 77 when no interpreter or no
# private session daemon is available.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"

reps=3
interps="debian 3.13 2.7"
workloads="countdown threads convoy stress"
modes="none shim shim+gil shim+all ust+ev"
while getopts n:i:w:m: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	i) interps=$OPTARG ;;
	w) workloads=$OPTARG ;;
	m) modes=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-i 'debian 3.13 2.7'] [-w 'countdown countdown1 threads convoy stress'] [-m MODES]" >&2; exit 2 ;;
	esac
done
bench_check_built
gt_lttng_private "$@"

# Sizes: each run lasts about half a second untraced on this 2-core
# class of machine, enough for a stable median, short enough for the
# whole suite to stay under ten minutes.
workload_args() {
	case $1 in
	countdown) echo "countdown 10000000" ;;
	countdown1) echo "countdown1 10000000" ;;
	threads) echo "threads 16 30000000" ;;
	convoy) echo "convoy 0.5" ;;
	stress) echo "stress 0.5" ;;
	*) bench_die "unknown workload $1" ;;
	esac
}

data="$GT_TMP/python"
ran=0
for interp in $interps; do
	py=$(bench_interp_path "$interp")
	if [ ! -x "$py" ]; then
		echo "python.sh: skipping $interp: $py not present" >&2
		continue
	fi
	ran=1
	for workload in $workloads; do
		mkdir -p "$data/$interp/$workload"
		n=$reps
		# The convoy turns on how fast a halted vCPU wakes up: its
		# spread between runs is wide, more pairs steady the median.
		[ "$workload" != convoy ] || n=$((reps * 5 / 3))
		for ((rep = 1; rep <= n; rep++)); do
			for mode in $(bench_rotate "$rep" $modes); do
				# shellcheck disable=SC2046
				bench_run "$data/$interp/$workload/$mode.$rep" "$mode" -- \
					"$py" "$BENCH_SRCDIR/bench/workloads.py" $(workload_args "$workload")
			done
		done
		echo "python.sh: $interp $workload done" >&2
	done
done
[ $ran = 1 ] || gt_skip "none of the interpreters ($interps) is present"
/usr/bin/python3 "$BENCH_SRCDIR/bench/summary.py" python "$data" >"$GT_TMP/table.md"
cat "$GT_TMP/table.md"
bench_append "$GT_TMP/table.md" "CPython workloads (bench/python.sh, $reps paired repetitions; channel: $BENCH_NSUBBUF × $BENCH_SUBBUF per CPU, per-$BENCH_BUFFERS buffers, contexts: $BENCH_CONTEXTS)"
