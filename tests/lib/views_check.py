# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Every view of one trace shows the same number for the same quantity.
#
#   views_check.py DIR
#
# DIR holds what the views made of one trace (tests/lib/giltrace.sh,
# gt_views_agree, makes them):
#   report.json  giltrace-analyze --format=json (the reference)
#   report.csv   giltrace-analyze --format=csv
#   report.pyfunctions.csv, report.blockers.csv   the same with --pyfunctions, --blockers
#   report.txt   giltrace-analyze (text)
#   picture.svg, picture.html   giltrace report --svg/--html
#   top.jsonl, top.txt          giltrace top --replay (JSON lines, table)
# For every process, GIL and thread it compares every figure each view
# shows with the JSON: counters, times, shares (as each view rounds them),
# distributions; thread names; every Python function's figures and every
# thread's blockers (who made whom wait); top's holders of each interval
# (who held the GIL where) against the functions' holds.  The text's durations are
# compared as the report formats them (three significant digits).
#
# Exit status 0 if all agree (one line saying what was compared), 1 with
# one line per difference (at most 20) otherwise.
import csv
import html
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

COUNTERS = ("acquisitions", "contended_acquisitions", "releases", "switches", "waits",
            "failed_wakeups", "timeouts", "missed_handoffs", "abandoned_attempts", "unfinished_at_exit")
DISTS = ("wait_ns", "hold_ns", "wakeup_latency_ns", "handoff_latency_ns")
SVG = "{http://www.w3.org/2000/svg}"

diffs = []
compared = 0


def same(what, got, want):
    global compared
    compared += 1
    if got != want:
        diffs.append("%s: %r, the JSON says %r" % (what, got, want))


def duration(ns, sep=""):
    """hist_duration(): the text report's durations (sep ""), top's (sep " ")."""
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "us")):
        if ns >= scale:
            v = ns / scale
            return ("%.2f%s%s" if v < 10 else "%.1f%s%s" if v < 100 else "%.0f%s%s") % (v, sep, unit)
    return "%d%sns" % (ns, sep)


def pct(share):
    return "%.1f%%" % (100.0 * share)


def share(part, window):
    """gs_share(): the same double the C code computes, from the JSON's exact integers."""
    return part / window if window else 0.0


def reference(path):
    """(pid, gil) -> (process, gil) and (pid, gil, tid) -> thread, from the JSON.
    The shares are recomputed from the exact times, as the views compute
    them (the JSON's are rounded to 6 decimals: rounding those again for
    a percentage could differ in the last digit)."""
    with open(path) as f:
        doc = json.load(f)
    gils, threads = {}, {}
    for p in doc["processes"]:
        for g in p["gils"]:
            gils[(p["pid"], g["address"])] = (p, g)
            for k, ns in (("hold_share", "held_ns"), ("wait_share", "waited_ns")):
                same("JSON %s %s" % (g["address"], k), "%.6f" % share(g[ns], g["span_ns"]), "%.6f" % g[k])
                g[k] = share(g[ns], g["span_ns"])
            for t in g["threads"]:
                threads[(p["pid"], g["address"], t["tid"])] = t
                for k, ns in (("hold_share", "held_ns"), ("wait_share", "waited_ns")):
                    same("JSON %s thread %d %s" % (g["address"], t["tid"], k),
                         "%.6f" % share(t[ns], g["span_ns"]), "%.6f" % t[k])
                    t[k] = share(t[ns], g["span_ns"])
    return doc, gils, threads


def check_csv(path, threads):
    rows = list(csv.DictReader(open(path)))
    same("CSV rows", len(rows), len(threads))
    for r in rows:
        key = (int(r["pid"]), r["gil"], int(r["tid"]))
        t = threads.get(key)
        if t is None:
            diffs.append("CSV row for %s not in the JSON" % (key,))
            continue
        same("CSV %s thread_name" % (key,), r["thread_name"], t["name"])
        for k in COUNTERS + ("waited_ns", "held_ns"):
            same("CSV %s %s" % (key, k), int(r[k]), t[k])
        for k in ("wait_share", "hold_share"):
            same("CSV %s %s" % (key, k), r[k], "%.6f" % t[k])
        for d in DISTS:
            for s in ("count", "mean", "p50", "p90", "p99", "max"):
                same("CSV %s %s_%s" % (key, d, s), int(r["%s_%s" % (d, s)]), t[d][s])


