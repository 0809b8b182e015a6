#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/shim_ab.sh [-n PAIRS] [-i INTERPRETER] [-s SECONDS] LIB_A LIB_B:
# two builds of the shim against each other on the stress workload
# (bench/workloads.py), traced with Python frames at their default.
# PAIRS (default 100) pairs of short runs, A and B in random order in
# each pair, one after the other on one CPU and in one session, so that
# a pair sees the machine as it was for both.  Differences of a few
# percent between two builds drown in bench/python.sh's spread on a
# noisy machine (its pairs take seconds and sessions of their own);
# here each pair takes about a second and a half.
#
# INTERPRETER: debian (default), 2.7 or 3.13, as bench/python.sh names
# them.  Prints the median of the pairs' B/A rate ratios, their middle
# half, how many pairs B won and each side's median rate, and appends
# them to bench/RESULTS.md.  Exit status: 0, 1 on a failed run, 2 on a
# usage error, 77 when no private session daemon can be had.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"
gt_lttng_private "$@"

usage() {
	echo "usage: $0 [-n PAIRS] [-i debian|2.7|3.13] [-s SECONDS] LIB_A LIB_B" >&2
	exit 2
}

pairs=100 interp=debian secs=0.5
while getopts n:i:s: opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	i) interp=$OPTARG ;;
	s) secs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
[[ $pairs =~ ^[1-9][0-9]*$ ]] || usage
lib_a=$(readlink -f "$1")
lib_b=$(readlink -f "$2")
[ -e "$lib_a" ] || bench_die "$1 not found"
[ -e "$lib_b" ] || bench_die "$2 not found"
case $interp in debian | 2.7 | 3.13) ;; *) usage ;; esac
py=$(bench_interp_path "$interp")
[ -x "$py" ] || bench_die "$py not present"

bench_check_built
# The CPU the runs share: the last, away from the session daemon's
# start-up on the first.
cpu=$(($(nproc) - 1))
bench_session_start ab "$GT_TMP/trace" "$(bench_mode_events shim+py8)"

# run LIB: one traced stress run's rate, round trips a second.
run() {
	taskset -c "$cpu" env LD_PRELOAD="$1" GILTRACE_PYFRAMES=8 "$py" \
		"$BENCH_SRCDIR/bench/workloads.py" stress "$secs" |
		awk '$1 == "roundtrips_per_s" { print $2 }'
}

: >"$GT_TMP/rates"
for ((p = 0; p < pairs; p++)); do
	if ((RANDOM % 2)); then
		a=$(run "$lib_a") b=$(run "$lib_b")
	else
		b=$(run "$lib_b") a=$(run "$lib_a")
	fi
	[ -n "$a" ] && [ -n "$b" ] || bench_die "a stress run printed no rate"
	echo "$a $b" >>"$GT_TMP/rates"
done
lttng destroy ab >/dev/null

awk -v a="$1" -v b="$2" -v interp="$interp" -v secs="$secs" '
	{ r[NR] = $2 / $1; ra[NR] = $1; rb[NR] = $2; won += ($2 > $1) }
	function median(x, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
	}
	END {
		n = NR
		m = median(r, n)
		printf "| interpreter | pairs | B/A rate, median | middle half | B faster | A median | B median |\n"
		printf "|---|---:|---:|---:|---:|---:|---:|\n"
		printf "| %s | %d | %.4f | %.4f–%.4f | %d | %.0f /s | %.0f /s |\n", interp, n, m,
			r[int(n / 4) + 1], r[int(3 * n / 4)], won, median(ra, n), median(rb, n)
		printf "\nA: %s; B: %s; stress runs of %s s on one CPU, in one session.\n", a, b, secs
	}' "$GT_TMP/rates" >"$GT_TMP/table.md"
cat "$GT_TMP/table.md"
bench_append "$GT_TMP/table.md" "Two shims, paired (bench/shim_ab.sh, $interp stress)"
