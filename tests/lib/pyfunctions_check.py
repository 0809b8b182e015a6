#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Checks giltrace-analyze's Python functions, blockers and thread names
against tests/py/pyfunctions.py's own record of its holds (tests/e2e_pyfunctions.sh).

  pyfunctions_check.py ANALYZER_JSON ANALYZER_TEXT PROGRAM_JSON PROGRAM_SOURCE TRACE

Exit status 0 if every check holds (one line of figures printed), 1 with
the failures, 77 if the trace holds no Python frames (the reason
printed): the shim did not record them.

Each traced hold lies between the extension's inner and outer clock
readings (t2 - t1 and t3 - t0, see tests/py/gilhold.c); a function's
first hold, released on entering the extension, began after the
program's reading before that phase.  From the definitions of
giltrace-analyze(1):
  hold_long, hold_short  exactly N + 1 holds and N + 1 acquisitions each
      (phase 1 has no contention), the longest released on the marked
      line, the held time and the longest within the extension's bounds;
  spin_in_c              at least K + 1 holds, the longest on its line;
  the waiter             blocked behind (holder, spin_in_c, its line)
      for as long as its attempts (as the trace's own
      gil_acquire_begin and gil_acquire_end time them, whenever the
      scheduler let it try) overlap the extension's holds: at least
      their overlap with the inner readings, at most with the outer
      ones (and with the hold that entered the extension);
      that is its first (largest) blocker, unless its attempts outside
      those outer readings last as long: the blockers before it then
      add up to no more than those attempts (a holder descheduled with
      the GIL between the extension's return and done.set(), a hold
      placed where it next lets go; see check_phase2), and the text
      names it among the parts it shows;
      its longest wait resumed on its sleep line; the text says so;
  names                  holder, waiter, MainThread.
"""
import json
import os
import sys

import gil_compact

MS = 1000000
failures = []


def expect(what, ok, detail):
    if not ok:
        failures.append("%s: %s" % (what, detail))


def marked_lines(path):
    """"# line: NAME" -> line number, and each function's def line."""
    lines, defs = {}, {}
    for i, text in enumerate(open(path), 1):
        if "# line: " in text:
            lines[text.split("# line: ")[1].strip()] = i
        if text.startswith("def "):
            defs[text[4:].split("(")[0]] = i
    return lines, defs


def bounds(holds):
    return sum(t2 - t1 for t0, t1, t2, t3 in holds), sum(t3 - t0 for t0, t1, t2, t3 in holds)


def check_phase1(funcs, prog, name, lines, defs, first_start, before):
    """before: (function, line) where the thread took the GIL it holds
    when it calls name (its first hold is taken there)."""
    holds = prog[name.split("_")[1]]
    n = prog["n"]
    f = funcs.get(name)
    if f is None:
        failures.append("no Python function %s in the report" % name)
        return
    inner, outer = bounds(holds)
    expect(name, (f["holds"], f["acquisitions"]) == (n + 1, n + 1),
           "%d holds, %d acquisitions; want %d each" % (f["holds"], f["acquisitions"], n + 1))
    expect(name, f["longest_hold_line"] == lines[name] and f["firstlineno"] == defs[name],
           "longest hold on line %s, first line %s; want %d, %d"
           % (f["longest_hold_line"], f["firstlineno"], lines[name], defs[name]))
    expect(name, inner <= f["held_ns"] <= outer + (holds[0][0] - first_start),
           "held %d ns outside [%d, %d]" % (f["held_ns"], inner, outer + holds[0][0] - first_start))
    longest = [max(t2 - t1 for t0, t1, t2, t3 in holds), max(t3 - t0 for t0, t1, t2, t3 in holds)]
    expect(name, longest[0] <= f["longest_hold_ns"] <= longest[1],
           "longest hold %d ns outside %s" % (f["longest_hold_ns"], longest))
    taken = (f["longest_hold_taken_function"], f["longest_hold_taken_line"])
    expect(name, taken in ((name, lines[name]), before),
           "longest hold taken at %s; want %s or %s" % (taken, (name, lines[name]), before))