FUNC_KEYS = ("holds", "held_ns", "hold_share", "longest_hold_ns", "longest_hold_line", "acquisitions",
             "contended_acquisitions", "abandoned_attempts", "attempts", "waits", "failed_wakeups",
             "timeouts", "waited_ns", "wait_share", "longest_wait_ns", "longest_wait_line",
             "longest_hold_taken_function", "longest_hold_taken_file", "longest_hold_taken_line")


def csv_value(v):
    """A JSON value as the CSV writes it: null empty, shares with 6 decimals."""
    if v is None:
        return ""
    return "%.6f" % v if isinstance(v, float) else str(v)


def check_csv_functions(path, doc):
    rows = list(csv.DictReader(open(path)))
    want = [(p, g, f) for p in doc["processes"] for g in p["gils"] for f in g["python_functions"]]
    same("CSV --pyfunctions rows", len(rows), len(want))
    for r, (p, g, f) in zip(rows, want):
        key = (p["pid"], g["address"], f["function"])
        same("CSV --pyfunctions %s" % (key,), [r["pid"], r["gil"], r["function"], r["file"], r["firstlineno"]]
             + [r[k] for k in FUNC_KEYS],
             [str(p["pid"]), g["address"], f["function"], csv_value(f["file"]), csv_value(f["firstlineno"])]
             + [csv_value(f[k]) for k in FUNC_KEYS])


def check_csv_blockers(path, doc):
    rows = list(csv.DictReader(open(path)))
    want = [(p, g, t, b) for p in doc["processes"] for g in p["gils"] for t in g["threads"] for b in t["blockers"]]
    same("CSV --blockers rows", len(rows), len(want))
    for r, (p, g, t, b) in zip(rows, want):
        key = (p["pid"], g["address"], t["tid"])
        same("CSV --blockers %s" % (key,),
             [r[k] for k in ("pid", "gil", "tid", "name", "waited_ns", "kind", "holder_tid", "holder_name",
                             "function", "file", "line", "ns", "share")],
             [str(p["pid"]), g["address"], str(t["tid"]), t["name"], str(t["waited_ns"]), b["kind"],
              csv_value(b["holder_tid"]), csv_value(b["holder_name"]), b["function"], csv_value(b["file"]),
              csv_value(b["line"]), str(b["ns"]), "%.6f" % b["share"]])


def check_blocker_sums(doc):
    """A thread's blockers add up to its waiting, plus the counted surplus."""
    for p in doc["processes"]:
        for g in p["gils"]:
            for t in g["threads"]:
                same("JSON %s thread %d blockers" % (g["address"], t["tid"]),
                     sum(b["ns"] for b in t["blockers"]), t["waited_ns"] + t["blockers_excess_ns"])
            same("JSON %s functions' held_ns" % g["address"],
                 sum(f["held_ns"] for f in g["python_functions"]), g["held_ns"])
            same("JSON %s functions' acquisitions" % g["address"],
                 sum(f["acquisitions"] for f in g["python_functions"]), g["acquisitions"])


def text_sections(path):
    """The text report cut into (pid, gil address) -> its lines."""
    sections, pid, key = {}, None, None
    for line in open(path):
        m = re.match(r"^Process (\d+) ", line)
        if m:
            pid, key = int(m.group(1)), None
            continue
        m = re.match(r"^  GIL (0x[0-9a-f]+) -- ", line)
        if m:
            key = (pid, m.group(1))
            sections[key] = []
        if key:
            sections[key].append(line.rstrip("\n"))
    return sections


def name_cut(name, width=24):
    """The thread table's name column: at most width bytes, whole UTF-8 characters."""
    b = name.encode()
    if len(b) <= width:
        return name
    return b[:width].decode(errors="ignore")


def func_label(name, file, line):
    """py_where_format(): "spin_until (gil_convoy.py:39)"."""
    name = name or "?"
    if not file:
        return name
    base = file.rsplit("/", 1)[-1]
    return "%s (%s)" % (name, base) if line is None else "%s (%s:%d)" % (name, base, line)


