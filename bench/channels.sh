#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/channels.sh [-n REPS] [-s SECONDS] [-i PYTHON] [-m MODE] [-b BUSY]
# [-c CANDIDATES]: which channel settings record the stress case (one
# Python thread doing 1-byte pipe round trips, bench/workloads.py
# stress) with GIL events enabled without losing any event.  Runs each
# candidate REPS times (default 2) for SECONDS (default 1) on PYTHON
# (default /usr/bin/python3), smallest first, and reports events
# recorded and the worst run's discarded events; likewise for CPython
# 2.7 with 16 threads when present (the heaviest GIL event rate of the
# suite).  MODE is bench/lib.sh's (default shim+py8: giltrace record's
# events, frames at their default); BUSY CPU-bound loops run beside
# every run (default 0; 2 on this 2-CPU machine make the load about 2+).
# CANDIDATES: "buffers size count" triples separated by commas (default
# the list below).  Prints a markdown table, appends it to
# bench/RESULTS.md.
# Exit status: 0, 1 on a failed run, 77 without python or session daemon.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"

reps=2
seconds=1
py=/usr/bin/python3
mode=shim+py8
busy=0
chosen=
while getopts n:s:i:m:b:c: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	s) seconds=$OPTARG ;;
	i) py=$OPTARG ;;
	m) mode=$OPTARG ;;
	b) busy=$OPTARG ;;
	c) chosen=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-s SECONDS] [-i PYTHON] [-m MODE] [-b BUSY] [-c 'uid 1M 4,uid 4M 4']" >&2; exit 2 ;;
	esac
done
bench_check_built
[ -x "$py" ] || gt_skip "$py not present"
gt_lttng_private "$@"

# "buffers sub-buffer-size count", smallest total first.
candidates=(
	"uid 128k 4" "uid 256k 4" "uid 512k 4" "uid 1M 4" "uid 1M 8" "uid 4M 4"
	"pid 256k 4" "pid 1M 4"
)
if [ -n "$chosen" ]; then
	IFS=, read -r -a candidates <<<"$chosen"
fi

# The busy loops beside the runs, stopped at exit before the private
# daemon (gt_lttng_private's EXIT trap).
busy_pids=()
busy_stop() {
	[ ${#busy_pids[@]} -eq 0 ] || kill "${busy_pids[@]}" 2>/dev/null || true
	gt_lttng_cleanup
}
trap busy_stop EXIT
for ((i = 0; i < busy; i++)); do
	(while :; do :; done) &
	busy_pids+=($!)
done
# A second, heavier case when CPython 2.7 is there: its semaphore GIL
# changes hands every 100 bytecodes, so 16 CPU-bound threads produce
# GIL events faster than the stress case.
py27=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/2.7.18/bin/python
[ -x "$py27" ] || py27=

med() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure KEY -- CMD...: run CMD reps times in mode $mode; sets
# m_events (median), m_lost (worst run), m_key (median of KEY), m_rss.
measure() {
	local key=$1 ev=() lost=() val=() rss=() rep
	shift 2
	for ((rep = 1; rep <= reps; rep++)); do
		bench_run "$GT_TMP/run" "$mode" -- "$@"
		ev+=("$(awk '$1 == "events" { print $2 }' "$GT_TMP/run")")
		lost+=("$(awk '$1 == "discarded" { print $2 }' "$GT_TMP/run")")
		val+=("$(awk -v k="$key" '$1 == k { print $2 }' "$GT_TMP/run")")
		rss+=("$(awk '$1 == "maxrss_kb" { print $2 }' "$GT_TMP/run")")
	done
	m_events=$(med "${ev[@]}")
	m_lost=$(printf '%s\n' "${lost[@]}" | sort -g | tail -1)
	m_key=$(med "${val[@]}")
	m_rss=$(med "${rss[@]}")
}

table="$GT_TMP/table.md"
{
	printf '| buffers | sub-buffers per CPU | stress: events (median) | stress: discarded (worst run) | stress: round trips/s | peak RSS KiB |'
	[ -z "$py27" ] || printf ' 2.7, 16 threads: events | 2.7, 16 threads: discarded (worst run) |'
	echo
	printf '|---|---|---:|---:|---:|---:|'
	[ -z "$py27" ] || printf -- '---:|---:|'
	echo
} >"$table"
for c in "${candidates[@]}"; do
	read -r BENCH_BUFFERS BENCH_SUBBUF BENCH_NSUBBUF <<<"$c"
	measure roundtrips_per_s -- "$py" "$BENCH_SRCDIR/bench/workloads.py" stress "$seconds"
	printf '| per-%s | %s × %s | %.0f | %s | %.0f | %.0f |' "$BENCH_BUFFERS" "$BENCH_NSUBBUF" "$BENCH_SUBBUF" \
		"$m_events" "$m_lost" "$m_key" "$m_rss" >>"$table"
	echo "channels.sh: per-$BENCH_BUFFERS $BENCH_NSUBBUF x $BENCH_SUBBUF: stress, worst run lost $m_lost" >&2
	if [ -n "$py27" ]; then
		measure elapsed_s -- "$py27" "$BENCH_SRCDIR/bench/workloads.py" threads 16 30000000
		printf ' %.0f | %s |' "$m_events" "$m_lost" >>"$table"
		echo "channels.sh: per-$BENCH_BUFFERS $BENCH_NSUBBUF x $BENCH_SUBBUF: 2.7 threads, worst run lost $m_lost" >&2
	fi
	echo >>"$table"
done
{
	echo
	echo "Stress case: $py workloads.py stress $seconds${py27:+; 2.7: $py27 workloads.py threads 16 30000000}; mode $mode ($(bench_mode_events "$mode")) with contexts $BENCH_CONTEXTS, $busy busy loops beside, $reps runs per row, discard mode (no blocking)."
} >>"$table"
cat "$table"
bench_append "$table" "Channel settings vs lost GIL events (bench/channels.sh)"
