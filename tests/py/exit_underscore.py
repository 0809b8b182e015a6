# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Ends with os._exit (as multiprocessing's children do) right after
N GIL cycles of its own: each time.sleep(0) in spin releases the GIL
and takes it back, so spin holds the GIL N times and takes it N times,
the last hold still going on at os._exit (tests/e2e_py_exit.sh).  No
destructor runs: what the shim has pending must be told before _exit.
With the argument "exec", it replaces itself instead (os.execv, as a
server re-executing itself does) with a shell that exits with status 3:
what is pending must be told before the exec."""
import os
import sys
import threading
import time

N = 77


def spin(n):
    for _ in range(n):
        time.sleep(0)


# CPython 2.7 makes its GIL with the first thread, and then drops and
# retakes it every check interval (100 bytecodes) even alone: not here.
if hasattr(sys, "setcheckinterval"):
    sys.setcheckinterval(1 << 30)
t = threading.Thread(target=int)
t.start()
t.join()
sys.stdout.write("cycles %d\n" % N)
sys.stdout.flush()
spin(N)
if sys.argv[1:] == ["exec"]:
    os.execv("/bin/sh", ["sh", "-c", "exit 3"])
os._exit(3)
