# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# GIL contention for tests/e2e_top.sh: THREADS CPU-bound threads (and
# the main thread waiting for them) for SECONDS, or until the file STOP
# exists, then print "done" and exit with STATUS.
#
#   python3 gil_busy.py THREADS SECONDS STATUS [STOP]
#
# How long it runs matters to nothing the test asserts: it only has to
# outlive a few of giltrace top's intervals.
import os
import sys
import threading
import time

threads, seconds, status = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
stop = sys.argv[4] if len(sys.argv) > 4 else None
end = time.monotonic() + seconds


def over():
    return (stop is None and time.monotonic() > end) or (stop is not None and os.path.exists(stop))


def spin():
    s = 0
    while not over():
        for i in range(2000):
            s += i


workers = [threading.Thread(target=spin) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("done")
sys.exit(status)
