#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The trace reader and the reports on the Python-frame events
# (giltrace(7)): a trace made to measure as LTTng would write it
# (tests/lib/pyframes_scenario.py, real code objects of this python3),
# so that every figure is known: the Python functions of a GIL, who made
# whom wait, thread names, a process whose frames are off.  Then every
# view of it agrees with the JSON (tests/lib/views_check.py), and the
# CSV row sets exclude each other.  Needs no session daemon, so it runs
# in the sanitizer build too.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${GT_BUILDDIR:-$srcdir/build}
analyze=$builddir/analyzer/giltrace-analyze
scenario=$srcdir/tests/lib/pyframes_scenario.py

fail() { echo "FAIL: $*" >&2; exit 1; }
GT_BUILDDIR=$builddir GT_SRCDIR=$srcdir
. "$srcdir/tests/lib/views.sh"
[ -x "$analyze" ] || fail "$analyze not built"
/usr/bin/python3 -c 'import bt2' 2>/dev/null ||
	{ echo "SKIP: the libbabeltrace2 Python bindings are missing (apt-get install python3-bt2)" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-pyframes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 "$scenario" make "$tmp/trace" || fail "cannot write the trace"
"$analyze" --format=json "$tmp/trace" >"$tmp/report.json" 2>"$tmp/err" || fail "status $?: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "messages on stderr: $(cat "$tmp/err")"
"$analyze" "$tmp/trace" >"$tmp/report.txt"
/usr/bin/python3 "$scenario" check "$tmp/report.json" "$tmp/report.txt" || fail "figures differ from the scenario's"
gt_views_agree "$tmp/trace" pyframes

rc=0
"$analyze" --format=csv --pyfunctions --blockers "$tmp/trace" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q '^giltrace-analyze: Only one of' "$tmp/err" ||
	fail "--pyfunctions with --blockers: status $rc, $(cat "$tmp/err")"
echo "PASS: Python frames read and reported exactly, in every view"
