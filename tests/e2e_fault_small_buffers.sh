#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fault: buffers far too small for the event rate.  LTTng discards
# events; the program is unaffected, and giltrace-analyze says so at the
# top of its report and in JSON's discarded_events, without crashing.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
[ -x "$analyze" ] || gt_skip "giltrace-analyze not built"
py=$(gt_python3)
[ -n "$py" ] || gt_skip "no python3 (Debian's or pyenv 3.11.7) to run"

prog='
import os, threading
r, w = os.pipe()
def pingpong(n):
    for _ in range(n):
        os.write(w, b"x"); os.read(r, 1)
t = [threading.Thread(target=pingpong, args=(40000,)) for _ in range(2)]
[x.start() for x in t]; [x.join() for x in t]
print("ok")
'
out=$(gt_record "$GT_TMP/trace" --all-locks --subbuf-size=4096 --num-subbuf=2 -- "$py" -c "$prog")
[ "$out" = ok ] || gt_fail "program output changed: $out"

set +e
"$analyze" --format=json "$GT_TMP/trace" >"$GT_TMP/report.json" 2>"$GT_TMP/err"
rc=$?
"$analyze" "$GT_TMP/trace" >"$GT_TMP/report.txt" 2>>"$GT_TMP/err"
rc_text=$?
set -e
[ $rc -eq 0 ] && [ $rc_text -eq 0 ] || gt_fail "giltrace-analyze failed ($rc, $rc_text): $(head -3 "$GT_TMP/err")"
discarded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["discarded_events"])' "$GT_TMP/report.json")
# babeltrace2 warns once per gap; LTTng's per-stream counters can make a
# gap's count wrap below zero, so sum modulo 2^64 like the counters do.
lost=$(babeltrace2 "$GT_TMP/trace" 2>&1 >/dev/null | python3 -c '
import re, sys
print(sum(int(n) for n in re.findall(r"discarded (\d+) events?", sys.stdin.read())) % 2**64)')
[ "$discarded" -gt 0 ] || gt_fail "JSON reports no discarded events with 2 x 4 KiB buffers"
[ "$discarded" -eq "$lost" ] || gt_fail "JSON says $discarded discarded, babeltrace2 warns of $lost"
head -5 "$GT_TMP/report.txt" | grep -qi 'discarded' || gt_fail "text report does not say at the top that events were discarded"
echo "PASS: $discarded discarded events reported (babeltrace2: $lost)"
