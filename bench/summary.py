# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Turns the raw runs of bench/*.sh into markdown tables.
#
#   summary.py lock DIR     DIR/lock/MODE.REP files (bench/lockbench.sh)
#   summary.py python DIR   DIR/INTERP/WORKLOAD/MODE.REP (bench/python.sh)
#
# Each run file holds "key value" lines.  Figures are medians; a ratio or
# a difference is computed within each repetition (the paired runs of one
# round) and the median of those is reported, so that a slow moment of
# the machine moves both sides of a pair.
import os
import sys

MODES = ["none", "shim", "shim+gil", "shim+cs2", "shim+cs4", "shim+cs", "shim+cs16",
         "shim+py0", "shim+py1", "shim+py2", "shim+py4", "shim+py8", "shim+py16", "shim+py32", "shim+all", "ust", "ust+ev", "b", "b+gil", "b+all",
         "b+cs", "b+py0", "b+py1", "b+py2", "b+py4", "b+py8", "b+py16", "b+py32"]


def modes_of(runs):
    """The modes measured: MODES' order first, then any other, sorted."""
    return [m for m in MODES if m in runs] + sorted(m for m in runs if m not in MODES)


def median(values):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return None
    if n % 2:
        return v[n // 2]
    return (v[n // 2 - 1] + v[n // 2]) / 2.0


def quartiles(values):
    """The first and third quartiles (medians of the lower and upper
    halves), or None for fewer than 4 values."""
    v = sorted(values)
    n = len(v)
    if n < 4:
        return None
    return median(v[:n // 2]), median(v[(n + 1) // 2:])


def middle_half(values, form):
    q = quartiles(values)
    return "–" if q is None else (form + "–" + form) % q


def load_runs(directory):
    """{mode: {rep: {key: value}}} from MODE.REP files."""
    runs = {}
    for name in os.listdir(directory):
        mode, _, rep = name.rpartition(".")
        values = {}
        with open(os.path.join(directory, name)) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    try:
                        values[parts[0]] = float(parts[1])
                    except ValueError:
                        pass
        runs.setdefault(mode, {})[rep] = values
    return runs


def column(runs, mode, key):
    return [r[key] for r in runs.get(mode, {}).values() if key in r]


def paired_all(runs, mode, key, fn, base="none"):
    """fn(value in mode, value in base) of every repetition, sorted."""
    out = []
    for rep, r in runs.get(mode, {}).items():
        b = runs.get(base, {}).get(rep)
        if b and key in r and key in b:
            out.append(fn(r[key], b[key]))
    return sorted(out)


def paired(runs, mode, key, fn, base="none"):
    """Median over repetitions of fn(value in mode, value in base)."""
    return median(paired_all(runs, mode, key, fn, base))


def fmt(v, spec):
    return "–" if v is None else spec % v


def lock_table(directory):
    runs = load_runs(os.path.join(directory, "lock"))
    print("| mode | lock+unlock ns/pair | added ns/pair | added ns/call | × none "
          "| same, single-threaded process: ns/pair | added ns/call "
          "| condvar round trip ns | added ns | × none | events | discarded | peak RSS KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    added_call = {}
    added_call_1t = {}
    for mode in modes_of(runs):
        if mode not in runs:
            continue
        add = paired(runs, mode, "mutex_pair_ns", lambda a, b: a - b)
        add1 = paired(runs, mode, "mutex_pair_1t_ns", lambda a, b: a - b)
        added_call[mode] = None if add is None else add / 2
        added_call_1t[mode] = None if add1 is None else add1 / 2
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            mode,
            fmt(median(column(runs, mode, "mutex_pair_ns")), "%.1f"),
            fmt(add, "%+.1f"),
            fmt(added_call[mode], "%+.1f"),
            fmt(paired(runs, mode, "mutex_pair_ns", lambda a, b: a / b), "%.2f"),
            fmt(median(column(runs, mode, "mutex_pair_1t_ns")), "%.1f"),
            fmt(added_call_1t[mode], "%+.1f"),
            fmt(median(column(runs, mode, "condvar_roundtrip_ns")), "%.0f"),
            fmt(paired(runs, mode, "condvar_roundtrip_ns", lambda a, b: a - b), "%+.0f"),
            fmt(paired(runs, mode, "condvar_roundtrip_ns", lambda a, b: a / b), "%.2f"),
            fmt(median(column(runs, mode, "events")), "%.0f"),
            fmt(median(column(runs, mode, "discarded")), "%.0f"),
            fmt(median(column(runs, mode, "maxrss_kb")), "%.0f")))
    print()
    print("The first columns are measured with an idle second thread, as in any threaded "
          "program; in a single-threaded process glibc skips atomic instructions, which any "
          "preloaded LTTng-UST library (its listener threads) takes away.")
    a = added_call.get("shim")
    if a is not None:
        a1 = added_call_1t.get("shim")
        print()
        print("Target: shim preloaded without a session adds ≤ 5 ns per intercepted "
              "uncontended call: %+.1f ns per call (%+.1f in a single-threaded process) — **%s**."
              % (a, a1 if a1 is not None else float("nan"), "met" if a <= 5 else "not met"))


# Primary figure of each workload: key, "time" (lower is better) or
# "rate" (higher is better), and what it means.
WORKLOADS = {
    "countdown": ("elapsed_s", "time", "two CPU-bound threads (Beazley's countdown), s"),
    "countdown1": ("elapsed_s", "time", "the countdown's work on one thread, s"),
    "threads": ("elapsed_s", "time", "16 CPU-bound threads, s"),
    "convoy": ("io_roundtrips_per_s", "rate", "I/O thread's pipe round trips/s beside a CPU-bound thread"),
    "stress": ("roundtrips_per_s", "rate", "one thread's 1-byte pipe round trips/s"),
}


def python_table(directory):
    verdicts = []
    spreads = []
    for interp in sorted(os.listdir(directory)):
        idir = os.path.join(directory, interp)
        print()
        print("#### %s" % interp)
        print()
        print("| workload | mode | median | × none (paired) | middle half | CPU s | voluntary switches "
              "| events | discarded | peak RSS KiB |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        untraced = {}
        for workload in ["countdown", "countdown1", "threads", "convoy", "stress"]:
            wdir = os.path.join(idir, workload)
            if not os.path.isdir(wdir):
                continue
            key, kind, _ = WORKLOADS[workload]
            runs = load_runs(wdir)
            untraced[workload] = median(column(runs, "none", key))
            if workload == "convoy":
                # Its pairs spread over orders of magnitude: all of them.
                for mode in modes_of(runs):
                    if mode in runs and mode != "none":
                        spreads.append("%s, convoy, %s: %s" % (interp, mode, " ".join(
                            "%.2f" % v for v in paired_all(runs, mode, key, lambda a, b: a / b))))
            for mode in modes_of(runs):
                if mode not in runs:
                    continue
                ratio = paired(runs, mode, key, lambda a, b: a / b)
                med = median(column(runs, mode, key))
                form = "%.3f s" if kind == "time" else "%.0f /s"
                # The untraced runs' own spread; for a traced mode, its pairs' ratios.
                if mode == "none":
                    spread = middle_half(column(runs, mode, key), "%.3f" if kind == "time" else "%.0f")
                else:
                    spread = middle_half(paired_all(runs, mode, key, lambda a, b: a / b), "%.3f")
                cpu = [r["user_s"] + r["sys_s"] for r in runs[mode].values() if "user_s" in r and "sys_s" in r]
                print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    workload, mode, fmt(med, form), fmt(ratio, "%.3f"), spread,
                    fmt(median(cpu), "%.2f"), fmt(median(column(runs, mode, "voluntary_switches")), "%.0f"),
                    fmt(median(column(runs, mode, "events")), "%.0f"),
                    fmt(median(column(runs, mode, "discarded")), "%.0f"),
                    fmt(median(column(runs, mode, "maxrss_kb")), "%.0f")))
                if mode != "shim+gil" or ratio is None:
                    continue
                if workload == "countdown":
                    verdicts.append("%s: GIL tracing on the countdown takes %.3f × the untraced time "
                                    "(target ≤ 1.05) — **%s**" % (interp, ratio, "met" if ratio <= 1.05 else "not met"))
                elif workload == "stress":
                    verdicts.append("%s: GIL tracing keeps %.0f%% of the untraced round-trip rate on the "
                                    "stress case (target ≥ 60%%) — **%s**" % (interp, 100 * ratio, "met" if ratio >= 0.60 else "not met"))
                    lost = max(column(runs, mode, "discarded") or [0])
                    verdicts.append("%s: GIL events lost on the stress case, worst run: %d (target 0) — **%s**"
                                    % (interp, lost, "met" if lost == 0 else "not met"))
                elif workload == "convoy":
                    verdicts.append("%s: observer effect on the convoy: the I/O thread makes %.2f × its "
                                    "untraced round trips with GIL tracing on" % (interp, ratio))
        # Medians, not pairs: the two workloads run apart.
        if untraced.get("countdown") and untraced.get("countdown1"):
            verdicts.append("%s: untraced, the countdown takes %.2f × the time its work takes on one "
                            "thread (countdown1, medians): the rest is the two threads' race for the GIL"
                            % (interp, untraced["countdown"] / untraced["countdown1"]))
        ust = None
        sruns = os.path.join(idir, "stress")
        if os.path.isdir(sruns):
            ust = paired(load_runs(sruns), "ust+ev", "roundtrips_per_s", lambda a, b: a / b)
        if ust is not None:
            verdicts.append("%s: for comparison, LTTng-UST's pthread wrapper with its events keeps %.0f%% "
                            "on the stress case" % (interp, 100 * ust))
    print()
    print("Figures: for time workloads × none is traced time / untraced time (lower is better); "
          "for rate workloads it is traced rate / untraced rate (higher is better).  "
          "Middle half: the first to the third quartile of the pairs' ratios (of the "
          "untraced runs themselves on a none row), with 4 repetitions or more.  "
          "CPU s (user and system) and voluntary switches (blocking in the kernel: a GIL "
          "waiter that sleeps) are medians of the process's own, from time(1).")
    if spreads:
        print()
        print("Every pair's ratio, sorted (the convoy's spread):")
        print()
        for v in spreads:
            print("- " + v)
    print()
    for v in verdicts:
        print("- " + v)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("lock", "python"):
        sys.stderr.write("usage: summary.py lock|python DIR\n")
        return 2
    if argv[1] == "lock":
        lock_table(argv[2])
    else:
        python_table(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