def hold_taken(f):
    """", taken at line 37" (in the function itself) or ", taken in main
    (x.py:66)": where the longest hold began, if known."""
    if f["longest_hold_taken_function"] is None or f["longest_hold_taken_line"] is None:
        return ""
    if (f["longest_hold_taken_function"], f["longest_hold_taken_file"] or "") == (f["function"], f["file"] or ""):
        return ", taken at line %d" % f["longest_hold_taken_line"]
    return ", taken in %s" % func_label(f["longest_hold_taken_function"], f["longest_hold_taken_file"],
                                        f["longest_hold_taken_line"])


def text_functions(g, span):
    """The lines the text report shows for a GIL's Python functions."""
    funcs = g["python_functions"]
    line = lambda v: "-" if v is None else str(v)
    out = ["", "  Python functions (a hold is placed where it was released, an attempt where",
           "  the thread resumed):"]
    if funcs and funcs[0]["held_ns"]:
        f = funcs[0]
        head = "    Held %s in total in %s" % (duration(f["held_ns"]), func_label(f["function"], f["file"], f["firstlineno"]))
        if f["holds"] and f["longest_hold_line"] is not None:
            out.append(head + ";")
            out.append("    the longest hold, %s, was released at line %d%s." % (
                duration(f["longest_hold_ns"]), f["longest_hold_line"], hold_taken(f)))
        else:
            out.append(head + ".")
    out += ["", "    By the time they held the GIL:",
            "      %9s %9s %9s %8s %6s  %s" % ("held", "holds", "longest", "at line", "share", "function")]
    for f in [f for f in funcs if f["held_ns"]][:10]:
        out.append("      %9s %9d %9s %8s %5.1f%%  %s" % (
            duration(f["held_ns"]), f["holds"], duration(f["longest_hold_ns"]) if f["holds"] else "-",
            line(f["longest_hold_line"]) if f["holds"] else "-", 100.0 * share(f["held_ns"], span),
            func_label(f["function"], f["file"], f["firstlineno"])))
    for key, what in (("waited_ns", "the wait"), ("failed_wakeups", "failed wake-ups")):
        order = sorted(funcs, key=lambda f: (-f[key], -f["waited_ns"], funcs.index(f)))
        rows = [f for f in order if f[key]][:5]
        if rows:
            out += ["", "    By %s of the attempts that resumed there:" % what,
                    "      %9s %9s %9s %8s %9s %9s  %s" % ("waited", "attempts", "wait max", "at line", "failed-wk",
                                                         "timeouts", "function")]
        for f in rows:
            out.append("      %9s %9d %9s %8s %9d %9d  %s" % (
                duration(f["waited_ns"]), f["attempts"], duration(f["longest_wait_ns"]) if f["attempts"] else "-",
                line(f["longest_wait_line"]) if f["attempts"] else "-", f["failed_wakeups"], f["timeouts"],
                func_label(f["function"], f["file"], f["firstlineno"])))
    return out


def part_text(b):
    if b["kind"] == "handoff_gap":
        return "in hand-off gaps (the GIL free, the thread not yet running)"
    if b["kind"] == "other":
        return "behind other blockers"
    return "behind %s, held by %s (%d)" % (func_label(b["function"], b["file"], b["line"]), b["holder_name"],
                                            b["holder_tid"])


def text_blockers(g):
    """The lines the text report shows of who made whom wait."""
    out = []
    waiters = sorted(g["threads"], key=lambda t: (-t["waited_ns"], t["tid"]))
    for t in [t for t in waiters if t["waited_ns"]][:10]:
        if not out:
            out = ["", "  Who made whom wait (each thread's wait, split among the holds and hand-off",
                   "  gaps it was behind; a hold placed where it was released):"]
        parts = t["blockers"][:3]
        for i, b in enumerate(parts):
            pct = 100.0 * share(b["ns"], t["waited_ns"])
            if i == 0:
                line = "    %.1f%% of the wait of %s (%d) was spent %s" % (pct, t["name"], t["tid"], part_text(b))
            else:
                out.append(line + ",")
                line = "      %.1f%% %s" % (pct, part_text(b))
        out.append(line + (", ..." if len(t["blockers"]) > 3 else "."))
    return out


def check_text_python(key, lines, p, g):
    """The Python sections, as the JSON's figures would be written."""
    want = (text_functions(g, g["span_ns"]) + text_blockers(g)) if p["python_frames"] else []
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("  Python functions ("))
        got = lines[start - 1:]
    except StopIteration:
        got = []
    got = got[:next((i for i, l in enumerate(got) if l.startswith("  Inconsistencies")), len(got))]
    while got and not got[-1]:
        got.pop()
    same("text %s Python sections" % (key,), got, want)


