#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Ctrl-C stops the program and still leaves a readable, analysable
# trace.  Once as a user does it: Ctrl-C typed on a real (pseudo-)
# terminal, which signals the whole foreground process group; COMMAND
# must get it exactly once.  Once as a script does it: SIGINT sent to
# giltrace alone, which passes it on.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP

# Two threads contend for the GIL until interrupted; the handler counts
# how many SIGINTs arrived and waits a little for a duplicate.
cat >"$T/spin.py" <<'PY'
import os, signal, sys, threading, time
hits = []
stop = threading.Event()
def on_int(sig, frame):
    hits.append(sig)
    stop.set()
signal.signal(signal.SIGINT, on_int)
def spin():
    while not stop.is_set():
        sum(range(1000))
threads = [threading.Thread(target=spin) for _ in range(2)]
[t.start() for t in threads]
time.sleep(0.2)
open(sys.argv[1], "w").write("%d\n" % os.getpid())
print("READY", flush=True)
while not stop.is_set():
    time.sleep(0.01)
[t.join() for t in threads]
time.sleep(0.3)
print("SIGINTS %d" % len(hits), flush=True)
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.kill(os.getpid(), signal.SIGINT)
PY

check_trace() { # DIR PID LABEL
	local dir=$1 pid=$2 what=$3
	babeltrace2 "$dir" >"$dir.raw" || gt_fail "$what: babeltrace2 cannot read the trace"
	# Compact cycles read as the events they stand for (giltrace(7)).
	/usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" <"$dir.raw" >"$dir.txt"
	grep -q "giltrace:gil_acquire_end: .*vpid = $pid," "$dir.txt" || gt_fail "$what: no GIL acquisitions of $pid"
	"$GILTRACE" report --picture-only --svg "$dir.svg" "$dir" || gt_fail "$what: the trace cannot be drawn"
	if [ -n "${GILTRACE_ANALYZE:-}" ]; then
		"$GILTRACE" report "$dir" >"$dir.report" || gt_fail "$what: giltrace report failed on the trace"
	fi
}

# --- Ctrl-C on a terminal -------------------------------------------------
"$PY" "$(dirname "$0")/lib/ctrl_c.py" READY "$GILTRACE" record -o "$T/tty" -- "$PY" "$T/spin.py" "$T/tty.pid" >"$T/tty.out"
grep -q '^SIGINTS 1$' "$T/tty.out" || gt_fail "Ctrl-C: COMMAND did not get exactly one SIGINT: $(cat "$T/tty.out")"
grep -q '^status=signaled:2$' "$T/tty.out" || gt_fail "Ctrl-C: giltrace did not die of SIGINT like COMMAND: $(tail -1 "$T/tty.out")"
grep -q "^giltrace: trace $T/tty: [0-9]* events recorded" "$T/tty.out" || gt_fail "Ctrl-C: no closing line"
check_trace "$T/tty" "$(cat "$T/tty.pid")" "Ctrl-C"
echo "Ctrl-C on a terminal: one SIGINT, giltrace died of SIGINT, trace readable"

# --- SIGINT sent to giltrace by another process -------------------------------
"$GILTRACE" record -o "$T/kill" -- "$PY" "$T/spin.py" "$T/kill.pid" >"$T/kill.out" 2>"$T/kill.err" &
gpid=$!
gt_wait_file "$T/kill.pid"
kill -INT "$gpid"
rc=0
wait "$gpid" || rc=$?
[ "$rc" -eq 130 ] || gt_fail "kill -INT: status $rc, want 130 (death by SIGINT)"
grep -q '^SIGINTS 1$' "$T/kill.out" || gt_fail "kill -INT: COMMAND did not get exactly one SIGINT: $(cat "$T/kill.out")"
check_trace "$T/kill" "$(cat "$T/kill.pid")" "kill -INT"
echo "PASS: SIGINT from the terminal and from a process both leave an analysable trace"
