# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Workload of tests/e2e_pyframes.sh (CPython 2.7 and 3.x): threads whose
Python frames at their GIL events are known, each recording its own
ground truth.

  pyframes_prog.py MODULE_DIR OUT_JSON

Threads, each naming itself (pthread_setname_np through ctypes):
- a sleeper (threading, target sleeper_main) calling time.sleep at a
  marked line, each call bracketed by its own CLOCK_MONOTONIC readings;
- a holder (threading, target holder_main) calling, three functions
  down, gilhold.hold_gil (tests/py/gilhold.c), which takes and releases
  the GIL from C and times each hold itself;
- a spinner, a threading.Thread subclass with its own run();
- a thread started by _thread (thread in 2.7): no threading target;
- a daemon thread still sleeping when the interpreter finalizes;
and the main thread first calls, alone, functions compiled one after the
other, each of another name and file, freed before the next: their code
objects reuse each other's addresses, which must be named again each
time.

OUT_JSON gets, from the interpreter itself: when its code objects all
existed (a clock reading once the module is compiled: an address they
take may have held another code object before); per code object of interest
its id() (its address), the name py_code must give it (co_qualname from
3.11, co_name before), co_filename, co_firstlineno, its raw line table
and its offset-to-line map as Python decodes it (co_lines() from 3.10,
dis.findlinestarts() before); the lines of the marked calls (read from
this file's own text); each thread's OS tid, role, name and start
function; the sleeps' and holds' clock readings.
"""
from __future__ import print_function

import ctypes
import dis
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
import gilhold  # noqa: E402  (found through MODULE_DIR)

try:
    import _thread as rawthread
except ImportError:     # 2.7
    import thread as rawthread

SLEEPS = 20
HOLDS = 8
HOLD_MS = 4

libc = ctypes.CDLL(None, use_errno=True)
libc.pthread_self.restype = ctypes.c_ulong
libc.pthread_setname_np.argtypes = [ctypes.c_ulong, ctypes.c_char_p]
SYS_gettid = 186        # x86-64
CLOCK_MONOTONIC = 1


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def now_ns():
    """CLOCK_MONOTONIC, the clock LTTng stamps events with."""
    ts = Timespec()
    libc.clock_gettime(CLOCK_MONOTONIC, ctypes.byref(ts))
    return ts.tv_sec * 1000000000 + ts.tv_nsec


COMPILED_NS = now_ns()      # every code object of this file exists by now


def gettid():
    return libc.syscall(SYS_gettid)


record = {"threads": [], "sleeps": []}
with open("/proc/self/comm") as f:
    main_os_name = f.read().rstrip("\n")
record_lock = threading.Lock()


def begin_thread(role, name, target):
    """Name this thread and note its tid, name and start function, and
    the name the interpreter gave it first, if it did (CPython 3.14 on
    names each thread after its Thread.name: then the kernel's name of
    the thread differs from the main thread's)."""
    with open("/proc/self/task/%d/comm" % gettid()) as f:
        given = f.read().rstrip("\n")
    if given == main_os_name:
        given = None
    if name:
        libc.pthread_setname_np(libc.pthread_self(), name.encode("ascii"))
    with record_lock:
        record["threads"].append({"tid": gettid(), "role": role, "name": name,
                                  "given": given, "target": target})


def sleeper(n):
    for _ in range(n):
        t0 = now_ns()
        time.sleep(0.002)  # mark: sleep
        t1 = now_ns()
        record["sleeps"].append([gettid(), t0, t1])


def sleeper_main():
    begin_thread("sleeper", "pf-sleeper", "sleeper_main")
    sleeper(SLEEPS)  # mark: sleeper_main


def holder():
    return gilhold.hold_gil(HOLDS, HOLD_MS)  # mark: hold


def level1():
    return holder()  # mark: level1


def level2():
    return level1()  # mark: level2


def level3():
    return level2()  # mark: level3


def holder_main():
    begin_thread("holder", "pf-holder", "holder_main")
    holds = level3()  # mark: holder_main
    record["holds"] = {"tid": gettid(), "times": [list(h) for h in holds]}


class Spinner(threading.Thread):
    def run(self):
        begin_thread("spinner", "pf-spinner", "Spinner.run")
        x = 0
        for i in range(200000):
            x += i
        time.sleep(0.001)


def raw_main(done):
    begin_thread("raw", "pf-raw", None)
    time.sleep(0.005)
    done.release()


def daemon_main(sleep=time.sleep):
    begin_thread("daemon", "pf-daemon", "daemon_main")
    while True:
        sleep(0.001)


GENERATED = 40


def generated_codes(n):
    """n functions, one at a time, each sleeping twice: (id, name, file,
    clock readings around its life) of each code object.  Nothing else
    is kept meanwhile (the results go into lists made beforehand), so
    that the freed code object's place is free for the next one.  The
    second sleep finds its code object named already (the shim then
    remembers it, per thread); the next function's first sleep, at the
    same address, must not pass for it."""
    ids, t0s, t1s = [0] * n, [0] * n, [0] * n
    for i in range(n):
        ns = {}
        exec(compile("def gen_%d(sleep):\n    sleep(0.001)\n    sleep(0.001)\n" % i, "<generated-%d>" % i,
                     "exec"), ns)
        f = ns["gen_%d" % i]
        t0s[i] = now_ns()
        f(time.sleep)
        t1s[i] = now_ns()
        ids[i] = id(f.__code__)
        ns.clear()      # the function's globals: break the cycle, free it now
        del f
    return [{"id": ids[i], "name": "gen_%d" % i, "filename": "<generated-%d>" % i,
             "t0": t0s[i], "t1": t1s[i]} for i in range(n)]


def code_of(f):
    return getattr(f, "__func__", f).__code__


def marks():
    """The lines of this file's "# mark: NAME" comments."""
    found = {}
    with open(__file__.replace(".pyc", ".py")) as src:
        for n, line in enumerate(src, 1):
            m = re.search(r"# mark: ([\w-]+)$", line.rstrip())
            if m:
                found[m.group(1)] = n
    return found


def line_map(co):
    """Python's own decoding of co's line table."""
    if hasattr(co, "co_lines"):
        return {"ranges": [[s, e, l] for s, e, l in co.co_lines()]}
    return {"starts": [[o, l] for o, l in dis.findlinestarts(co)]}


def raw_table(co):
    if hasattr(co, "co_linetable") and sys.version_info >= (3, 10):
        return bytearray(co.co_linetable)
    return bytearray(co.co_lnotab)


def describe(key, co):
    name = getattr(co, "co_qualname", co.co_name)
    return key, {"id": id(co), "name": name, "filename": co.co_filename,
                 "firstlineno": co.co_firstlineno, "linetable": list(raw_table(co)),
                 "lines": line_map(co)}


def main():
    begin_thread("main", None, None)
    bootstrap = getattr(threading.Thread, "_bootstrap", None) or threading.Thread._Thread__bootstrap
    inner = (getattr(threading.Thread, "_bootstrap_inner", None)
             or threading.Thread._Thread__bootstrap_inner)
    functions = {"sleeper": sleeper, "sleeper_main": sleeper_main, "holder": holder,
                 "level1": level1, "level2": level2, "level3": level3,
                 "holder_main": holder_main, "Spinner.run": Spinner.run,
                 "daemon_main": daemon_main, "raw_main": raw_main,
                 "Thread.run": threading.Thread.run, "Thread._bootstrap": bootstrap,
                 "Thread._bootstrap_inner": inner, "main": main}
    codes = dict(describe(k, code_of(f)) for k, f in functions.items())
    # Alone: other threads' objects would take the freed code's place.
    generated = generated_codes(GENERATED)

    done = threading.Lock()
    done.acquire()
    daemon = threading.Thread(target=daemon_main)
    daemon.daemon = True
    daemon.start()
    threads = [threading.Thread(target=sleeper_main), threading.Thread(target=holder_main),
               Spinner()]
    for t in threads:
        t.start()
    rawthread.start_new_thread(raw_main, (done,))
    for t in threads:
        t.join()
    done.acquire()
    codes.update([describe("<module>", sys._getframe(1).f_code)])
    out = {"pid": os.getpid(), "version": list(sys.version_info[:3]), "codes": codes,
           "compiled_ns": COMPILED_NS,
           "marks": marks(), "threads": record["threads"], "sleeps": record["sleeps"],
           "holds": record["holds"], "generated": generated, "main_tid": gettid()}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)
    # The daemon thread goes on sleeping while the interpreter finalizes.


main()
