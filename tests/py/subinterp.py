# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# A CPython 3.12+ sub-interpreter with its own GIL, for
# tests/e2e_cpython.sh: inside it, a thread spins holding that GIL
# until another thread sets a flag, so the sub-interpreter's GIL is
# waited for (and, the spinner never letting go, a wait times out) by
# construction.  The shim must tell the two GILs apart.
try:
    import _interpreters as interpreters        # 3.13
except ImportError:
    import _xxsubinterpreters as interpreters   # 3.12

CODE = """
import threading
flag = []
def spinner():
    while not flag:
        pass
def setter():
    flag.append(1)
a = threading.Thread(target=spinner)
a.start()
b = threading.Thread(target=setter)
b.start()
b.join()
a.join()
"""

interp = interpreters.create()
interpreters.run_string(interp, CODE)
interpreters.destroy(interp)
print("sub-interpreter done")
