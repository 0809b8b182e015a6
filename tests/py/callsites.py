# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Workload of tests/e2e_callsites.sh (CPython 2.7 and 3.x).

  callsites.py MODULE_DIR COUNT MS

One thread calls gilhold.hold_gil(COUNT, MS) (tests/py/gilhold.c),
which holds the GIL COUNT times for MS milliseconds from C; two other
threads do ordinary work meanwhile (a little arithmetic, short sleeps).
Prints one JSON object: {"pid", "count", "holds": [[t0, t1, t2, t3],
...]}, the extension's own CLOCK_MONOTONIC readings around each hold.
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
import gilhold  # noqa: E402  (found through MODULE_DIR)

count, ms = int(sys.argv[2]), int(sys.argv[3])
done = threading.Event()
result = {}


def ordinary():
    n = 0
    while not done.is_set():
        n += sum(range(2000))
        time.sleep(0.002)


def holder():
    result["holds"] = gilhold.hold_gil(count, ms)


others = [threading.Thread(target=ordinary) for _ in range(2)]
for t in others:
    t.start()
h = threading.Thread(target=holder)
h.start()
h.join()
done.set()
for t in others:
    t.join()
print(json.dumps({"pid": os.getpid(), "count": count,
                  "holds": [list(x) for x in result["holds"]]}))
