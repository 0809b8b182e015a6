#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace report --svg/--html on a real recording: the pictures are
# well-formed, render in headless Chromium (a screenshot with the bar
# colours in it; a DOM with one row per traced thread), and each row
# says what an independent count of the same trace says (awk over
# babeltrace2's text: acquisitions, failed wake-ups, timeouts).
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || gt_skip "Chromium not installed at $CHROMIUM (apt-get install chromium)"

# Two CPU-bound threads and one I/O-bound thread: waits, failed
# wake-ups and timeouts all occur.
"$GILTRACE" record -q -o "$T/trace" -- "$PY" -c '
import socket, threading
def spin(n):
    while n: n -= 1
def io():
    a, b = socket.socketpair()
    for _ in range(300):
        a.send(b"x"); b.recv(1)
t = [threading.Thread(target=spin, args=(2000000,)) for _ in range(2)] + [threading.Thread(target=io)]
[x.start() for x in t]; [x.join() for x in t]
'
"$GILTRACE" report --picture-only --svg "$T/gil.svg" --html "$T/gil.html" "$T/trace"
gt_views_agree "$T/trace"
xmllint --noout "$T/gil.svg" || gt_fail "the SVG is not well-formed XML"

# Independent count, per thread, from babeltrace2's text output.
# Compact cycles read as the events they stand for (giltrace(7)).
babeltrace2 "$T/trace" | /usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" >"$T/trace.txt"
awk '
/giltrace:gil_/ {
	match($0, /vtid = [0-9]+/); tid = substr($0, RSTART + 7, RLENGTH - 7)
	seen[tid] = 1
}
/giltrace:gil_acquire_begin:/ { woken[tid] = 0 }
/giltrace:gil_wait_begin:/ { if (woken[tid]) failed[tid]++; woken[tid] = 0 }
/giltrace:gil_wait_end:/ {
	if ($0 ~ /timed_out = 1/) { timeouts[tid]++; woken[tid] = 0 } else { woken[tid] = 1 }
}
/giltrace:gil_acquire_end:/ { acq[tid]++; woken[tid] = 0 }
/giltrace:gil_acquire_abandon:/ { woken[tid] = 0 }
END { for (t in seen) printf "%s %d %d %d\n", t, acq[t], failed[t], timeouts[t] }
' "$T/trace.txt" | sort -n >"$T/expected"
[ "$(wc -l <"$T/expected")" -ge 4 ] || gt_fail "expected at least 4 threads in the trace: $(cat "$T/expected")"

chrome() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" 2>>"$T/chrome.log"
}

# The DOM Chromium built from the HTML page: one row per thread, and
# each row's figures equal the independent count.
chrome --dump-dom "file://$T/gil.html" >"$T/dom.html" || gt_fail "Chromium could not load the HTML page: $(tail -3 "$T/chrome.log")"
sed -n 's/.*<title>[^<]* tid \([0-9]*\): \([0-9]*\) acquisitions, holding [0-9.]*%, waiting [0-9.]*%, \([0-9]*\) failed wake-ups, \([0-9]*\) timeouts<\/title>.*/\1 \2 \3 \4/p' \
	"$T/dom.html" | sort -n >"$T/rendered"
rows=$(grep -c '<g class="thread"' "$T/dom.html" || true)
[ "$rows" -eq "$(wc -l <"$T/expected")" ] || gt_fail "the page has $rows thread rows, the trace $(wc -l <"$T/expected") threads"
diff -u "$T/expected" "$T/rendered" >"$T/diff" || gt_fail "rows disagree with the trace (tid acquisitions failed timeouts): $(cat "$T/diff")"
grep -q 'id="wait-hist"' "$T/dom.html" && grep -q 'id="wakeup-hist"' "$T/dom.html" || gt_fail "histograms missing from the page"

# A screenshot of the SVG: not blank, and the holding and waiting
# colours are there.
chrome --window-size=1440,900 --screenshot="$T/shot.png" "file://$T/gil.svg" >/dev/null ||
	gt_fail "Chromium could not render the SVG: $(tail -3 "$T/chrome.log")"
"$PY" "$(dirname "$0")/lib/png_colors.py" "$T/shot.png" 2f9e44 e03131 >"$T/colors"
distinct=$(sed -n 's/^distinct //p' "$T/colors")
hold=$(sed -n 's/^2f9e44 //p' "$T/colors")
wait=$(sed -n 's/^e03131 //p' "$T/colors")
[ "$distinct" -gt 20 ] || gt_fail "the screenshot is (nearly) blank: $distinct colours"
[ "$hold" -gt 1000 ] || gt_fail "no 'holding the GIL' bars in the screenshot ($hold pixels)"
[ "$wait" -gt 100 ] || gt_fail "no 'waiting' bars in the screenshot ($wait pixels)"
size=$(wc -c <"$T/gil.svg")
totals=$(awk '{ a += $2; f += $3; t += $4 } END { printf "%d acquisitions, %d failed wake-ups, %d timeouts", a, f, t }' "$T/expected")
echo "PASS: $rows rows agree with the trace ($totals); screenshot has $distinct colours, $hold holding and $wait waiting pixels; SVG $size bytes"
