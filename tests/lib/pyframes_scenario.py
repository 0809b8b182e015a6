#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""A trace with Python frames, made to measure (tests/e2e_analyze_pyframes.sh).

  pyframes_scenario.py make TRACE_DIR
  pyframes_scenario.py check REPORT_JSON REPORT_TEXT

The convoy of tests/check_py_analysis.c, in microseconds, written as
LTTng would record it (tests/lib/ctf_giltrace.py) with real code objects:
SOURCE below compiled by this interpreter (3.11: location tables), each
frame's offset that of an instruction on the line named.  Process 4242:
  4243 (named "Thread-1 (spinning hardö)", started to run cpu_hog: its own name
       wins, with a space and a character that the text's 24-byte name
       column must not cut in two) holds 11..50, released in
       spin_until on line 7; 4244 (started to run blocking_calls) waits
       20..57 behind it (30 us), then 50..57 in the hand-off gap (7);
  4244 holds 57..80, resumes on line 13, released on line 12; 4243
       waits 60..83 behind it (20), then the gap (3), its first attempt
       10..11 all gap (1);
  4243 holds 83..100, resumed on line 8, released on line 7; the main
       thread waits 90..102 behind it (10), then the gap (2), and resumes
       in C (no Python frame);
  4242 holds 102..110, released in <module> on line 2.
Process 4300 (cworker) records no Python frames, and says why.
"check" asserts every figure of that, worked out by hand in EXPECTED.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SOURCE = """
def cpu_hog(deadline):
    return spin_until(deadline, time.monotonic)

def spin_until(deadline, clock):
    n = 0
    while clock() < deadline:
        n += 1
    return n

def blocking_calls(sock):
    for _ in range(100):
        sock.recv(1)
"""
FILE = "/srv/app/gil_convoy.py"
PID, HOG, BLOCKER, CPID = 4242, 4243, 4244, 4300
HOG_NAME = "Thread-1 (spinning hard\u00f6)"
GIL, CGIL = 0xa5b8f8, 0x601040
T0 = 1000000000
US = 1000


def code_objects():
    """name -> code object of SOURCE, the module as "<module>"."""
    module = compile(SOURCE, FILE, "exec")
    codes = {"<module>": module}
    for c in module.co_consts:
        if hasattr(c, "co_code"):
            codes[c.co_name] = c
    return codes


def offset_of(code, line):
    """The byte offset of the first instruction on line."""
    for unit, pos in enumerate(code.co_positions()):
        if pos[0] == line:
            return 2 * unit
    raise SystemExit("no instruction on line %d of %s" % (line, code.co_name))


