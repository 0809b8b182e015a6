# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""A daemon thread blocked trying to take the GIL when the process exits
(tests/e2e_py_exit.sh): it lets the GIL go to the main thread and tries
to take it back, while the main thread, holding it, calls exit(3) (from
C: tests/py/gilhold.c).  Prints the blocked thread's kernel id on
standard error (standard output is the same every run)."""
import sys
import threading

import gilhold

out = {}


def blocked():
    out["tid"] = gilhold.gettid()
    gilhold.block_for_gil()


t = threading.Thread(target=blocked)
t.daemon = True
t.start()
while "tid" not in out:
    pass
sys.stderr.write("blocked thread: %d\n" % out["tid"])
sys.stderr.flush()
sys.stdout.write("exiting, a thread blocked for the GIL\n")
sys.stdout.flush()
gilhold.exit_holding(3)
