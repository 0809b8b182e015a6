#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Checks the timeline picture and giltrace top against tests/py/pyfunctions.py's
own record of its threads and holds (tests/e2e_pyfunctions.sh).

  pyviews_check.py PICTURE_SVG TOP_JSONL TOP_TEXT PROGRAM_JSON PROGRAM_SOURCE

The program knows its threads' ids (gettid) and names (the name the
interpreter gave a thread, as the kernel has it, else its start function;
and the main thread), the functions that hold the GIL from C
(tests/py/gilhold.c) and the lines they call it on ("# line: NAME"), and
its extension's clock readings around each hold.  From giltrace(1):
  the picture   each row of those threads is labelled "NAME · tid TID";
      on the holder's row, the longest hold shown on hover in hold_long,
      hold_short and spin_in_c is on the marked line and lies within the
      extension's bounds of that function's longest hold; no other row
      names those functions;
  top           over the intervals, the holder's holds placed at
      hold_long and hold_short on their lines are exactly N + 1 each
      (phase 1 has no contention) and their time within the extension's
      clock bounds, spin_in_c's at least K + 1; hold_long and spin_in_c each hold the GIL
      for longer than an interval in one go, so each is the top holder of
      some interval, named with the holder's tid and name, in the JSON
      lines and in the table.
Exit status 0 with one line of figures, 1 with the failures.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def expect(what, ok, detail):
    if not ok:
        failures.append("%s: %s" % (what, detail))


def marked_lines(path):
    return {t.split("# line: ")[1].strip(): i for i, t in enumerate(open(path), 1) if "# line: " in t}


def hold_bounds(holds):
    """The longest of these holds, traced, lies within these (gilhold.c's readings t0..t3)."""
    return max(t2 - t1 for t0, t1, t2, t3 in holds), max(t3 - t0 for t0, t1, t2, t3 in holds)


def want_names(prog):
    """What the report names each thread: the name the interpreter gave
    it (CPython 3.14 on: the kernel's name differs from the main
    thread's once the thread has started), else its start function."""
    names = dict((role, prog.get(role + "_os_name")
                  if prog.get(role + "_os_name") not in (None, prog.get("main_os_name")) else role)
                 for role in ("holder", "waiter"))
    names["MainThread"] = "MainThread"
    return names


def check_picture(path, prog, tids, lines, funcs):
    rows = {int(g.get("data-tid")): g for g in ET.parse(path).getroot().iter(SVG + "g")
            if g.get("class") == "thread" and int(g.get("data-pid")) == prog["pid"]}
    for name, tid in tids.items():
        g = rows.get(tid)
        if g is None:
            failures.append("picture: no row for %s (%d)" % (name, tid))
            continue
        label = [e.text for e in g.iter(SVG + "text") if e.get("class") == "name"]
        want = "%s · tid %d" % (want_names(prog)[name], tid)
        expect("picture row %d" % tid, label == [want], "labelled %r, want %r" % (label, want))
    shown = 0
    for tid, g in rows.items():
        for r in g.iter(SVG + "rect"):
            func = r.get("data-function")
            if func not in funcs:
                continue
            expect("picture row %d" % tid, tid == prog["holder"], "names %s, which only the holder ran" % func)
    holder = rows.get(prog["holder"])
    for func, holds in funcs.items():
        rects = [r for r in (holder.iter(SVG + "rect") if holder is not None else ())
                 if r.get("data-function") == func]
        if not rects:
            failures.append("picture: no hold of the holder named %s" % func)
            continue
        r = max(rects, key=lambda r: int(r.get("data-longest-hold-ns")))
        ns, (low, high) = int(r.get("data-longest-hold-ns")), hold_bounds(holds)
        expect("picture %s" % func, low <= ns <= high, "longest hold %d ns outside [%d, %d]" % (ns, low, high))
        want = "%s (%s:%d): the longest hold here, " % (func, os.path.basename(r.get("data-file") or ""), lines[func])
        title = r.find(SVG + "title").text
        expect("picture %s" % func, title.startswith(want), "hover %r, want %r..." % (title, want))
        shown += 1
    return shown


def check_top(jsonl, text, prog, lines, funcs):
    holds, tops = {}, set()
    for r in map(json.loads, open(jsonl)):
        if r["type"] != "interval" or r["pid"] != prog["pid"]:
            continue
        for h in r["holders"]:
            if h["tid"] == prog["holder"] and h["function"] in funcs and h["line"] == lines[h["function"]]:
                s = holds.setdefault(h["function"], [0, 0])
                s[0] += h["holds"]
                s[1] += h["holds_ns"]
        t = r["top_holder"]
        if t:
            tops.add((t["tid"], t["name"], t["function"], t["line"]))
    # A function's first hold, released on entering the extension, began
    # after the program's reading before that phase.
    for func, first_start in (("hold_long", prog["t_go1"]), ("hold_short", prog["long"][-1][3])):
        n, ns = holds.get(func, [0, 0])
        expect("top %s" % func, n == prog["n"] + 1, "%d holds on line %d, want %d" % (n, lines[func], prog["n"] + 1))
        inner = sum(t2 - t1 for t0, t1, t2, t3 in funcs[func])
        outer = sum(t3 - t0 for t0, t1, t2, t3 in funcs[func]) + funcs[func][0][0] - first_start
        expect("top %s" % func, inner <= ns <= outer, "held %d ns outside [%d, %d]" % (ns, inner, outer))
    n, ns = holds.get("spin_in_c", [0, 0])
    expect("top spin_in_c", n >= prog["k"] + 1, "%d holds, want at least %d" % (n, prog["k"] + 1))
    for func in ("hold_long", "spin_in_c"):
        name = want_names(prog)["holder"]
        want = (prog["holder"], name, func, lines[func])
        expect("top %s" % func, want in tops, "never the top holder as %s; top holders %s" % (want, sorted(tops)))
        line = "  top holder: %d %s in %s (%s:%d), " % (prog["holder"], name, func, os.path.basename(PROGRAM), lines[func])
        expect("top table %s" % func, line in text, "no line %r" % line)
    return holds


def main(argv):
    global PROGRAM
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    svg, jsonl, text, prog, PROGRAM = argv[1], argv[2], open(argv[3]).read(), json.load(open(argv[4])), argv[5]
    lines = marked_lines(PROGRAM)
    tids = {"MainThread": prog["main"], "holder": prog["holder"], "waiter": prog["waiter"]}
    funcs = {"hold_long": prog["long"], "hold_short": prog["short"], "spin_in_c": prog["spin"]}
    shown = check_picture(svg, prog, tids, lines, funcs)
    holds = check_top(jsonl, text, prog, lines, funcs)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        return 1
    print("picture: 3 rows named, %d functions' longest holds on their lines; top: hold_long %d, hold_short %d, "
          "spin_in_c %d holds, hold_long and spin_in_c top holders" % (
              shown, holds["hold_long"][0], holds["hold_short"][0], holds["spin_in_c"][0]))
    return 0


PROGRAM = None
sys.exit(main(sys.argv))
