#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Ground truth: the GIL protocol programs (tests/progs) run CPython 3's
# take_gil/drop_gil and CPython 2.7's semaphore GIL with many threads and
# print the counts they kept themselves.  Recorded under the shim, the
# analyzer's JSON must equal them exactly, per thread and in total:
# acquisitions, contended acquisitions, waits, timeouts, failed wake-ups,
# switches, releases, and for the semaphore GIL missed hand-offs; for a
# thread alone with its GIL (--alone), the time it waited: none.  Every
# recording is analysed alone and then all together (several processes
# and sessions in one run), with the same result.
#
# The semaphore program prints contended_acquisitions as a constant 0
# ("its waits are invisible"); the analyzer counts an attempt as
# contended when the GIL was held or taken meanwhile (giltrace-analyze(1)),
# so that one key is not compared for it.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"

analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
ref=$GT_SRCDIR/tests/lib/gil_reference.py
progs=$GT_BUILDDIR/tests/progs
[ -x "$analyze" ] || gt_fail "$analyze not built"
for p in gil_protocol gil_protocol_extent gil_sem_protocol; do
	[ -x "$progs/$p" ] || gt_fail "$progs/$p is not built (make check builds it)"
done
command -v python3 >/dev/null || gt_skip "python3 is needed to check the JSON"

# The GIL found by runtime extent, as in a stripped interpreter.
strip -o "$GT_TMP/gil_protocol_stripped" "$progs/gil_protocol_extent"

runs=()
# case NAME METHOD SKIP -- CMD ARGS: record, analyse, compare exactly.
# Recorded blocking (gt_record): an exact count needs every event, and
# on a busy machine a default channel lost some (mix16's 16 threads on
# two CPUs, Debian unstable: 21 events discarded in a CI run).
case_run() {
	local name=$1 method=$2 skip=$3 got
	shift 4
	gt_record "$GT_TMP/all/$name" --blocking -- "$@" >"$GT_TMP/$name.prog.json" ||
		gt_fail "$name: the program failed under the shim"
	"$analyze" --format=json "$GT_TMP/all/$name" >"$GT_TMP/$name.json" ||
		gt_fail "$name: the analyzer failed"
	printf '%-24s ' "$name:"
	python3 "$ref" program "$GT_TMP/$name.json" "$GT_TMP/$name.prog.json" ${skip:+--skip "$skip"} ||
		gt_fail "$name: the analyzer's counts differ from the program's"
	got=$(python3 -c 'import json, sys
print(" ".join(sorted({g["identified_by"] for p in json.load(open(sys.argv[1]))["processes"] for g in p["gils"]})))' \
		"$GT_TMP/$name.json")
	[ "$got" = "$method" ] || gt_fail "$name: identified_by \"$got\", expected \"$method\""
	runs+=("$name")
}

case_run script callsite-symbol "" -- "$progs/gil_protocol" --script
case_run mix callsite-symbol "" -- "$progs/gil_protocol"
case_run mix16 callsite-symbol "" -- "$progs/gil_protocol" --threads 16 --rounds 300
case_run together callsite-symbol "" -- "$progs/gil_protocol" --threads 12 --start-together
case_run stripped runtime-extent "" -- "$GT_TMP/gil_protocol_stripped" --threads 8
case_run interpreters "callsite-learned callsite-symbol" "" -- "$progs/gil_protocol" --interpreters 3 --threads 9
case_run sem-script semaphore-caller contended_acquisitions -- "$progs/gil_sem_protocol" --script
case_run sem-mix semaphore-caller contended_acquisitions -- "$progs/gil_sem_protocol"
case_run sem-mix8 semaphore-caller contended_acquisitions -- "$progs/gil_sem_protocol" --threads 8
# One thread alone waits for nothing: its waited_ns is 0 (giltrace(7)).
case_run alone callsite-symbol "" -- "$progs/gil_protocol" --alone --rounds 2000
case_run sem-alone semaphore-caller contended_acquisitions -- "$progs/gil_sem_protocol" --alone --rounds 2000

# All recordings at once: one process each, the same exact counts.
"$analyze" --format=json "$GT_TMP/all" >"$GT_TMP/all.json" || gt_fail "the analyzer failed on all traces"
n=0
for name in "${runs[@]}"; do
	skip=
	case $name in sem-*) skip=contended_acquisitions ;; esac
	python3 "$ref" program "$GT_TMP/all.json" "$GT_TMP/$name.prog.json" ${skip:+--skip "$skip"} >/dev/null ||
		gt_fail "$name: counts differ when analysed with the other recordings"
	n=$((n + 1))
done
echo "all $n recordings analysed together: the same exact counts"

# --pid keeps one process, -o writes the report to a file.
pid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$GT_TMP/mix.prog.json")
"$analyze" --format=json --pid="$pid" -o "$GT_TMP/one.json" "$GT_TMP/all" >"$GT_TMP/one.stdout" ||
	gt_fail "--pid/-o failed"
[ ! -s "$GT_TMP/one.stdout" ] || gt_fail "-o still wrote to standard output"
python3 - "$GT_TMP/one.json" "$GT_TMP/all.json" "$pid" <<'PY' || gt_fail "--pid did not select the process"
import json, sys
one, everything, pid = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
assert [p["pid"] for p in one["processes"]] == [pid], [p["pid"] for p in one["processes"]]
assert one["processes"] == [p for p in everything["processes"] if p["pid"] == pid]
PY
echo "--pid $pid -o FILE: that process alone, the same figures"
echo "PASS"
