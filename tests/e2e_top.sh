#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace top end to end, with real relay daemons (private ones started
# by giltrace top, inside this test's private session daemon namespace):
# - the first interval is there and has figures;
# - top outlives COMMAND, prints the final interval and the summary, and
#   leaves with COMMAND's status; COMMAND's stdio is untouched;
# - the intervals add up EXACTLY to giltrace-analyze's totals on the trace
#   the relay daemon wrote (every counter, per GIL and per thread), and
#   for a GIL protocol program to its own counts;
# - --json-lines parses, with the documented keys; the table form too;
# - --pid attaches to a process already running under the shim;
# - bad uses fail with one line and status 125.
# Nothing here depends on timing: workloads only outlive a few intervals.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
CHECK="$PY $GT_SRCDIR/tests/lib/top_check.py"
BUSY=$GT_SRCDIR/tests/py/gil_busy.py
PROG=$GT_BUILDDIR/tests/progs/gil_protocol
[ -x "$PROG" ] || gt_fail "$PROG is not built (make check builds it)"
[ -x "$GILTRACE_ANALYZE" ] || gt_fail "giltrace-analyze is not built"
# Private daemons and temporary traces live here: it must end up empty.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

# nothing_left CASE: no daemon of giltrace top's and no file outlived it.
nothing_left() {
	[ -z "$(gt_procs_with_home "$TMPDIR")" ] || gt_fail "$1: session daemon processes left"
	[ -z "$(pgrep -f "^lttng-relayd --output $T/" || true)" ] || gt_fail "$1: relay daemon left"
	[ -z "$(ls -A "$TMPDIR")" ] || gt_fail "$1: files left in TMPDIR: $(ls -A "$TMPDIR")"
}

# Processes the test starts in the background, stopped whatever happens.
bg_pids=
trap 'kill $bg_pids 2>/dev/null || true; gt_lttng_cleanup' EXIT

# start_busy STOP: a CPython process under the shim, without a session,
# spinning two threads until the file STOP exists; returns once the
# threads run (its pid in $pid).
start_busy() {
	LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_SHIM" "$PY" "$BUSY" 2 3600 0 "$1" >/dev/null &
	pid=$!
	bg_pids="$bg_pids $pid"
	while [ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -lt 3 ]; do
		kill -0 "$pid" 2>/dev/null || gt_fail "the process to attach to died"
		sleep 0.1
	done
}

# late_events TRACE: how many event classes TRACE's metadata declares
# after its first stream, i.e. once the session recorded.
late_events() {
	find "$1" -name metadata -printf '%h\n' | while read -r dir; do
		babeltrace2 --output-format=ctf-metadata "$dir"
	done | awk '/^stream \{/ { s = 1 } s && /^event \{/ { n++ } END { print n + 0 }'
}

# offline NAME: the analyzer's JSON of the trace top kept in $T/NAME.trace.
offline() {
	"$GILTRACE_ANALYZE" --format=json "$T/$1.trace" >"$T/$1.offline.json" ||
		gt_fail "$1: giltrace-analyze cannot read the trace the relay daemon wrote"
	gt_views_agree "$T/$1.trace" "$1"
}

# --- CPython, the running daemon: figures, exit, exact sums -------------
rc=0
"$GILTRACE" top --json-lines --file="$T/py.jsonl" -o "$T/py.trace" -- \
	"$PY" "$BUSY" 3 4 3 >"$T/py.out" 2>"$T/py.err" || rc=$?
[ "$rc" -eq 3 ] || gt_fail "COMMAND's exit status 3 became $rc: $(cat "$T/py.err")"
[ "$(cat "$T/py.out")" = done ] || gt_fail "COMMAND's stdout did not come through: $(cat "$T/py.out")"
$CHECK first "$T/py.jsonl" || gt_fail "CPython: no figures in the first interval"
offline py
$CHECK offline "$T/py.jsonl" "$T/py.offline.json" || gt_fail "CPython: intervals differ from the offline analysis"
grep -q '"runtime":"CPython 3' "$T/py.jsonl" || gt_fail "CPython: the GIL was not named"
grep -q "^giltrace: trace $T/py.trace: [0-9]* events recorded, 0 discarded$" "$T/py.err" ||
	gt_fail "no closing line for the kept trace: $(cat "$T/py.err")"