def make(path):
    import ctf_giltrace
    codes = code_objects()
    addr = {name: 0x7f0000001000 + 0x100 * i for i, name in enumerate(sorted(codes))}

    def frame(name, line, caller=None):
        """pycode and pyinstr of a thread in name on line, called from caller."""
        code, instr = [addr[name]], [offset_of(codes[name], line)]
        if caller:
            code.append(addr[caller])
            instr.append(offset_of(codes[caller], 3))
        return {"pycode": code, "pyinstr": instr}

    spin = lambda line: frame("spin_until", line, "cpu_hog")
    events = []

    def ev(t, tid, event, pid=PID, **fields):
        events.append(dict(ts=T0 + int(t * US), pid=pid, tid=tid, event=event,
                           procname="python3" if pid == PID else "cworker", **fields))

    ev(0, PID, "gil_identified", gil=GIL, cond=GIL + 0x30, kind="mutex+condvar", method="runtime-extent",
       runtime="CPython 3.11.2")
    for i, name in enumerate(sorted(codes)):
        c = codes[name]
        ev(0.1 * (i + 1), HOG, "py_code", code=addr[name], name=c.co_qualname, filename=FILE,
           firstlineno=c.co_firstlineno, linetable_format=3, linetable=list(c.co_linetable))
    ev(1, HOG, "py_thread_target", target=addr["cpu_hog"])
    ev(2, HOG, "thread_name", name=HOG_NAME)
    ev(3, BLOCKER, "py_thread_target", target=addr["blocking_calls"])
    begin = lambda t, tid: ev(t, tid, "gil_acquire_begin", gil=GIL)
    wait = lambda t, tid: ev(t, tid, "gil_wait_begin", gil=GIL, cond=GIL + 0x30)
    woken = lambda t, tid: ev(t, tid, "gil_wait_end", gil=GIL)
    end = lambda t, tid, waits, fr: ev(t, tid, "gil_acquire_end", gil=GIL, waits=waits, **fr)
    rel = lambda t, tid, fr: ev(t, tid, "gil_release", gil=GIL, waiters=1, signalled=1, **fr)
    begin(10, HOG), end(11, HOG, 0, spin(6))
    begin(20, BLOCKER), wait(21, BLOCKER)
    rel(50, HOG, spin(7))
    woken(55, BLOCKER), end(57, BLOCKER, 1, frame("blocking_calls", 13))
    begin(60, HOG), wait(61, HOG)
    rel(80, BLOCKER, frame("blocking_calls", 12))
    woken(82, HOG), end(83, HOG, 1, spin(8))
    begin(90, PID), wait(91, PID)
    rel(100, HOG, spin(7))
    woken(101, PID), end(102, PID, 1, {})
    rel(110, PID, frame("<module>", 2))
    # Three cycles of the hog nobody else touched, batched: the second
    # and third acquisitions read the frames of the release before
    # (acquire_py_len 255, giltrace(7)), and the third release has the
    # first's frames (py_len 128 + 2).
    cycles = [(120, 121, 123, spin(6), spin(7)), (125, 126, 128, None, spin(8)),
              (130, 131, 134, None, spin(7))]
    batch = dict(gil=GIL, told_ts=T0 + 140 * US, acquire_py_len=[], acquire_pycode=[],
                 acquire_pyinstr=[], py_len=[], pycode=[], pyinstr=[])
    for k, v in (("begin_ts", 0), ("acquired_ts", 1), ("released_ts", 2)):
        batch[k] = [T0 + c[v] * US for c in cycles]
    for k in ("begin_caller", "acquire_caller", "caller", "waiters", "signalled", "acquire_backtrace_len",
              "backtrace_len"):
        batch[k] = [0] * len(cycles)
    for i, c in enumerate(cycles):
        batch["acquire_py_len"].append(len(c[3]["pycode"]) if c[3] else 255)
        for k in ("pycode", "pyinstr"):
            batch["acquire_" + k] += c[3][k] if c[3] else []
        if i >= 2 and c[4] == cycles[i - 2][4]:
            batch["py_len"].append(128 + 2)
            continue
        for k in ("pycode", "pyinstr"):
            batch[k] += c[4][k]
        batch["py_len"].append(len(c[4]["pycode"]))
    ev(140, HOG, "gil_cycles", **batch)  # its tid member: the event's own
    # A process whose frames are off: one hold, no Python anywhere.
    ev(0, CPID, "py_frames_off", pid=CPID, reason="CPython 3.99.0: no known frame layout")
    ev(1, CPID, "gil_acquire_begin", pid=CPID, gil=CGIL)
    ev(2, CPID, "gil_acquire_end", pid=CPID, gil=CGIL)
    ev(7, CPID, "gil_release", pid=CPID, gil=CGIL)
    ctf_giltrace.write(path, events)


# Per function, in the JSON's order (the most held first): holds, held,
# longest hold and its line; acquisitions, contended, abandoned,
# attempts, waits, failed wake-ups, timeouts, waited, longest wait and
# its line (us).
FUNC_KEYS = ("holds", "held_ns", "longest_hold_ns", "longest_hold_line", "acquisitions", "contended_acquisitions",
             "abandoned_attempts", "attempts", "waits", "failed_wakeups", "timeouts", "waited_ns",
             "longest_wait_ns", "longest_wait_line")
