#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Two recordings at the same time do not mix: each trace holds the
# events of its own program and of that program's forked child, and of
# nothing else.  Twice: on one shared session daemon (giltrace limits
# its session to its program's processes), and with no daemon running
# (each giltrace starts its own).  The programs meet before they work,
# so that both are traced at the same time; they name their process IDs
# themselves.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP

cat >"$T/prog.py" <<'PY'
import os, sys, threading, time
me, other, dir = sys.argv[1], sys.argv[2], sys.argv[3]
def spin(n):
    while n: n -= 1
def contend(n):
    t = [threading.Thread(target=spin, args=(n,)) for _ in range(2)]
    [x.start() for x in t]; [x.join() for x in t]
def meet(suffix):
    # A guard against a hang if the other recording failed, not a measure.
    guard = time.monotonic() + 120
    while not os.path.exists(os.path.join(dir, other + suffix)):
        if time.monotonic() > guard:
            sys.exit("the other program never came")
        time.sleep(0.01)
open(os.path.join(dir, me + ".pid"), "w").write("%d\n" % os.getpid())
meet(".pid")
contend(300000)
child = os.fork()
if child == 0:
    open(os.path.join(dir, me + ".child"), "w").write("%d\n" % os.getpid())
    contend(3000000)
    os._exit(0)
contend(300000)
os.waitpid(child, 0)
open(os.path.join(dir, me + ".done"), "w").close()
meet(".done")
PY

# The set of vpids with giltrace events in a trace, one per line.
vpids() {
	babeltrace2 "$1" >"$1.txt"
	sed -n 's/.* giltrace:gil_[a-z_]*: .*vpid = \([0-9]*\),.*/\1/p' "$1.txt" | sort -un
}

run_pair() { # LABEL [giltrace options]
	local label=$1 d=$T/$1 rc=0
	shift
	mkdir -p "$d"
	"$GILTRACE" record "$@" -q -o "$d/A" -- "$PY" "$T/prog.py" a b "$d" &
	local ga=$!
	"$GILTRACE" record "$@" -q -o "$d/B" -- "$PY" "$T/prog.py" b a "$d" &
	local gb=$!
	wait "$ga" || rc=$?
	wait "$gb" || rc=$?
	[ "$rc" -eq 0 ] || gt_fail "$label: a recording failed ($rc)"
	for x in A B; do
		local lower want got
		lower=$(echo "$x" | tr AB ab)
		want=$(cat "$d/$lower.pid" "$d/$lower.child" | sort -un)
		got=$(vpids "$d/$x")
		[ "$got" = "$want" ] || gt_fail "$label: trace $x holds processes $(echo $got) but its program and child are $(echo $want)"
	done
	echo "$label: each trace holds exactly its program and its child"
}

run_pair shared
gt_stop_test_daemon
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
run_pair private
[ -z "$(gt_procs_with_home "$TMPDIR")" ] || gt_fail "private: daemon processes left"
echo "PASS: concurrent recordings do not mix"
