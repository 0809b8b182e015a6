# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# For tests/e2e_session_again.sh: a process traced by two sessions one
# after the other.  For every line read, the thread started on serve()
# runs work() and the main thread prints "done LINE" once it has: every
# line makes GIL events of both threads, with or without a session.
import sys
import threading

try:
    import queue
except ImportError:  # 2.7
    import Queue as queue


def work(n):
    s = 0
    for i in range(n):
        s += i % 7
    return s


def serve(lines, done):
    while True:
        line = lines.get()
        if line is None:
            return
        work(20000)
        done.put(line)


def main():
    lines, done = queue.Queue(), queue.Queue()
    t = threading.Thread(target=serve, args=(lines, done))
    t.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        lines.put(line.strip())
        sys.stdout.write("done %s\n" % done.get())
        sys.stdout.flush()
    lines.put(None)
    t.join()


main()
