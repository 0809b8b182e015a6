#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""A trace of one batch as full as the shim makes them, for the Trace
Compass analysis (tests/tracecompass_validate.sh).

  full_batch_scenario.py make TRACE_DIR

After one cycle in events of their own, and a worker's one cycle told
by the main thread (a thread named after its process, as no event of
its own gives its procname), one thread's gil_cycles of
GIL_BATCH_CYCLES cycles (as tracecompass/batch_patterns.py reads it from
tracepoints/gil_cycle_rec.h, the one definition), in the shape a loop of small reads gives: the first cycle
with frames at both ends, every later acquisition reading the release
before it (acquire_py_len 255) and every later release the same frames
as the one before (py_len 128 + 1), giltrace(7).  The analysis emits
each cycle of a batch by a scenario of its own
(tracecompass/batch_patterns.py): with fewer scenarios than the cap, the
last cycles' holds are missing, which tc_xml_run.py reports.
Written as LTTng would record it (tests/lib/ctf_giltrace.py).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tracecompass"))

SOURCE = """
def pump(r, w):
    while True:
        os.write(w, b"x")
        os.read(r, 1)
"""
FILE = "/srv/app/pump.py"
PID, WORKER = 4242, 4243
GIL = 0xa5b8f8
CODE = 0x7f0000001000
T0 = 1000000000
US = 1000


def make(path):
    import ctf_giltrace
    from batch_patterns import CYCLES as n
    code = [c for c in compile(SOURCE, FILE, "exec").co_consts if hasattr(c, "co_code")][0]
    # The instruction of the os.read line, as a release there would have it.
    instr = next(2 * unit for unit, pos in enumerate(code.co_positions()) if pos[0] == 5)
    events = []

    def ev(t, event, **fields):
        fields.setdefault("tid", PID)
        events.append(dict(ts=T0 + int(t * US), pid=PID, event=event, procname="python3", **fields))

    ev(0, "gil_identified", gil=GIL, cond=GIL + 0x30, kind="mutex+condvar", method="runtime-extent",
       runtime="CPython 3.11.2")
    ev(1, "py_code", code=CODE, name=code.co_qualname, filename=FILE, firstlineno=code.co_firstlineno,
       linetable_format=3, linetable=list(code.co_linetable))
    # The GIL's first cycle in events of their own, as a process's is
    # (its acquisition comes with the GIL found); then cycle i of the
    # batch: its attempt at 10 + 3i us, acquired 1 us later, released 1 us
    # after that.
    frame = dict(pycode=[CODE], pyinstr=[instr])
    ev(2, "gil_acquire_begin", gil=GIL)
    ev(3, "gil_acquire_end", gil=GIL, **frame)
    ev(4, "gil_release", gil=GIL, **frame)
    # A worker's one cycle (5..7 us, no Python frame), told by the main
    # thread in a batch of its own: no event of the worker says its
    # procname, and both readers name it after its process.
    ev(8, "gil_cycles", tid=WORKER, vtid=PID, gil=GIL, told_ts=T0 + 8 * US, begin_ts=[T0 + 5 * US],
       acquired_ts=[T0 + 6 * US], released_ts=[T0 + 7 * US], begin_caller=[0], acquire_caller=[0], caller=[0],
       waiters=[0], signalled=[0], acquire_backtrace_len=[0], backtrace_len=[0], acquire_py_len=[0], py_len=[0])
    begin = [T0 + (10 + 3 * i) * US for i in range(n)]
    batch = dict(gil=GIL, told_ts=begin[-1] + 3 * US,
                 begin_ts=begin, acquired_ts=[b + US for b in begin], released_ts=[b + 2 * US for b in begin],
                 begin_caller=[0] * n, acquire_caller=[0] * n, caller=[0] * n, waiters=[0] * n,
                 signalled=[0] * n, acquire_backtrace_len=[0] * n, backtrace_len=[0] * n,
                 acquire_py_len=[1] + [255] * (n - 1), acquire_pycode=[CODE], acquire_pyinstr=[instr],
                 py_len=[1] + [128 + 1] * (n - 1), pycode=[CODE], pyinstr=[instr])
    ev(10 + 3 * n, "gil_cycles", **batch)
    ctf_giltrace.write(path, events)


def main(argv):
    if len(argv) != 3 or argv[1] != "make":
        sys.stderr.write("usage: full_batch_scenario.py make TRACE_DIR\n")
        return 2
    make(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
