#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Real CPython runs (2.7, 3.11, 3.13, Debian's python3 and every other
# python3.X of the release) recorded by giltrace record, a CPU-bound
# thread beside an I/O-bound one:
#  - giltrace report's per-thread counters equal those re-derived from
#    babeltrace2's text output by tests/lib/gil_reference.py, exactly,
#    and every view (text, CSV, picture, giltrace top --replay) agrees;
#  - the GIL shows failed wake-ups or missed hand-offs, and the I/O
#    thread a wake-up latency;
#  - all recordings analysed at once give the same figures per process;
#  - the text and CSV formats list the same processes and threads.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"

analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
ref=$GT_SRCDIR/tests/lib/gil_reference.py
[ -x "$analyze" ] || gt_fail "$analyze not built"
command -v python3 >/dev/null || gt_skip "python3 is needed to check the JSON"

# Works on 2.7 and 3.x alike.  The I/O thread sleeps (so a CPU thread
# takes the GIL) and does pipe I/O (each call drops and retakes the GIL).
# Two CPU threads: with three threads wanting the GIL, every hand-off
# between two of them is one the third missed, however the machine
# schedules them (one CPU thread alone can win every race on a busy
# machine, and then nothing is missed).
cat >"$GT_TMP/convoy.py" <<'PY'
import ctypes, os, sys, threading, time
libc = ctypes.CDLL(None)
stop = [False]
def cpu():
    n = 0
    while not stop[0]:
        n += 1
def io():
    sys.stdout.write("io_tid %d\n" % libc.gettid())
    sys.stdout.flush()
    r, w = os.pipe()
    for i in range(40):
        time.sleep(0.001)
        for k in range(4):
            os.write(w, b"x")
            os.read(r, 1)
    stop[0] = True
t = [threading.Thread(target=cpu) for _ in range(2)]
u = threading.Thread(target=io)
[x.start() for x in t]; u.start(); u.join(); [x.join() for x in t]
PY

wanted=" 2.7.18 3.11.7 3.13.0 debian "
ran=()
while read -r name path; do
	# and every other CPython of the release (debian-3.X: unstable's).
	case $name in debian-*) ;; *) case $wanted in *" $name "*) ;; *) continue ;; esac ;; esac
	trace=$GT_TMP/all/$name
	"$GILTRACE" record -q --subbuf-size=8M -o "$trace" -- "$path" "$GT_TMP/convoy.py" >"$GT_TMP/$name.out" ||
		gt_fail "CPython $name failed under giltrace record"
	io_tid=$(sed -n 's/^io_tid //p' "$GT_TMP/$name.out")
	"$GILTRACE" report --format=json "$trace" >"$GT_TMP/$name.json" || gt_fail "giltrace report failed on CPython $name"
	gt_views_agree "$trace" "$name"
	babeltrace2 "$trace" | python3 "$ref" count >"$GT_TMP/$name.ref"
	echo "CPython $name:"
	python3 "$ref" compare "$GT_TMP/$name.json" "$GT_TMP/$name.ref" --io-tid "$io_tid" ||
		gt_fail "CPython $name: analyzer and reference differ"
	ran+=("$name")
done < <(gt_pythons)
[ ${#ran[@]} -gt 0 ] || gt_skip "none of the interpreters$wanted is installed"

# Every recording at once: one process each, same figures as alone.
"$analyze" --format=json "$GT_TMP/all" >"$GT_TMP/all.json" || gt_fail "analyzer failed on all traces"
python3 - "$GT_TMP" "${ran[@]}" <<'PY' || gt_fail "analysing the traces together changed the figures"
import json, sys
tmp, names = sys.argv[1], sys.argv[2:]
together = json.load(open(tmp + "/all.json"))
assert len(together["traces"]) == len(names), together["traces"]
procs = {p["pid"]: p for p in together["processes"]}
assert len(procs) == len(names), sorted(procs)
for n in names:
    alone = json.load(open("%s/%s.json" % (tmp, n)))
    for p in alone["processes"]:
        assert p["gils"] == procs[p["pid"]]["gils"], n
print("together: %d traces, %d processes, figures equal to the single analyses" % (len(names), len(procs)))
PY

# Text and CSV: the same threads.
"$analyze" "$GT_TMP/all" >"$GT_TMP/all.txt" || gt_fail "text report failed"
"$analyze" --format=csv "$GT_TMP/all" >"$GT_TMP/all.csv" || gt_fail "CSV report failed"
python3 - "$GT_TMP" <<'PY' || gt_fail "text/CSV disagree with JSON"
import csv, json, sys
tmp = sys.argv[1]
j = json.load(open(tmp + "/all.json"))
rows = list(csv.DictReader(open(tmp + "/all.csv")))
want = sorted((p["pid"], g["address"], t["tid"], t["acquisitions"], t["failed_wakeups"])
              for p in j["processes"] for g in p["gils"] for t in g["threads"])
got = sorted((int(r["pid"]), r["gil"], int(r["tid"]), int(r["acquisitions"]), int(r["failed_wakeups"]))
             for r in rows)
assert got == want, (got, want)
text = open(tmp + "/all.txt").read()
for p in j["processes"]:
    assert "Process %d " % p["pid"] in text
    for g in p["gils"]:
        assert "GIL %s " % g["address"] in text
print("text and CSV: %d thread rows agree with JSON" % len(rows))
PY
echo "PASS: ${ran[*]}"
