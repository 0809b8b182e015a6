#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace record leaves the way COMMAND left: its exit status, its
# death by a signal (giltrace dies of the same signal), 126/127 when it
# cannot run; stdin, stdout and stderr pass through untouched; the
# closing line counts what babeltrace2 reads from the trace.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP

# --- stdio passthrough, exit 0, and the trace of a real interpreter -----
head -c 100000 /dev/urandom >"$T/input"
rc=0
"$GILTRACE" record -o "$T/io" -- "$PY" -c '
import os, sys, threading
data = sys.stdin.buffer.read()
def spin(n):
    while n: n -= 1
t = [threading.Thread(target=spin, args=(200000,)) for _ in range(2)]
[x.start() for x in t]; [x.join() for x in t]
sys.stdout.buffer.write(data[::-1])
sys.stderr.write("pid %d\n" % os.getpid())
' <"$T/input" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || gt_fail "exit 0 became $rc: $(cat "$T/err")"
"$PY" -c 'import sys; a=open(sys.argv[1],"rb").read(); b=open(sys.argv[2],"rb").read(); sys.exit(a[::-1] != b)' \
	"$T/input" "$T/out" || gt_fail "stdin did not reach COMMAND or stdout did not come back byte for byte"
pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/err")
[ -n "$pid" ] || gt_fail "COMMAND's stderr did not come through: $(cat "$T/err")"
babeltrace2 "$T/io" >"$T/io.txt"
# Compact cycles read as the events they stand for (giltrace(7)).
expand() { /usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" <"$1"; }
expand "$T/io.txt" | grep -q "giltrace:gil_acquire_end: .*vpid = $pid," || gt_fail "no GIL acquisition of process $pid in the trace"
grep -q 'giltrace:gil_identified: .*runtime = "CPython 3' "$T/io.txt" || gt_fail "the GIL of python3 was not identified"
grep -q 'vtid = .*procname = .*ip = ' "$T/io.txt" || gt_fail "the vtid, procname and ip contexts are missing"
n=$(gt_closing_count "$T/err")
bt=$(wc -l <"$T/io.txt")
[ "$n" = "$bt" ] || gt_fail "closing line says '$n' events, babeltrace2 reads $bt"
grep -q "^giltrace: trace $T/io: $bt events recorded, 0 discarded$" "$T/err" ||
	gt_fail "closing line not as documented: $(grep '^giltrace:' "$T/err")"
echo "stdio passthrough ok; $bt events, closing line agrees"

# --quiet: no closing line.
"$GILTRACE" record -q -o "$T/quiet" -- true 2>"$T/quiet.err"
[ ! -s "$T/quiet.err" ] || gt_fail "--quiet still printed: $(cat "$T/quiet.err")"

# --- what the session records ------------------------------------------------
# GIL events only by default; every lock call with --all-locks.
grep -q 'giltrace:mutex_lock_begin:' "$T/io.txt" && gt_fail "lock-call events recorded without --all-locks"
"$GILTRACE" record -q --all-locks -o "$T/all" -- "$PY" -c 'pass'
babeltrace2 "$T/all" >"$T/all.txt"
grep -q 'giltrace:mutex_lock_begin:' "$T/all.txt" || gt_fail "--all-locks recorded no lock-call events"
expand "$T/all.txt" | grep -q 'giltrace:gil_acquire_end:' || gt_fail "--all-locks recorded no GIL events"
# The buffer options reach the channel: COMMAND asks the daemon itself
# (its machine interface read by a Python without the shim).
"$GILTRACE" record -q --subbuf-size=1M --num-subbuf=5 -o "$T/buf" -- sh -c '
	mi() { env -u LD_PRELOAD /usr/bin/python3 "$1" "$2"; }
	name=$(lttng --mi xml list | mi "$1" sessions | sed -n "s/^\(giltrace-[^ ]*\) .*/\1/p" | head -1)
	lttng --mi xml list "$name" | mi "$1" channels' _ "$GT_LTTNG_MI" >"$T/buf.list"
grep -q ' subbuffer_size 1048576$' "$T/buf.list" || gt_fail "--subbuf-size=1M not applied: $(cat "$T/buf.list")"
grep -q ' subbuffer_count 8$' "$T/buf.list" || gt_fail "--num-subbuf=5 not rounded up to 8: $(cat "$T/buf.list")"
grep -q ' overwrite_mode DISCARD$' "$T/buf.list" || gt_fail "channel not in discard mode"
echo "--all-locks and buffer options ok"

# --- exit statuses -------------------------------------------------------
rc=0
"$GILTRACE" record -q -o "$T/s3" -- "$PY" -c 'import sys; sys.exit(3)' || rc=$?
[ "$rc" -eq 3 ] || gt_fail "exit 3 became $rc"
rc=0
"$GILTRACE" record -q -o "$T/s255" -- sh -c 'exit 255' || rc=$?
[ "$rc" -eq 255 ] || gt_fail "exit 255 became $rc"

# Killed by a signal: giltrace must die of the same signal (seen as a
# negative return code by a parent that looks, not just 128+N).
for sig in TERM KILL SEGV ABRT; do
	got=$("$PY" -c '
import subprocess, sys
r = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL)
print(r.returncode)' "$GILTRACE" record -q -o "$T/sig$sig" -- "$PY" -c "
import os, signal
signal.signal(signal.SIG$sig, signal.SIG_DFL) if '$sig' != 'KILL' else None
os.kill(os.getpid(), signal.SIG$sig)")
	want=$("$PY" -c "import signal; print(-signal.SIG$sig)")
	[ "$got" = "$want" ] || gt_fail "COMMAND killed by SIG$sig: giltrace returned $got, want $want"
	babeltrace2 "$T/sig$sig" >/dev/null || gt_fail "trace of a COMMAND killed by SIG$sig is unreadable"
done
echo "exit statuses ok (0, 3, 255, SIGTERM, SIGKILL, SIGSEGV, SIGABRT)"

# --- cannot run ---------------------------------------------------------
rc=0
"$GILTRACE" record -o "$T/nf" -- /nonexistent/command 2>"$T/nf.err" || rc=$?
[ "$rc" -eq 127 ] || gt_fail "missing command: status $rc, want 127"
grep -q '^giltrace: Cannot run /nonexistent/command: No such file or directory$' "$T/nf.err" ||
	gt_fail "missing command message: $(cat "$T/nf.err")"
[ ! -e "$T/nf" ] || gt_fail "an empty trace directory was left for a command that never ran"
printf 'not a program\n' >"$T/noexec"
rc=0
"$GILTRACE" record -o "$T/ne" -- "$T/noexec" 2>/dev/null || rc=$?
[ "$rc" -eq 126 ] || gt_fail "non-executable command: status $rc, want 126"

# --- giltrace's own errors: 125, one line ---------------------------------
mkdir -p "$T/full" && touch "$T/full/x"
rc=0
"$GILTRACE" record -o "$T/full" -- true 2>"$T/full.err" || rc=$?
[ "$rc" -eq 125 ] || gt_fail "non-empty output directory: status $rc, want 125"
[ "$(wc -l <"$T/full.err")" -eq 1 ] || gt_fail "more than one line for one error: $(cat "$T/full.err")"
rc=0
GILTRACE_SHIM=/nonexistent/libgiltrace.so "$GILTRACE" record -o "$T/noshim" -- true 2>/dev/null || rc=$?
[ "$rc" -eq 125 ] || gt_fail "missing shim: status $rc, want 125"
rc=0
"$GILTRACE" record --subbuf-size=lots -- true 2>/dev/null || rc=$?
[ "$rc" -eq 125 ] || gt_fail "bad option: status $rc, want 125"
rc=0
"$GILTRACE" record 2>/dev/null || rc=$?
[ "$rc" -eq 125 ] || gt_fail "no command: status $rc, want 125"

# No session of ours is left behind on the daemon.
gt_mi_sessions >"$T/list" 2>&1 || true
grep -q '^giltrace-[0-9]' "$T/list" && gt_fail "a giltrace session was left on the daemon: $(cat "$T/list")"
echo "PASS: exit statuses, stdio and closing line"
