#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/cycle_instructions.sh [-i INTERPRETER] [-m MODES] [-w WORKLOAD]:
# the instructions a GIL cycle costs in each library, counted by
# valgrind's callgrind rather than timed.  The timed figures of
# bench/python.sh move by 20% between runs on a shared machine, which
# hides a change of a few percent; instruction counts are the same run
# after run whatever else the machine does.  They are not time (a cache
# miss or an atomic instruction costs more than its one instruction), so
# they show where a change acts, and timed paired runs say what it is
# worth.
#
# Each MODE (bench/lib.sh: shim+py8, b+py8, ...) runs the workload twice
# under callgrind, for a short and a longer time; the difference in
# instructions over the difference in GIL cycles (giltrace-analyze's
# acquisitions of the two traces) leaves start-up out.  INTERPRETER:
# debian (default), 3.13 or 2.7; WORKLOAD: stress (default), countdown
# or countdown1.  Prints a markdown table and appends it to bench/RESULTS.md;
# BENCH_FUNCTIONS=N lists the N costliest functions (20).
# Exit status: 0, 1 on a failed run, 77 without valgrind or a private
# session daemon.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"

interp=debian
modes="shim+py8"
workload=stress
while getopts i:m:w: opt; do
	case $opt in
	i) interp=$OPTARG ;;
	m) modes=$OPTARG ;;
	w) workload=$OPTARG ;;
	*) echo "usage: $0 [-i debian|3.13|2.7] [-m MODES] [-w stress|countdown|countdown1]" >&2; exit 2 ;;
	esac
done
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed (apt-get install valgrind)" >&2; exit 77; }
bench_check_built
gt_lttng_private "$@"

py=$(bench_interp_path "$interp")
[ -x "$py" ] || gt_skip "$py is not present"
# Sizes: a short and a long run, each some seconds under callgrind.
case $workload in
stress) short=(stress 0.3) long=(stress 1.2) ;;
countdown) short=(countdown 200000) long=(countdown 1000000) ;;
countdown1) short=(countdown1 200000) long=(countdown1 1000000) ;;
*) bench_die "unknown workload $workload (stress, countdown or countdown1)" ;;
esac

data=$GT_TMP/callgrind
mkdir -p "$data"
for mode in $modes; do
	events=$(bench_mode_events "$mode")
	[ -n "$events" ] || bench_die "mode $mode records nothing: a GIL cycle needs a trace to be counted"
	preload=$(bench_mode_preload "$mode")
	menv=$(bench_mode_env "$mode")
	for len in short long; do
		if [ $len = short ]; then args=("${short[@]}"); else args=("${long[@]}"); fi
		trace=$data/$mode.$len.trace
		s="cg$$-$RANDOM"
		bench_session_start "$s" "$trace" "$events"
		env LD_PRELOAD="$preload" $menv valgrind -q --tool=callgrind \
			--callgrind-out-file="$data/$mode.$len.out" "$py" "$BENCH_SRCDIR/bench/workloads.py" "${args[@]}" \
			>"$data/$mode.$len.stdout" 2>"$data/$mode.$len.stderr" || {
			lttng destroy "$s" >/dev/null
			tail -3 "$data/$mode.$len.stderr" >&2
			bench_die "$mode: the workload failed under callgrind"
		}
		lttng stop "$s" >/dev/null
		lttng destroy "$s" >/dev/null
		"$GT_BUILDDIR/analyzer/giltrace-analyze" --format=json "$trace" >"$data/$mode.$len.json" ||
			bench_die "$mode: giltrace-analyze failed on $trace"
		callgrind_annotate --threshold=100 --inclusive=no --auto=no "$data/$mode.$len.out" >"$data/$mode.$len.funcs" 2>/dev/null
	done
done
/usr/bin/python3 "$BENCH_SRCDIR/bench/cycle_instructions.py" "$data" $modes >"$GT_TMP/table.md"
cat "$GT_TMP/table.md"
bench_append "$GT_TMP/table.md" "Instructions per GIL cycle (bench/cycle_instructions.sh, $interp $workload, callgrind)"
