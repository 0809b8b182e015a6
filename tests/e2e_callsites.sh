#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Call sites end to end (issue 6): a CPython thread calls a C extension
# function that holds the GIL for a long time (tests/py/gilhold.c,
# built here against the interpreter's own headers) beside threads
# doing ordinary work, recorded with giltrace record --callsites on every
# interpreter present.  giltrace-analyze must name that function's
# acquisition site first, attribute to it exactly the extension's count
# of holds, and give a total and longest hold within the bounds of the
# extension's own clock readings (tests/lib/callsites_check.py).  On
# Debian's python3 the extension is also stripped: its site must then
# be named gilhold.so+OFFSET, OFFSET inside hold_gil.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
ANALYZE=$GT_BUILDDIR/analyzer/giltrace-analyze
# 20 holds of 40 ms: far more than the other threads and start-up hold.
COUNT=20
MS=40

command -v nm >/dev/null && command -v strip >/dev/null || gt_skip "nm and strip (binutils) are needed"

# hold_gil's extent in DIR/gilhold.so: "START END" in hex.
extent() {
	local addr size type sym
	while read -r addr size type sym; do
		if [ "$sym" = hold_gil ]; then
			printf '%x %x\n' $((16#$addr)) $((16#$addr + 16#$size))
			return 0
		fi
	done < <(nm -S "$1/gilhold.so")
}

# check NAME PYTHON DIR MODE [EXTENT_DIR]: record, analyze, compare.
check() {
	local name=$1 py=$2 dir=$3 mode=$4 extdir=${5:-$3} range
	"$GILTRACE" record -q --callsites -o "$T/trace-$name" -- \
		"$py" "$GT_SRCDIR/tests/py/callsites.py" "$dir" $COUNT $MS >"$T/prog-$name.json" ||
		gt_fail "$name: the workload failed"
	"$ANALYZE" --format=json "$T/trace-$name" >"$T/report-$name.json" || gt_fail "$name: giltrace-analyze failed"
	"$ANALYZE" "$T/trace-$name" >"$T/report-$name.txt"
	"$ANALYZE" --format=csv --callsites "$T/trace-$name" >"$T/report-$name.csv"
	range=$(extent "$extdir")
	[ -n "$range" ] || gt_fail "$name: no hold_gil in $extdir/gilhold.so"
	# shellcheck disable=SC2086
	/usr/bin/python3 "$GT_SRCDIR/tests/lib/callsites_check.py" "$T/report-$name.json" \
		"$T/report-$name.txt" "$T/report-$name.csv" "$T/prog-$name.json" "$dir/gilhold.so" \
		$range "$mode" ||
		gt_fail "$name: call sites disagree with the extension (trace kept in $T/trace-$name with GT_KEEP_TMP=1)"
}

ran=0
while read -r name py; do
	gt_build_gilhold "$name" "$py" "$T/ext-$name" || continue
	check "$name" "$py" "$T/ext-$name" symbol
	ran=$((ran + 1))
	if [[ $name == debian* ]]; then
		mkdir -p "$T/ext-stripped"
		strip --strip-all -o "$T/ext-stripped/gilhold.so" "$T/ext-$name/gilhold.so"
		! nm "$T/ext-stripped/gilhold.so" 2>/dev/null | grep -q hold_gil || gt_fail "strip left hold_gil's symbol"
		check "$name-stripped" "$py" "$T/ext-stripped" stripped "$T/ext-$name"
	fi
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no interpreter with its headers"
echo "PASS: call sites on $ran interpreters"
