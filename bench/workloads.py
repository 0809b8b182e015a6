# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# CPython workloads for bench/python.sh; runs unchanged on 2.7 and 3.x.
#
#   workloads.py countdown N        two CPU-bound threads count N down each
#   workloads.py countdown1 N       one thread counts 2N down: the same work,
#                                   the same GIL cycles, nobody to fight
#   workloads.py threads K N        K CPU-bound threads share N iterations
#   workloads.py convoy SECONDS     an I/O thread beside a CPU-bound thread
#   workloads.py stress SECONDS     one thread doing 1-byte pipe round trips
#
# Each prints "key value" lines; timings are taken inside the process so
# that interpreter start-up and the tracer's registration stay out.
# Exit status: 0, or 2 on a usage error.
import os
import sys
import threading
import time

# time.perf_counter where there is one (3.3+), time.time on 2.7.
clock = getattr(time, "perf_counter", time.time)


def start_gil():
    # 2.7 and 3.6 create the GIL with the first thread; before that a
    # blocking call releases nothing.
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()


def count(n):
    while n > 0:
        n -= 1


def countdown(n):
    t0 = clock()
    ts = [threading.Thread(target=count, args=(n,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("elapsed_s %.6f" % (clock() - t0))


def many_threads(k, n):
    t0 = clock()
    ts = [threading.Thread(target=count, args=(n // k,)) for _ in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("elapsed_s %.6f" % (clock() - t0))


def pipe_roundtrips(seconds):
    """1-byte write then read on a pipe until seconds pass: each call
    releases and retakes the GIL.  Returns round trips per second."""
    r, w = os.pipe()
    done = 0
    t0 = clock()
    deadline = t0 + seconds
    while True:
        for _ in range(64):
            os.write(w, b"x")
            os.read(r, 1)
        done += 64
        now = clock()
        if now >= deadline:
            break
    os.close(r)
    os.close(w)
    return done / (now - t0)


def convoy(seconds):
    stop = []
    spins = [0]

    def spin():
        n = 0
        while not stop:
            n += 1
        spins[0] = n

    cpu = threading.Thread(target=spin)
    cpu.start()
    rate = pipe_roundtrips(seconds)
    stop.append(1)
    cpu.join()
    print("io_roundtrips_per_s %.1f" % rate)
    print("cpu_spins_per_s %.1f" % (spins[0] / seconds))


def stress(seconds):
    start_gil()
    print("roundtrips_per_s %.1f" % pipe_roundtrips(seconds))


def main(argv):
    try:
        what = argv[1]
        if what == "countdown":
            countdown(int(argv[2]))
        elif what == "countdown1":
            # The countdown's work on one thread: 2.7 still cycles the GIL
            # at every check interval (3.x not: nobody asks), so the time
            # is the work and each cycle's cost, without the race for it.
            many_threads(1, 2 * int(argv[2]))
        elif what == "threads":
            many_threads(int(argv[2]), int(argv[3]))
        elif what == "convoy":
            convoy(float(argv[2]))
        elif what == "stress":
            stress(float(argv[2]))
        else:
            raise ValueError(what)
    except (IndexError, ValueError):
        sys.stderr.write("usage: workloads.py countdown N | countdown1 N | threads K N | convoy SECONDS | stress SECONDS\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