EXPECTED_FUNCS = [
    # 39 + 17 released on line 7; acquired on line 6 (waited 1) and 8 (23);
    # the batch's 2 + 2 + 3, acquired after 1 each
    ("spin_until", 5, [5, 63, 39, 7, 5, 1, 0, 5, 1, 0, 0, 27, 23, 8]),
    ("blocking_calls", 11, [1, 23, 23, 12, 1, 1, 0, 1, 1, 0, 0, 37, 37, 13]),
    ("<module>", 1, [1, 8, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, None]),
    # the main thread resumed in C
    ("(no Python frame)", None, [0, 0, 0, None, 1, 1, 0, 1, 1, 0, 0, 12, 12, None]),
]
# Per waiting thread: its name, waited, and (holder, function, line, us).
EXPECTED_BLOCKERS = {
    BLOCKER: ("blocking_calls", 37, [(HOG, "spin_until", 7, 30), (None, "(hand-off gap)", None, 7)]),
    # the batch's attempts: 3 more of the GIL free, the thread not yet running
    HOG: (HOG_NAME, 27, [(BLOCKER, "blocking_calls", 12, 20), (None, "(hand-off gap)", None, 7)]),
    PID: ("MainThread", 12, [(HOG, "spin_until", 7, 10), (None, "(hand-off gap)", None, 2)]),
}
EXPECTED_TEXT = [
    "81.1% of the wait of blocking_calls (4244) was spent behind spin_until (gil_convoy.py:7), held by "
    + HOG_NAME + " (4243),",
    "18.9% in hand-off gaps (the GIL free, the thread not yet running).",
    "Held 63.0us in total in spin_until (gil_convoy.py:5);",
    "the longest hold, 39.0us, was released at line 7, taken at line 6.",
    "Python frames not recorded: CPython 3.99.0: no known frame layout",
]

failures = []


def expect(what, got, want):
    if got != want:
        failures.append("%s: %r, want %r" % (what, got, want))


def us(v, key):
    return v * US if v is not None and key.endswith("_ns") else v


def check(report, text_path):
    doc = json.load(open(report))
    text = open(text_path).read()
    procs = {p["pid"]: p for p in doc["processes"]}
    p = procs[PID]
    expect("python_frames", (p["python_frames"], procs[CPID]["python_frames"]), (True, False))
    expect("py_frames_off", (p["py_frames_off"], procs[CPID]["py_frames_off"]),
           (None, "CPython 3.99.0: no known frame layout"))
    expect("py_codes", (p["py_codes"], p["py_codes_dropped"], p["py_linetables_dropped"]), (4, 0, 0))
    g = p["gils"][0]
    got = [(f["function"], f["firstlineno"], [f[k] for k in FUNC_KEYS]) for f in g["python_functions"]]
    want = [(n, fl, [us(v, k) for v, k in zip(vals, FUNC_KEYS)]) for n, fl, vals in EXPECTED_FUNCS]
    expect("python_functions", got, want)
    for t in g["threads"]:
        name, waited, parts = EXPECTED_BLOCKERS[t["tid"]]
        expect("thread %d name" % t["tid"], t["name"], name)
        expect("thread %d waited_ns" % t["tid"], (t["waited_ns"], t["blockers_excess_ns"]), (waited * US, 0))
        expect("thread %d blockers" % t["tid"],
               [(b["holder_tid"], b["function"], b["line"], b["ns"]) for b in t["blockers"]],
               [(h, f, line, ns * US) for h, f, line, ns in parts])
    cg = procs[CPID]["gils"][0]
    expect("cworker", ([f["function"] for f in cg["python_functions"]], cg["threads"][0]["name"]),
           (["(no Python frame)"], "cworker"))
    lines = [line.strip() for line in text.splitlines()]
    for want_line in EXPECTED_TEXT:
        if want_line not in lines:
            failures.append("text: no line %r" % want_line)
    expect("cworker's Python sections", text.count("Python functions ("), 1)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        sys.exit(1)
    print("pyframes: %d functions, %d waiting threads' blockers and the text exact"
          % (len(EXPECTED_FUNCS), len(EXPECTED_BLOCKERS)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
