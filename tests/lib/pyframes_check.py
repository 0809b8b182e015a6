#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Checks the Python frames of a trace against tests/py/pyframes_prog.py's
own record of itself (tests/e2e_pyframes.sh).  Shares nothing with the
shim: the trace is read with libbabeltrace2, the line tables are
decoded by the interpreter that ran the program (its JSON), and the
expectations are the program's.

  pyframes_check.py TRACE_DIR PROGRAM_JSON DEPTH

In the program's process:
- no py_frames_off; every frame list within DEPTH, pycode and pyinstr
  of one length;
- every code address a GIL event carries is named by a py_code event
  of that process before the event, and where it is one of the
  program's code objects (once they all exist: the program's clock
  reading compiled_ns), the latest py_code of that address before the
  event has exactly its name (co_qualname from 3.11, co_name before),
  file name, first line, line-table format and line table;
- each of gilhold's holds (between its own clock readings t0..t1 and
  t2..t3) has exactly one acquisition and one release of the holder
  thread, whose frames are holder, level1, level2, level3, holder_main,
  Thread.run, _bootstrap_inner, _bootstrap (as many as DEPTH), each at
  the line of its call as the interpreter maps the recorded offset;
- each sleep of the sleeper (between its readings) has a release, then
  an acquisition, of the sleeper thread at the time.sleep line with the
  frames below it;
- each thread's py_thread_target is its start function (0 for the main
  thread and the one _thread started), and its thread_name its name;
- the functions the main thread compiled one after the other, whose
  code objects reuse addresses (some must), are each named as
  themselves at the release of their sleep.

Prints what it checked.  Exit status 0 if all holds, 1 otherwise.
"""
import bisect
import json
import sys

import gil_compact

try:
    import bt2
except ImportError:
    sys.stderr.write("pyframes_check: the libbabeltrace2 Python bindings are missing "
                     "(apt-get install python3-bt2)\n")
    sys.exit(2)


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


class Event:
    def __init__(self, name, tid, ts, fields):
        self.name, self.tid, self.ts, self.f = name, tid, ts, fields


def read_events(path, pid):
    """The giltrace events of process pid, in trace order; ts is the
    clock's raw value: CLOCK_MONOTONIC nanoseconds, as the program's."""
    events = []
    for msg in bt2.TraceCollectionMessageIterator(path):
        if type(msg) is bt2._DiscardedEventsMessageConst:
            fail("the tracer discarded events")
        if type(msg) is not bt2._EventMessageConst:
            continue
        ev = msg.event
        if not ev.name.startswith("giltrace:") or int(ev["vpid"]) != pid:
            continue
        expanded = gil_compact.expand_msg(msg, raw=True)
        if expanded is not None:
            events.extend(Event(n[len("giltrace:"):], tid, ts, f) for n, ts, tid, f in expanded)
            continue
        fields = {}
        for k, v in ev.payload_field.items():
            if isinstance(v, bt2._StringFieldConst):
                fields[k] = str(v)
            elif isinstance(v, bt2._ArrayFieldConst):
                fields[k] = [int(x) for x in v]
            else:
                fields[k] = int(v)
        events.append(Event(ev.name[len("giltrace:"):], int(ev["vtid"]),
                            msg.default_clock_snapshot.value, fields))
    return events


class LineMap:
    """An offset-to-line map as the program's interpreter decoded it."""

    def __init__(self, lines):
        self.ranges = lines.get("ranges")
        starts = lines.get("starts")
        if starts is not None:
            self.offsets = [o for o, _ in starts]
            self.lines = [l for _, l in starts]

    def line(self, offset):
        if self.ranges is not None:
            for start, end, line in self.ranges:
                if start <= offset < end:
                    return line
            return None
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.lines[i] if i >= 0 else None


