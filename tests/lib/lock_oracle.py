# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""The GIL waits of a big lock re-derived from its raw lock calls.

  babeltrace2 TRACE | python3 lock_oracle.py count [--handover OFF,...]
  babeltrace2 TRACE | python3 lock_oracle.py compare SUMMARY.json \\
        --method M --runtime R [--handover OFF,...] [--min-failed N] [--min-yields N]

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
    """Counts per (pid, tid) for the one GIL of the trace."""
    gil = pid_of_gil = None
    ident = {}
    in_section = {}       # (pid, tid) -> inside a critical section on the GIL mutex
    woken = {}            # (pid, tid) -> the section's last wait ended woken
    signalled = {}        # (pid, tid) -> the section signalled, not waited yet
    yields = 0
    counts = {}
    early = {}            # mutex -> waits before gil_identified
    held = {}             # (pid, tid) -> mutexes locked before gil_identified
    for line in stream:
        m = LINE.search(line)
        if not m:
            continue
        name, pid, tid = m.group(1), int(m.group(2)), int(m.group(3))
        f = dict(FIELD.findall(m.group(4)))
        if name == "gil_identified":
            if gil is not None:
                fail("more than one gil_identified event")
            gil, pid_of_gil = int(f["gil"], 16), pid
            ident = {k: f[k].strip('"') for k in ("method", "runtime", "kind")}
            for key, mutexes in held.items():
                if key[0] == pid and gil in mutexes:
                    in_section[key] = True
                    woken[key] = False
                    signalled[key] = False
            continue
        if gil is None:
            if name == "cond_wait_begin":
                early[int(f["mutex"], 16)] = early.get(int(f["mutex"], 16), 0) + 1
            elif name in ("mutex_lock_end", "mutex_trylock") and int(f["ret"]) == 0:
                held.setdefault((pid, tid), set()).add(int(f["addr"], 16))
            elif name == "mutex_unlock":
                held.get((pid, tid), set()).discard(int(f["addr"], 16))
            continue
        if pid != pid_of_gil:
            continue
        key = (pid, tid)
        if name in ("mutex_lock_end", "mutex_trylock"):
            if int(f["addr"], 16) == gil and int(f["ret"]) == 0:
                in_section[key] = True
                woken[key] = False
                signalled[key] = False
        elif name == "mutex_unlock":
            if int(f["addr"], 16) == gil:
                in_section[key] = False
        elif name in ("cond_signal", "cond_broadcast"):
            if in_section.get(key) and signalled.get(key) is False:
                signalled[key] = True
        elif name in ("cond_wait_begin", "cond_wait_end"):
            if int(f["mutex"], 16) != gil or not in_section.get(key):
                continue
            if name == "cond_wait_begin":
                if signalled[key]:
                    yields += 1
                signalled[key] = None       # only a signal before the first wait
            if int(f["addr"], 16) - gil in handover:
                continue
            c = counts.setdefault(tid, dict.fromkeys(KEYS, 0))
            if name == "cond_wait_begin":
                c["waits"] += 1
                if woken[key]:
                    c["failed_wakeups"] += 1
            else:
                ret = int(f["ret"])
                woken[key] = ret == 0
                if ret == ETIMEDOUT:
                    c["timeouts"] += 1
    return {"gil": gil, "pid": pid_of_gil, "identified": ident,
            "early_waits": early.get(gil, 0), "yields": yields, "threads": counts}


def compare(oracle, summary, method, runtime, min_failed, min_yields):
    if oracle["gil"] is None:
        fail("no gil_identified event")
    ident = oracle["identified"]
    if ident["method"] != method or ident["runtime"] != runtime:
        fail("identified by %s as %s, expected %s and %s"
             % (ident["method"], ident["runtime"], method, runtime))
    if oracle["early_waits"]:
        fail("%d condvar waits before the lock was identified" % oracle["early_waits"])
    if summary["violations"] or summary["discarded_events"]:
        fail("trace_check: %s, %d discarded" % (summary["violations"][:3], summary["discarded_events"]))
    gils = [g for p in summary["processes"] for g in p["gils"]]
    if len(gils) != 1 or int(gils[0]["gil"], 16) != oracle["gil"]:
        fail("expected the one GIL 0x%x, trace_check saw %s" % (oracle["gil"], [g["gil"] for g in gils]))
    events = {t["tid"]: t for t in gils[0]["threads"]}
    totals = dict.fromkeys(KEYS, 0)
    for tid in sorted(set(events) | set(oracle["threads"])):
        want = oracle["threads"].get(tid, dict.fromkeys(KEYS, 0))
        got = events.get(tid, dict.fromkeys(KEYS, 0))
        for k in KEYS:
            if got[k] != want[k]:
                fail("tid %d %s: %d from the GIL events, %d from the lock calls" % (tid, k, got[k], want[k]))
            totals[k] += want[k]
    if totals["failed_wakeups"] < min_failed:
        fail("%d failed reacquisitions, expected at least %d" % (totals["failed_wakeups"], min_failed))
    if oracle["yields"] < min_yields:
        fail("%d yields, expected at least %d" % (oracle["yields"], min_yields))
    print("%s (%s): %d threads, %d yields; waits %d, timeouts %d, failed reacquisitions %d, "
          "equal in the GIL events and the lock calls"
          % (runtime, method, len(events), oracle["yields"], totals["waits"], totals["timeouts"],
             totals["failed_wakeups"]))


def main(argv):
    if len(argv) < 2 or argv[1] not in ("count", "compare"):
        sys.stderr.write(__doc__)
        return 2
    opts = {"--handover": "", "--method": None, "--runtime": None, "--min-failed": "0",
            "--min-yields": "0"}
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
    compare(oracle, summary, opts["--method"], opts["--runtime"], int(opts["--min-failed"]),
            int(opts["--min-yields"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
