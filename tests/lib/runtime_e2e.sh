# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Shell library for the end-to-end tests of runtimes other than CPython
# (tests/e2e_ruby.sh, tests/e2e_ocaml.sh, tests/e2e_user_lock.sh).
# Source tests/lib/lttng.sh and call gt_lttng_private first.
#
#   gt_runtime_check NAME METHOD RUNTIME HANDOVER -- CMD [ARGS...]
#
# runs CMD without the shim, then recorded under it with every lock
# event, and fails unless:
#  - CMD's output is byte-identical both times;
#  - the trace has one process, one GIL (GT_GILS=N: N GILs), identified
#    by METHOD (or any of METHOD,METHOD2...) with the runtime string
#    RUNTIME, and keeps the per-thread grammar with no event discarded
#    (tests/trace_check.py);
#  - the waits, timeouts and failed reacquisitions of every thread, from
#    the GIL events, equal those re-derived from the raw lock calls
#    (tests/lib/lock_oracle.py; HANDOVER: its --handover offsets, or
#    ""), with at least GT_MIN_FAILED (default 1) failed reacquisitions
#    on each GIL, and the workload yielded (released and retook the
#    lock in one critical section);
#  - giltrace-analyze's per-thread figures equal those re-derived from
#    babeltrace2's text (tests/lib/gil_reference.py).
# Recorded blocking (gt_record --blocking): exact figures need every
# event, however busy the machine.
# Files go to $GT_TMP/NAME.*; the last line printed sums the figures.

gt_runtime_check() {
	local name=$1 method=$2 runtime=$3 handover=$4 gils=${GT_GILS:-1} lib
	shift 4
	[ "$1" = -- ] && shift
	lib=$GT_SRCDIR/tests
	local out=$GT_TMP/$name analyze=$GT_BUILDDIR/analyzer/giltrace-analyze

	"$@" >"$out.plain" 2>&1 || gt_fail "$name: the workload fails without the shim"
	gt_record "$out.trace" --all-locks --blocking --subbuf-size=8M -- "$@" >"$out.out" 2>&1 ||
		gt_fail "$name: the workload fails under the shim: $(tail -3 "$out.out")"
	cmp -s "$out.plain" "$out.out" ||
		gt_fail "$name: output differs with the shim: $(diff "$out.plain" "$out.out" | head -5)"

	/usr/bin/python3 "$lib/trace_check.py" summary "$out.trace" >"$out.summary" ||
		gt_fail "$name: the trace breaks the per-thread grammar or lost events (above)"
	jq -e --argjson n "$gils" '(.processes | length) == 1 and .processes[0].gil_not_found == 0
		and (.processes[0].gils | length) == $n and all(.processes[0].gils[]; .identified == 1)' \
		"$out.summary" >/dev/null ||
		gt_fail "$name: expected one process with $gils GIL(s): $(jq -c '[.processes[] | [.pid, .gil_not_found, [.gils[] | .method]]]' "$out.summary")"

	babeltrace2 "$out.trace" >"$out.txt" || gt_fail "$name: babeltrace2 cannot read the trace"
	/usr/bin/python3 "$lib/lib/lock_oracle.py" compare "$out.summary" --method "$method" \
		--runtime "$runtime" --handover "$handover" --min-failed "${GT_MIN_FAILED:-1}" --min-yields 1 \
		--gils "$gils" <"$out.txt" ||
		gt_fail "$name: the GIL events and the lock calls disagree (above)"

	"$analyze" --format=json "$out.trace" >"$out.json" || gt_fail "$name: giltrace-analyze failed"
	/usr/bin/python3 "$lib/lib/gil_reference.py" count <"$out.txt" >"$out.ref"
	/usr/bin/python3 "$lib/lib/gil_reference.py" compare "$out.json" "$out.ref" ||
		gt_fail "$name: giltrace-analyze and the reference count differ"
	echo "ok: $name: $(jq -c '[.processes[0].gils[] | .totals | {acquisitions, waits, timeouts, failed_wakeups, releases}]' "$out.summary")"
}
