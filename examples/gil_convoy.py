# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Three classic GIL fights, each timed by the program itself.

1. The convoy (David Beazley, "Understanding the Python GIL", 2010): a
   thread making short blocking calls beside a CPU-bound thread.  While
   it blocks, the CPU-bound thread takes the GIL; getting it back means
   waiting for that thread to drop it, up to the switch interval
   (5 ms) each time.
2. The countdown: the same CPU-bound work on two threads instead of one
   after the other; with the GIL it is not faster.
3. Hashing on three threads: hashlib releases the GIL around each
   block, and a woken thread often finds that the releasing thread
   has already taken it back (a failed wake-up).

Runs on any Python 3.  Record it with:
    giltrace record -- python3 examples/gil_convoy.py
"""
import hashlib
import sys
import threading
import time

BLOCKING_CALLS = 100
COUNT = 3_000_000
BLOCKS = 5000


def blocking_calls(n):
    # Each call blocks for 100 microseconds without the GIL, as a
    # network request does.
    for _ in range(n):
        time.sleep(0.0001)


def spin_until(running, stop):
    running.set()
    while not stop.is_set():
        for _ in range(1000):
            pass


def countdown(n):
    while n:
        n -= 1


def hash_blocks(n):
    block = b"x" * 4096  # above 2047 bytes hashlib releases the GIL
    for _ in range(n):
        hashlib.sha256(block).digest()


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1e3


def on_threads(fn, arg, n):
    start = threading.Barrier(n)  # all at once, not one after the other

    def work():
        start.wait()
        fn(arg)
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def convoy():
    alone = timed(blocking_calls, BLOCKING_CALLS)
    running, stop = threading.Event(), threading.Event()
    cpu = threading.Thread(target=spin_until, args=(running, stop))
    cpu.start()
    running.wait()
    beside = timed(blocking_calls, BLOCKING_CALLS)
    stop.set()
    cpu.join()
    print("convoy:    %d blocking calls took %.0f ms alone, %.0f ms beside a CPU-bound thread"
          % (BLOCKING_CALLS, alone, beside))


def countdowns():
    sequential = timed(lambda: [countdown(COUNT) for _ in range(2)])
    threaded = timed(on_threads, countdown, COUNT, 2)
    print("countdown: 2 x %d took %.0f ms one after the other, %.0f ms on two threads"
          % (COUNT, sequential, threaded))


def hashing():
    sequential = timed(lambda: [hash_blocks(BLOCKS) for _ in range(3)])
    threaded = timed(on_threads, hash_blocks, BLOCKS, 3)
    print("hashing:   3 x %d blocks took %.0f ms one after the other, %.0f ms on three threads"
          % (BLOCKS, sequential, threaded))


if __name__ == "__main__":
    print("Python %s" % sys.version.split()[0])
    convoy()
    countdowns()
    hashing()
