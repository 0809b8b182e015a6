# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Workload of tests/e2e_pyfunctions.sh (CPython 2.7 and 3.x): GIL holds from
known Python functions and lines, on a schedule the program records.

  pyfunctions.py MODULE_DIR N MS_LONG MS_SHORT K MS_SPIN

Phase 1: the holder thread alone wants the GIL.  hold_long() holds it N
times for MS_LONG ms from C (tests/py/gilhold.c), then hold_short() N
times for MS_SHORT.  Nobody else asks for the GIL meanwhile (the main
thread joins, the waiter waits for an event, 2.7's periodic switch is
off), so each of those functions releases it exactly N + 1 times, all on
its one line (entering the extension releases it once more), and takes
it N + 1 times.
Phase 2: spin_in_c() holds it K times for MS_SPIN ms while the waiter
wakes from 1 ms sleeps: it waits behind those holds.
Prints one JSON object: pid, the three threads' ids, the extension's
clock readings around each hold (gilhold.c) and before each phase.
The lines marked "# line: NAME" are what tests/lib/pyfunctions_check.py
expects the report to name.
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
import gilhold  # noqa: E402  (found through MODULE_DIR)

N, MS_LONG, MS_SHORT, K, MS_SPIN = [int(a) for a in sys.argv[2:7]]
go1, go2, done = threading.Event(), threading.Event(), threading.Event()
out = {"pid": os.getpid(), "main": gilhold.gettid(), "n": N, "k": K, "version": list(sys.version_info[:2])}


def hold_long():
    return gilhold.hold_gil(N, MS_LONG)  # line: hold_long


def hold_short():
    return gilhold.hold_gil(N, MS_SHORT)  # line: hold_short


def spin_in_c():
    return gilhold.hold_gil(K, MS_SPIN)  # line: spin_in_c


def os_name():
    """This thread's name as the kernel has it: the process's, unless
    the interpreter named the thread itself (CPython 3.14 on names each
    after its Thread.name, through pthread_setname_np)."""
    try:
        with open("/proc/self/task/%d/comm" % gilhold.gettid()) as f:
            return f.read().rstrip("\n")
    except IOError:
        return None


def holder():
    out["holder"] = gilhold.gettid()
    out["holder_os_name"] = os_name()
    go1.wait()
    out["t_go1"] = gilhold.now()
    # the main thread blocks in join() meanwhile
    time.sleep(0.02)  # line: holder_sleep
    out["long"] = hold_long()
    out["short"] = hold_short()
    if sys.version_info[0] == 2:
        sys.setcheckinterval(100)
    out["t_go2"] = gilhold.now()
    go2.set()
    out["spin"] = spin_in_c()
    done.set()


def waiter():
    out["waiter"] = gilhold.gettid()
    out["waiter_os_name"] = os_name()
    go2.wait()  # line: waiter_go2
    while not done.is_set():  # line: waiter_loop
        time.sleep(0.001)  # line: waiter


if sys.version_info[0] == 2:
    sys.setcheckinterval(1 << 30)	# no switch unless asked for
out["main_os_name"] = os_name()
w = threading.Thread(target=waiter)
h = threading.Thread(target=holder)
w.start()
time.sleep(0.05)	# the waiter is parked in go2.wait()
h.start()
go1.set()
h.join()
w.join()
for k in ("long", "short", "spin"):
    out[k] = [list(x) for x in out[k]]
print(json.dumps(out))
