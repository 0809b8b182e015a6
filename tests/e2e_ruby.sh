#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Ruby's GVL on Debian's ruby (3.1 on Debian 12, 3.3 on 13 and
# unstable, stripped to their dynamic symbols; 3.3's is found by
# scheduler-wait, see giltrace(7), where 3.1's is by thread-start),
# under the shim: tests/rb/contention.rb (a spinner stopped only by a
# time-slice timeout and a yield, two threads passing the GVL with
# Thread.pass, CPU-bound threads beside an I/O-bound one) recorded with
# every lock event, and checked by gt_runtime_check
# (tests/lib/runtime_e2e.sh): output unchanged, the GVL identified by
# thread-start as "Ruby" plus the version Ruby itself reports, the
# per-thread grammar, failed reacquisitions counted and equal to a count
# from the raw lock calls, the analyzer equal to babeltrace2's text.
# Then tracing started after the threads (tests/rb/midrun.rb): the GVL
# found by runtime-extent, the grammar, the analyzer.  And ractors
# (tests/rb/ractors.rb): a GVL each, told apart.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
. "$here/lib/runtime_e2e.sh"
gt_lttng_private "$@"

[ "${GT_SANITIZERS:-no}" != yes ] || gt_skip "sanitizer build: Ruby is not instrumented"
command -v ruby >/dev/null || gt_skip "ruby is not installed (apt-get install ruby)"
gt_need_checker
version=$(ruby -e 'print RUBY_VERSION')
case $version in
3.1.*)
	# rb_global_vm_lock_t: switch_cond and switch_wait_cond, 72 and
	# 120 bytes after the GVL's mutex on x86-64.
	[ "$(uname -m)" = x86_64 ] ||
		gt_skip "Ruby 3.1's hand-over condition variables' offsets are known for x86-64 only"
	handover=72,120 method=thread-start midrun_method=runtime-extent
	;;
3.3.*)
	# The scheduler hands the GVL to the thread it wakes: no
	# hand-over waits, and a woken thread finds the GVL its own, so
	# failed reacquisitions are counted (and must equal the lock
	# calls') but need not occur.
	handover= method=scheduler-wait midrun_method=scheduler-wait
	export GT_MIN_FAILED=0
	;;
*) gt_skip "Ruby $version: the GVL recognition follows Ruby 3.1's and 3.3's thread_pthread.c (Debian 12, 13 and unstable)" ;;
esac

# analyzer_exact NAME: giltrace-analyze's figures of $GT_TMP/NAME.trace
# equal those re-derived from babeltrace2's text (gil_reference.py).
analyzer_exact() {
	"$GT_BUILDDIR/analyzer/giltrace-analyze" --format=json "$GT_TMP/$1.trace" >"$GT_TMP/$1.json" ||
		gt_fail "$1: giltrace-analyze failed"
	babeltrace2 "$GT_TMP/$1.trace" | /usr/bin/python3 "$here/lib/gil_reference.py" count >"$GT_TMP/$1.ref"
	/usr/bin/python3 "$here/lib/gil_reference.py" compare "$GT_TMP/$1.json" "$GT_TMP/$1.ref" ||
		gt_fail "$1: giltrace-analyze and the reference count differ"
	echo "ok: $1: $(jq -c '.processes[0].gils[0].totals | {acquisitions, waits, timeouts, failed_wakeups, releases}' "$GT_TMP/$1.summary")"
}

# 10000: about 200 us of work between two system calls of the I/O thread.
gt_runtime_check ruby "$method" "Ruby $version" "$handover" -- \
	ruby "$here/rb/contention.rb" 10000

# Ruby 3.3's M:N scheduler for the main ractor's threads
# (RUBY_MN_THREADS=1): the native threads that wait for the GVL are
# followed.  Only with GT_RUBY_MN=1: Ruby 3.3.8's M:N mode crashes at
# exit (SIGSEGV in co_start, switching to a thread the teardown freed)
# whenever its exit is a few milliseconds slower than usual, as under a
# recording session, one run in eight to four; a destructor that sleeps
# does it without giltrace (giltrace(7) CAVEATS).
if [ "${version%.*}" = 3.3 ] && [ "${GT_RUBY_MN:-0}" = 1 ]; then
	RUBY_MN_THREADS=1 ruby "$here/rb/contention.rb" 10000 >"$GT_TMP/mn.plain" 2>&1 ||
		gt_fail "mn: contention.rb fails without the shim"
	RUBY_MN_THREADS=1 gt_record "$GT_TMP/mn.trace" -- ruby "$here/rb/contention.rb" 10000 \
		>"$GT_TMP/mn.out" 2>&1 || gt_fail "mn: contention.rb fails under the shim"
	cmp -s "$GT_TMP/mn.plain" "$GT_TMP/mn.out" ||
		gt_fail "mn: output differs with the shim: $(diff "$GT_TMP/mn.plain" "$GT_TMP/mn.out" | head -5)"
	/usr/bin/python3 "$here/trace_check.py" summary "$GT_TMP/mn.trace" >"$GT_TMP/mn.summary" ||
		gt_fail "mn: the trace breaks the per-thread grammar or lost events (above)"
	jq -e --arg rt "Ruby $version" '(.processes | length) == 1 and (.processes[0].gils | length) == 1
		and (.processes[0].gils[0] | .method == "scheduler-wait" and .runtime == $rt
			and .totals.waits > 0 and .totals.acquisitions > 0)' "$GT_TMP/mn.summary" >/dev/null ||
		gt_fail "mn: expected the GVL found by scheduler-wait, waited for: $(jq -c '[.processes[].gils[] | [.method, .runtime, .totals]]' "$GT_TMP/mn.summary")"
	analyzer_exact mn
