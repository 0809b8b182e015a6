#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# A trace recorded by a newer giltrace, whose giltrace events include
# kinds this version does not know, is read with a warning that says how
# many were left out and of which kinds, never silently: the corpus
# trace py3-compact with its gil_cycle_open events renamed (its metadata
# edited; a kind no version has).  The count is babeltrace2's own count
# of the events renamed.  Text, JSON and CSV reports, `giltrace report`
# and `giltrace top --replay` (its intervals, and its JSON lines) each
# say it; the unedited trace says
# nothing; a name with control bytes is said on one line; a trace of
# only unknown kinds ends in status 5 and one line.
# Needs no session daemon, so it runs in the sanitizer build too.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${GT_BUILDDIR:-$srcdir/build}
analyze=$builddir/analyzer/giltrace-analyze
giltrace=$builddir/frontend/giltrace
tracepack=$srcdir/tests/corpus/tracepack.py
orig=$srcdir/tests/corpus/py3-compact

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$analyze" ] || fail "$analyze not built"
[ -x "$giltrace" ] || fail "$giltrace not built"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed" >&2; exit 77; }
command -v babeltrace2 >/dev/null || { echo "SKIP: babeltrace2 is needed" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-newer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The ground truth: babeltrace2's count of the events to be renamed.
n=$(babeltrace2 "$orig" | grep -c ' giltrace:gil_cycle_open: ' || true)
[ "$n" -gt 0 ] || fail "py3-compact has no gil_cycle_open to rename"
known=giltrace:gil_cycle_open unknown=giltrace:gil_cycle_later
cp -r "$orig" "$tmp/newer"
python3 "$tracepack" edit "$tmp/newer" "name = \"$known\";" "name = \"$unknown\";"
[ "$(babeltrace2 "$tmp/newer" | grep -c " $unknown: " || true)" -eq "$n" ] ||
	fail "the edited trace does not have $n $unknown events"
said="$n giltrace events of kinds this version does not know were left out ($unknown): the trace was recorded by a newer giltrace"

# stderr has exactly the warning, once; status 0.
warned_once() {	# warned_once WHAT PROGRAM-PREFIX
	[ "$(grep -c . "$tmp/err")" -eq 1 ] || fail "$1: want one line on stderr, got: $(cat "$tmp/err")"
	grep -qF "$2: Warning: $said," "$tmp/err" || fail "$1: stderr does not say '$said': $(cat "$tmp/err")"
}

"$analyze" "$tmp/newer" >"$tmp/text" 2>"$tmp/err" || fail "text: status $?"
warned_once text giltrace-analyze
grep -qF "WARNING: $said," "$tmp/text" || fail "text: the report does not say '$said'"

"$analyze" --format=json "$tmp/newer" >"$tmp/json" 2>"$tmp/err" || fail "json: status $?"
warned_once json giltrace-analyze
"$analyze" --format=json "$orig" >"$tmp/orig.json" 2>"$tmp/err" || fail "unedited: status $?"
[ ! -s "$tmp/err" ] || fail "unedited: stderr not empty: $(cat "$tmp/err")"
python3 - "$tmp/json" "$tmp/orig.json" "$n" "$unknown" <<'PY' || fail "json: figures above"
import json, sys
newer, orig = (json.load(open(p)) for p in sys.argv[1:3])
n, kind = int(sys.argv[3]), sys.argv[4]
checks = [
    ("unknown_events", newer["unknown_events"], n),
    ("unknown_event_kinds", newer["unknown_event_kinds"], [kind]),
    ("unedited unknown_events", orig["unknown_events"], 0),
    ("unedited unknown_event_kinds", orig["unknown_event_kinds"], []),
]
bad = [c for c in checks if c[1] != c[2]]
for what, got, want in bad:
    print("FAIL: json: %s is %r, want %r" % (what, got, want))
sys.exit(1 if bad else 0)
PY

"$analyze" --format=csv "$tmp/newer" >"$tmp/csv" 2>"$tmp/err" || fail "csv: status $?"
warned_once csv giltrace-analyze
GILTRACE_ANALYZE=$analyze "$giltrace" report "$tmp/newer" >"$tmp/report" 2>"$tmp/err" || fail "giltrace report: status $?"
warned_once "giltrace report" giltrace-analyze
"$giltrace" top --replay "$tmp/newer" >"$tmp/top" 2>"$tmp/err" || fail "giltrace top --replay: status $?"
warned_once "giltrace top --replay" giltrace
grep -q "^WARNING: [0-9]* giltrace events\? of kinds this version does not know left out in this interval" "$tmp/top" ||
	fail "giltrace top --replay: no interval says it"
# Its JSON lines: the intervals' counts add up to n, the summary has n.
"$giltrace" top -j --replay "$tmp/newer" >"$tmp/top.json" 2>"$tmp/err" || fail "giltrace top --replay -j: status $?"
warned_once "giltrace top --replay -j" giltrace
"$giltrace" top -j --replay "$orig" >"$tmp/orig.top.json" 2>"$tmp/err" || fail "unedited top -j: status $?"
python3 - "$tmp/top.json" "$tmp/orig.top.json" "$n" "$unknown" <<'PY' || fail "top -j: figures above"
import json, sys
def lines(path):
    objs = [json.loads(l) for l in open(path)]
    # The interval count is per interval, repeated on each GIL's line.
    per = {o["interval"]: o["unknown_events"] for o in objs if o["type"] == "interval"}
    summ = [(o["unknown_events"], o["unknown_event_kinds"]) for o in objs if o["type"] == "summary"]
    return sum(per.values()), summ
n, kind = int(sys.argv[3]), sys.argv[4]
got, summ = lines(sys.argv[1])
ogot, osumm = lines(sys.argv[2])
checks = [
    ("intervals' unknown_events", got, n),
    ("summary lines", summ and all(s == (n, [kind]) for s in summ), True),
    ("unedited intervals' unknown_events", ogot, 0),
    ("unedited summary lines", osumm and all(s == (0, []) for s in osumm), True),
]
bad = [c for c in checks if c[1] != c[2]]
for what, got, want in bad:
    print("FAIL: top -j: %s is %r, want %r" % (what, got, want))
sys.exit(1 if bad else 0)
PY

# A damaged name (control bytes; the fuzzer found one) is said on one line.
cp -r "$orig" "$tmp/ctl"
python3 "$tracepack" edit "$tmp/ctl" "name = \"$known\";" $'name = "giltrace:gil\tcycle\nopen";'
"$analyze" --format=csv "$tmp/ctl" >/dev/null 2>"$tmp/err" || fail "control bytes: status $?"
said="$n giltrace events of kinds this version does not know were left out (giltrace:gil?cycle?open): the trace was recorded by a newer giltrace"
warned_once "control bytes in a name" giltrace-analyze

# Every giltrace event of an unknown kind: nothing to report.
cp -r "$orig" "$tmp/only"
python3 "$tracepack" edit "$tmp/only" 'name = "giltrace:' 'name = "giltrace:future_'
while python3 "$tracepack" edit "$tmp/only" 'name = "giltrace:(?!future_)' 'name = "giltrace:future_' 2>/dev/null; do :; done
rc=0
"$analyze" "$tmp/only" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 5 ] || fail "only unknown kinds: status $rc, want 5: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/err")" -eq 1 ] || fail "only unknown kinds: want one line: $(cat "$tmp/err")"
grep -q '^giltrace-analyze: No giltrace events this version knows: [0-9]* giltrace events of kinds .*giltrace:future_' "$tmp/err" ||
	fail "only unknown kinds: $(cat "$tmp/err")"
echo "a trace with $n events of an unknown kind: said in text, JSON, CSV, report and top; only unknown kinds: status 5"
