#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The user's way to name any other mutex+condvar big lock: a program
# whose lock functions make every pthread call through wrapper
# functions, as Ruby's do (tests/progs/biglock_wrapped), recorded under
# the shim:
#  - named in GILTRACE_LOCK_FUNCS (acquire:release:yield) alone, the
#    lock is not found (its lock calls are all made in the wrapper) and
#    the trace says so once;
#  - with GILTRACE_LOCK_WRAPPERS naming the wrapper as well, the lock is
#    identified (user-functions), the per-thread grammar holds and every
#    counter of every thread equals what the program counted itself
#    (tests/trace_check.py compare), failed reacquisitions included: its
#    fixed opening sequence makes at least one, and yields that wait and
#    yields that take the lock straight back;
#  - a malformed value is ignored with one line on standard error, and
#    the program still runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

gt_need_checker
prog=$GT_BUILDDIR/tests/progs/biglock_wrapped
[ -x "$prog" ] || gt_fail "$prog not built"
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }
funcs=bl_acquire:bl_release:bl_yield

# Without the wrapper named: nothing found, said once.
GILTRACE_LOCK_FUNCS=$funcs gt_record "$GT_TMP/nowrap.trace" -- "$prog" --rounds 20 >"$GT_TMP/nowrap.json" ||
	gt_fail "the program fails under the shim"
check summary "$GT_TMP/nowrap.trace" >"$GT_TMP/nowrap.summary" || gt_fail "unwrapped run: bad trace (above)"
jq -e '.processes | length == 1 and .[0].gil_not_found == 1 and (.[0].gils | length) == 0' \
	"$GT_TMP/nowrap.summary" >/dev/null ||
	gt_fail "without GILTRACE_LOCK_WRAPPERS the lock should not be found: $(jq -c '.processes' "$GT_TMP/nowrap.summary")"
echo "ok: without the wrapper named, gil_not_found"

# Named with its wrapper: exact counts (recorded blocking: every event).
for run in 1 2; do
	GILTRACE_LOCK_FUNCS=$funcs GILTRACE_LOCK_WRAPPERS=bl_mutex_lock \
		gt_record "$GT_TMP/wrap$run.trace" --blocking -- "$prog" >"$GT_TMP/wrap$run.json" ||
		gt_fail "the program fails under the shim"
	check compare "$GT_TMP/wrap$run.trace" "$GT_TMP/wrap$run.json" ||
		gt_fail "run $run: the trace and the program's own counts differ (above)"
	"$GT_BUILDDIR/analyzer/giltrace-analyze" --format=json "$GT_TMP/wrap$run.trace" >"$GT_TMP/wrap$run.report" ||
		gt_fail "run $run: giltrace-analyze failed"
	/usr/bin/python3 "$here/lib/gil_reference.py" program "$GT_TMP/wrap$run.report" "$GT_TMP/wrap$run.json" ||
		gt_fail "run $run: the analyzer and the program's own counts differ (above)"
	check summary "$GT_TMP/wrap$run.trace" >"$GT_TMP/wrap$run.summary"
	jq -e '.processes[0].gils[0] | .method == "user-functions" and .runtime == "user-named lock"' \
		"$GT_TMP/wrap$run.summary" >/dev/null ||
		gt_fail "run $run: identified as $(jq -c '.processes[0].gils[0] | [.method, .runtime]' "$GT_TMP/wrap$run.summary")"
	jq -e '.totals.failed_wakeups >= 1 and .totals.waits > .totals.failed_wakeups' "$GT_TMP/wrap$run.json" >/dev/null ||
		gt_fail "run $run: the opening sequence makes a failed reacquisition: $(jq -c .totals "$GT_TMP/wrap$run.json")"
	echo "ok: run $run: $(jq -c .totals "$GT_TMP/wrap$run.json")"
done

# A malformed value: one line, ignored.
LD_PRELOAD="$GT_PRELOAD_FIRST$GT_SHIM" GILTRACE_LOCK_FUNCS=bl_acquire \
	"$prog" --rounds 5 >/dev/null 2>"$GT_TMP/bad.err" ||
	gt_fail "the program fails under the shim with a malformed GILTRACE_LOCK_FUNCS"
[ "$(grep -c '^giltrace: ignoring GILTRACE_LOCK_FUNCS="bl_acquire"' "$GT_TMP/bad.err")" = 1 ] &&
	[ "$(wc -l <"$GT_TMP/bad.err")" = 1 ] ||
	gt_fail "expected one line about the malformed value, got: $(head -3 "$GT_TMP/bad.err")"
echo "PASS: GILTRACE_LOCK_FUNCS with GILTRACE_LOCK_WRAPPERS"