fi

# Tracing that starts after Ruby's threads did (tests/rb/midrun.rb
# prints "ready", then waits for a line): no thread starts while traced,
# and the GVL is found by runtime-extent, from a wait of a thread on its
# own condition variable with a mutex of Ruby's main ractor object.
echo go | ruby "$here/rb/midrun.rb" >"$GT_TMP/midrun.plain" || gt_fail "midrun.rb fails without the shim"
s=gtmid$$
lttng create "$s" --output="$GT_TMP/midrun.trace" >/dev/null
lttng enable-channel -u -s "$s" chan --subbuf-size=8M --num-subbuf=4 >/dev/null
lttng enable-event -u -s "$s" -c chan 'giltrace:gil_*' >/dev/null
lttng add-context -u -s "$s" -c chan -t vpid -t vtid -t procname >/dev/null
mkfifo "$GT_TMP/go"
LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_SHIM" ruby "$here/rb/midrun.rb" \
	<"$GT_TMP/go" >"$GT_TMP/midrun.out" &
ruby_pid=$!
exec 3>"$GT_TMP/go"
# Not a timing assertion: how long Ruby takes to start is not measured,
# the loop only keeps a broken run from hanging the suite.
for _ in $(seq 600); do
	grep -q '^ready$' "$GT_TMP/midrun.out" && break
	kill -0 "$ruby_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^ready$' "$GT_TMP/midrun.out" || gt_fail "midrun.rb did not get ready under the shim"
lttng start "$s" >/dev/null
echo go >&3
exec 3>&-
wait "$ruby_pid" || gt_fail "midrun.rb fails under the shim"
lttng stop "$s" >/dev/null
lttng destroy "$s" >/dev/null
cmp -s "$GT_TMP/midrun.plain" "$GT_TMP/midrun.out" ||
	gt_fail "midrun: output differs with the shim: $(diff "$GT_TMP/midrun.plain" "$GT_TMP/midrun.out" | head -5)"
# The checker's first complaint in the failure: a CI summary keeps only that.
/usr/bin/python3 "$here/trace_check.py" summary "$GT_TMP/midrun.trace" >"$GT_TMP/midrun.summary" \
	2>"$GT_TMP/midrun.check" || { cat "$GT_TMP/midrun.check" >&2
	gt_fail "midrun: the trace breaks the per-thread grammar or lost events: $(head -1 "$GT_TMP/midrun.check")"; }
cat "$GT_TMP/midrun.check" >&2
jq -e --arg rt "Ruby $version" --arg m "$midrun_method" '(.processes | length) == 1 and (.processes[0].gils | length) == 1
	and (.processes[0].gils[0] | .method == $m and .runtime == $rt
		and .totals.waits > 0 and ([.threads[] | select(.acquisitions > 0)] | length) >= 3)' \
	"$GT_TMP/midrun.summary" >/dev/null ||
	gt_fail "midrun: expected the GVL found by $midrun_method, taken by the three threads: $(jq -c '[.processes[].gils[] | [.method, .runtime, .totals]]' "$GT_TMP/midrun.summary")"
analyzer_exact midrun

# Ractors (tests/rb/ractors.rb): one GVL each, told apart; the main
# ractor's found at a thread's start, the others' at the same place.
ruby "$here/rb/ractors.rb" >"$GT_TMP/ractors.plain" 2>&1 || gt_fail "ractors.rb fails without the shim"
gt_record "$GT_TMP/ractors.trace" -- ruby "$here/rb/ractors.rb" >"$GT_TMP/ractors.out" 2>&1 ||
	gt_fail "ractors.rb fails under the shim"
cmp -s "$GT_TMP/ractors.plain" "$GT_TMP/ractors.out" ||
	gt_fail "ractors: output differs with the shim: $(diff "$GT_TMP/ractors.plain" "$GT_TMP/ractors.out" | head -5)"
/usr/bin/python3 "$here/trace_check.py" summary "$GT_TMP/ractors.trace" >"$GT_TMP/ractors.summary" ||
	gt_fail "ractors: the trace breaks the per-thread grammar or lost events (above)"
# Ruby 3.3 runs the other ractors' threads on its M:N scheduler, whose
# hand-overs are coroutine switches with no lock call that shows them:
# the main ractor's GVL only (giltrace(7) CAVEATS).
if [ "$method" = thread-start ]; then
	ractor_gvls='["thread-start", "callsite-learned", "callsite-learned"]'
else
	ractor_gvls='["scheduler-wait"]'
fi
jq -e --arg rt "Ruby $version" --argjson want "$ractor_gvls" '(.processes | length) == 1
	and ([.processes[0].gils[].method] == $want)
	and ([.processes[0].gils[] | select(.runtime == $rt and .totals.acquisitions > 0)] | length) == ($want | length)' \
	"$GT_TMP/ractors.summary" >/dev/null ||
	gt_fail "ractors: expected the GVLs $ractor_gvls: $(jq -c '[.processes[].gils[] | [.method, .runtime, .totals.acquisitions]]' "$GT_TMP/ractors.summary")"
echo "ok: ractors: $(jq -c '[.processes[0].gils[] | [.gil, .method, .totals.acquisitions]]' "$GT_TMP/ractors.summary")"
echo "PASS: Ruby $version"