def check_text(path, gils):
    sections = text_sections(path)
    same("text GIL sections", sorted(sections), sorted(gils))
    labels = {"acquisitions": "acquisitions", "contended": "contended_acquisitions",
              "switches": "switches", "releases": "releases", "failed wake-ups": "failed_wakeups",
              "timeouts": "timeouts", "missed hand-offs": "missed_handoffs", "waits": "waits",
              "abandoned attempts": "abandoned_attempts", "unfinished at exit": "unfinished_at_exit"}
    dist_labels = {"wait": "wait_ns", "hold": "hold_ns", "wake-up latency": "wakeup_latency_ns",
                   "hand-off latency": "handoff_latency_ns"}
    for key, lines in sections.items():
        if key not in gils:
            continue
        _, g = gils[key]
        text = "\n".join(lines)
        m = re.search(r"held ([0-9.]+%) of (\S+) by (\d+) threads?", text)
        same("text %s held" % (key,), m and m.group(1), pct(g["hold_share"]))
        same("text %s span" % (key,), m and m.group(2), duration(g["span_ns"]))
        same("text %s threads" % (key,), m and int(m.group(3)), len(g["threads"]))
        counters = {}
        for line in lines[2:]:
            if "count" in line:
                break
            for label, n in re.findall(r"([a-z][a-z -]*[a-z])\s+(\d+)", line):
                counters[labels.get(label, label)] = int(n)
        # Printed only when not 0.
        for k in ("abandoned_attempts", "unfinished_at_exit"):
            if not g[k]:
                counters.setdefault(k, 0)
        same("text %s counters" % (key,), counters, {k: g[k] for k in COUNTERS})
        for label, d in dist_labels.items():
            m = re.search(r"^    %s +(\d+|-)(.*)$" % re.escape(label), text, re.M)
            if not m:
                diffs.append("text %s: no %s row" % (key, label))
                continue
            if m.group(1) == "-":
                same("text %s %s count" % (key, d), 0, g[d]["count"])
                continue
            cols = m.group(2).split()
            same("text %s %s" % (key, d), [int(m.group(1))] + cols,
                 [g[d]["count"]] + [duration(g[d][s]) for s in ("mean", "p50", "p90", "p99", "max")])
        check_text_threads(key, lines, g)
        check_text_python(key, lines, gils[key][0], g)


def check_text_threads(key, lines, g):
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("  Threads, longest waiting first"))
    except StopIteration:
        diffs.append("text %s: no thread table" % (key,))
        return
    rows = {}
    for line in lines[start + 2:]:
        # The name column is 24 bytes wide, whatever the characters.
        m = re.match(rb"^    +(\d+) (.{24}) (.*)$", line.encode(), re.S)
        if not m or len(m.group(3).split()) != 11:
            break
        rows[int(m.group(1))] = [m.group(2).decode().rstrip()] + m.group(3).decode().split()
    same("text %s thread rows" % (key,), sorted(rows), sorted(t["tid"] for t in g["threads"]))
    for t in g["threads"]:
        if t["tid"] not in rows:
            continue
        w, u = t["wait_ns"], t["wakeup_latency_ns"]
        want = [name_cut(t["name"]).rstrip(), pct(t["wait_share"]), pct(t["hold_share"])] + [str(t[k]) for k in (
            "acquisitions", "contended_acquisitions", "switches", "failed_wakeups", "timeouts",
            "missed_handoffs")] + [duration(w["p99"]) if w["count"] else "-",
                                   duration(u["p50"]) if u["count"] else "-",
                                   duration(u["max"]) if u["count"] else "-"]
        same("text %s thread %d" % (key, t["tid"]), rows[t["tid"]], want)


