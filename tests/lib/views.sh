# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# gt_views_agree TRACE [LABEL]: every view of the trace (giltrace-analyze's
# text, JSON and CSV (per thread, --pyfunctions, --blockers), giltrace
# report's SVG and HTML picture, giltrace
# top --replay's JSON lines and table) shows the
# same number for the same quantity (tests/lib/views_check.py); prints
# one line saying what was compared, or fails the test.  A trace the
# analyzer cannot report on (no GIL events, say) has nothing to compare.
# Needs $GT_BUILDDIR and $GT_SRCDIR; sourced by tests/lib/lttng.sh, and
# by tests that run without a session daemon.
gt_views_agree() {
	local trace=$1 label=${2:-$(basename "$1")} dir rc=0
	local analyze=$GT_BUILDDIR/analyzer/giltrace-analyze giltrace=$GT_BUILDDIR/frontend/giltrace
	dir=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-views.XXXXXX")
	if ! "$analyze" --format=json "$trace" >"$dir/report.json" 2>"$dir/err"; then
		echo "$label: no report to compare views with: $(head -1 "$dir/err")"
		rm -rf "$dir"
		return 0
	fi
	{
		"$analyze" --format=csv "$trace" >"$dir/report.csv" &&
		"$analyze" --format=csv --pyfunctions "$trace" >"$dir/report.pyfunctions.csv" &&
		"$analyze" --format=csv --blockers "$trace" >"$dir/report.blockers.csv" &&
		"$analyze" "$trace" >"$dir/report.txt" &&
		GILTRACE_ANALYZE=$analyze "$giltrace" report --picture-only \
			--svg "$dir/picture.svg" --html "$dir/picture.html" "$trace" &&
		"$giltrace" top --json-lines --replay "$trace" >"$dir/top.jsonl" &&
		"$giltrace" top --threads 100000 --replay "$trace" >"$dir/top.txt"
	} 2>"$dir/err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $label: a view of the trace failed (status $rc): $(head -3 "$dir/err")" >&2
		rm -rf "$dir"
		exit 1
	fi
	printf '%s: ' "$label"
	python3 "$GT_SRCDIR/tests/lib/views_check.py" "$dir" || rc=$?
	rm -rf "$dir"
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $label: the views disagree" >&2
		# For a caller to whom the recorded command's status is not
		# its own (regrtest_compare.sh): the disagreement is kept.
		[ -z "${GT_TMP:-}" ] || echo "$label" >>"$GT_TMP/views-disagreed"
		exit 1
	fi
}
