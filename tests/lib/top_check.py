# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Checks giltrace top's --json-lines output (the keys documented in
# giltrace(1)) for tests/e2e_top.sh:
#
#   top_check.py first VIEW            the first interval is there, with figures
#   top_check.py offline VIEW JSON     the intervals add up exactly to
#                                      giltrace-analyze --format=json's totals
#                                      of the same trace, and so does the summary
#   top_check.py program VIEW PROG [--allow-loss]
#                                      ... and to a GIL protocol program's own counts
#                                      (at most them where losses are allowed and said)
#
# Exit status 0 if all holds, 1 with one line per difference otherwise.
import collections
import json
import sys

COUNTERS = ("acquisitions", "contended_acquisitions", "releases", "switches", "waits",
            "failed_wakeups", "timeouts", "missed_handoffs", "abandoned_attempts", "unfinished_at_exit")
SHARES = ("hold_share", "wait_share")
NANOS = ("held_ns", "waited_ns", "wakeups")
GIL_KEYS = ("type", "pid", "procname", "gil", "runtime", "kind", "threads") + COUNTERS + SHARES + NANOS
INTERVAL_KEYS = GIL_KEYS + ("interval", "final", "start_ns", "end_ns", "span_ns", "events",
                            "discarded_events", "discarded_packets", "wakeup_p99_ns")
SUMMARY_KEYS = GIL_KEYS + ("identified_by", "intervals", "span_ns", "events", "discarded_events",
                           "discarded_packets", "wakeup_p99_ns")
THREAD_KEYS = ("tid", "procname", "wakeup_p99_ns") + COUNTERS + SHARES + NANOS


def fail(msg):
    print("top_check: " + msg)
    sys.exit(1)


