#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Threads still trying to take the GIL when the process ends, on every
# CPython gt_pythons lists (CPython 3.14 on leaves a thread that tries
# to take the GIL during finalization hanging instead of ending it):
# - blocked: tests/py/exit_blocked.py, a daemon thread blocked taking
#   the GIL while the main thread, holding it, calls exit(3).  The
#   recording reports exactly that one attempt as unfinished at exit,
#   in the blocked thread's row and the GIL's, alike in the text, JSON
#   and CSV reports, and no anomaly (it is not a trace cut short);
# - finalizing: tests/py/exit_finalizing.py, a daemon thread that keeps
#   taking the GIL while the interpreter finalizes: no anomaly either.
# - underscore: tests/py/exit_underscore.py, N GIL cycles of its own in
#   spin, then os._exit(3), which runs no destructor: spin's N holds and
#   N acquisitions are all in the report, exactly (the shim tells what
#   it has pending before _exit).
# - exec: tests/py/exit_underscore.py exec, the same N cycles, then
#   os.execv of a shell that exits with status 3: all N again (the shim
#   tells what it has pending before an exec).
# All: the program's output and exit status are those of a run without
# the shim.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
. "$(dirname "$0")/lib/giltrace.sh"
gt_lttng_private "$@"
gt_need_checker
T=$GT_TMP
analyze=$GT_BUILDDIR/analyzer/giltrace-analyze

# same NAME PY PROG [ARG...]: PROG run by PY plainly and recorded, with
# the same status and output; leaves $T/NAME.{out,rc} and the trace
# $T/NAME.trace.
same() {
	local name=$1 py=$2 rc=0 rc_rec=0
	shift 2
	timeout -k 5 60 "$py" "$@" >"$T/$name.plain" 2>"$T/$name.plain.err" || rc=$?
	[ $rc != 124 ] || gt_fail "$name: hangs without the shim"
	gt_record_within 90 "$T/$name.trace" -- "$py" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc_rec=$?
	[ $rc_rec = $rc ] || gt_fail "$name: exit status $rc_rec under giltrace, $rc without ($(tail -1 "$T/$name.err"))"
	diff "$T/$name.plain" "$T/$name.out" >&2 || gt_fail "$name: the output differs under giltrace"
	echo $rc >"$T/$name.rc"
}

# all_cycles NAME WHEN: status 3, and every one of the program's own
# cycles in spin (its "cycles N" line) in the trace, though it ended WHEN.
all_cycles() {
	local name=$1 when=$2 want got
	[ "$(cat "$T/$name.rc")" = 3 ] || gt_fail "$name: the status is $(cat "$T/$name.rc"), not 3"
	want=$(sed -n 's/^cycles //p' "$T/$name.out")
	"$analyze" --format=json "$T/$name.trace" >"$T/$name.json" || gt_fail "$name: giltrace-analyze --format=json failed"
	got=$(jq -c '[.processes[].gils[].python_functions[] | select(.function == "spin") | [.holds, .acquisitions]]' \
		"$T/$name.json")
	[ "$got" = "[[$want,$want]]" ] ||
		gt_fail "$name: spin's [holds, acquisitions] are $got, want [[$want,$want]] (what was pending $when lost?)"
	echo "ok: $name: spin's $want holds and acquisitions all in the trace, though it ended $when; status 3 and output unchanged"
}

# no_anomaly NAME JSON: the report's anomalies are all 0.
no_anomaly() {
	local an
	an=$(jq -c '.anomalies | with_entries(select(.value != 0))' "$2")
	[ "$an" = "{}" ] || gt_fail "$1: anomalies reported: $an"
}

ran=0
while read -r name py; do
	gt_build_gilhold "$name" "$py" "$T/$name" || continue
	export PYTHONPATH=$T/$name

	# ---- blocked at exit(3) ----
	n=$name-blocked
	same "$n" "$py" "$GT_SRCDIR/tests/py/exit_blocked.py"
	[ "$(cat "$T/$n.rc")" = 3 ] || gt_fail "$n: the program's own status is $(cat "$T/$n.rc"), not 3"
	tid=$(sed -n 's/^blocked thread: //p' "$T/$n.err")
	"$analyze" --format=json "$T/$n.trace" >"$T/$n.json" || gt_fail "$n: giltrace-analyze --format=json failed"
	no_anomaly "$n" "$T/$n.json"
	got=$(jq -c '[.processes[].gils[] | {gil: .unfinished_at_exit,
		threads: [.threads[] | select(.unfinished_at_exit != 0) | [.tid, .unfinished_at_exit]]}]' "$T/$n.json")
	[ "$got" = "[{\"gil\":1,\"threads\":[[$tid,1]]}]" ] ||
		gt_fail "$n: JSON: unfinished at exit $got, want the GIL's 1, all thread $tid's"
	"$analyze" "$T/$n.trace" >"$T/$n.txt" || gt_fail "$n: giltrace-analyze failed"
	got=$(grep -cE '^ +unfinished at exit +1 ' "$T/$n.txt" || true)
	[ "$got" = 1 ] || gt_fail "$n: the text report does not say once \"unfinished at exit 1\""
	! grep -q "anomal" "$T/$n.txt" || gt_fail "$n: the text report lists anomalies: $(grep -A3 anomal "$T/$n.txt")"
	"$analyze" --format=csv "$T/$n.trace" >"$T/$n.csv" || gt_fail "$n: giltrace-analyze --format=csv failed"
	got=$(/usr/bin/python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["unfinished_at_exit"] != "0"]
print(" ".join("%s:%s" % (r["tid"], r["unfinished_at_exit"]) for r in rows))' "$T/$n.csv")
	[ "$got" = "$tid:1" ] || gt_fail "$n: CSV: unfinished at exit \"$got\", want \"$tid:1\""
	echo "ok: $n: thread $tid's attempt unfinished at exit (text, JSON, CSV), no anomaly, status 3 and output unchanged"

	# ---- taking the GIL during finalization ----
	n=$name-finalizing
	same "$n" "$py" "$GT_SRCDIR/tests/py/exit_finalizing.py"
	"$analyze" --format=json "$T/$n.trace" >"$T/$n.json" || gt_fail "$n: giltrace-analyze --format=json failed"
	no_anomaly "$n" "$T/$n.json"
	got=$(jq '[.processes[].gils[].unfinished_at_exit] | add' "$T/$n.json")
	echo "ok: $n: status $(cat "$T/$n.rc") and output unchanged, no anomaly ($got attempt(s) unfinished at exit)"

	# ---- os._exit, os.execv right after cycles of its own ----
	n=$name-underscore
	same "$n" "$py" "$GT_SRCDIR/tests/py/exit_underscore.py"
	all_cycles "$n" "at os._exit"
	n=$name-exec
	same "$n" "$py" "$GT_SRCDIR/tests/py/exit_underscore.py" exec
	all_cycles "$n" "at os.execv"
	ran=$((ran + 1))
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no CPython with its headers to build tests/py/gilhold.c for"
echo "PASS: threads blocked at exit on $ran interpreters"
