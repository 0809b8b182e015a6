#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# --all-locks: every lock call recorded ('giltrace:*'); the contended
# locks the analyzer reports, and their counters (acquisitions,
# contended, busy, owner changes, timeouts, signals, broadcasts, posts),
# equal those re-derived from babeltrace2's text by
# tests/lib/gil_reference.py.  Workloads: the CPython 3 GIL protocol
# program (mutexes and condvars) and Debian's python3 passing items
# through a queue.Queue (semaphores too).
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"

analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
ref=$GT_SRCDIR/tests/lib/gil_reference.py
[ -x "$analyze" ] || gt_fail "$analyze not built"
[ -x "$GT_BUILDDIR/tests/progs/gil_protocol" ] || gt_fail "tests/progs/gil_protocol is not built"
command -v python3 >/dev/null || gt_skip "python3 is needed to check the JSON"

check() {	# check NAME: analyse $GT_TMP/NAME with --all-locks, compare
	"$analyze" --all-locks --format=json "$GT_TMP/$1" >"$GT_TMP/$1.json" || gt_fail "$1: analyzer failed"
	"$analyze" --all-locks "$GT_TMP/$1" >"$GT_TMP/$1.txt" || gt_fail "$1: text report failed"
	grep -q 'Contended locks, longest total wait first' "$GT_TMP/$1.txt" || gt_fail "$1: no lock table in text"
	# The reference's own line in the failure: a CI summary keeps only that.
	babeltrace2 "$GT_TMP/$1" | python3 "$ref" locks "$GT_TMP/$1.json" >"$GT_TMP/$1.ref" 2>&1 ||
		gt_fail "$1: lock figures differ: $(tail -1 "$GT_TMP/$1.ref")"
	printf '%-10s %s\n' "$1:" "$(cat "$GT_TMP/$1.ref")"
}

# Recorded blocking (gt_record): exact counts need every event.
gt_record "$GT_TMP/protocol" --all-locks --blocking -- "$GT_BUILDDIR/tests/progs/gil_protocol" --threads 6 >/dev/null ||
	gt_fail "gil_protocol failed under the shim"
check protocol

if [ "${GT_SANITIZERS:-no}" != yes ] && [ -x /usr/bin/python3 ]; then
	gt_record "$GT_TMP/queue" --all-locks --blocking -- /usr/bin/python3 -c '
import threading, queue
q = queue.Queue(maxsize=8)
def produce():
    for i in range(2000):
        q.put(i)
    q.put(None)
def consume():
    while q.get() is not None:
        pass
t = [threading.Thread(target=produce), threading.Thread(target=consume)]
[x.start() for x in t]; [x.join() for x in t]' || gt_fail "python3 failed under the shim"
	check queue
else
	echo "skipping the python3 workload (sanitizer build or no /usr/bin/python3)"
fi
echo "PASS"