def check_svg(path, gils, threads):
    svg = ET.parse(path).getroot()
    rows = [g for g in svg.iter(SVG + "g") if g.get("class") == "thread"]
    # The picture shows at most 48 rows, the most active: compare those.
    if len(threads) <= 48:
        same("picture rows", len(rows), len(threads))
    hists = {"wait-hist": "wait_ns", "wakeup-hist": "wakeup_latency_ns"}
    for g in rows:
        key = (int(g.get("data-pid")), g.get("data-gil"), int(g.get("data-tid")))
        t = threads.get(key)
        if t is None:
            diffs.append("picture row %s not in the JSON" % (key,))
            continue
        for attr, k in (("acquisitions", "acquisitions"), ("held-ns", "held_ns"),
                        ("waited-ns", "waited_ns"), ("failed-wakeups", "failed_wakeups"),
                        ("timeouts", "timeouts")):
            same("picture %s %s" % (key, k), int(g.get("data-" + attr)), t[k])
        for attr, k in (("hold-share", "hold_share"), ("wait-share", "wait_share")):
            same("picture %s %s" % (key, k), g.get("data-" + attr), "%.6f" % t[k])
        name = t["name"] or "?"
        same("picture %s name" % (key,), g.get("data-name"), t["name"])
        label = [e.text for e in g.iter(SVG + "text") if e.get("class") == "name"]
        same("picture %s label" % (key,), [l.split(" · GIL ")[0] for l in label], ["%s · tid %d" % (name, t["tid"])])
        title = g.find(SVG + "title").text
        prefix = "%s (%s) pid %d tid %d: " % (t["name"], t["procname"], key[0], key[2])
        same("picture %s tooltip's thread" % (key,), title[:len(prefix)], prefix)
        same("picture %s tooltip" % (key,), title[len(prefix):],
             "%d acquisitions, holding %s, waiting %s, %d failed wake-ups, %d timeouts"
             % (t["acquisitions"], pct(t["hold_share"]), pct(t["wait_share"]), t["failed_wakeups"],
                t["timeouts"]))
        stats = [e.text for e in g.iter(SVG + "text") if e.get("class") == "stats"]
        same("picture %s row" % (key,), stats, ["holding %s · waiting %s · %d failed wake-ups · %d timeouts"
                                                 % (pct(t["hold_share"]), pct(t["wait_share"]),
                                                    t["failed_wakeups"], t["timeouts"])])
        check_svg_holds(key, g, t, *gils[key[:2]], int(svg.get("data-column-ns")))
    for h in svg.iter(SVG + "g"):
        if h.get("class") != "hist":
            continue
        d = hists[h.get("id")]
        dists = [g[d] for _, g in gils.values()]
        same("picture %s" % h.get("id"), [int(h.get(k)) for k in ("data-count", "data-total-ns", "data-max-ns")],
             [sum(x["count"] for x in dists), sum(x["total"] for x in dists), max([x["max"] for x in dists] + [0])])


def check_svg_holds(key, row, t, p, g, column_ns):
    """The holds named on hover: each no longer than the longest hold of
    its thread, nor of the function it names, which is one of the
    JSON's; the longest of the thread's shown with its place (where it
    is long enough to be drawn: its part in some column is then at least
    a pixel of the bar)."""
    funcs = {func_key(f): f for f in g["python_functions"]}
    rects = [r for r in row.iter(SVG + "rect") if r.get("class") == "hold"]
    longest = max([int(r.get("data-longest-hold-ns")) for r in rects] + [0])
    # A hold still open at the end is no hold sample: "(no Python frame)", or no frames at all.
    open_end = not p["python_frames"] or any(r.get("data-function") == "(no Python frame)" for r in rects)
    if not open_end:
        same("picture %s longest hold shown" % (key,), longest <= t["hold_ns"]["max"], True)
    if t["hold_ns"]["count"] and t["hold_ns"]["max"] * 8 >= column_ns:
        same("picture %s the thread's longest hold shown" % (key,), longest >= t["hold_ns"]["max"], True)
    for r in rects:
        ns = int(r.get("data-longest-hold-ns"))
        fname = r.get("data-function")
        same("picture %s hold named" % (key,), fname is not None, p["python_frames"])
        if fname is None:
            continue
        first = r.get("data-firstlineno")
        f = funcs.get((fname, r.get("data-file"), first and int(first)))
        if f is None:
            diffs.append("picture %s hold at %s (%s) not in the JSON" % (key, fname, r.get("data-file")))
            continue
        line = r.get("data-line")
        title = r.find(SVG + "title").text
        same("picture %s hold's hover" % (key,), title, "%s: the longest hold here, %s"
             % (func_label(fname, f["file"], None if line is None else int(line)), svg_ns(ns)))
        if f["file"] is None:
            continue
        same("picture %s hold at %s within its longest" % (key, fname), ns <= f["longest_hold_ns"], True)
        if ns == f["longest_hold_ns"]:
            same("picture %s longest hold of %s: line" % (key, fname), line and int(line), f["longest_hold_line"])


