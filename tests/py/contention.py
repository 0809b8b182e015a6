# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# GIL contention workload for tests/e2e_cpython.sh, for CPython 2.7 to
# 3.13 alike.  Its output depends on nothing but the work done, so it
# must be byte-identical with and without the shim.
#
# Contention by construction, not by luck: a thread spins, holding the
# GIL, until another thread sets a flag; that thread (and the main
# thread starting it) can only run after waiting for the GIL, and in
# CPython 3 only after its wait timed out and asked the spinner to drop
# it.  Then two CPU-bound threads and an I/O-bound thread (1-byte pipe
# round trips) run together: the convoy case.
import os
import threading
import time

flag = []
results = []


def spinner():
    n = 0
    while not flag:
        n += 1
    results.append(("spinner", "done"))


def setter():
    flag.append(1)
    results.append(("setter", "done"))


def cpu(k):
    s = 0
    for i in range(k):
        s += i % 7
    results.append(("cpu", s))


def io(k):
    r, w = os.pipe()
    for i in range(k):
        os.write(w, b"x")
        os.read(r, 1)
    os.close(r)
    os.close(w)
    results.append(("io", k))


def settle():
    # In CPython 2.7, join() returns when a thread's Python function is
    # done, before the thread has left threading's bookkeeping, which
    # takes the GIL again: a process ending then leaves that thread in
    # an acquire attempt the trace never sees end.  Once it is gone
    # from threading.enumerate(), it has a few bytecodes left, which the
    # sleep after lets it run.
    while threading.active_count() > 1:
        time.sleep(0.001)
    time.sleep(0.02)


def main():
    a = threading.Thread(target=spinner)
    a.start()
    b = threading.Thread(target=setter)
    b.start()
    b.join()
    a.join()
    ts = [threading.Thread(target=cpu, args=(200000,)) for _ in range(2)]
    ts.append(threading.Thread(target=io, args=(2000,)))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    settle()
    for r in sorted(results, key=str):
        print("%s %s" % r)


main()