def check_names(events, prog):
    """py_code before every use; the program's code objects named right
    wherever they are used: the latest py_code of their address before
    the event is theirs (an address a freed code object had is named
    again once the program's takes it)."""
    by_id = dict((c["id"], (key, c)) for key, c in prog["codes"].items())
    version = tuple(prog["version"])
    fmt = 4 if version < (3,) else 1 if version < (3, 10) else 2 if version < (3, 11) else 3
    latest, checked = {}, set()

    def used(code, what, ts):
        if code not in latest:
            fail("%s carries %#x before any py_code names it" % (what, code))
        if code not in by_id or ts < prog["compiled_ns"]:
            return
        key, c = by_id[code]
        want = (c["name"], c["filename"], c["firstlineno"], fmt, c["linetable"])
        got = latest[code]
        if got != want:
            fail("%s carries %s (%#x), last named %r where the program says %r"
                 % (what, key, code, got[:4], want[:4]))
        checked.add(key)

    for ev in events:
        if ev.name == "py_code":
            latest[ev.f["code"]] = (ev.f["name"], ev.f["filename"], ev.f["firstlineno"],
                                    ev.f["linetable_format"], ev.f["linetable"])
        elif ev.name == "py_thread_target" and ev.f["target"]:
            used(ev.f["target"], "py_thread_target of thread %d" % ev.tid, ev.ts)
        elif ev.name in ("gil_acquire_end", "gil_release"):
            for code in ev.f["pycode"]:
                used(code, "%s of thread %d" % (ev.name, ev.tid), ev.ts)
    return checked


def frames_checked(events, depth):
    n = 0
    for ev in events:
        if ev.name == "py_frames_off":
            fail("py_frames_off: %s" % ev.f["reason"])
        if ev.name in ("gil_acquire_end", "gil_release"):
            if len(ev.f["pycode"]) != len(ev.f["pyinstr"]):
                fail("%s: %d codes, %d offsets" % (ev.name, len(ev.f["pycode"]), len(ev.f["pyinstr"])))
            if len(ev.f["pycode"]) > depth:
                fail("%s with %d frames, over the depth %d" % (ev.name, len(ev.f["pycode"]), depth))
            n += bool(ev.f["pycode"])
    return n


def want_frames(prog, chain, depth):
    """(code id, line or None) of each frame of chain, cut to depth."""
    codes, marks = prog["codes"], prog["marks"]
    return [(codes[key]["id"], marks.get(mark) if mark else None) for key, mark in chain][:depth]


def got_frames(ev, maps):
    return [(code, maps[code].line(off) if code in maps else None)
            for code, off in zip(ev.f["pycode"], ev.f["pyinstr"])]


def same_frames(got, want):
    return len(got) == len(want) and all(
        g[0] == w[0] and (w[1] is None or g[1] == w[1]) for g, w in zip(got, want))


def describe(frames, prog):
    names = dict((c["id"], k) for k, c in prog["codes"].items())
    return ", ".join("%s:%s" % (names.get(c, "%#x" % c), l) for c, l in frames)


BOTTOM = [("Thread.run", None), ("Thread._bootstrap_inner", None), ("Thread._bootstrap", None)]
HOLD_CHAIN = [("holder", "hold"), ("level1", "level1"), ("level2", "level2"),
              ("level3", "level3"), ("holder_main", "holder_main")] + BOTTOM
SLEEP_CHAIN = [("sleeper", "sleep"), ("sleeper_main", "sleeper_main")] + BOTTOM


def in_window(events, tid, name, lo, hi):
    return [ev for ev in events if ev.tid == tid and ev.name == name and lo <= ev.ts <= hi]


def check_holds(events, prog, maps, depth):
    """One acquisition in [t0, t1] and one release in [t2, t3] per hold,
    with the holder's chain of frames at the lines of its calls."""
    holds = prog["holds"]
    want = want_frames(prog, HOLD_CHAIN, depth)
    for i, (t0, t1, t2, t3) in enumerate(holds["times"]):
        for name, lo, hi in (("gil_acquire_end", t0, t1), ("gil_release", t2, t3)):
            found = in_window(events, holds["tid"], name, lo, hi)
            if len(found) != 1:
                fail("hold %d: %d %s events of the holder thread between its clock readings"
                     % (i, len(found), name))
            got = got_frames(found[0], maps)
            if not same_frames(got, want):
                fail("hold %d: %s frames [%s], want [%s]" % (i, name, describe(got, prog),
                                                            describe(want, prog)))
    return len(holds["times"])


