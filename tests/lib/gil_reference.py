# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Reference counts for the analyzer's end-to-end tests.

  babeltrace2 TRACE | python3 gil_reference.py count > ref.json
  python3 gil_reference.py compare ANALYZER.json REF.json [--io-tid TID]
  python3 gil_reference.py program ANALYZER.json PROGRAM.json [--skip KEY,...]

"count" re-derives the per-thread counters from babeltrace2's text output
with code that shares nothing with the analyzer (another reader, another
language), straight from the definitions in giltrace-analyze(1).
"compare" checks the analyzer's JSON against it, exactly.  "program"
checks it against the counts a test program kept about itself.
"""
import json
import re
import sys

LINE = re.compile(r'giltrace:(gil_\w+): .*?\{ vpid = (\d+), vtid = (\d+)[^}]*\}, \{ (.*) \}$')
FIELD = re.compile(r'(\w+) = ("[^"]*"|[^,]+)')

COUNTERS = ("acquisitions", "releases", "switches", "waits", "failed_wakeups",
            "timeouts", "abandoned_attempts")


def count(stream):
    threads = {}      # (pid, gil, tid) -> counters
    woken = {}        # (pid, tid) -> last wait of the attempt ended woken
    last_holder = {}  # (pid, gil) -> tid
    for line in stream:
        m = LINE.search(line)
        if not m:
            continue
        name, pid, tid = m.group(1), int(m.group(2)), int(m.group(3))
        fields = dict(FIELD.findall(m.group(4)))
        if "gil" not in fields or name == "gil_identified":
            continue
        gil = int(fields["gil"], 16)
        c = threads.setdefault((pid, gil, tid), dict.fromkeys(COUNTERS, 0))
        if name == "gil_acquire_begin":
            woken[(pid, tid)] = False
        elif name == "gil_wait_begin":
            c["waits"] += 1
            if woken.get((pid, tid)):
                c["failed_wakeups"] += 1
            woken[(pid, tid)] = False
        elif name == "gil_wait_end":
            timed_out = int(fields["timed_out"]) != 0
            c["timeouts"] += timed_out
            woken[(pid, tid)] = not timed_out
        elif name == "gil_acquire_end":
            c["acquisitions"] += 1
            prev = last_holder.get((pid, gil))
            if prev != tid:     # the first acquisition is a switch
                c["switches"] += 1
            last_holder[(pid, gil)] = tid
            woken[(pid, tid)] = False
        elif name == "gil_acquire_abandon":
            c["abandoned_attempts"] += 1
            woken[(pid, tid)] = False
        elif name == "gil_release":
            c["releases"] += 1
    out = {}
    for (pid, gil, tid), c in threads.items():
        out.setdefault("%d %#x" % (pid, gil), {})[str(tid)] = c
    return out


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def gils_of(report):
    for p in report["processes"]:
        for g in p["gils"]:
            yield p, g


def check_clean(report):
    if report["discarded_events"] or report["discarded_packets"]:
        fail("LTTng discarded %d events, %d packets: the counts cannot be exact"
             % (report["discarded_events"], report["discarded_packets"]))
    bad = {k: v for k, v in report["anomalies"].items() if v}
    if bad:
        fail("inconsistencies in a clean recording: %s" % bad)


def compare(report, ref, io_tid=None):
    check_clean(report)
    seen = 0
    for p, g in gils_of(report):
        want = ref.get("%d %s" % (p["pid"], g["address"]))
        if want is None:
            fail("GIL %s of pid %d not in the reference" % (g["address"], p["pid"]))
        got = {str(t["tid"]): t for t in g["threads"]}
        if sorted(got) != sorted(want):
            fail("threads differ: analyzer %s, reference %s" % (sorted(got), sorted(want)))
        for tid, w in want.items():
            for k in COUNTERS:
                if got[tid][k] != w[k]:
                    fail("pid %d tid %s %s: analyzer %d, reference %d"
                         % (p["pid"], tid, k, got[tid][k], w[k]))
        for k in COUNTERS:
            total = sum(w[k] for w in want.values())
            if g[k] != total:
                fail("GIL %s %s: analyzer %d, sum of threads %d" % (g["address"], k, g[k], total))
        seen += 1
        if io_tid is not None:
            check_convoy(g, io_tid)
    if seen != len(ref):
        fail("analyzer reports %d GILs, the trace has %d" % (seen, len(ref)))
    return seen


def check_convoy(g, io_tid):
    """CPU-bound plus I/O-bound thread: the GIL must show starvation."""
    if g["failed_wakeups"] + g["missed_handoffs"] == 0:
        fail("no failed wake-up nor missed hand-off on a CPU+I/O workload")
    io = [t for t in g["threads"] if t["tid"] == io_tid]
    if not io:
        fail("I/O thread %d not in the report" % io_tid)
    lat = io[0]["wakeup_latency_ns"]
    if lat["count"] == 0 or lat["max"] == 0:
        fail("I/O thread %d has no wake-up latency" % io_tid)
    print("convoy: failed_wakeups=%d missed_handoffs=%d io-thread wake-up p50=%dns max=%dns (%d)"
          % (g["failed_wakeups"], g["missed_handoffs"], lat["p50"], lat["max"], lat["count"]))


def program(report, prog, skip=()):
    """The analyzer's JSON against a test program's own counts: every
    key the program printed, per thread and in total, except skip."""
    check_clean(report)
    pid = prog["pid"]
    procs = [p for p in report["processes"] if p["pid"] == pid]
    if len(procs) != 1:
        fail("process %d not in the report" % pid)
    wanted = prog["gils"] if "gils" in prog else [prog]
    if len(procs[0]["gils"]) != len(wanted):
        fail("the program has %d GIL(s), the analyzer reports %d"
             % (len(wanted), len(procs[0]["gils"])))
    checked = 0
    for w in wanted:
        gils = [g for g in procs[0]["gils"] if int(g["address"], 16) == int(w["gil"], 16)]
        if len(gils) != 1:
            fail("the program's GIL %s is not reported: %s"
                 % (w["gil"], [g["address"] for g in procs[0]["gils"]]))
        g = gils[0]
        got = {t["tid"]: t for t in g["threads"]}
        if sorted(got) != sorted(t["tid"] for t in w["threads"]):
            fail("GIL %s: threads %s, the program's %s"
                 % (w["gil"], sorted(got), sorted(t["tid"] for t in w["threads"])))
        for t in w["threads"]:
            for k, v in t.items():
                if k == "tid" or k in skip:
                    continue
                if got[t["tid"]].get(k) != v:
                    fail("GIL %s tid %d %s: analyzer %s, program %s"
                         % (w["gil"], t["tid"], k, got[t["tid"]].get(k), v))
                checked += 1
        for k, v in w.get("totals", {}).items():
            if k in skip:
                continue
            if g.get(k) != v:
                fail("GIL %s totals %s: analyzer %s, program %s" % (w["gil"], k, g.get(k), v))
            checked += 1
    return checked


def main():
    cmd = sys.argv[1]
    if cmd == "count":
        json.dump(count(sys.stdin), sys.stdout, indent=1, sort_keys=True)
    elif cmd == "compare":
        io_tid = int(sys.argv[sys.argv.index("--io-tid") + 1]) if "--io-tid" in sys.argv else None
        with open(sys.argv[2]) as f, open(sys.argv[3]) as r:
            n = compare(json.load(f), json.load(r), io_tid)
        print("exact: %d GIL(s), every thread's %s" % (n, ", ".join(COUNTERS)))
    elif cmd == "program":
        skip = sys.argv[sys.argv.index("--skip") + 1].split(",") if "--skip" in sys.argv else ()
        with open(sys.argv[2]) as f, open(sys.argv[3]) as p:
            n = program(json.load(f), json.load(p), skip)
        print("exact: %d values equal the program's own counts" % n)
    else:
        fail("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