nothing_left "running daemon"

# --- ground truth: a program counting for itself, private daemons ------
"$GILTRACE" top --private-daemon --json-lines --file="$T/prog.jsonl" -o "$T/prog.trace" -- \
	"$PROG" --threads 4 --rounds 15000 >"$T/prog.json" 2>"$T/prog.err" ||
	gt_fail "gil_protocol under giltrace top failed: $(cat "$T/prog.err")"
$CHECK first "$T/prog.jsonl" || gt_fail "gil_protocol: no figures in the first interval"
offline prog
$CHECK offline "$T/prog.jsonl" "$T/prog.offline.json" || gt_fail "gil_protocol: intervals differ from the offline analysis"
$CHECK program "$T/prog.jsonl" "$T/prog.json" || gt_fail "gil_protocol: intervals differ from its own counts"
nothing_left "--private-daemon"

# --- a temporary trace keeps 4 files per stream: disk use is bounded ---
# Tiny files (GILTRACE_TOP_TRACEFILE_SIZE) so that they rotate many times;
# as many sub-buffers as by default (16 MiB per CPU), so that none is lost.
GILTRACE_TOP_TRACEFILE_SIZE=128k "$GILTRACE" top --subbuf-size=128k --num-subbuf=128 \
	--json-lines --file="$T/rot.jsonl" -- "$PROG" --threads 4 --rounds 15000 >"$T/rot.json" 2>"$T/rot.err" &
