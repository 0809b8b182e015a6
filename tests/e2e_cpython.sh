#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Real CPython under the shim, every interpreter gt_pythons lists
# (pyenv 2.7.18 and 3.6 to 3.13, Debian's stripped python3; absent ones
# are skipped with the reason).  Each runs tests/py/contention.py with a
# private session daemon recording, and from the trace
# (tests/trace_check.py):
# - one GIL, identified once, by the method that build leaves the shim
#   (semaphore-caller for 2.7, runtime-extent for Debian's stripped
#   binary, callsite-symbol for the others), with the version the
#   interpreter itself reports;
# - per thread, every acquire attempt ends and every release is the
#   holder's; the waits and timeouts of each attempt equal the fields of
#   its gil_acquire_end; no event was discarded;
# - the contention the workload creates by construction is there: every
#   Python thread took the GIL, and in CPython 3 some attempt waited and
#   some wait timed out;
# - the workload's output is byte-identical with and without the shim.
# On 3.12+, a sub-interpreter with its own GIL (tests/py/subinterp.py):
# two GILs told apart, the second learned from the first's call site.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

gt_need_checker
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }

expected_method() {
	case $1 in
	2.7*) echo semaphore-caller ;;
	debian*) echo runtime-extent ;;
	*) echo callsite-symbol ;;
	esac
}

# assert NAME JQ_EXPR MESSAGE: JQ_EXPR over the summary must be true.
assert() {
	jq -e "$2" "$GT_TMP/$1.summary" >/dev/null || gt_fail "$1: $3"
}

# record NAME PY SCRIPT: run SCRIPT without and with the shim; compare
# output; write the trace checker's summary.
record() {
	local name=$1 py=$2 script=$3
	"$py" "$script" >"$GT_TMP/$name.plain" 2>&1 || gt_fail "$name: the workload fails without the shim"
	# Blocking (gt_record): exact counts need every event.
	gt_record "$GT_TMP/$name.trace" --blocking -- "$py" "$script" >"$GT_TMP/$name.out" 2>&1 ||
		gt_fail "$name: the workload fails under the shim"
	cmp -s "$GT_TMP/$name.plain" "$GT_TMP/$name.out" ||
		gt_fail "$name: output differs with the shim: $(diff "$GT_TMP/$name.plain" "$GT_TMP/$name.out" | head -5)"
	check summary "$GT_TMP/$name.trace" >"$GT_TMP/$name.summary" ||
		gt_fail "$name: the trace breaks the per-thread grammar or lost events (above)"
}

pythons=$(gt_pythons)
[ -n "$pythons" ] || gt_skip "no CPython interpreter is present"
covered=
while read -r name py; do
	version=$("$py" -c 'import sys; print(sys.version.split()[0])')
	method=$(expected_method "$name")
	record "$name" "$py" "$here/py/contention.py"
	assert "$name" '.processes | length == 1' "expected one traced process"
	assert "$name" '.processes[0].gil_not_found == 0' "gil_not_found in a Python process"
	assert "$name" '.processes[0].gils | length == 1' "expected exactly one GIL"
	assert "$name" ".processes[0].gils[0] | .identified == 1 and .method == \"$method\"" \
		"identified by $(jq -r '.processes[0].gils[0].method' "$GT_TMP/$name.summary"), expected $method"
	assert "$name" ".processes[0].gils[0].runtime == \"CPython $version\"" \
		"runtime $(jq -r '.processes[0].gils[0].runtime' "$GT_TMP/$name.summary"), the interpreter says $version"
	# main, spinner, setter, two CPU and one I/O thread
	assert "$name" '[.processes[0].gils[0].threads[] | select(.acquisitions > 0)] | length >= 6' \
		"fewer than 6 threads took the GIL"
	case $name in
	2.7*) ;;
	*) assert "$name" '.processes[0].gils[0].totals | .waits > 0 and .timeouts > 0 and .contended_acquisitions > 0' \
		"no wait or no timeout although the spinner forces both" ;;
	esac
	echo "ok: $name (CPython $version) $method: $(jq -c '.processes[0].gils[0].totals' "$GT_TMP/$name.summary")"
	covered="$covered $name"

	if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
		record "$name-subinterp" "$py" "$here/py/subinterp.py"
		# The main GIL as in the one-interpreter run (runtime-extent in a
		# stripped build), the second learned from its call site.
		assert "$name-subinterp" "[.processes[0].gils[].method] == [\"$method\", \"callsite-learned\"]" \
			"the sub-interpreter's GIL is not told apart: $(jq -c '[.processes[0].gils[].method]' "$GT_TMP/$name-subinterp.summary")"
		assert "$name-subinterp" "[.processes[0].gils[].runtime] | all(. == \"CPython $version\")" \
			"wrong runtime version"
		assert "$name-subinterp" '.processes[0].gils[1] | (.totals.waits > 0 and .totals.timeouts > 0 and ([.threads[] | select(.acquisitions > 0)] | length >= 3))' \
			"the sub-interpreter's GIL lacks the contention its threads create"
		echo "ok: $name sub-interpreter: $(jq -c '[.processes[0].gils[] | [.gil, .method, .totals.acquisitions]]' "$GT_TMP/$name-subinterp.summary")"
	fi
done <<<"$pythons"
echo "PASS: covered$covered"
