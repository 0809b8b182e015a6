# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Reference counts for the analyzer's end-to-end tests.

  babeltrace2 TRACE | python3 gil_reference.py count > ref.json
  python3 gil_reference.py compare ANALYZER.json REF.json [--io-tid TID]
  python3 gil_reference.py program ANALYZER.json PROGRAM.json [--skip KEY,...]
  babeltrace2 TRACE | python3 gil_reference.py locks ANALYZER.json

"count" re-derives the per-thread counters from babeltrace2's text output
with code that shares nothing with the analyzer (another reader, another
language), straight from the definitions in giltrace-analyze(1).
"compare" checks the analyzer's JSON against it, exactly.  "program"
checks it against the counts a test program kept about itself.  "locks"
re-derives the --all-locks figures of every lock and compares them with
the analyzer's report (the contended locks, and only them).
"""
import json
import re
import sys

import gil_compact

LINE = re.compile(r'giltrace:(gil_\w+): .*?\{ vpid = (\d+), vtid = (\d+)[^}]*\}, \{ (.*) \}$')
FIELD = re.compile(r'(\w+) = ("[^"]*"|[^,]+)')

COUNTERS = ("acquisitions", "contended_acquisitions", "releases", "switches", "waits",
            "failed_wakeups", "timeouts", "missed_handoffs", "abandoned_attempts")


class Attempt:
    """An open acquire attempt: what contended_acquisitions and
    missed_handoffs need of it."""

    def __init__(self, gil, releases, held):
        self.gil = gil
        self.releases = releases    # the GIL's releases counted so far
        self.held = held            # another thread held the GIL at its begin
        self.other_acquired = False
        self.missed = 0
        self.waits = 0


def count(stream):
    threads = {}      # (pid, gil, tid) -> counters
    woken = {}        # (pid, tid) -> last wait of the attempt ended woken
    last_holder = {}  # (pid, gil) -> tid
    holder = {}       # (pid, gil) -> tid holding it now
    releases = {}     # (pid, gil) -> gil_release events so far
    semaphore = set()  # (pid, gil) of semaphore GILs: waits invisible
    attempts = {}     # (pid, tid) -> Attempt

    def close(pid, tid, c):
        a = attempts.pop((pid, tid), None)
        if a is not None:
            c["missed_handoffs"] += a.missed
        return a

    for line in gil_compact.expand_text(stream):
        m = LINE.search(line)
        if not m:
            continue
        name, pid, tid = m.group(1), int(m.group(2)), int(m.group(3))
        fields = dict(FIELD.findall(m.group(4)))
        if "gil" not in fields:
            continue
        gil = int(fields["gil"], 16)
        key = (pid, gil)
        if name == "gil_identified":
            if fields.get("kind") == '"semaphore"':
                semaphore.add(key)
            continue
        c = threads.setdefault((pid, gil, tid), dict.fromkeys(COUNTERS, 0))
        if name == "gil_acquire_begin":
            woken[(pid, tid)] = False
            attempts[(pid, tid)] = Attempt(key, releases.get(key, 0),
                                           holder.get(key) not in (None, tid))
        elif name == "gil_wait_begin":
            c["waits"] += 1
            if woken.get((pid, tid)):
                c["failed_wakeups"] += 1
            woken[(pid, tid)] = False
            if (pid, tid) in attempts:
                attempts[(pid, tid)].waits += 1
        elif name == "gil_wait_end":
            timed_out = int(fields["timed_out"]) != 0
            c["timeouts"] += timed_out
            woken[(pid, tid)] = not timed_out
        elif name == "gil_acquire_end":
            c["acquisitions"] += 1
            prev = last_holder.get(key)
            if prev != tid:     # the first acquisition is a switch
                c["switches"] += 1
            last_holder[key] = tid
            holder[key] = tid
            woken[(pid, tid)] = False
            # Every other attempt on this GIL saw it go to someone
            # else; a miss if it was released since the last one.
            for (apid, atid), a in attempts.items():
                if apid == pid and atid != tid and a.gil == key:
                    a.other_acquired = True
                    if releases.get(key, 0) > a.releases:
                        a.missed += 1
                        a.releases = releases.get(key, 0)
            a = close(pid, tid, c)
            if a is not None and (a.held or a.other_acquired if key in semaphore else a.waits > 0):
                c["contended_acquisitions"] += 1
        elif name == "gil_acquire_abandon":
            c["abandoned_attempts"] += 1
            woken[(pid, tid)] = False
            close(pid, tid, c)
        elif name == "gil_release":
            c["releases"] += 1
            releases[key] = releases.get(key, 0) + 1
            holder[key] = None
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
    if seen == 0:
        fail("no GIL in the trace: nothing compared")
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
    if checked == 0:
        fail("the program printed no count to compare")
    return checked


LOCK_LINE = re.compile(r'giltrace:((?:mutex|cond|sem)_\w+): .*?\{ vpid = (\d+), vtid = (\d+)[^}]*\}, \{ (.*) \}$')
EBUSY, EAGAIN, ETIMEDOUT = 16, 11, 110


def count_locks(stream):
    """Per (pid, kind, address): the --all-locks counters, from the
    definitions in giltrace-analyze(1)."""
    locks = {}
    calls = {}   # (pid, tid) -> (key, holder-was-other, acquisitions at the call, posts at the call)

    def lock(pid, kind, addr):
        return locks.setdefault((pid, kind, addr), {
            "acquisitions": 0, "contended": 0, "busy": 0, "owner_changes": 0, "timeouts": 0,
            "signals": 0, "broadcasts": 0, "posts": 0, "holder": None, "depth": 0, "last": None})

    def acquire(l, tid, contended, owned):
        l["acquisitions"] += 1
        if owned and l["holder"] == tid:
            l["depth"] += 1
            return
        l["contended"] += contended
        if l["last"] is not None and l["last"] != tid:
            l["owner_changes"] += 1
        l["last"] = tid
        if owned:
            l["holder"], l["depth"] = tid, 1

    def release(l, tid):
        if l["holder"] != tid:
            l["holder"], l["depth"] = None, 0
        elif l["depth"] > 1:
            l["depth"] -= 1
        else:
            l["holder"], l["depth"] = None, 0

    for line in gil_compact.expand_text(stream):
        m = LOCK_LINE.search(line)
        if not m:
            continue
        name, pid, tid = m.group(1), int(m.group(2)), int(m.group(3))
        f = dict(FIELD.findall(m.group(4)))
        addr = int(f["addr"], 16)
        ret = int(f.get("ret", "0"))
        if name.startswith("mutex"):
            l = lock(pid, "mutex", addr)
            if name in ("mutex_lock_begin", "mutex_timedlock_begin"):
                calls[(pid, tid)] = (addr, l["holder"] not in (None, tid), l["acquisitions"])
            elif name in ("mutex_lock_end", "mutex_timedlock_end"):
                c = calls.pop((pid, tid), None)
                contended = c is not None and c[0] == addr and (c[1] or l["acquisitions"] > c[2])
                if ret == 0:
                    acquire(l, tid, contended, True)
                elif ret == ETIMEDOUT:
                    l["timeouts"] += 1
            elif name == "mutex_trylock":
                if ret == 0:
                    acquire(l, tid, False, True)
                elif ret == EBUSY:
                    l["busy"] += 1
            elif name == "mutex_unlock":
                release(l, tid)
        elif name.startswith("cond"):
            c = lock(pid, "condvar", addr)
            if name == "cond_wait_begin":
                release(lock(pid, "mutex", int(f["mutex"], 16)), tid)
            elif name == "cond_wait_end":
                c["acquisitions"] += 1
                c["timeouts"] += ret == ETIMEDOUT
                mx = lock(pid, "mutex", int(f["mutex"], 16))
                mx["holder"], mx["depth"] = tid, 1
            elif name == "cond_signal":
                c["signals"] += 1
            elif name == "cond_broadcast":
                c["broadcasts"] += 1
        else:
            sm = lock(pid, "semaphore", addr)
            if name == "sem_wait_begin":
                calls[(pid, tid)] = (addr, False, sm["posts"])
            elif name == "sem_wait_end":
                c = calls.pop((pid, tid), None)
                if ret == 0:
                    acquire(sm, tid, c is not None and c[0] == addr and sm["posts"] > c[2], False)
                elif int(f["err"]) == ETIMEDOUT:
                    sm["timeouts"] += 1
            elif name == "sem_trywait":
                if ret == 0:
                    acquire(sm, tid, False, False)
                elif int(f["err"]) == EAGAIN:
                    sm["busy"] += 1
            elif name == "sem_post":
                sm["posts"] += 1
    return locks


def compare_locks(report, locks):
    keys = ("acquisitions", "contended", "busy", "owner_changes", "timeouts", "signals",
            "broadcasts", "posts")
    want = {}
    for (pid, kind, addr), l in locks.items():
        contended = (l["acquisitions"] or l["timeouts"]) if kind == "condvar" else (l["contended"] or l["busy"])
        if contended:
            want[(pid, kind, addr)] = l
    got = {(p["pid"], l["kind"], int(l["address"], 16)): l
           for p in report["processes"] for l in p["locks"]}
    if sorted(got) != sorted(want):
        fail("contended locks differ: only in the analyzer %s, only in the reference %s"
             % (sorted(set(got) - set(want)), sorted(set(want) - set(got))))
    for k, l in want.items():
        for key in keys:
            if got[k][key] != l[key]:
                fail("lock %s %#x %s: analyzer %d, reference %d" % (k[1], k[2], key, got[k][key], l[key]))
    return len(want)



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
    elif cmd == "locks":
        with open(sys.argv[2]) as f:
            report = json.load(f)
        check_clean(report)
        n = compare_locks(report, count_locks(sys.stdin))
        if n == 0:
            fail("no contended lock at all")
        print("exact: %d contended locks, every counter" % n)
    else:
        fail("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
