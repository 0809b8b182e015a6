# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""The GIL waits of a big lock re-derived from its raw lock calls.

  babeltrace2 TRACE | python3 lock_oracle.py count [--handover OFF,...]
  babeltrace2 TRACE | python3 lock_oracle.py compare SUMMARY.json \\
        --method M[,M2...] --runtime R [--handover OFF,...] [--min-failed N] [--min-yields N]
        [--gils N]

For a trace recorded with every lock event (gt_record --all-locks), this
reads the lock-call family only -- mutex_lock_end, mutex_trylock,
mutex_unlock, cond_wait_begin/end on the GIL's mutex -- and counts, per
thread, from the runtime's protocol rather than from the shim's GIL
events:
  waits            condvar waits with the GIL's mutex, inside a critical
                   section on it, except the hand-over waits;
  timeouts         those that returned ETIMEDOUT;
  failed_wakeups   those that follow, in the same critical section, a
                   wait that ended woken (an acquire that had to wait
                   again);
and checks that they equal the counts tests/trace_check.py derived from
the GIL events (its "summary" JSON), thread by thread.  It also counts
the yields: critical sections that signal a condition variable and
then wait (release and reacquire in one section: OCaml's
st_thread_yield, Ruby's gvl_yield), which the workload must exercise
(--min-yields).

Every runtime traced here (OCaml's st_masterlock, Ruby's
gvl_acquire_common and gvl_yield, the tests' C big lock) waits for its
lock only while holding the lock's mutex, one wait loop per critical
section, so a critical section is the unit of an attempt.  Hand-over
waits (--handover: offsets from the mutex) are Ruby 3.1's gvl_yield
waiting for another thread to take the GVL: rb_global_vm_lock_t keeps
switch_cond and switch_wait_cond 72 and 120 bytes after its mutex
(x86-64); the queue's condition variables are the threads' own.

Only critical sections open at or after gil_identified are counted (a
section open when it comes counts from there: Ruby 3.3's GVL is found
by a wait in a section opened before); compare fails if any thread
waited on the mutex before it (the shim could not have seen that wait
as a GIL wait), so a test must make its runtime identify the lock
first.

A process may have several such locks (--gils N, default 1: OCaml 5's
master lock per domain); each is counted on its own, must be identified
by one of the methods given, and must show --min-failed failed
reacquisitions.

Exit status: 0 equal, 1 different or a precondition failed, 2 usage.
"""
import json
import re
import sys

LINE = re.compile(r'giltrace:(\w+): .*?\{ vpid = (\d+), vtid = (\d+)[^}]*\}, \{ (.*) \}$')
FIELD = re.compile(r'(\w+) = ("[^"]*"|[^,]+)')
ETIMEDOUT = 110
KEYS = ("waits", "timeouts", "failed_wakeups")


def fail(msg):
    sys.stderr.write("lock_oracle: FAIL: %s\n" % msg)
    sys.exit(1)


def count(stream, handover):
    """Counts per GIL and (pid, tid) for the GILs of the trace's process."""
    pid_of_gil = None
    ident = {}            # GIL mutex -> its gil_identified fields
    in_section = {}       # (pid, tid) -> the GIL mutex of its critical section, or None
    woken = {}            # (pid, tid) -> the section's last wait ended woken
    signalled = {}        # (pid, tid) -> the section signalled, not waited yet
    yields = 0
    counts = {}           # GIL mutex -> tid -> counters
    early = {}            # mutex -> waits before its gil_identified
    held = {}             # (pid, tid) -> mutexes locked, not identified yet
    for line in stream:
        m = LINE.search(line)
        if not m:
            continue
        name, pid, tid = m.group(1), int(m.group(2)), int(m.group(3))
        f = dict(FIELD.findall(m.group(4)))
        if name == "gil_identified":
            gil = int(f["gil"], 16)
            if gil in ident or (pid_of_gil is not None and pid != pid_of_gil):
                fail("gil_identified again, or in another process")
            pid_of_gil = pid
            ident[gil] = {k: f[k].strip('"') for k in ("method", "runtime", "kind")}
            # A section open when its lock is identified counts from
            # there (Ruby 3.3's GVL is found by a wait inside one).
            for key, mutexes in held.items():
                if key[0] == pid and gil in mutexes:
                    in_section[key] = gil
                    woken[key] = False
                    signalled[key] = False
            continue
        if name == "cond_wait_begin" and int(f["mutex"], 16) not in ident:
            early[int(f["mutex"], 16)] = early.get(int(f["mutex"], 16), 0) + 1
        if name in ("mutex_lock_end", "mutex_trylock") and int(f["ret"]) == 0 \
                and int(f["addr"], 16) not in ident:
            held.setdefault((pid, tid), set()).add(int(f["addr"], 16))
        elif name == "mutex_unlock":
            held.get((pid, tid), set()).discard(int(f["addr"], 16))
        if pid_of_gil is None or pid != pid_of_gil:
            continue
        key = (pid, tid)
        if name in ("mutex_lock_end", "mutex_trylock"):
            if int(f["addr"], 16) in ident and int(f["ret"]) == 0:
                in_section[key] = int(f["addr"], 16)
                woken[key] = False
                signalled[key] = False
        elif name == "mutex_unlock":
            if int(f["addr"], 16) == in_section.get(key):
                in_section[key] = None
        elif name in ("cond_signal", "cond_broadcast"):
            if in_section.get(key) and signalled.get(key) is False:
                signalled[key] = True
        elif name in ("cond_wait_begin", "cond_wait_end"):
            gil = in_section.get(key)
            if gil is None or int(f["mutex"], 16) != gil:
                continue
            if name == "cond_wait_begin":
                if signalled[key]:
                    yields += 1
                signalled[key] = None       # only a signal before the first wait
            if int(f["addr"], 16) - gil in handover:
                continue
            c = counts.setdefault(gil, {}).setdefault(tid, dict.fromkeys(KEYS, 0))
            if name == "cond_wait_begin":
                c["waits"] += 1
                if woken[key]:
                    c["failed_wakeups"] += 1
            else:
                ret = int(f["ret"])
                woken[key] = ret == 0
                if ret == ETIMEDOUT:
                    c["timeouts"] += 1
    return {"pid": pid_of_gil, "identified": ident, "yields": yields, "threads": counts,
            "early_waits": {g: n for g, n in early.items() if g in ident}}


def compare(oracle, summary, methods, runtime, min_failed, min_yields, ngils):
    idents = oracle["identified"]
    if len(idents) != ngils:
        fail("%d gil_identified events, expected %d" % (len(idents), ngils))
    for gil, ident in sorted(idents.items()):
        if ident["method"] not in methods or ident["runtime"] != runtime:
            fail("0x%x identified by %s as %s, expected %s and %s"
                 % (gil, ident["method"], ident["runtime"], " or ".join(methods), runtime))
        if oracle["early_waits"].get(gil):
            fail("%d condvar waits on 0x%x before it was identified" % (oracle["early_waits"][gil], gil))
    if summary["violations"] or summary["discarded_events"]:
        fail("trace_check: %s, %d discarded" % (summary["violations"][:3], summary["discarded_events"]))
    gils = {int(g["gil"], 16): g for p in summary["processes"] for g in p["gils"]}
    if set(gils) != set(idents):
        fail("expected the GILs %s, trace_check saw %s"
             % (sorted(hex(g) for g in idents), sorted(hex(g) for g in gils)))
    figures = []
    for gil in sorted(gils):
        events = {t["tid"]: t for t in gils[gil]["threads"]}
        threads = oracle["threads"].get(gil, {})
        totals = dict.fromkeys(KEYS, 0)
        for tid in sorted(set(events) | set(threads)):
            want = threads.get(tid, dict.fromkeys(KEYS, 0))
            got = events.get(tid, dict.fromkeys(KEYS, 0))
            for k in KEYS:
                if got[k] != want[k]:
                    fail("GIL 0x%x tid %d %s: %d from the GIL events, %d from the lock calls"
                         % (gil, tid, k, got[k], want[k]))
                totals[k] += want[k]
        if totals["failed_wakeups"] < min_failed:
            fail("GIL 0x%x: %d failed reacquisitions, expected at least %d"
                 % (gil, totals["failed_wakeups"], min_failed))
        figures.append("%s%d threads, waits %d, timeouts %d, failed reacquisitions %d"
                       % ("GIL 0x%x (%s): " % (gil, idents[gil]["method"]) if ngils > 1 else "",
                          len(events), totals["waits"], totals["timeouts"], totals["failed_wakeups"]))
    if oracle["yields"] < min_yields:
        fail("%d yields, expected at least %d" % (oracle["yields"], min_yields))
    head = "%s (%s)" % (runtime, idents[min(idents)]["method"]) if ngils == 1 else \
        "%s, %d GILs" % (runtime, ngils)
    print("%s: %d yields; %s; equal in the GIL events and the lock calls"
          % (head, oracle["yields"], "; ".join(figures)))


def main(argv):
    if len(argv) < 2 or argv[1] not in ("count", "compare"):
        sys.stderr.write(__doc__)
        return 2
    opts = {"--handover": "", "--method": None, "--runtime": None, "--min-failed": "0",
            "--min-yields": "0", "--gils": "1"}
    args = argv[2:]
    rest = []
    while args:
        a = args.pop(0)
        if a in opts:
            if not args:
                sys.stderr.write("lock_oracle: %s needs a value\n" % a)
                return 2
            opts[a] = args.pop(0)
        else:
            rest.append(a)
    handover = {int(x, 0) for x in opts["--handover"].split(",") if x}
    oracle = count(sys.stdin, handover)
    if argv[1] == "count":
        json.dump(oracle, sys.stdout, indent=1, default=str)
        print()
        return 0
    if len(rest) != 1 or not opts["--method"] or not opts["--runtime"]:
        sys.stderr.write("lock_oracle: compare SUMMARY.json --method M --runtime R\n")
        return 2
    with open(rest[0]) as fh:
        summary = json.load(fh)
    compare(oracle, summary, opts["--method"].split(","), opts["--runtime"],
            int(opts["--min-failed"]), int(opts["--min-yields"]), int(opts["--gils"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
