#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# CPython's own regression tests for threads (test_threading,
# test_thread, test_queue) on 2.7, 3.11 (pyenv) and 3.13, once without
# the shim and once under it with GIL tracing active (gt_record, private
# session daemon): the same test cases must pass in both runs.  Some
# fail on these machines even without the shim, so the runs are
# compared with each other, case by case (unittest's -v lines, read by
# tests/lib/regrtest_results.py), not with an all-green expectation.
#
# A case that passes in one run and not in the other is run again on
# its own, up to twice more in each mode; it counts as passing in a mode
# if it passed there once.  What still differs fails the test: the shim
# must not make a case fail (or pass) for good, unless the failure is a
# known consequence of tracing itself, listed in known_difference with
# its cause and proven by the failing run's own output (printed).
#
#   make check-regrtest      (scripts/test.sh runs it after make check)
#
# Exit status: 0 same results, 1 a difference, 77 no interpreter or no
# private session daemon (reason printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

TESTS_RUN="test_threading test_thread test_queue"
results() { /usr/bin/python3 "$here/lib/regrtest_results.py" "$@"; }

# The module that runs CPython's tests: test.regrtest in 2.7.
test_module() {
	if "$1" -c 'import sys; sys.exit(sys.version_info[0] != 2)'; then
		echo test.regrtest
	else
		echo test
	fi
}

# Traced runs, numbered: each records into a new directory.
runs=0

# run MODE PY OUT ARGS...: one regrtest run, plain or traced (its trace
# in $GT_TMP/trace.N), its status in run_rc; that status is not ours
# (failing cases are expected), but a hang (124) or a death by signal
# (128 + N) is the caller's to judge.
run() {
	local mode=$1 py=$2 out=$3
	shift 3
	runs=$((runs + 1))
	run_rc=0
	if [ "$mode" = plain ]; then
		timeout 900 "$py" -m "$(test_module "$py")" "$@" >"$out" 2>&1 || run_rc=$?
	else
		gt_record_within 900 \
			"$GT_TMP/trace.$runs" -- "$py" -m "$(test_module "$py")" "$@" >"$out" 2>&1 || run_rc=$?
	fi
}

# Did a whole run hang or die of a signal?
run_broke() {
	[ "$1" -eq 124 ] || [ "$1" -ge 128 ]
}

# passes MODE NAME PY ID: does case ID pass when run on its own?
passes() {
	local mode=$1 name=$2 py=$3 id=$4 module method
	module=$(echo "$id" | cut -d. -f2)
	method=${id##*.}
	run "$mode" "$py" "$GT_TMP/rerun.out" -v -m "$method" "$module"
	results "$GT_TMP/rerun.out" >"$GT_TMP/rerun.results"
	grep -qxE "$(echo "$id" | sed 's/\./\\./g') (ok|skipped|expected-failure)" "$GT_TMP/rerun.results"
}

# known_difference ID OUT: the cause, if ID failing under the shim is a
# known consequence of what tracing needs, proven by OUT (its traced
# output); nothing otherwise.  Each entry says why it cannot be avoided.
known_difference() {
	case $1 in
	test.test_threading.ThreadTests.test_main_thread_after_fork)
		# CPython 3.12+ warns on os.fork() when /proc/self/stat counts
		# more than one thread; LTTng-UST's listener threads, which
		# tracing needs in every process, are counted.  The test
		# expects an empty stderr, and finds the warning there
		# (unittest shortens the message after "This proc").
		if grep -qE "AssertionError: b'<string>:[0-9]+: DeprecationWarning: This proc" "$2"; then
			echo "LTTng-UST's threads make os.fork() warn about a multi-threaded process (CPython 3.12+)"
		fi
		;;
	esac
}