def waiter_attempts(trace, pid, tid):
    """The waiter's attempts, (begin, end) on CLOCK_MONOTONIC as the
    program's own readings: LTTng-UST's clock counts its nanoseconds."""
    import bt2
    attempts, begin = [], None
    for msg in bt2.TraceCollectionMessageIterator(trace):
        if type(msg) is not bt2._EventMessageConst:
            continue
        ev = msg.event
        if int(ev["vpid"]) != pid:
            continue
        snap = msg.default_clock_snapshot
        if snap.clock_class.frequency != 1000000000:
            raise SystemExit("FAIL: the trace's clock is not in nanoseconds")
        # Compact cycles read as the events they stand for (giltrace(7)).
        expanded = gil_compact.expand_msg(msg, raw=True)
        if expanded is None:
            expanded = [(ev.name, snap.value, int(ev["vtid"]), None)]
        for name, ts, etid, _ in expanded:
            if etid != tid or name not in ("giltrace:gil_acquire_begin", "giltrace:gil_acquire_end",
                                           "giltrace:gil_acquire_abandon"):
                continue
            if name == "giltrace:gil_acquire_begin":
                begin = ts
            elif begin is not None:
                attempts.append((begin, ts))
                begin = None
    return attempts


def overlap(attempts, holds):
    return sum(max(0, min(a2, h2) - max(a1, h1)) for a1, a2 in attempts for h1, h2 in holds)


