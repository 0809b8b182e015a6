#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Python frames end to end, on every interpreter present: a program
# whose threads know where they release and take the GIL
# (tests/py/pyframes_prog.py: time.sleep at a marked line, a C
# extension holding the GIL from C three calls down, timed by itself;
# a threading.Thread subclass, a thread of _thread, a daemon thread
# still running when the interpreter finalizes) is recorded with its
# frames, at the default depth (8) and at 3, and its trace checked
# against the program's own account of itself, line tables decoded by
# the interpreter that ran it (tests/lib/pyframes_check.py).
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
gt_need_checker
T=$GT_TMP

# check NAME PYTHON DEPTH: record the program with DEPTH frames, check.
check() {
	local name=$1 py=$2 depth=$3 out="$T/$1-$3"
	GILTRACE_PYFRAMES=$depth gt_record "$out.trace" -- \
		"$py" "$GT_SRCDIR/tests/py/pyframes_prog.py" "$T/ext-$name" "$out.json" ||
		gt_fail "$name: the program failed under the shim"
	/usr/bin/python3 "$GT_SRCDIR/tests/lib/pyframes_check.py" "$out.trace" "$out.json" "$depth" ||
		gt_fail "$name: the frames disagree with the program (trace kept in $out.trace with GT_KEEP_TMP=1)"
}

ran=0
while read -r name py; do
	gt_build_gilhold "$name" "$py" "$T/ext-$name" || continue
	check "$name" "$py" 8
	# The views were checked at depth 8: the same trace but shorter frames.
	GT_VIEWS_CHECK=0 check "$name" "$py" 3
	ran=$((ran + 1))
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no interpreter with its headers"
echo "PASS: Python frames on $ran interpreters"
