#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Python functions, who made whom wait and thread names end to end, on
# every interpreter present: tests/py/pyfunctions.py holds the GIL from C
# (tests/py/gilhold.c, built here against each interpreter's headers)
# from known Python functions and lines, on a schedule it records
# itself, recorded with the threads' Python frames; giltrace-analyze
# must place exactly the program's holds at those functions and lines,
# split the waiter's waiting behind the holder's holds within the
# extension's own clock readings, and name the threads
# (tests/lib/pyfunctions_check.py); the timeline picture must label the
# threads with their names and name the holder's functions and lines on
# hover, and giltrace top must place exactly those holds and make them
# its intervals' top holders (tests/lib/pyviews_check.py).  Every view of each recording agrees
# (gt_record).  Skipped, with the reason, while the shim records no
# Python frames.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
ANALYZE=$GT_BUILDDIR/analyzer/giltrace-analyze
GILTRACE=$GT_BUILDDIR/frontend/giltrace
PROG=$GT_SRCDIR/tests/py/pyfunctions.py
# Phase 1: 6 holds of 40 ms from hold_long, 6 of 10 ms from hold_short;
# phase 2: 5 holds of 40 ms from spin_in_c (pyfunctions.py).
ARGS="6 40 10 5 40"

ran=0 framed=0 unframed=
while read -r name py; do
	gt_build_gilhold "$name" "$py" "$T/ext-$name" || continue
	# shellcheck disable=SC2086
	# Blocking (gt_record): exact counts need every event.
	gt_record "$T/trace-$name" --blocking -- "$py" "$PROG" "$T/ext-$name" $ARGS >"$T/prog-$name.json" ||
		gt_fail "$name: the workload failed"
	"$ANALYZE" --format=json "$T/trace-$name" >"$T/report-$name.json" || gt_fail "$name: giltrace-analyze failed"
	"$ANALYZE" "$T/trace-$name" >"$T/report-$name.txt"
	ran=$((ran + 1))
	rc=0
	printf '%s: ' "$name"
	/usr/bin/python3 "$GT_SRCDIR/tests/lib/pyfunctions_check.py" "$T/report-$name.json" "$T/report-$name.txt" \
		"$T/prog-$name.json" "$PROG" "$T/trace-$name" || rc=$?
	if [ $rc -eq 0 ]; then
		# The picture and top (giltrace(1)) against the program's account too.
		GILTRACE_ANALYZE=$ANALYZE "$GILTRACE" report --picture-only --svg "$T/picture-$name.svg" "$T/trace-$name" ||
			gt_fail "$name: giltrace report failed"
		"$GILTRACE" top --interval 0.1 --json-lines --replay "$T/trace-$name" >"$T/top-$name.jsonl" &&
			"$GILTRACE" top --interval 0.1 --replay "$T/trace-$name" >"$T/top-$name.txt" ||
			gt_fail "$name: giltrace top --replay failed"
		printf '%s: ' "$name"
		/usr/bin/python3 "$GT_SRCDIR/tests/lib/pyviews_check.py" "$T/picture-$name.svg" "$T/top-$name.jsonl" \
			"$T/top-$name.txt" "$T/prog-$name.json" "$PROG" ||
			gt_fail "$name: the picture or top disagrees with the program (trace kept in $T/trace-$name with GT_KEEP_TMP=1)"
	fi
	case $rc in
	0) framed=$((framed + 1)) ;;
	77) unframed="$unframed $name" ;;
	*) gt_fail "$name: the report disagrees with the program (trace kept in $T/trace-$name with GT_KEEP_TMP=1)" ;;
	esac
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no interpreter with its headers"
[ $framed -gt 0 ] || gt_skip "the shim records no Python frames yet: no py_code events in the trace"
[ -z "$unframed" ] || gt_fail "no Python frames recorded for:$unframed (see above)"
echo "PASS: Python functions, blockers and names on $framed interpreters"