def check_phase2(g, funcs, prog, lines, tids, attempts):
    spin, k = prog["spin"], prog["k"]
    f = funcs.get("spin_in_c")
    if f is None:
        failures.append("no Python function spin_in_c in the report")
        return
    expect("spin_in_c", f["holds"] >= k + 1 and f["longest_hold_line"] == lines["spin_in_c"],
           "%d holds (want at least %d), longest on line %s (want %d)"
           % (f["holds"], k + 1, f["longest_hold_line"], lines["spin_in_c"]))
    waiter = [t for t in g["threads"] if t["tid"] == prog["waiter"]]
    if not waiter or not waiter[0]["blockers"]:
        failures.append("the waiter %d has no blockers" % prog["waiter"])
        return
    blockers = waiter[0]["blockers"]
    at_spin = (prog["holder"], "spin_in_c", lines["spin_in_c"])
    spun = [b for b in blockers if (b["holder_tid"], b["function"], b["line"]) == at_spin]
    if not spun:
        failures.append("the waiter %d was never blocked behind %s" % (prog["waiter"], at_spin))
        return
    spun = spun[0]
    inner = [(t1, t2) for t0, t1, t2, t3 in spin]
    outer = [(t0, t3) for t0, t1, t2, t3 in spin] + [(prog["short"][-1][3], spin[0][0])]
    low, high = overlap(attempts, inner), overlap(attempts, outer)
    spun["bounds"] = (low, high)
    expect("waiter behind spin_in_c", low <= spun["ns"] <= high,
           "%d ns outside [%d, %d]" % (spun["ns"], low, high))
    # Its attempts outside the extension's outer readings: after it
    # returned the holder runs Python with the GIL until done.set()
    # lets go in Condition.__enter__ (or 2.7's periodic switch lets go
    # on the way), and a holder the scheduler takes the CPU from there
    # keeps the GIL: the waiter then waits behind that hold, placed
    # where it ended (giltrace-analyze(1)), for as long as the holder is
    # off the CPU (seen: 157.7 ms behind __enter__ on a loaded machine,
    # more than its 153.7 ms behind spin_in_c), or, woken and not yet
    # running, in a hand-off gap.  Only those attempts can make other
    # blockers larger than spin_in_c's.
    outside = sum(a2 - a1 for a1, a2 in attempts) - high
    rank = blockers.index(spun)
    above = blockers[:rank]
    expect("waiter's first blocker", sum(b["ns"] for b in above) <= outside,
           "%s for %d ns in all, its attempts outside spin_in_c's holds %d ns; want %s first, or "
           "blockers before it no longer than those attempts"
           % ([(b["holder_tid"], b["function"], b["line"]) for b in above], sum(b["ns"] for b in above),
              outside, at_spin))
    w = funcs.get("waiter")
    # It resumes after its sleeps; 2.7's periodic switch (every 100
    # ticks once the holder set it) can also make it let go on the loop's
    # test, or on go2.wait()'s line once the call has returned (seen 1
    # run of a CI), and wait there behind a hold as long.  And 2.7's GIL,
    # which never forces a hand-off, can keep it out for the whole phase
    # (the holder takes the GIL back in the extension's gaps): woken by
    # go2, it gets the GIL only once done is set, and never sleeps.
    want = (lines["waiter"],) + ((lines["waiter_loop"], lines["waiter_go2"]) if prog["version"][0] == 2 else ())
    kept_out = prog["version"][0] == 2 and w is None
    expect("waiter", kept_out or (w is not None and w["longest_wait_line"] in want),
           "its longest wait resumed on line %s, want one of %s" % (w and w["longest_wait_line"], want))
    return spun, rank


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    doc = json.load(open(argv[1]))
    text = open(argv[2]).read()
    prog = json.load(open(argv[3]))
    lines, defs = marked_lines(argv[4])
    procs = [p for p in doc["processes"] if p["pid"] == prog["pid"]]
    if len(procs) != 1 or len(procs[0]["gils"]) != 1:
        print("FAIL: want one GIL in process %d" % prog["pid"])
        return 1
    p, g = procs[0], procs[0]["gils"][0]
    if not p["python_frames"]:
        print("no Python frames in the trace: %s" % (p["py_frames_off"] or "no py_code events in the trace"))
        return 77
    funcs = {f["function"]: f for f in g["python_functions"]}
    names = {t["tid"]: t["name"] for t in g["threads"]}
    tids = {"MainThread": prog["main"], "holder": prog["holder"], "waiter": prog["waiter"]}
    # A thread the interpreter named (CPython 3.14 on: the kernel's name
    # differs from the main thread's when the thread starts) is named so;
    # else by its start function.
    want_names = dict((role, prog.get(role + "_os_name")
                       if prog.get(role + "_os_name") not in (None, prog.get("main_os_name")) else role)
                      for role in ("holder", "waiter"))
    want_names["MainThread"] = "MainThread"
    for role, tid in tids.items():
        name = want_names[role]
        expect("thread %d" % tid, names.get(tid) == name, "named %r, want %r" % (names.get(tid), name))
    check_phase1(funcs, prog, "hold_long", lines, defs, prog["t_go1"], ("holder", lines["holder_sleep"]))
    check_phase1(funcs, prog, "hold_short", lines, defs, prog["long"][-1][3], ("hold_long", lines["hold_long"]))
    spun = check_phase2(g, funcs, prog, lines, tids, waiter_attempts(argv[5], prog["pid"], prog["waiter"]))
    if spun:
        spun, rank = spun
        part = "behind spin_in_c (%s:%d), held by %s (%d)" % (
            os.path.basename(argv[4]), lines["spin_in_c"], want_names["holder"], prog["holder"])
        lead = "of the wait of %s (%d) was spent " % (want_names["waiter"], prog["waiter"])
        said = text.split(lead, 1)[1].split(".\n", 1)[0] if lead in text else ""
        # The text gives a waiter's three largest parts (giltrace-analyze(1)),
        # the first in the sentence's lead.
        if rank == 0:
            expect("text", said.startswith(part), "no sentence %r" % (lead + part))
        elif rank < 3:
            expect("text", ("% " + part) in said, "no part %r after %r" % (part, lead))
    if failures:
        for f in failures:
            print("FAIL: " + f)
        return 1
    print("hold_long %d, hold_short %d holds (exact), the waiter %.1f ms behind spin_in_c "
          "(its attempts overlap the holds for %.1f to %.1f ms)%s, names exact"
          % (funcs["hold_long"]["holds"], funcs["hold_short"]["holds"], spun["ns"] / 1e6,
             spun["bounds"][0] / 1e6, spun["bounds"][1] / 1e6,
             "" if rank == 0 else " after %d larger blockers outside them" % rank))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