compare() {
	local name=$1 py=$2 id mode n_plain n_traced differ=0 plain_ok traced_ok reason plain_rc
	run plain "$py" "$GT_TMP/$name.plain.out" -v $TESTS_RUN
	plain_rc=$run_rc
	run traced "$py" "$GT_TMP/$name.traced.out" -v $TESTS_RUN
	if run_broke "$run_rc" && ! run_broke "$plain_rc"; then
		gt_fail "$name: the traced run hung or died (status $run_rc; $plain_rc without the shim): $(tail -3 "$GT_TMP/$name.traced.out")"
	fi
	# grep -c reads it all: babeltrace2 must not die of SIGPIPE (pipefail).
	[ "$(babeltrace2 "$GT_TMP/trace.$runs" 2>/dev/null | grep -c 'giltrace:gil_identified:')" -gt 0 ] ||
		gt_fail "$name: no GIL identified in the traced run: tracing was not active"
	results "$GT_TMP/$name.plain.out" >"$GT_TMP/$name.plain"
	results "$GT_TMP/$name.traced.out" >"$GT_TMP/$name.traced"
	n_plain=$(wc -l <"$GT_TMP/$name.plain")
	n_traced=$(wc -l <"$GT_TMP/$name.traced")
	[ "$n_plain" -ge 50 ] || gt_fail "$name: only $n_plain test cases found in the plain run: $(tail -5 "$GT_TMP/$name.plain.out")"
	# Cases that ran in one run only: that run stopped short.
	join -a1 -a2 -e missing -o 0,1.2,2.2 "$GT_TMP/$name.plain" "$GT_TMP/$name.traced" |
		awk '$2 == "missing" || $3 == "missing" { print $1 }' >"$GT_TMP/$name.missing"
	[ ! -s "$GT_TMP/$name.missing" ] ||
		gt_fail "$name: cases that ran in one run only: $(head -5 "$GT_TMP/$name.missing" | tr '\n' ' ')"
	# Cases whose pass/fail differs.
	join -a1 -a2 -e missing -o 0,1.2,2.2 "$GT_TMP/$name.plain" "$GT_TMP/$name.traced" |
		awk '{ p = ($2 == "ok" || $2 == "skipped" || $2 == "expected-failure");
		       t = ($3 == "ok" || $3 == "skipped" || $3 == "expected-failure");
		       if (p != t) print $1 }' >"$GT_TMP/$name.differ"
	while read -r id; do
		plain_ok=0
		traced_ok=0
		grep -qxE "$(echo "$id" | sed 's/\./\\./g') (ok|skipped|expected-failure)" "$GT_TMP/$name.plain" && plain_ok=1
		grep -qxE "$(echo "$id" | sed 's/\./\\./g') (ok|skipped|expected-failure)" "$GT_TMP/$name.traced" && traced_ok=1
		for _ in 1 2; do
			[ $plain_ok = 1 ] || ! passes plain "$name" "$py" "$id" || plain_ok=1
			[ $traced_ok = 1 ] || ! passes traced "$name" "$py" "$id" || traced_ok=1
		done
		if [ $plain_ok = 1 ] && [ $traced_ok = 0 ] &&
				run traced "$py" "$GT_TMP/known.out" -v -m "${id##*.}" "$(echo "$id" | cut -d. -f2)" &&
				reason=$(known_difference "$id" "$GT_TMP/known.out") && [ -n "$reason" ]; then
			echo "$name: $id fails only with the shim, a known difference: $reason"
		elif [ $plain_ok != $traced_ok ]; then
			echo "FAIL: $name: $id passes $([ $plain_ok = 1 ] && echo "only without" || echo "only with") the shim" >&2
			differ=1
		else
			echo "$name: $id differed once, then passed in both modes (flaky)"
		fi
	done <"$GT_TMP/$name.differ"
	[ $differ = 0 ] || gt_fail "$name: the shim changes CPython's test results (above)"
	echo "ok: $name: $n_plain cases without, $n_traced with the shim;" \
		"failing in both: $(awk '$2 == "FAIL" || $2 == "ERROR" { printf "%s ", $1 }' "$GT_TMP/$name.plain")"
}

covered=
pythons=$(gt_pythons 2>/dev/null)
for want in 2.7.18 3.11.7 3.13.0; do
	py=$(echo "$pythons" | awk -v v="$want" '$1 == v { print $2 }')
	if [ -z "$py" ]; then
		echo "skipping CPython $want: not installed (pyenv install $want)" >&2
		continue
	fi
	if ! "$py" -m "$(test_module "$py")" --help >/dev/null 2>&1; then
		echo "skipping CPython $want: its test package is not installed" >&2
		continue
	fi
	compare "$want" "$py"
	covered="$covered $want"
done
[ -n "$covered" ] || gt_skip "none of CPython 2.7.18, 3.11.7, 3.13.0 with its test package is present"
# A run's status is the test cases', not ours: a disagreement of the
# views of its trace is told here.
[ ! -s "$GT_TMP/views-disagreed" ] ||
	gt_fail "the views of the trace disagree on: $(tr '\n' ' ' <"$GT_TMP/views-disagreed")"
echo "PASS: same results with and without the shim on$covered"