def read_view(path):
    """Every line one JSON object with the documented keys."""
    intervals, summaries = [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                fail("%s:%d: not JSON (%s): %r" % (path, n, e, line[:80]))
            want = {"interval": INTERVAL_KEYS, "summary": SUMMARY_KEYS}.get(r.get("type"))
            if want is None:
                fail("%s:%d: unknown type %r" % (path, n, r.get("type")))
            missing = [k for k in want if k not in r]
            missing += ["threads[].%s" % k for t in r["threads"] for k in THREAD_KEYS if k not in t]
            if missing:
                fail("%s:%d: keys missing: %s" % (path, n, ", ".join(sorted(set(missing)))))
            (intervals if r["type"] == "interval" else summaries).append(r)
    if not intervals:
        fail("%s: no interval at all" % path)
    return intervals, summaries


def interval_sums(intervals):
    """Per (pid, gil) and (pid, gil, tid): each counter summed over intervals."""
    gils, threads = collections.defaultdict(collections.Counter), collections.defaultdict(collections.Counter)
    for r in intervals:
        key = (r["pid"], r["gil"])
        thread_sum = collections.Counter()
        for t in r["threads"]:
            for c in COUNTERS:
                threads[key + (t["tid"],)][c] += t[c]
                thread_sum[c] += t[c]
        for c in COUNTERS:
            gils[key][c] += r[c]
            if r[c] != thread_sum[c]:
                fail("interval %d, GIL %s: %s %d is not the sum of its threads' %d"
                     % (r["interval"], r["gil"], c, r[c], thread_sum[c]))
    return gils, threads


def check_order(intervals):
    numbers = sorted({r["interval"] for r in intervals})
    if numbers != list(range(1, len(numbers) + 1)):
        fail("interval numbers are not 1..N: %s" % numbers[:20])
    finals = [r["interval"] for r in intervals if r["final"]]
    if not finals or min(finals) != numbers[-1]:
        fail("the last interval (%d) is not marked final: %s" % (numbers[-1], finals))
    return len(numbers)


def compare(what, got, want, keys):
    return ["%s %s: top %d, expected %d" % (what, k, got.get(k, 0), want[k])
            for k in keys if got.get(k, 0) != want[k]]


def cmd_first(view):
    intervals, _ = read_view(view)
    first = [r for r in intervals if r["interval"] == 1]
    if not first:
        fail("no interval 1")
    acq = sum(r["acquisitions"] for r in first)
    held = max(r["hold_share"] for r in first)
    if acq == 0 or held <= 0 or not any(r["threads"] for r in first) or first[0]["span_ns"] <= 0:
        fail("interval 1 has no figures: %s" % json.dumps(first[0])[:300])
    print("first interval: %d GIL(s), %d acquisitions, held %.1f%%, %d thread(s)"
          % (len(first), acq, 100 * held, len(first[0]["threads"])))


def cmd_offline(view, offline):
    intervals, summaries = read_view(view)
    n = check_order(intervals)
    gils, threads = interval_sums(intervals)
    with open(offline) as f:
        report = json.load(f)
    diffs = []
    seen = set()
    for p in report["processes"]:
        for g in p["gils"]:
            key = (p["pid"], g["address"])
            seen.add(key)
            diffs += compare("GIL %s" % g["address"], gils[key], g, COUNTERS)
            for t in g["threads"]:
                diffs += compare("thread %d" % t["tid"], threads[key + (t["tid"],)], t, COUNTERS)
            summary = [s for s in summaries if (s["pid"], s["gil"]) == key]
            if len(summary) != 1:
                diffs.append("GIL %s: %d summary records" % (g["address"], len(summary)))
            else:
                diffs += compare("summary of GIL %s" % g["address"], summary[0], g, COUNTERS)
    extra = set(gils) - seen
    if extra:
        diffs.append("GILs the offline analysis does not know: %s" % sorted(extra))
    if diffs:
        fail("; ".join(diffs[:20]))
    tot = collections.Counter()
    for c in gils.values():
        tot.update(c)
    print("%d intervals add up to the offline analysis: %d acquisitions, %d failed wake-ups, "
          "%d releases, %d waits, %d timeouts in %d thread(s)"
          % (n, tot["acquisitions"], tot["failed_wakeups"], tot["releases"], tot["waits"],
             tot["timeouts"], len(threads)))


def cmd_program(view, prog, option=None):
    """--allow-loss: lost events are said, and the counts are then lower
    bounds; without it any loss fails."""
    if option not in (None, "--allow-loss"):
        fail("unknown option %s" % option)
    intervals, _ = read_view(view)
    gils, threads = interval_sums(intervals)
    with open(prog) as f:
        truth = json.load(f)
    key = (truth["pid"], truth["gil"])
    keys = ("acquisitions", "contended_acquisitions", "waits", "timeouts", "failed_wakeups",
            "switches", "releases")
    lost = sum(r["discarded_events"] + r["discarded_packets"] for r in intervals)
    if lost and not option:
        fail("%d events or packets lost where none may be" % lost)
    if lost:
        # What was lost is said, and then the counts are lower bounds.
        if gils[key]["acquisitions"] == 0:
            fail("%d events or packets lost, and no acquisition left" % lost)
        diffs = ["thread %d %s: top %d, more than %d" % (t["tid"], k, threads[key + (t["tid"],)][k], t[k])
                 for t in truth["threads"] for k in keys if threads[key + (t["tid"],)][k] > t[k]]
        if diffs:
            fail("; ".join(diffs[:20]))
        print("%d events or packets lost, said so; the intervals' counts are lower bounds of the "
              "program's own" % lost)
        return
    tids = sorted(k[2] for k in threads if k[:2] == key)
    if tids != sorted(t["tid"] for t in truth["threads"]):
        fail("threads %s, the program's %s" % (tids, sorted(t["tid"] for t in truth["threads"])))
    diffs = compare("the GIL", gils[key], truth["totals"], keys)
    for t in truth["threads"]:
        diffs += compare("thread %d" % t["tid"], threads[key + (t["tid"],)], t, keys)
    if diffs:
        fail("; ".join(diffs[:20]))
    print("intervals add up to the program's own counts: %d acquisitions, %d failed wake-ups"
          % (truth["totals"]["acquisitions"], truth["totals"]["failed_wakeups"]))


def main(argv):
    # command: (function, fewest arguments, most arguments)
    cmds = {"first": (cmd_first, 1, 1), "offline": (cmd_offline, 2, 2), "program": (cmd_program, 2, 3)}
    if len(argv) < 2 or argv[1] not in cmds or not cmds[argv[1]][1] <= len(argv) - 2 <= cmds[argv[1]][2]:
        fail("usage: top_check.py first VIEW | offline VIEW JSON | program VIEW PROG [--allow-loss]")
    cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
