# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""A daemon thread that keeps taking the GIL while the interpreter
finalizes (tests/e2e_py_exit.sh): it sleeps 1 ms at a time, so it tries
to take the GIL again during finalization; CPython up to 3.13 ends such
a thread (pthread_exit), 3.14 on leaves it hanging for good.  The main
thread holds the GIL through one long deallocation after finalization
has begun (its list, freed with the modules)."""
import sys
import threading
import time

started = threading.Event()


def spin():
    started.set()
    while True:
        time.sleep(0.001)


t = threading.Thread(target=spin)
t.daemon = True
t.start()
started.wait()
big = [str(i) for i in range(1000000)]
sys.stdout.write("main done\n")
