#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# bench/analyze_bench.sh [-n REPS] [-e MIN_EVENTS] [-t TRACE_DIR]:
# giltrace-analyze against `babeltrace2 TRACE -o dummy` (libbabeltrace2
# only decoding the same trace) on a trace of at least MIN_EVENTS
# (default 5 000 000) events, REPS (default 5) paired runs in alternating
# order, the trace in the page cache.  Reports elapsed and CPU time,
# events per second, the analyzer/dummy ratios (median of the per-pair
# ratios) and both peak RSS; targets: ratio <= 1.25, analyzer < 64 MiB.
#
# The trace is recorded here (CPython 2.7's semaphore GIL switching
# between busy threads emits GIL events fastest; Debian's python3 doing
# pipe I/O otherwise) unless -t names one.  The --all-locks analysis of
# the same trace is timed too.  Prints a markdown table and appends it
# to bench/RESULTS.md.  Exit status: 0, 1 on a failed run, 77 when no
# private session daemon can be started.
set -euo pipefail
BENCH_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_SRCDIR/bench/lib.sh"

reps=5
min_events=5000000
trace=
while getopts n:e:t: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	e) min_events=$OPTARG ;;
	t) trace=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-e MIN_EVENTS] [-t TRACE_DIR]" >&2; exit 2 ;;
	esac
done
analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
[ -x "$analyze" ] || bench_die "$analyze not built (make)"
[ -x "$GT_BUILDDIR/bench/tracecount" ] || bench_die "$GT_BUILDDIR/bench/tracecount not built (make)"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time not found (apt-get install time)"
gt_lttng_private "$@"

# record SECONDS: a GIL-heavy recording into $GT_TMP/trace.
record() {
	local secs=$1 py27
	py27=$(gt_pythons 2>/dev/null | awk '$1 == "2.7.18" { print $2 }')
	rm -rf "$GT_TMP/trace"
	if [ -n "$py27" ]; then
		gt_record "$GT_TMP/trace" --subbuf-size=8M --num-subbuf=8 -- "$py27" -c "
import threading, time
end = time.time() + $secs
def spin():
    while time.time() < end:
        pass
t = [threading.Thread(target=spin) for _ in range(3)]
[x.start() for x in t]; [x.join() for x in t]"
	else
		gt_record "$GT_TMP/trace" --subbuf-size=8M --num-subbuf=8 -- /usr/bin/python3 -c "
import os, threading, time
end = time.time() + $secs
def io():
    r, w = os.pipe()
    while time.time() < end:
        os.write(w, b'x'); os.read(r, 1)
t = [threading.Thread(target=io) for _ in range(3)]
[x.start() for x in t]; [x.join() for x in t]"
	fi
}

count_events() {
	"$GT_BUILDDIR/bench/tracecount" "$1" | awk '$1 == "events" { print $2 }'
}

if [ -z "$trace" ]; then
	secs=1
	for attempt in 1 2 3 4; do
		record "$secs"
		events=$(count_events "$GT_TMP/trace")
		echo "analyze_bench: recorded $events events in ${secs}s" >&2
		[ "$events" -ge "$min_events" ] && break
		secs=$((secs * (min_events / (events + 1) + 2)))
	done
	trace=$GT_TMP/trace
else
	events=$(count_events "$trace")
fi
[ "$events" -ge "$min_events" ] || bench_die "only $events events recorded, want $min_events"
discarded=$("$GT_BUILDDIR/bench/tracecount" "$trace" | awk '$1 == "discarded" { print $2 }')
size=$(du -sk "$trace" | cut -f1)
find "$trace" -type f -exec cat {} + >/dev/null	# into the page cache

# timed NAME REP CMD...: "elapsed cpu maxrss_kb" of one run into $GT_TMP/runs/NAME.REP
mkdir -p "$GT_TMP/runs"
timed() {
	local name=$1 rep=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$GT_TMP/runs/$name.$rep" "$@" >/dev/null 2>"$GT_TMP/stderr" ||
		bench_die "$name failed: $(tail -2 "$GT_TMP/stderr")"
}

for ((rep = 1; rep <= reps; rep++)); do
	for name in $(bench_rotate "$rep" dummy analyze analyze_all); do
		case $name in
		dummy) timed dummy "$rep" babeltrace2 "$trace" -o dummy ;;
		analyze) timed analyze "$rep" "$analyze" --format=json -o /dev/null "$trace" ;;
		analyze_all) timed analyze_all "$rep" "$analyze" --all-locks --format=json -o /dev/null "$trace" ;;
		esac
	done
	echo "analyze_bench: repetition $rep of $reps done" >&2
done

/usr/bin/python3 - "$GT_TMP/runs" "$reps" "$events" "$discarded" "$size" >"$GT_TMP/table.md" <<'PY'
import statistics, sys
runs, reps, events, discarded, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def load(name, rep):
    e, u, s, m = open("%s/%s.%d" % (runs, name, rep)).read().split()
    return float(e), float(u) + float(s), int(m)
med = statistics.median
rows = []
base = [load("dummy", r) for r in range(1, reps + 1)]
for name, label in (("dummy", "babeltrace2 -o dummy"), ("analyze", "giltrace-analyze"),
                    ("analyze_all", "giltrace-analyze --all-locks")):
    v = [load(name, r) for r in range(1, reps + 1)]
    el = med(x[0] for x in v)
    cpu = med(x[1] for x in v)
    rss = max(x[2] for x in v)
    r_el = med(x[0] / b[0] for x, b in zip(v, base))
    r_cpu = med(x[1] / b[1] for x, b in zip(v, base))
    rows.append("| %s | %.2f | %.2f | %.2f | %.3f | %.3f | %.1f |"
                % (label, el, cpu, events / el / 1e6, r_el, r_cpu, rss / 1024))
    if name == "analyze":
        verdict = ("target %s: %.3f x the dummy sink's elapsed time (<= 1.25), peak RSS %.1f MiB (< 64)"
                   % ("met" if r_el <= 1.25 and rss < 64 * 1024 else "MISSED", r_el, rss / 1024))
print("Trace: %d events (%d discarded), %.1f MiB on disk; %d paired runs, medians.\n"
      % (events, discarded, size / 1024, reps))
print("| reader | elapsed s | CPU s | M events/s | × dummy (elapsed) | × dummy (CPU) | peak RSS MiB |")
print("|---|---|---|---|---|---|---|")
print("\n".join(rows))
print("\n" + verdict + ".")
PY
cat "$GT_TMP/table.md"
bench_append "$GT_TMP/table.md" "Analyzer throughput (bench/analyze_bench.sh, $reps paired runs)"