top=$!
max=0
while kill -0 "$top" 2>/dev/null; do
	# find fails when a file it lists is rotated away meanwhile: what it
	# printed still counts (pipefail would end the test without a word).
	bytes=$({ find "$TMPDIR" -path '*/64-bit/giltrace_*' -type f -printf '%s\n' 2>/dev/null || true; } |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$bytes" -le "$max" ] || max=$bytes
	sleep 0.1
done
wait "$top" || gt_fail "rotating trace files: giltrace top failed: $(cat "$T/rot.err")"
bound=$((4 * 128 * 1024 * $(nproc)))
[ "$max" -le "$bound" ] || gt_fail "rotating trace files: $max bytes of stream files at once, bound $bound"
# Every event takes 40 bytes at least (its vpid, vtid, procname and ip
# contexts alone take 32): without rotation they would not fit.
events=$(sed -n 's/.*"type":"summary".*"events":\([0-9]*\),.*/\1/p' "$T/rot.jsonl")
[ $((events * 40)) -gt $((2 * bound)) ] || gt_fail "rotating trace files: too few events ($events) to test rotation"
# Should top fall behind by more than 4 tiny files (a busy machine), the
# files it did not read are gone: it must say so (lost packets), and its
# counts are then lower bounds; otherwise exact.
$CHECK program "$T/rot.jsonl" "$T/rot.json" --allow-loss || gt_fail "rotating trace files: intervals differ from the program's own counts"
echo "rotating trace files: at most $max bytes on disk (bound $bound) for $events events"
nothing_left "rotating trace files"

# --- the table: appended blocks when not a terminal; stdio untouched ----
rc=0
echo "from stdin" | "$GILTRACE" top -- "$PY" -c '
import sys, threading
def spin(n):
    while n: n -= 1
t = [threading.Thread(target=spin, args=(300000,)) for _ in range(2)]
[x.start() for x in t]; [x.join() for x in t]
print("got " + sys.stdin.read().strip())
sys.stderr.write("to stderr\n")
sys.exit(5)' >"$T/text.out" 2>"$T/text.err" || rc=$?
[ "$rc" -eq 5 ] || gt_fail "table form: exit status 5 became $rc: $(cat "$T/text.err")"
grep -qx "got from stdin" "$T/text.out" || gt_fail "table form: COMMAND's stdin or stdout did not pass"
grep -qx "to stderr" "$T/text.err" || gt_fail "table form: COMMAND's stderr did not pass"
grep -q "final interval" "$T/text.out" || gt_fail "table form: no final interval: $(cat "$T/text.out")"
grep -q "^giltrace top: summary of" "$T/text.out" || gt_fail "table form: no summary"
grep -q "^  all threads " "$T/text.out" || gt_fail "table form: no GIL line"
grep -q $'\033' "$T/text.out" && gt_fail "table form: screen control sequences written to a file"
nothing_left "table form, no -o"

# --- killed by a signal: top dies of it too, after its summary --------
got=$("$PY" -c '
import subprocess, sys
r = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
print(r.returncode)' "$GILTRACE" top -- "$PY" -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)')
[ "$got" = -15 ] || gt_fail "COMMAND killed by SIGTERM: giltrace top returned $got"

# --- --pid: attach to a process already running under the shim ---------
# Attach only once its threads run: the GIL is first seen mid-run.
start_busy "$T/stop"
rc=0
"$GILTRACE" top --json-lines --file="$T/pid.jsonl" -o "$T/pid.trace" --pid "$pid" 2>"$T/pid.err" &
top=$!
# Let it show an interval, then end the process.
while [ ! -s "$T/pid.jsonl" ] && kill -0 "$top" 2>/dev/null; do
	sleep 0.1
done
touch "$T/stop"
wait "$pid" || gt_fail "the attached process failed"
wait "$top" || rc=$?
[ "$rc" -eq 0 ] || gt_fail "--pid: giltrace top exited $rc: $(cat "$T/pid.err")"
$CHECK first "$T/pid.jsonl" || gt_fail "--pid: no figures in the first interval"
offline pid
$CHECK offline "$T/pid.jsonl" "$T/pid.offline.json" || gt_fail "--pid: intervals differ from the offline analysis"
grep -q "\"pid\":$pid," "$T/pid.jsonl" || gt_fail "--pid: the process is not in the view"
grep -q '"runtime":"CPython 3' "$T/pid.jsonl" || gt_fail "--pid: the GIL first seen mid-run was not named"
# Every event class is declared when the session starts, before the
# stream (frontend/session.c, hold_channel): libbabeltrace2 2.0's live
# source writes past a table sized from the metadata it first read when
# it decodes an event whose class, declared later, has a sequence
# (gil_release's), and top aborted now and then.  Declared late means
# exposed, whether or not this run happened to crash.
late=$(late_events "$T/pid.trace")
[ "$late" = 0 ] || gt_fail "--pid: $late event classes declared after the session started"
# The statedump of the start, not recorded, is asked for again.
bin_info=$(babeltrace2 "$T/pid.trace" | grep -c ' lttng_ust_statedump:bin_info: ' || true)
[ "$bin_info" -gt 0 ] || gt_fail "--pid: no statedump in the trace"

# --- --pid, interrupted: top ends, the process goes on -------------------
start_busy "$T/stop2"
"$GILTRACE" top --json-lines --file="$T/int.jsonl" -o "$T/int.trace" --pid "$pid" 2>"$T/int.err" &
top=$!
while [ ! -s "$T/int.jsonl" ] && kill -0 "$top" 2>/dev/null; do
	sleep 0.1
done
kill -INT "$top" 2>/dev/null || true
rc=0
wait "$top" || rc=$?
[ "$rc" -eq 0 ] || gt_fail "--pid, SIGINT: giltrace top exited $rc: $(cat "$T/int.err")"
kill -0 "$pid" 2>/dev/null || gt_fail "--pid, SIGINT: the watched process did not survive giltrace top"
touch "$T/stop2"
wait "$pid" || gt_fail "--pid, SIGINT: the watched process failed"
offline int
$CHECK offline "$T/int.jsonl" "$T/int.offline.json" || gt_fail "--pid, SIGINT: intervals differ from the offline analysis"
nothing_left "--pid"

# --- on a terminal the table is redrawn in place -------------------------
if command -v script >/dev/null; then
	script -qec "$GILTRACE top -- $PY $BUSY 2 2.5 0" /dev/null >"$T/tty.out" 2>&1 ||
		gt_fail "on a terminal: giltrace top failed: $(tail -3 "$T/tty.out")"
	grep -q $'\033\[H\033\[2J' "$T/tty.out" || gt_fail "on a terminal: the table was not redrawn in place"
	grep -q "^giltrace top: summary of" "$T/tty.out" || gt_fail "on a terminal: no summary"
	nothing_left "terminal"
else
	echo "script(1) not installed: terminal form not tested"
fi

# --- --session and --relayd: the user's live session and relay daemon ---
ports=$("$PY" -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
lttng-relayd --output="$T/relay" -C "tcp://127.0.0.1:$1" -D "tcp://127.0.0.1:$2" -L "tcp://127.0.0.1:$3" \
	>"$T/relayd.log" 2>&1 &
relayd=$!
bg_pids="$bg_pids $relayd"
for _ in $(seq 100); do
	"$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$3" 2>/dev/null && break
	sleep 0.1
done
lttng create usersess --live=100000 --set-url="net://127.0.0.1:$1:$2" >/dev/null
rc=0
"$GILTRACE" top --session=usersess --relayd="127.0.0.1:$1:$2:$3" --json-lines --file="$T/sess.jsonl" -- \
	"$PY" "$BUSY" 2 2.5 4 >/dev/null 2>"$T/sess.err" || rc=$?
[ "$rc" -eq 4 ] || gt_fail "--session: exit status 4 became $rc: $(cat "$T/sess.err")"
$CHECK first "$T/sess.jsonl" || gt_fail "--session: no figures in the first interval"
gt_mi_sessions | grep -qx 'usersess inactive' ||
	gt_fail "--session: the session was not stopped again (giltrace top started it)"
# Watching the session alone: it ends when the user destroys the session.
lttng start usersess >/dev/null
start_busy "$T/stop3"
"$GILTRACE" top --session=usersess --relayd="127.0.0.1:$1:$2:$3" --json-lines --file="$T/watch.jsonl" \
	2>"$T/watch.err" &
top=$!
while [ ! -s "$T/watch.jsonl" ] && kill -0 "$top" 2>/dev/null; do
	sleep 0.1
done
lttng destroy usersess >/dev/null
rc=0
wait "$top" || rc=$?
[ "$rc" -eq 0 ] || gt_fail "--session, destroyed: giltrace top exited $rc: $(cat "$T/watch.err")"
grep -q '"type":"summary"' "$T/watch.jsonl" || gt_fail "--session, destroyed: no summary"
touch "$T/stop3"
wait "$pid"
kill "$relayd"
wait "$relayd" || true
echo "--session and --relayd: COMMAND's status, figures, the session left stopped; watching ends with the session"

# --- bad uses: one line, status 125 --------------------------------------
bad() {
	local rc=0
	"$GILTRACE" top "$@" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
	[ "$rc" -eq 125 ] || gt_fail "giltrace top $*: exit $rc, expected 125"
	[ "$(wc -l <"$T/bad.err")" -eq 1 ] || gt_fail "giltrace top $*: not one line: $(cat "$T/bad.err")"
}
bad
bad --pid 1 -- true
bad --interval=0 -- true
bad --relayd=host:1 -- true
bad --pid 999999999
bad --pid $$
bad --session=no-such-session
echo "bad uses: one line each, status 125"