def svg_ns(ns):
    """render.c's fmt_ns(): three significant digits."""
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= scale:
            return "%.3g %s" % (ns / scale, unit)
    return "%.0f ns" % ns


def check_html(path, threads):
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td><td>(0x[0-9a-f]+)</td>"
                      r"<td>(\d+)</td><td>([0-9.]+%)</td><td>([0-9.]+%)</td><td>(\d+)</td><td>(\d+)</td></tr>",
                      open(path).read())
    same("picture table rows", len(rows), len(threads))
    for name, pid, tid, gil, acq, hold, wait, failed, timeouts in rows:
        key = (int(pid), gil, int(tid))
        t = threads.get(key)
        if t is None:
            diffs.append("picture table row %s not in the JSON" % (key,))
            continue
        same("picture table %s" % (key,), [html.unescape(name), int(acq), hold, wait, int(failed), int(timeouts)],
             [t["name"], t["acquisitions"], pct(t["hold_share"]), pct(t["wait_share"]), t["failed_wakeups"],
              t["timeouts"]])


def check_top_json(path, gils, threads):
    summaries = [r for r in map(json.loads, open(path)) if r["type"] == "summary"]
    same("top summaries", sorted((r["pid"], r["gil"]) for r in summaries), sorted(gils))
    for r in summaries:
        key = (r["pid"], r["gil"])
        if key not in gils:
            continue
        _, g = gils[key]
        for k in COUNTERS + ("held_ns", "waited_ns", "span_ns"):
            same("top %s %s" % (key, k), r[k], g[k])
        same("top %s hold_share" % (key,), "%.6f" % r["hold_share"], "%.6f" % g["hold_share"])
        same("top %s wait_share" % (key,), "%.6f" % r["wait_share"], "%.6f" % g["wait_share"])
        same("top %s wakeups" % (key,), [r["wakeups"], r["wakeup_p99_ns"]],
             [g["wakeup_latency_ns"]["count"], g["wakeup_latency_ns"]["p99"] if g["wakeup_latency_ns"]["count"] else None])
        for t in r["threads"]:
            w = threads.get(key + (t["tid"],))
            if w is None:
                diffs.append("top thread %s not in the JSON" % (key + (t["tid"],),))
                continue
            same("top %s thread %d name" % (key, t["tid"]), t["name"], w["name"])
            for k in COUNTERS + ("held_ns", "waited_ns"):
                same("top %s thread %d %s" % (key, t["tid"], k), t[k], w[k])
            for k in ("hold_share", "wait_share"):
                same("top %s thread %d %s" % (key, t["tid"], k), "%.6f" % t[k], "%.6f" % w[k])


def check_top_intervals(path, gils, threads, lower_bounds):
    """The intervals add up to the totals, counter by counter.  With
    events lost, an attempt whose end was lost is counted by top up to
    each interval's end while the report counts it up to its last event
    seen (giltrace(1), top): then the intervals' held and waited time
    may only exceed the totals.  unfinished_at_exit is known only when
    the trace has ended, after the last interval (giltrace(1)): the
    summaries have it, the intervals not."""
    counters = tuple(k for k in COUNTERS if k != "unfinished_at_exit")
    sums, names = {}, {}
    for r in map(json.loads, open(path)):
        if r["type"] != "interval":
            continue
        for t in r["threads"]:
            key = (r["pid"], r["gil"], t["tid"])
            names.setdefault(key, []).append(t["name"])
            sums.setdefault(key, dict.fromkeys(counters + ("held_ns", "waited_ns"), 0))
            for k in sums[key]:
                sums[key][k] += t[k]
    for key, t in threads.items():
        got = sums.get(key, dict.fromkeys(counters + ("held_ns", "waited_ns"), 0))
        if lower_bounds:
            for k in ("held_ns", "waited_ns"):
                same("top intervals %s %s at least the total" % (key, k), got.pop(k) >= t[k], True)
        same("top intervals %s" % (key,), got, {k: t[k] for k in got})
        check_top_names(key, names.get(key, []), t["name"])


