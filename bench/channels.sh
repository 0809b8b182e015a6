#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/channels.sh [-n REPS] [-s SECONDS] [-i PYTHON]: which channel
# settings record the stress case (one Python thread doing 1-byte pipe
# round trips, bench/workloads.py stress) with GIL events enabled
# without losing any event.  Runs each candidate REPS times (default 2)
# for SECONDS (default 1) on PYTHON (default /usr/bin/python3), smallest
# first, and reports events recorded and the worst run's discarded
# events.  Prints a markdown table, appends it to bench/RESULTS.md.
# Exit status: 0, 1 on a failed run, 77 without python or session daemon.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
: "${GT_BUILDDIR:=$BENCH_SRCDIR/build}"
export GT_BUILDDIR
. "$BENCH_SRCDIR/tests/lib/lttng.sh"
. "$BENCH_SRCDIR/bench/lib.sh"
: "${BENCH_RESULTS:=$BENCH_SRCDIR/bench/RESULTS.md}"

reps=2
seconds=1
py=/usr/bin/python3
while getopts n:s:i: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	s) seconds=$OPTARG ;;
	i) py=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-s SECONDS] [-i PYTHON]" >&2; exit 2 ;;
	esac
done
bench_check_built
[ -x "$py" ] || gt_skip "$py not present"
gt_lttng_private "$@"

# "buffers sub-buffer-size count", smallest total first.
candidates=(
	"uid 64k 2" "uid 64k 4" "uid 128k 4" "uid 256k 4" "uid 512k 4"
	"uid 1M 4" "uid 4M 4"
	"pid 256k 4" "pid 1M 4"
)
table="$GT_TMP/table.md"
{
	echo "| buffers | sub-buffers per CPU | events recorded (median) | discarded (worst run) | round trips/s (median) | peak RSS KiB |"
	echo "|---|---|---:|---:|---:|---:|"
} >"$table"
for c in "${candidates[@]}"; do
	read -r BENCH_BUFFERS BENCH_SUBBUF BENCH_NSUBBUF <<<"$c"
	ev=() lost=() rate=() rss=()
	for ((rep = 1; rep <= reps; rep++)); do
		bench_run "$GT_TMP/run" shim+gil -- "$py" "$BENCH_SRCDIR/bench/workloads.py" stress "$seconds"
		ev+=("$(awk '$1 == "events" { print $2 }' "$GT_TMP/run")")
		lost+=("$(awk '$1 == "discarded" { print $2 }' "$GT_TMP/run")")
		rate+=("$(awk '$1 == "roundtrips_per_s" { print $2 }' "$GT_TMP/run")")
		rss+=("$(awk '$1 == "maxrss_kb" { print $2 }' "$GT_TMP/run")")
	done
	med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	worst=$(printf '%s\n' "${lost[@]}" | sort -g | tail -1)
	printf '| per-%s | %s × %s | %.0f | %s | %.0f | %.0f |\n' "$BENCH_BUFFERS" "$BENCH_NSUBBUF" "$BENCH_SUBBUF" \
		"$(med "${ev[@]}")" "$worst" "$(med "${rate[@]}")" "$(med "${rss[@]}")" >>"$table"
	echo "channels.sh: per-$BENCH_BUFFERS $BENCH_NSUBBUF x $BENCH_SUBBUF: worst run lost $worst" >&2
done
{
	echo
	echo "Stress case: $py workloads.py stress $seconds, giltrace:gil_* with contexts $BENCH_CONTEXTS, $reps runs per row, discard mode (no blocking)."
} >>"$table"
cat "$table"
bench_append "$table" "Channel settings vs lost GIL events (bench/channels.sh)"
