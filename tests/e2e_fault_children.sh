#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fault: os.fork, multiprocessing (fork and spawn) and subprocess under
# the shim.  Nothing hangs, output is unchanged, and every child that
# ran Python threads appears in the trace as a process of its own with
# its GIL identified and its acquisitions traced.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
py=$(gt_python3)
[ -n "$py" ] || gt_skip "no python3 (Debian's or pyenv 3.11.7) to run"

cat >"$GT_TMP/children.py" <<'PY'
import multiprocessing, os, subprocess, sys, threading

def spin(n):
    while n:
        n -= 1

def contend():
    t = [threading.Thread(target=spin, args=(50000,)) for _ in range(2)]
    [x.start() for x in t]
    [x.join() for x in t]

def child_task(tag):
    contend()
    return tag

def worker_init(barrier):
    contend()
    barrier.wait()

if __name__ == "__main__":
    contend()
    pid = os.fork()
    if pid == 0:
        contend()
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    print("fork child status", os.waitstatus_to_exitcode(status))
    for method in ("fork", "spawn"):
        ctx = multiprocessing.get_context(method)
        # Every worker runs threads in its initializer, and no worker
        # takes a task before both have: one that gets no task of the
        # three (another may take them all) still has GIL traffic, and
        # pool.terminate() cannot kill it before it had any.
        barrier = ctx.Barrier(2)
        with ctx.Pool(2, initializer=worker_init, initargs=(barrier,)) as pool:
            print(method, sorted(pool.map(child_task, [1, 2, 3])))
    out = subprocess.run([sys.executable, "-c",
        "import threading\n"
        "def s(n):\n"
        "    while n: n -= 1\n"
        "t=[threading.Thread(target=s,args=(50000,)) for _ in range(2)]\n"
        "[x.start() for x in t]; [x.join() for x in t]; print('sub ok')"],
        capture_output=True, text=True, check=True).stdout.strip()
    print(out)
PY
expected=$(timeout 120 "$py" "$GT_TMP/children.py") || gt_fail "workload fails without the shim"
set +e
got=$(gt_record_within 180 \
	"$GT_TMP/trace" -- "$py" "$GT_TMP/children.py")
rc=$?
set -e
[ $rc -ne 124 ] || gt_fail "hung under the shim"
[ $rc -eq 0 ] || gt_fail "workload failed under the shim (status $rc)"
[ "$got" = "$expected" ] || gt_fail "output differs: expected [$expected] got [$got]"

# Processes with GIL activity, and those of them that announced their GIL.
# Compact cycles read as the events they stand for (giltrace(7)): a
# process whose every cycle was uncontended has no gil_acquire_end of
# its own.
babeltrace2 "$GT_TMP/trace" | /usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" >"$GT_TMP/text"
pids_of() { grep -o "giltrace:$1:.*vpid = [0-9]*" "$GT_TMP/text" | grep -o 'vpid = [0-9]*' | sort -u; }
pids_of gil_acquire_end >"$GT_TMP/active"
pids_of gil_identified >"$GT_TMP/announced"
active=$(wc -l <"$GT_TMP/active")
# parent + os.fork child + 2 fork-pool workers + 2 spawn-pool workers
# (+ the spawn start method's resource tracker) + the subprocess.
[ "$active" -ge 7 ] || gt_fail "only $active processes have GIL acquisitions in the trace, expected at least 7"
# Every process that took a GIL announced it.  Not the converse: the
# resource tracker announces its GIL when it first blocks, and its next
# acquisition may come after the recording ended with the parent.
unannounced=$(comm -23 "$GT_TMP/active" "$GT_TMP/announced" | tr '\n' ' ')
[ -z "$unannounced" ] || gt_fail "processes took a GIL without announcing it (gil_identified): $unannounced"
echo "PASS: $active processes traced, each with its GIL identified; output unchanged"