def check_top_names(key, shown, name):
    """An interval shows the name known by its end: a thread may be shown
    by its process name (or its start function) until the trace names it
    (thread_name, py_thread_target), by the JSON's name from then on, and
    by that name in its last interval."""
    if not shown:
        return
    first = shown.index(name) if name in shown else len(shown)
    same("top intervals %s names" % (key,), shown[first:] + shown[-1:], [name] * (len(shown) - first + 1))


def func_key(f):
    """A Python function as the report tells them apart."""
    return (f["function"], f["file"], f["firstlineno"])


def check_top_holders(path, gils, threads, lower_bounds):
    """Each interval's holders: the holds the core placed at each
    (thread, function, line), released in the interval.  Over the
    intervals they add up to the JSON's figures of each function (a hold
    still open at the end of the trace is the report's only, placed at
    "(no Python frame)"); within one they are the thread's hold time in
    it at most; the top holder is the one with the most; names and
    shares are the JSON's."""
    sums, lines, capped = {}, {}, set()
    for r in map(json.loads, open(path)):
        if r["type"] != "interval":
            continue
        gil = (r["pid"], r["gil"])
        # Past TV_HOLDERS_MAX places in an interval (all GILs together),
        # top puts further holds at each thread's "(other functions)".
        if any(h["function"] == "(other functions)" and h["file"] is None for h in r["holders"]):
            capped.add(gil)
        what = "top interval %d %s" % (r["interval"], gil)
        holders = r["holders"]
        same(what + " top holder", r["top_holder"], holders[0] if holders else None)
        same(what + " holders' order", [h["held_ns"] for h in holders],
             sorted((h["held_ns"] for h in holders), reverse=True))
        held = {t["tid"]: t["held_ns"] for t in r["threads"]}
        shown = {t["tid"]: t["name"] for t in r["threads"]}
        by_thread = {}
        for h in holders:
            same(what + " holder %d name" % h["tid"], h["name"], shown.get(h["tid"]))
            same(what + " holder %d share" % h["tid"], "%.6f" % h["hold_share"],
                 "%.6f" % share(h["held_ns"], r["span_ns"]))
            by_thread[h["tid"]] = by_thread.get(h["tid"], 0) + h["held_ns"]
            s = sums.setdefault(gil, {}).setdefault(func_key(h), [0, 0])
            s[0] += h["holds"]
            s[1] += h["holds_ns"]
            lines.setdefault(gil, {}).setdefault(func_key(h), set()).add(h["line"])
        # Lost events can cut what top counted of a thread's hold time
        # in an interval (its baseline ran ahead): then only the sums hold.
        for tid, ns in by_thread.items() if not lower_bounds else ():
            same(what + " holder %d within its hold time" % tid, ns <= held.get(tid, 0), True)
    for gil, (_, g) in gils.items():
        if g["python_functions_dropped"]:
            continue
        got = sums.get(gil, {})
        if gil in capped:
            # Then only the GIL's holds add up, not each function's.
            same("top %s holds (some at \"(other functions)\")" % (gil,), sum(h[0] for h in got.values()),
                 sum(f["holds"] for f in g["python_functions"]))
            continue
        for f in g["python_functions"]:
            k = func_key(f)
            h = got.pop(k, [0, 0])
            if f["file"] is None:
                same("top %s holds of %s" % (gil, f["function"]), [h[0], h[1] <= f["held_ns"]],
                     [f["holds"], True])
            else:
                same("top %s holds of %s" % (gil, k), h, [f["holds"], f["held_ns"]])
            if f["holds"] and f["longest_hold_line"] is not None:
                same("top %s %s: the longest hold's line among the holders'" % (gil, k),
                     f["longest_hold_line"] in lines.get(gil, {}).get(k, ()), True)
        same("top %s holders of functions the JSON has not" % (gil,), sorted(k for k, v in got.items() if v[0]), [])


TOP_LABEL = 24


def top_rows(lines):
    """A GIL's table in top's text: label -> the figures after it.  The
    label column is 24 bytes wide, whatever the characters."""
    rows = {}
    for line in lines:
        b = line.encode()
        if not b.startswith(b"  ") or len(b) < 2 + TOP_LABEL + 1 or b[2 + TOP_LABEL:3 + TOP_LABEL] != b" ":
            continue
        label, rest = b[2:2 + TOP_LABEL].decode().rstrip(), b[3 + TOP_LABEL:].decode().split()
        # Rows only: not the heading, not the top holder's line.
        if len(rest) in (5, 6) and rest[0].endswith("%") and rest[1].endswith("%") and rest[2].isdigit():
            rows[label] = rest
    return rows


