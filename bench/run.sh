#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/run.sh: the whole benchmark suite, after a build (make), in
# about eight minutes on a quiet 2-core machine: the C microbenchmark, the
# CPython workloads, the channel-size search and, when the analyzer's
# benchmark exists, its throughput.  Each part prints its table and
# appends it to bench/RESULTS.md with the date and the machine.
#
# Environment: GT_BUILDDIR (default ./build), BENCH_RESULTS (default
# bench/RESULTS.md), BENCH_REPS (paired repetitions of the CPython
# workloads, default 3).  Timed figures on a busy machine are noise: the
# load average is printed first; run it when the machine is quiet.
#
# Exit status: 0 when every part ran (a skipped part, exit 77, counts as
# ran), 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s)
status=0

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs" >&2
if awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
	echo "bench: warning: the machine is busy; figures will be noisy" >&2
fi

part() {
	local rc=0
	echo "== $*" >&2
	bash "$@" || rc=$?
	case $rc in
	0) ;;
	77) echo "bench: $1 skipped" >&2 ;;
	*) echo "bench: $1 failed with status $rc" >&2; status=1 ;;
	esac
}

part "$here/lockbench.sh" -n 5
part "$here/python.sh" -n "${BENCH_REPS:-3}"
part "$here/channels.sh" -n 2
if [ -e "$here/analyze_bench.sh" ]; then
	part "$here/analyze_bench.sh" -n 3
fi
echo "bench: done in $(($(date +%s) - start)) s; results appended to ${BENCH_RESULTS:-$here/RESULTS.md}" >&2
exit $status
