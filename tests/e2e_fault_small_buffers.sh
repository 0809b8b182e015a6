#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fault: buffers far too small for the event rate.  LTTng discards
# events; the program is unaffected, and giltrace-analyze says so at the
# top of its report and in JSON's discarded_events, without crashing;
# giltrace record -q, quiet otherwise, still says how many were lost.
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
# bt_lost DIR: the events babeltrace2 warns were discarded in DIR.  It
# warns once per gap; LTTng's per-stream counters can make a gap's count
# wrap below zero, so the sum is modulo 2^64 like the counters.
bt_lost() {
	babeltrace2 "$1" 2>&1 >/dev/null | python3 -c '
import re, sys
print(sum(int(n) for n in re.findall(r"discarded (\d+) events?", sys.stdin.read())) % 2**64)'
}

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
lost=$(bt_lost "$GT_TMP/trace")
[ "$discarded" -gt 0 ] || gt_fail "JSON reports no discarded events with 2 x 4 KiB buffers"
[ "$discarded" -eq "$lost" ] || gt_fail "JSON says $discarded discarded, babeltrace2 warns of $lost"
head -5 "$GT_TMP/report.txt" | grep -qi 'discarded' || gt_fail "text report does not say at the top that events were discarded"

# giltrace record -q: one line when events were lost, none otherwise.
. "$(dirname "$0")/lib/giltrace.sh"
out=$("$GILTRACE" record -q --subbuf-size=4096 --num-subbuf=2 -o "$GT_TMP/quiet" -- "$py" -c "$prog" 2>"$GT_TMP/quiet.err") ||
	gt_fail "giltrace record -q failed: $(cat "$GT_TMP/quiet.err")"
[ "$out" = ok ] || gt_fail "record -q: program output changed: $out"
qlost=$(bt_lost "$GT_TMP/quiet")
[ "$qlost" -gt 0 ] || gt_fail "record -q: babeltrace2 sees no discarded events with 2 x 4 KiB buffers"
[ "$(wc -l <"$GT_TMP/quiet.err")" -eq 1 ] &&
	grep -q "^giltrace: trace $GT_TMP/quiet: [0-9]* events recorded, $qlost discarded" "$GT_TMP/quiet.err" ||
	gt_fail "record -q with $qlost events discarded: want the closing line, got: $(cat "$GT_TMP/quiet.err")"
out=$("$GILTRACE" record -q -o "$GT_TMP/quiet-sound" -- "$py" -c 'print("ok")' 2>"$GT_TMP/sound.err") ||
	gt_fail "giltrace record -q failed: $(cat "$GT_TMP/sound.err")"
[ "$(bt_lost "$GT_TMP/quiet-sound")" -eq 0 ] || gt_fail "record -q: events lost with the default buffers"
[ ! -s "$GT_TMP/sound.err" ] || gt_fail "record -q with nothing lost printed: $(cat "$GT_TMP/sound.err")"
echo "PASS: $discarded discarded events reported (babeltrace2: $lost); record -q said $qlost lost, and nothing when none was"