def top_label(tid, name):
    return name_cut("%d %s" % (tid, name), TOP_LABEL).rstrip()


def top_blocks(text):
    """(interval number or "summary", pid, gil) -> the lines of a GIL's block."""
    blocks, interval, key = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^giltrace top .*interval (\d+): ", line)
        if m:
            interval, key = int(m.group(1)), None
            continue
        if line.startswith("giltrace top: summary"):
            interval, key = "summary", None
            continue
        m = re.match(r"^pid (\d+) .*  GIL (0x[0-9a-f]+)  ", line)
        if m:
            key = (interval, int(m.group(1)), m.group(2))
            blocks[key] = []
        elif key and line:
            blocks[key].append(line)
    return blocks


def check_top_text(path, jsonl, gils):
    """The table: every GIL's and thread's row, names included, and each
    interval's top holder, as the JSON lines have them."""
    blocks = top_blocks(open(path).read())
    records = {}
    for r in map(json.loads, open(jsonl)):
        if r["type"] == "interval":
            records[(r["interval"], r["pid"], r["gil"])] = r
    same("top table intervals", sorted(k for k in blocks if k[0] != "summary"), sorted(records))
    for (interval, pid, gil), lines in blocks.items():
        key = (pid, gil)
        if key not in gils:
            diffs.append("top table: GIL %s not in the JSON" % (key,))
            continue
        rows = top_rows(lines)
        if interval != "summary":
            r = records.get((interval, pid, gil))
            if r is None:
                continue
            want = {top_label(t["tid"], t["name"]) for t in r["threads"]}
            same("top table interval %d %s labels" % (interval, key), set(rows) - {"all threads"} <= want, True)
            h = r["top_holder"]
            got = [l for l in lines if l.startswith("  top holder: ")]
            same("top table interval %d %s top holder" % (interval, key), got,
                 ["  top holder: %d %s in %s, %.1f%% of the interval"
                  % (h["tid"], h["name"], func_label(h["function"], h["file"], h["line"]),
                     100.0 * share(h["held_ns"], r["span_ns"]))] if h else [])
            continue
        _, g = gils[key]
        for label, r in [("all threads", g)] + [(top_label(t["tid"], t["name"]), t) for t in g["threads"]]:
            if label not in rows:
                diffs.append("top table %s: no row %r" % (key, label))
                continue
            u = r["wakeup_latency_ns"]
            want = [pct(r["hold_share"]), pct(r["wait_share"]), str(r["acquisitions"]), str(r["failed_wakeups"])]
            want += duration(u["p99"], " ").split() if u["count"] else ["-"]
            # The label is a fixed-width column (top_rows), so a name may
            # hold spaces (CPython 3.14 names threads "Thread-1 (spin)").
            same("top table %s %s" % (key, label), rows[label], want)


def main():
    d = sys.argv[1]
    doc, gils, threads = reference(os.path.join(d, "report.json"))
    check_csv(os.path.join(d, "report.csv"), threads)
    check_csv_functions(os.path.join(d, "report.pyfunctions.csv"), doc)
    check_csv_blockers(os.path.join(d, "report.blockers.csv"), doc)
    check_blocker_sums(doc)
    check_text(os.path.join(d, "report.txt"), gils)
    check_svg(os.path.join(d, "picture.svg"), gils, threads)
    check_html(os.path.join(d, "picture.html"), threads)
    check_top_json(os.path.join(d, "top.jsonl"), gils, threads)
    check_top_intervals(os.path.join(d, "top.jsonl"), gils, threads, doc["counters_are_lower_bounds"])
    check_top_holders(os.path.join(d, "top.jsonl"), gils, threads, doc["counters_are_lower_bounds"])
    check_top_text(os.path.join(d, "top.txt"), os.path.join(d, "top.jsonl"), gils)
    views = "text, CSV, picture, top"
    if diffs:
        for line in diffs[:20]:
            print("views_check: " + line)
        sys.exit(1)
    print("views agree: %d figures of %d GIL(s) and %d thread(s) compared (%s against the JSON)"
          % (compared, len(gils), len(threads), views))


main()
