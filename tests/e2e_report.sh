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

# The demo program: a convoy, a countdown and hashing threads, so that
# waits, timeouts and (often) failed wake-ups occur.
"$GILTRACE" record -q -o "$T/trace" -- "$PY" "$GT_SRCDIR/examples/gil_convoy.py" >/dev/null
gt_views_agree "$T/trace" demo

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

# The picture's figures are the analyzer's: per thread acquisitions,
# time held and waited, failed wake-ups and timeouts; the wait and
# wake-up latency distributions' counts, totals and maxima.
"$GILTRACE" report --picture-only --svg "$T/gil.svg" "$T/trace"
"$PY" - "$T/gil.svg" "$T/json.an" <<'PY' || gt_fail "the picture and the analyzer disagree"
import json, sys
import xml.etree.ElementTree as ET
svg = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
ns = "{http://www.w3.org/2000/svg}"
picture = {}
for g in svg.iter(ns + "g"):
    if g.get("class") == "thread":
        picture[int(g.get("data-tid"))] = [int(g.get("data-" + k)) for k in
            ("acquisitions", "held-ns", "waited-ns", "failed-wakeups", "timeouts")]
analyzer, hists = {}, {"wait-hist": [0, 0, 0], "wakeup-hist": [0, 0, 0]}
for p in doc["processes"]:
    for gil in p["gils"]:
        for t in gil["threads"]:
            r = analyzer.setdefault(t["tid"], [0] * 5)
            for i, k in enumerate(("acquisitions", "held_ns", "waited_ns", "failed_wakeups", "timeouts")):
                r[i] += t[k]
        for name, key in (("wait-hist", "wait_ns"), ("wakeup-hist", "wakeup_latency_ns")):
            d = gil[key]
            hists[name][0] += d["count"]
            hists[name][1] += d.get("total", 0)
            hists[name][2] = max(hists[name][2], d["max"] or 0)
bad = 0
for tid in sorted(set(picture) | set(analyzer)):
    if picture.get(tid) != analyzer.get(tid):
        print("tid %s: picture %s, analyzer %s (acquisitions held waited failed timeouts)"
              % (tid, picture.get(tid), analyzer.get(tid)), file=sys.stderr)
        bad = 1
for g in svg.iter(ns + "g"):
    if g.get("class") == "hist":
        mine = [int(g.get(k)) for k in ("data-count", "data-total-ns", "data-max-ns")]
        if mine != hists[g.get("id")]:
            print("%s: picture %s, analyzer %s (count total max)" % (g.get("id"), mine, hists[g.get("id")]),
                  file=sys.stderr)
            bad = 1
print("%d threads, %d waits, %d wake-ups compared" % (len(picture), hists["wait-hist"][0], hists["wakeup-hist"][0]))
sys.exit(bad)
PY
echo "PASS: report passes through; the picture's figures are the analyzer's"
