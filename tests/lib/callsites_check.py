#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Checks giltrace-analyze's call sites against tests/py/gilhold.c's own
record of its holds (tests/e2e_callsites.sh).

  callsites_check.py ANALYZER_JSON ANALYZER_TEXT ANALYZER_CSV PROGRAM_JSON
                     EXT_PATH FUNC_START FUNC_END (symbol|stripped)

EXT_PATH is the extension the program loaded, FUNC_START..FUNC_END the
extent of its hold_gil function in the file's address space (from nm on
the unstripped build).  "symbol": the site must be named hold_gil;
"stripped": it must have no symbol and be named gilhold.so+OFFSET with
OFFSET inside hold_gil.

The extension's acquire site must come first in the ranking by the hold
that followed; its holds must equal the extension's count exactly; and
since each traced hold lies between the extension's inner and outer
clock readings (see gilhold.c), the site's total and longest hold must
lie between the sums and maxima of those.  The text report and the CSV
(--callsites) must say the same as the JSON.  Prints the figures.  Exit
status 0 if all holds, 1 otherwise.
"""
import csv
import json
import os
import sys


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def in_function(site, prefix, ext, start, end, mode):
    """Is this code address (as the analyzer's JSON gives it) in hold_gil?"""
    binary = site.get(prefix + "_binary")
    if not binary or os.path.realpath(binary) != os.path.realpath(ext):
        return False
    off = int(site[prefix + "_binary_offset"], 16)
    if not start < off <= end:     # a return address: just after a call
        return False
    if mode == "symbol":
        return site[prefix + "_symbol"] == "hold_gil"
    return (site[prefix + "_symbol"] is None
            and site[prefix + "_name"] == "gilhold.so+%#x" % off)


def main(argv):
    if len(argv) != 9:
        sys.stderr.write(__doc__)
        return 2
    report, text_path, csv_path, prog_path, ext = argv[1:6]
    start, end, mode = int(argv[6], 16), int(argv[7], 16), argv[8]
    prog = json.load(open(prog_path))
    doc = json.load(open(report))
    text = open(text_path).read()
    count = prog["count"]
    holds = prog["holds"]
    if len(holds) != count:
        fail("the extension reports %d holds, asked for %d" % (len(holds), count))

    procs = [p for p in doc["processes"] if p["pid"] == prog["pid"]]
    if len(procs) != 1 or len(procs[0]["gils"]) != 1:
        fail("want one GIL in process %d" % prog["pid"])
    gil = procs[0]["gils"][0]
    if gil["backtrace_depth"] == 0:
        fail("no backtraces in the trace (--callsites not passed on?)")
    sites = gil["callsites"]
    if not sites:
        fail("no call sites in the report")
    top = sites[0]
    if not in_function(top, "site", ext, start, end, mode):
        fail("first call site is %s, not hold_gil's acquisition in %s (next: %s)"
             % (top["site_name"], ext, ", ".join(s["site_name"] for s in sites[1:4])))
    if top["in_gil_machinery"]:
        fail("first call site flagged inside the GIL machinery")

    # Exact counts.
    if top["holds"] != count or top["acquisitions"] != count:
        fail("%s: %d holds, %d acquisitions; the extension counted %d"
             % (top["site_name"], top["holds"], top["acquisitions"], count))
    if not in_function(top, "longest_hold_released_at", ext, start, end, mode):
        fail("the longest hold was released at %s, not in hold_gil"
             % top["longest_hold_released_at_name"])

    # Durations: each traced hold lies in [t2 - t1, t3 - t0].
    inner = [t2 - t1 for t0, t1, t2, t3 in holds]
    outer = [t3 - t0 for t0, t1, t2, t3 in holds]
    held, longest = top["held_ns"], top["longest_hold_ns"]
    if not sum(inner) <= held <= sum(outer):
        fail("total hold %d ns outside the extension's bounds [%d, %d]" % (held, sum(inner), sum(outer)))
    if not max(inner) <= longest <= max(outer):
        fail("longest hold %d ns outside the extension's bounds [%d, %d]"
             % (longest, max(inner), max(outer)))

    # The text report says the same, worst first.
    name = top["site_name"]
    if ("Held " not in text or "after acquisitions at %s" % name not in text
            or "released at %s" % top["longest_hold_released_at_name"] not in text):
        fail("the text report does not name %s first" % name)
    rows = text.split("By the hold that followed acquisitions there:")[1].splitlines()
    if name not in rows[2]:
        fail("first row of the text ranking is %r, not %s" % (rows[2].strip(), name))

    # So does the CSV, row for row in the same order.
    rows = [r for r in csv.DictReader(open(csv_path)) if int(r["pid"]) == prog["pid"]]
    if len(rows) != len(sites):
        fail("CSV has %d call-site rows, JSON %d" % (len(rows), len(sites)))
    for row, site in zip(rows, sites):
        for key in ("acquisitions", "holds", "held_ns", "longest_hold_ns", "waited_ns",
                    "failed_wakeups", "releases"):
            if int(row[key]) != site[key]:
                fail("CSV %s of %s: %s, JSON %d" % (key, site["site_name"], row[key], site[key]))
        if row["site"] != site["site"] or row["site_name"] != site["site_name"]:
            fail("CSV names %s where JSON has %s" % (row["site_name"], site["site_name"]))

    print("%s: %d holds of %d (exact); total %.3f ms, extension's own %.3f ms "
          "(bounds %.3f..%.3f ms, +%.1f us per hold over its own); longest %.3f ms "
          "(bounds %.3f..%.3f ms)"
          % (name, top["holds"], count, held / 1e6, sum(inner) / 1e6, sum(inner) / 1e6,
             sum(outer) / 1e6, (held - sum(inner)) / 1e3 / count, longest / 1e6,
             max(inner) / 1e6, max(outer) / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