def check_sleeps(events, prog, maps, depth):
    """Within each sleep's readings, a release at the time.sleep line and,
    after it, an acquisition there, with the sleeper's chain below."""
    want = want_frames(prog, SLEEP_CHAIN, depth)
    for i, (tid, t0, t1) in enumerate(prog["sleeps"]):
        mine = [ev for ev in events if ev.tid == tid and t0 <= ev.ts <= t1
                and ev.name in ("gil_release", "gil_acquire_end")]
        rel = [j for j, ev in enumerate(mine)
               if ev.name == "gil_release" and same_frames(got_frames(ev, maps), want)]
        acq = [j for j, ev in enumerate(mine)
               if ev.name == "gil_acquire_end" and same_frames(got_frames(ev, maps), want)]
        if not rel or not acq or max(acq) < min(rel):
            fail("sleep %d: no release then acquisition at [%s] (thread %d saw: %s)"
                 % (i, describe(want, prog), tid,
                    "; ".join("%s [%s]" % (ev.name, describe(got_frames(ev, maps), prog))
                              for ev in mine)))
    return len(prog["sleeps"])


def check_threads(events, prog):
    """py_thread_target: the start function; thread_name: the name."""
    codes = prog["codes"]
    for t in prog["threads"]:
        targets = [ev.f["target"] for ev in events
                   if ev.name == "py_thread_target" and ev.tid == t["tid"]]
        want = codes[t["target"]]["id"] if t["target"] else 0
        if targets != [want]:
            fail("thread %s (%d): py_thread_target %s, want [%#x]"
                 % (t["role"], t["tid"], ["%#x" % x for x in targets], want))
        names = [ev.f["name"] for ev in events if ev.name == "thread_name" and ev.tid == t["tid"]]
        # The interpreter's own naming (3.14 on), then the thread's.
        want_names = ([t["given"]] if t.get("given") else []) + ([t["name"]] if t["name"] else [])
        if names != want_names:
            fail("thread %s (%d): thread_name %s, want %s" % (t["role"], t["tid"], names, want_names))
    return len(prog["threads"])


def check_generated(events, prog):
    """Each generated function's sleep releases the GIL with it innermost,
    named (latest py_code of its address) as itself, not as whatever
    held the address before."""
    gen = prog["generated"]
    if len(set(g["id"] for g in gen)) == len(gen):
        fail("no code object reused another's address: renaming not exercised")
    latest = {}
    mine = iter([ev for ev in events if ev.tid == prog["main_tid"] or ev.name == "py_code"])
    for g in gen:
        seen = False
        for ev in mine:
            if ev.name == "py_code":
                latest[ev.f["code"]] = (ev.f["name"], ev.f["filename"])
                continue
            if ev.ts > g["t1"]:
                break
            if ev.name == "gil_release" and ev.ts >= g["t0"] and ev.f["pycode"][:1] == [g["id"]]:
                if latest.get(g["id"]) != (g["name"], g["filename"]):
                    fail("%s (%#x) released the GIL named %r" % (g["name"], g["id"], latest.get(g["id"])))
                seen = True
        if not seen:
            fail("no release of the GIL inside %s's sleep" % g["name"])
    return len(gen), len(gen) - len(set(g["id"] for g in gen))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    prog = json.load(open(argv[2]))
    depth = int(argv[3])
    events = read_events(argv[1], prog["pid"])
    maps = dict((c["id"], LineMap(c["lines"])) for c in prog["codes"].values())
    with_frames = frames_checked(events, depth)
    named = check_names(events, prog)
    holds = check_holds(events, prog, maps, depth)
    sleeps = check_sleeps(events, prog, maps, depth)
    threads = check_threads(events, prog)
    generated, reused = check_generated(events, prog)
    print("Python %s, depth %d: %d GIL events with frames; %d of the program's code objects "
          "named right; %d holds and %d sleeps at their lines; %d threads' targets and names; "
          "%d generated code objects (%d at a reused address) named as themselves"
          % (".".join(map(str, prog["version"])), depth, with_frames, len(named), holds, sleeps,
             threads, generated, reused))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
