#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Independent checker of giltrace traces, for the tests.

Reads a recorded trace with libbabeltrace2 (Debian's python3-bt2) and
replays the giltrace:gil_* events per process, per GIL and per thread.
It shares nothing with the analyzer in analyzer/: it exists so that the
shim's events and the analyzer's numbers can both be checked against a
second, deliberately plain reading of the event contract
(tracepoints/giltrace_tp.h).

  trace_check.py summary TRACE_DIR
      Print the counts as JSON.  Exit 1 if the trace breaks the grammar
      or events were discarded, 0 otherwise.
  trace_check.py events TRACE_DIR
      Print every giltrace event as one JSON object per line
      ({"name", "pid", "tid", "procname", fields...}; a field of one of
      those names is "field_NAME") for the tests' own queries (jq), and
      the number of discarded events on stderr.
  trace_check.py compare TRACE_DIR PROGRAM_JSON [--keys K,...]
      Compare the counts of the program's process and GIL(s) with what
      the program counted itself (exact equality; the program's JSON is
      {"pid", "gil", "threads": [{"tid", counters...}], "totals"}, or
      {"pid", "gils": [...]} for several GILs).  Exit 1 on any
      difference, a GIL the program does not know, a grammar violation
      or a discarded event.

Grammar, per thread and GIL:
  acquire_begin (wait_begin wait_end)* (acquire_end | acquire_abandon)
and a release only by the thread that holds the GIL.  A wait_end with
timed_out=0 followed by another wait_begin in the same attempt is a
failed wake-up.  A switch is an acquisition by a thread other than the
previous acquirer (the first acquisition is one).  missed_handoffs: for
each attempt, the acquisitions by other threads while it was open.

Exit status: 0 success, 1 check failed, 2 usage or unreadable input.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import gil_compact  # noqa: E402  (compact cycles read as today's events)

try:
    import bt2
except ImportError:
    sys.stderr.write("trace_check: the libbabeltrace2 Python bindings are missing "
                     "(apt-get install python3-bt2)\n")
    sys.exit(2)

ETIMEDOUT = 110
RET_CANCELLED = -125

COUNTERS = ("acquisitions", "contended_acquisitions", "waits", "timeouts",
            "failed_wakeups", "switches", "releases", "missed_handoffs",
            "abandons")


def new_counts():
    return dict.fromkeys(COUNTERS, 0)


def field_value(v):
    """A payload field as str, int, or list of int (backtrace)."""
    if isinstance(v, bt2._StringFieldConst):
        return str(v)
    if isinstance(v, bt2._ArrayFieldConst):
        return [int(x) for x in v]
    return int(v)


class Attempt:
    """One acquire attempt of one thread, open until acquire_end/abandon."""

    def __init__(self):
        self.waits = 0
        self.timeouts = 0
        self.waiting = False
        self.last_woken = False    # the previous wait ended woken
        self.missed = 0


class Gil:
    """One GIL of one process image (an exec starts a new one)."""

    def __init__(self, pid, addr):
        self.pid = pid
        self.addr = addr
        self.identified = 0
        self.cond = 0
        self.kind = self.method = self.runtime = None
        # A GIL seen without its gil_identified event (the child of a
        # fork inherits it) may be held by anyone when events begin.
        self.holder = "unknown"
        self.last_acquirer = None
        self.threads = {}          # tid -> counts
        self.attempts = {}         # tid -> Attempt

    def counts(self, tid):
        return self.threads.setdefault(tid, new_counts())


class Checker:
    def __init__(self):
        self.gils = {}             # (pid, addr) -> Gil (current incarnation)
        self.all_gils = []         # every incarnation, in order of appearance
        self.procnames = {}
        self.not_found = {}        # pid -> gil_not_found events
        self.discarded = 0
        self.violations = []

    def violation(self, ts, pid, tid, text):
        self.violations.append("t=%d pid=%d tid=%d: %s" % (ts, pid, tid, text))

    def gil(self, pid, addr):
        g = self.gils.get((pid, addr))
        if g is None:
            g = Gil(pid, addr)
            self.gils[(pid, addr)] = g
            self.all_gils.append(g)
        return g

    # ---- event handlers, one per gil_* event -------------------------

    def on_identified(self, ts, pid, tid, f):
        g = self.gils.get((pid, f["gil"]))
        if g is not None and g.identified:
            # Same pid, same address identified again: the process
            # exec'd and the new image found its GIL where the old one
            # had it.  Start a new incarnation.
            del self.gils[(pid, f["gil"])]
        g = self.gil(pid, f["gil"])
        g.identified += 1
        if g.identified == 1 and (g.threads or g.attempts):
            self.violation(ts, pid, tid, "gil_identified after events of GIL 0x%x" % g.addr)
        g.holder = None
        g.cond = f["cond"]
        g.kind = str(f["kind"])
        g.method = str(f["method"])
        g.runtime = str(f["runtime"])

    def on_acquire_begin(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        if tid in g.attempts:
            self.violation(ts, pid, tid, "acquire_begin inside an open attempt")
        if g.holder == tid:
            self.violation(ts, pid, tid, "acquire_begin while holding the GIL")
        g.counts(tid)
        g.attempts[tid] = Attempt()

    def on_wait_begin(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        a = g.attempts.get(tid)
        if a is None:
            self.violation(ts, pid, tid, "wait_begin outside an attempt")
            return
        if a.waiting:
            self.violation(ts, pid, tid, "wait_begin inside a wait")
        c = g.counts(tid)
        c["waits"] += 1
        if a.last_woken:
            c["failed_wakeups"] += 1
        a.waits += 1
        a.waiting = True

    def on_wait_end(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        a = g.attempts.get(tid)
        if a is None or not a.waiting:
            self.violation(ts, pid, tid, "wait_end without wait_begin")
            return
        a.waiting = False
        timed_out = f["timed_out"]
        ret = f["ret"]
        if timed_out not in (0, 1) or (timed_out == 1) != (ret == ETIMEDOUT):
            self.violation(ts, pid, tid, "wait_end timed_out=%d but ret=%d" % (timed_out, ret))
        if timed_out:
            g.counts(tid)["timeouts"] += 1
            a.timeouts += 1
        a.last_woken = not timed_out

    def close_attempt(self, ts, pid, tid, g, f, what):
        a = g.attempts.pop(tid, None)
        if a is None:
            self.violation(ts, pid, tid, "%s without acquire_begin" % what)
            return None
        if a.waiting:
            self.violation(ts, pid, tid, "%s inside a wait" % what)
        if f["waits"] != a.waits or f["timeouts"] != a.timeouts:
            self.violation(ts, pid, tid, "%s says waits=%d timeouts=%d, the attempt had %d and %d"
                           % (what, f["waits"], f["timeouts"], a.waits, a.timeouts))
        g.counts(tid)["missed_handoffs"] += a.missed
        return a

    def on_acquire_end(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        a = self.close_attempt(ts, pid, tid, g, f, "acquire_end")
        if g.holder not in (None, "unknown"):
            self.violation(ts, pid, tid, "acquired while thread %s holds it" % g.holder)
        c = g.counts(tid)
        c["acquisitions"] += 1
        if a is not None and a.waits > 0:
            c["contended_acquisitions"] += 1
        if g.last_acquirer != tid:
            c["switches"] += 1
        g.last_acquirer = tid
        g.holder = tid
        for other, oa in g.attempts.items():
            if other != tid:
                oa.missed += 1

    def on_acquire_abandon(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        self.close_attempt(ts, pid, tid, g, f, "acquire_abandon")
        g.counts(tid)["abandons"] += 1

    def on_release(self, ts, pid, tid, f):
        g = self.gil(pid, f["gil"])
        if g.holder != tid and g.holder != "unknown":
            self.violation(ts, pid, tid, "release by a thread that does not hold the GIL (holder %s)"
                           % g.holder)
        if f["signalled"] not in (0, 1) or (f["signalled"] and f["waiters"] == 0):
            self.violation(ts, pid, tid, "release signalled=%d with waiters=%d"
                           % (f["signalled"], f["waiters"]))
        g.counts(tid)["releases"] += 1
        g.holder = None

    def on_not_found(self, ts, pid, tid, f):
        self.not_found[pid] = self.not_found.get(pid, 0) + 1

    HANDLERS = {
        "giltrace:gil_identified": on_identified,
        "giltrace:gil_acquire_begin": on_acquire_begin,
        "giltrace:gil_wait_begin": on_wait_begin,
        "giltrace:gil_wait_end": on_wait_end,
        "giltrace:gil_acquire_end": on_acquire_end,
        "giltrace:gil_acquire_abandon": on_acquire_abandon,
        "giltrace:gil_release": on_release,
        "giltrace:gil_not_found": on_not_found,
    }

    def read(self, path):
        it = bt2.TraceCollectionMessageIterator(path)
        for msg in it:
            if type(msg) is bt2._DiscardedEventsMessageConst:
                self.discarded += msg.count if msg.count is not None else 1
                continue
            if type(msg) is bt2._DiscardedPacketsMessageConst:
                self.discarded += 1
                continue
            if type(msg) is not bt2._EventMessageConst:
                continue
            ev = msg.event
            pid = int(ev["vpid"])
            if ev.name.startswith("giltrace:gil_cycle"):
                self.procnames.setdefault(pid, str(ev["procname"]))
            expanded = gil_compact.expand_msg(msg)
            if expanded is not None:
                for name, ts, tid, f in expanded:
                    self.HANDLERS[name](self, ts, pid, tid, f)
                continue
            handler = self.HANDLERS.get(ev.name)
            if handler is None:
                continue
            tid = int(ev["vtid"])
            self.procnames.setdefault(pid, str(ev["procname"]))
            f = {k: field_value(v) for k, v in ev.payload_field.items()}
            handler(self, msg.default_clock_snapshot.ns_from_origin, pid, tid, f)

    def finish(self):
        for g in self.all_gils:
            for tid, a in g.attempts.items():
                # An attempt still open when the trace ends: a thread
                # blocked at exit.  Not a grammar error, but reported.
                g.counts(tid)
                self.violations.append("pid=%d tid=%d: attempt on GIL 0x%x never ended"
                                       % (g.pid, tid, g.addr))

    def report(self):
        procs = {}
        for pid in sorted(set([g.pid for g in self.all_gils] + list(self.not_found))):
            procs[pid] = {"pid": pid, "procname": self.procnames.get(pid, ""),
                          "gil_not_found": self.not_found.get(pid, 0), "gils": []}
        for g in self.all_gils:
            totals = new_counts()
            threads = []
            for tid in sorted(g.threads):
                c = g.threads[tid]
                for k in COUNTERS:
                    totals[k] += c[k]
                threads.append(dict({"tid": tid}, **c))
            procs[g.pid]["gils"].append({
                "gil": "0x%x" % g.addr, "cond": "0x%x" % g.cond,
                "identified": g.identified, "kind": g.kind, "method": g.method,
                "runtime": g.runtime, "threads": threads, "totals": totals})
        return {"discarded_events": self.discarded, "violations": self.violations,
                "processes": [procs[p] for p in sorted(procs)]}


def check_trace(path):
    c = Checker()
    try:
        c.read(path)
    except Exception as e:   # bt2 raises its own error types
        sys.stderr.write("trace_check: cannot read the trace: path=\"%s\": %s\n" % (path, e))
        sys.exit(2)
    c.finish()
    return c.report()


def trace_ok(rep):
    ok = True
    if rep["discarded_events"]:
        sys.stderr.write("trace_check: %d events were discarded; counts are lower bounds\n"
                         % rep["discarded_events"])
        ok = False
    for v in rep["violations"]:
        sys.stderr.write("trace_check: grammar: %s\n" % v)
        ok = False
    return ok


def find_gil(rep, pid, addr):
    for p in rep["processes"]:
        if p["pid"] != pid:
            continue
        for g in p["gils"]:
            if int(g["gil"], 16) == int(addr, 16):
                return g
    return None


def compare_keys(counts, keys, label):
    """The keys to compare in one of the program's count sets: keys if
    given (each must be there), else every counter it printed
    (acquisitions and releases at least); and the differences so far."""
    if keys is None:
        use = [k for k in COUNTERS if k in counts]
        need = ("acquisitions", "releases")
    else:
        use, need = keys, keys
    return use, ["%s: the program printed no %s" % (label, k) for k in need if k not in counts]


def compare_gil(traced, prog, keys, label):
    """Compare one GIL's per-thread and total counts; return differences."""
    diffs = []
    by_tid = {t["tid"]: t for t in traced["threads"]}
    prog_tids = set()
    for pt in prog["threads"]:
        tid = pt["tid"]
        prog_tids.add(tid)
        tt = by_tid.get(tid, dict(new_counts(), tid=tid))
        use, missing = compare_keys(pt, keys, "%s tid %d" % (label, tid))
        diffs += missing
        for k in use:
            if k in pt and pt[k] != tt[k]:
                diffs.append("%s tid %d %s: program %d, trace %d" % (label, tid, k, pt[k], tt[k]))
    for tid in by_tid:
        if tid not in prog_tids and any(by_tid[tid][k] for k in keys or COUNTERS):
            diffs.append("%s tid %d in the trace but not in the program's output" % (label, tid))
    use, missing = compare_keys(prog["totals"], keys, "%s totals" % label)
    diffs += missing
    for k in use:
        if k in prog["totals"] and prog["totals"][k] != traced["totals"][k]:
            diffs.append("%s totals %s: program %d, trace %d"
                         % (label, k, prog["totals"][k], traced["totals"][k]))
    return diffs


def compare(rep, prog, keys):
    gils = prog["gils"] if "gils" in prog else [prog]
    diffs = []
    named = set(int(pg["gil"], 16) for pg in gils)
    for p in rep["processes"]:
        if p["pid"] != prog["pid"]:
            continue
        for g in p["gils"]:
            if int(g["gil"], 16) not in named:
                diffs.append("gil %s (%s) in the trace is not one of the program's"
                             % (g["gil"], g["method"]))
    for pg in gils:
        label = "gil %s" % pg["gil"]
        traced = find_gil(rep, prog["pid"], pg["gil"])
        if traced is None:
            diffs.append("%s of pid %d: no events in the trace" % (label, prog["pid"]))
            continue
        if traced["identified"] != 1:
            diffs.append("%s identified %d times" % (label, traced["identified"]))
        diffs += compare_gil(traced, pg, keys, label)
    return diffs


def dump_events(path):
    """Every giltrace event as a JSON line; exit 1 if any was discarded."""
    discarded = 0
    out = sys.stdout
    for msg in bt2.TraceCollectionMessageIterator(path):
        if type(msg) is bt2._DiscardedEventsMessageConst:
            discarded += msg.count if msg.count is not None else 1
            continue
        if type(msg) is not bt2._EventMessageConst or not msg.event.name.startswith("giltrace:"):
            continue
        ev = msg.event
        expanded = gil_compact.expand_msg(msg)
        if expanded is not None:
            for name, ts, tid, f in expanded:
                rec = {"name": name[len("giltrace:"):], "pid": int(ev["vpid"]), "tid": tid,
                       "procname": str(ev["procname"])}
                rec.update(f)
                out.write(json.dumps(rec) + "\n")
            continue
        rec = {"name": ev.name[len("giltrace:"):], "pid": int(ev["vpid"]),
               "tid": int(ev["vtid"]), "procname": str(ev["procname"])}
        for k, v in ev.payload_field.items():
            # A field named like the envelope's keys (py_code's and
            # thread_name's "name") keeps its own: "field_name".
            rec["field_" + k if k in rec else k] = field_value(v)
        out.write(json.dumps(rec) + "\n")
    if discarded:
        sys.stderr.write("trace_check: %d events were discarded\n" % discarded)
        return 1
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "events":
        try:
            return dump_events(argv[2])
        except Exception as e:   # bt2 raises its own error types
            sys.stderr.write("trace_check: cannot read the trace: path=\"%s\": %s\n" % (argv[2], e))
            return 2
    if len(argv) >= 3 and argv[1] == "summary":
        rep = check_trace(argv[2])
        json.dump(rep, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0 if trace_ok(rep) else 1
    if len(argv) >= 4 and argv[1] == "compare":
        keys = None
        if len(argv) == 6 and argv[4] == "--keys":
            keys = argv[5].split(",")
        try:
            with open(argv[3]) as fp:
                prog = json.load(fp)
        except (OSError, ValueError) as e:
            sys.stderr.write("trace_check: cannot read the program's JSON: path=\"%s\": %s\n"
                             % (argv[3], e))
            return 2
        rep = check_trace(argv[2])
        ok = trace_ok(rep)
        diffs = compare(rep, prog, keys)
        for d in diffs:
            sys.stderr.write("trace_check: differs: %s\n" % d)
        if diffs or not ok:
            return 1
        gils = prog["gils"] if "gils" in prog else [prog]
        print("trace_check: pid %d: %s equal for %d GIL(s)"
              % (prog["pid"], ", ".join("%s=%d" % (k, sum(g["totals"].get(k, 0) for g in gils))
                                        for k in keys or COUNTERS if k in gils[0]["totals"]),
                 len(gils)))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
