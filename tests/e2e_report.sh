#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace report runs giltrace-analyze: same output and exit status as
# running the analyzer itself, options passed through, a picture on the
# side when asked; and the picture's per-thread counts equal the
# analyzer's JSON for the same trace.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP

"$GILTRACE" record -q -o "$T/trace" -- "$PY" -c '
import threading
def spin(n):
    while n: n -= 1
t = [threading.Thread(target=spin, args=(1000000,)) for _ in range(3)]
[x.start() for x in t]; [x.join() for x in t]
'

# Without an analyzer: one clear line and status 127.
rc=0
GILTRACE_ANALYZE=/nonexistent/giltrace-analyze "$GILTRACE" report "$T/trace" >/dev/null 2>"$T/none.err" || rc=$?
[ "$rc" -eq 127 ] || gt_fail "missing analyzer: status $rc, want 127"
[ "$(wc -l <"$T/none.err")" -eq 1 ] || gt_fail "missing analyzer: not one line: $(cat "$T/none.err")"

[ -n "${GILTRACE_ANALYZE:-}" ] ||
	gt_skip "giltrace-analyze is not built in this tree yet ($GT_BUILDDIR/analyzer/giltrace-analyze); report pass-through untested"

same_as_analyzer() { # LABEL ARGS...
	local label=$1 rc1=0 rc2=0
	shift
	"$GILTRACE" report "$@" >"$T/$label.gt" 2>"$T/$label.gt.err" || rc1=$?
	"$GILTRACE_ANALYZE" "$@" >"$T/$label.an" 2>"$T/$label.an.err" || rc2=$?
	[ "$rc1" -eq "$rc2" ] || gt_fail "$label: giltrace report exited $rc1, the analyzer $rc2"
	cmp -s "$T/$label.gt" "$T/$label.an" || gt_fail "$label: giltrace report's output differs from the analyzer's"
	cmp -s "$T/$label.gt.err" "$T/$label.an.err" || gt_fail "$label: giltrace report's errors differ from the analyzer's"
	echo "$label: same output and status ($rc1) as giltrace-analyze"
}
same_as_analyzer text "$T/trace"
same_as_analyzer json --format=json "$T/trace"
same_as_analyzer csv --format=csv "$T/trace"
same_as_analyzer missing "$T/no-such-trace"
[ -s "$T/text.gt" ] || gt_fail "empty text report"

# Report and picture at once.
"$GILTRACE" report --html "$T/gil.html" "$T/trace" >"$T/both.out"
[ -s "$T/gil.html" ] && cmp -s "$T/both.out" "$T/text.an" || gt_fail "--html with a report: picture or report missing"

# The picture's counts per thread are the analyzer's.
"$GILTRACE" report --picture-only --svg "$T/gil.svg" "$T/trace"
sed -n 's/.*<title>[^<]* tid \([0-9]*\): \([0-9]*\) acquisitions, held [0-9.]*%, waiting [0-9.]*%, \([0-9]*\) failed wake-ups, \([0-9]*\) timeouts<\/title>.*/\1 \2 \3 \4/p' \
	"$T/gil.svg" | sort -n >"$T/picture"
"$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
rows = {}
for p in doc["processes"]:
    for g in p["gils"]:
        for t in g["threads"]:
            r = rows.setdefault(t["tid"], [0, 0, 0])
            r[0] += t["acquisitions"]; r[1] += t["failed_wakeups"]; r[2] += t["timeouts"]
for tid in sorted(rows):
    print(tid, *rows[tid])
' "$T/json.an" >"$T/analyzer"
diff -u "$T/analyzer" "$T/picture" >"$T/diff" || gt_fail "picture and analyzer disagree (tid acquisitions failed timeouts): $(cat "$T/diff")"
echo "PASS: report passes through; picture agrees with the analyzer on $(wc -l <"$T/picture") threads"
