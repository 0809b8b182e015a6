# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Run the Trace Compass analysis on a trace without Trace Compass, and
hold what it builds against giltrace-analyze's report of the same trace.

  python3 tc_xml_run.py GILTRACE.XML TRACE REPORT.JSON

A small interpreter of the part of Trace Compass's data-driven language
that tracecompass/giltrace.xml uses, written from the schema's
documentation and the semantics of its engine (every event handler whose
name pattern matches, in file order; a path element is the value's
decimal text; a comparison is numeric between numbers, else between
texts, null reading "null"; forcedType; stacks; scenarios of a pattern
with #CurrentScenario); an element it does not know is an error, not
skipped.  Script values are evaluated by node, one process for the run.
Events come from libbabeltrace2 with Trace Compass's field names: a
sequence's length as _NAME_length, contexts as context._NAME.

What is compared: every GIL's row (state provider, GILs/{pid}/{gil}):
its name, the runtime and pid, and that only threads of its process
hold it; every thread's row name (Name) with the report's thread name
and tid, and its failed wake-ups (FailedWakeups) with the report's; the
GIL hold segments (pattern
giltrace.gil.hold) per process and function with the report's Python
functions: never more holds or time than the report, the same when the
counts agree, and the report's extra holds no more than one per thread
(a hold already under way when the trace starts has no segment).
Compact cycles (giltrace(7)) are held to the same, except that a hold
opened by gil_cycle_open may fall short by the moment between the
opening's clock reading and its event's.  The GIL wait and GIL wake-up
segments (patterns giltrace.gil.wait and giltrace.gil.wakeup) per
process and thread against the thread's wait_ns and wakeup_latency_ns:
the same counts, and the same total time, except that a segment that
begins by a clock reading placed at its event's time (its "opened" 1,
or its "exact" 0) may fall short by that moment.
"""
import collections
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import bt2


class Unsupported(Exception):
    pass


def tc_text(v):
    return "null" if v is None else str(v)


class Js:
    """node, fed one script and its variables a line."""
    PROG = r'''
const rl = require("readline").createInterface({input: process.stdin});
rl.on("line", (l) => {
  const q = JSON.parse(l);
  const f = new Function(...Object.keys(q.v), "return (" + q.s + ");");
  const r = f(...Object.values(q.v));
  process.stdout.write(JSON.stringify(r === undefined ? null : r) + "\n");
});
'''

    def __init__(self):
        self.p = subprocess.Popen(["node", "-e", self.PROG], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def eval(self, script, variables):
        self.p.stdin.write(json.dumps({"s": script, "v": variables}) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())


class Event:
    def __init__(self, name, ts, ctx, payload):
        self.name, self.ts, self.ctx, self.payload = name, ts, ctx, payload

    def field(self, name):
        if name.startswith("context._"):
            return self.ctx.get(name[len("context._"):])
        if name == "timestamp":
            return self.ts
        return self.payload.get(name)


def plain(f):
    if isinstance(f, bt2._IntegerFieldConst):
        return int(f)
    if isinstance(f, bt2._StringFieldConst):
        return str(f)
    if isinstance(f, bt2._ArrayFieldConst):
        return [plain(e) for e in f]
    raise Unsupported("field of class %s" % type(f).__name__)


def events(path):
    for msg in bt2.TraceCollectionMessageIterator(path):
        if type(msg) is not bt2._EventMessageConst:
            continue
        ev = msg.event
        if not ev.name.startswith("giltrace:"):
            continue
        ctx = {k: plain(v) for k, v in ev.common_context_field.items()} if ev.common_context_field else {}
        payload = {}
        for k, v in ev.payload_field.items():
            payload[k] = plain(v)
            if isinstance(payload[k], list):
                payload["_%s_length" % k] = len(payload[k])
        yield Event(ev.name, msg.default_clock_snapshot.ns_from_origin, ctx, payload)


class Engine:
    """One state system, and the rules to change it."""

    def __init__(self, root, js, defined, locations):
        self.root, self.js = root, js
        self.defined, self.locations = defined, locations
        self.state = {}      # path tuple -> value
        self.scenario = None  # the #CurrentScenario path prefix
        self.on_set = None    # called with (path, value) at every plain assignment

    def path(self, attrs, ev):
        out = []
        for a in attrs:
            t, v = a.get("type"), a.get("value")
            if t == "constant":
                if v == "#CurrentScenario":
                    out.extend(self.scenario)
                else:
                    out.append(v)
            elif t == "eventField":
                x = ev.field(v)
                if x is None:
                    return None
                out.append(tc_text(x))
            elif t == "location":
                sub = self.path(self.locations[v], ev)
                if sub is None:
                    return None
                out.extend(sub)
            elif t == "query":
                x = self.state.get(self.path(list(a), ev) or ())
                if x is None:
                    return None
                out.append(tc_text(x))
            else:
                raise Unsupported("stateAttribute type %s" % t)
        return tuple(out)

    def value(self, el, ev):
        t, v = el.get("type"), el.get("value")
        if t in ("int", "long"):
            x = int(self.defined[v[1:]]) if v.startswith("$") else int(v)
        elif t == "string":
            x = v
        elif t == "null":
            x = None
        elif t == "eventField":
            x = ev.field(v)
        elif t == "query":
            p = self.path(list(el), ev)
            x = self.state.get(p) if p is not None else None
        elif t == "script":
            x = self.js.eval(v, {c.get("id"): self.value(c, ev) for c in el})
        else:
            raise Unsupported("stateValue type %s" % t)
        forced = el.get("forcedType")
        if forced in ("int", "long") and x is not None:
            x = int(x)
        elif forced == "string" and x is not None:
            x = tc_text(x)
        elif forced:
            raise Unsupported("forcedType %s" % forced)
        return x

    def test(self, el, ev):
        if el.tag in ("if", "test"):
            return self.test(el[0], ev)
        if el.tag == "not":
            return not self.test(el[0], ev)
        if el.tag == "and":
            return all(self.test(c, ev) for c in el)
        if el.tag == "or":
            return any(self.test(c, ev) for c in el)
        if el.tag != "condition":
            raise Unsupported("condition %s" % el.tag)
        attrs = [c for c in el if c.tag == "stateAttribute"]
        if attrs:   # the value at a path, against a value
            p = self.path(attrs, ev)
            a, b = self.state.get(p) if p is not None else None, self.value(el.find("stateValue"), ev)
        else:
            a, b = [ev.field(c.get("name")) if c.tag == "field" else self.value(c, ev) for c in el]
        if isinstance(a, int) and isinstance(b, int):
            cmp = (a > b) - (a < b)
        else:
            sa, sb = tc_text(a), tc_text(b)
            cmp = (sa > sb) - (sa < sb)
        op = el.get("operator", "eq")
        return {"eq": cmp == 0, "ne": cmp != 0, "gt": cmp > 0, "ge": cmp >= 0,
                "lt": cmp < 0, "le": cmp <= 0}[op]

    def change(self, el, ev):
        if el.find("if") is not None:
            if self.test(el.find("if"), ev):
                self.change(el.find("then"), ev)
            elif el.find("else") is not None:
                self.change(el.find("else"), ev)
            return
        p = self.path([c for c in el if c.tag == "stateAttribute"], ev)
        if p is None:
            return
        sv = el.find("stateValue")
        stack = sv.get("stack")
        if stack == "popAll":
            for k in [k for k in self.state if k[:len(p)] == p and len(k) == len(p) + 1]:
                del self.state[k]
            self.state.pop(p, None)
            return
        x = self.value(sv, ev)
        if stack == "push":
            depth = (self.state.get(p) or 0) + 1
            self.state[p] = depth
            self.state[p + (str(depth),)] = x
        elif stack:
            raise Unsupported("stack %s" % stack)
        elif sv.get("increment") == "true":
            self.state[p] = (self.state.get(p) or 0) + x
        else:
            self.state[p] = x
            if self.on_set:
                self.on_set(p, x)


def name_matches(pattern, name):
    return re.fullmatch(pattern.replace("*", ".*"), name) is not None


def common(el):
    defined = {d.get("name"): d.get("value") for d in el.findall("definedValue")}
    locations = {l.get("id"): list(l) for l in el.findall("location")}
    return defined, locations


class StateProvider:
    def __init__(self, el, js):
        self.engine = Engine(el, js, *common(el))
        self.handlers = [(h.get("eventName"), h.findall("stateChange")) for h in el.findall("eventHandler")]

    def feed(self, ev):
        for pattern, changes in self.handlers:
            if name_matches(pattern, ev.name):
                for c in changes:
                    self.engine.change(c, ev)


class Pattern:
    """Scenarios of each fsm; a transition's event is consumed by the
    first scenario that takes it unless consuming="false"."""

    def __init__(self, el, js):
        handler = el.find("patternHandler")
        self.engine = Engine(el, js, *common(el))
        self.tests = {t.get("id"): t for t in handler.findall("test")}
        self.actions = {a.get("id"): a for a in handler.findall("action")}
        self.fsms = []
        for f in handler.findall("fsm"):
            states = {s.get("id"): s.findall("transition") for s in f if s.tag in ("state", "initialState")}
            init = f.find("initialState")
            self.fsms.append({
                "id": f.get("id"), "states": states,
                "initial": f.get("initial") if init is None else None,
                "init": init.findall("transition") if init is not None else None,
                "multiple": f.get("multiple", "true") == "true",
                "consuming": f.get("consuming", "true") == "true",
                "finals": {s.get("id") for s in f.findall("final")},
                "running": [], "next": 0})
        self.segments = []

    def run_action(self, ids, ev, scen):
        self.engine.scenario = scen["path"]
        for aid in ids.split(":"):
            for item in self.actions[aid]:
                if item.tag == "stateChange":
                    self.engine.change(item, ev)
                elif item.tag == "segment":
                    st = item.find("segType")
                    name = st.get("segName")
                    if name is None:
                        name = self.engine.value(st.find("segName/stateValue"), ev)
                    content = {f.get("name"): self.engine.value(f.find("stateValue"), ev)
                               for f in item.findall("segContent/segField")}
                    begin, end = scen["start"], ev.ts
                    # segTime: the segment's own begin, and its end or duration.
                    t = item.find("segTime")
                    if t is not None:
                        begin = self.engine.value(t.find("begin"), ev)
                        if t.find("end") is not None:
                            end = self.engine.value(t.find("end"), ev)
                        else:
                            end = begin + self.engine.value(t.find("duration"), ev)
                    self.segments.append((begin, end, name, content))
                else:
                    raise Unsupported("action %s" % item.tag)

    def take(self, fsm, scen, transitions, ev):
        for t in transitions:
            if not name_matches(t.get("event"), ev.name):
                continue
            self.engine.scenario = scen["path"]
            if t.get("cond") and not all(self.engine.test(self.tests[c], ev) for c in t.get("cond").split(":")):
                continue
            if t.get("action"):
                self.run_action(t.get("action"), ev, scen)
            scen["state"] = t.get("target")
            return True
        return False

    def new_scenario(self, fsm, ev):
        fsm["next"] += 1
        return {"path": ("scenarios", fsm["id"], str(fsm["next"])), "start": ev.ts, "state": fsm["initial"]}

    def feed(self, ev):
        for fsm in self.fsms:
            taken = False
            for scen in list(fsm["running"]):
                if self.take(fsm, scen, fsm["states"][scen["state"]], ev):
                    if scen["state"] in fsm["finals"]:
                        fsm["running"].remove(scen)
                    taken = True
                    if fsm["consuming"]:
                        break
            if fsm["init"] is None:
                if not fsm["running"]:
                    fsm["running"].append(self.new_scenario(fsm, ev))
                    self.take(fsm, fsm["running"][0], fsm["states"][fsm["initial"]], ev)
                continue
            if (taken and fsm["consuming"]) or (fsm["running"] and not fsm["multiple"]):
                continue
            scen = self.new_scenario(fsm, ev)
            # A scenario whose first transition reaches a final state is
            # over at once (a compact cycle's segment).
            if self.take(fsm, scen, fsm["init"], ev) and scen["state"] not in fsm["finals"]:
                fsm["running"].append(scen)


def func_label(f):
    if not f["file"]:
        return f["function"]
    return "%s (%s:%s)" % (f["function"] or "?", f["file"].rsplit("/", 1)[-1], f["firstlineno"])


def compare_latencies(what, segments, report, key, inexact, slack, errors):
    """Segments per process and thread against the report's distribution
    key of each thread (summed over its GILs): the same count, the same
    total less at most slack per inexact segment.  Returns the count."""
    got = collections.defaultdict(lambda: [0, 0, 0])
    for begin, end, name, content in segments:
        g = got[(content.get("pid"), content.get("tid"))]
        g[0] += 1
        g[1] += end - begin
        g[2] += 1 if inexact(content) else 0
    want = collections.defaultdict(lambda: [0, 0])
    for p in report["processes"]:
        for g in p["gils"]:
            for t in g["threads"]:
                w = want[(p["pid"], t["tid"])]
                w[0] += t[key]["count"]
                w[1] += t[key]["total"]
    total = 0
    for k in sorted(set(got) | set(want), key=str):
        count, ns, loose = got.get(k, (0, 0, 0))
        wcount, wns = want.get(k, (0, 0))
        total += count
        if count != wcount or not 0 <= wns - ns <= loose * slack:
            errors.append("pid %s, thread %s: %d %s, %d ns in the analysis (%d placed by an event's time); %d, %d ns in the report"
                          % (k[0], k[1], count, what, ns, loose, wcount, wns))
    return total


def main():
    xml_path, trace, report_path = sys.argv[1:4]
    root = ET.parse(xml_path).getroot()
    js = Js()
    state = StateProvider(root.find("stateProvider[@id='giltrace.gil.state']"), js)
    hold = Pattern(root.find("pattern[@id='giltrace.gil.hold']"), js)
    wait = Pattern(root.find("pattern[@id='giltrace.gil.wait']"), js)
    wakeup = Pattern(root.find("pattern[@id='giltrace.gil.wakeup']"), js)
    # Every thread a GIL row shows holding it, per row (GILs/{pid}/{gil}).
    holders = collections.defaultdict(set)

    def on_set(path, value):
        if len(path) == 4 and path[0] == "GILs" and path[3] == "Holder" and value is not None:
            holders[path[1:3]].add(value)
    state.engine.on_set = on_set
    n = 0
    for ev in events(trace):
        for analysis in (state, hold, wait, wakeup):
            analysis.feed(ev)
        n += 1
    report = json.load(open(report_path))
    errors = []

    # Each process's GIL rows: named after the runtime and pid, held only
    # by that process's threads (a forked child's GIL is at its parent's
    # address); each thread's row name and failed wake-ups (a thread's
    # count at the end of the trace, summed over its GILs).
    threads = gils = 0
    failed = collections.Counter()
    for p in report["processes"]:
        tids = {t["tid"] for g in p["gils"] for t in g["threads"]}
        for g in p["gils"]:
            key = (str(p["pid"]), str(int(g["address"], 16)))
            gils += 1
            name = state.engine.state.get(("GILs",) + key + ("Name",))
            if g["identified_by"] != "unknown" and name != "%s (pid %d)" % (g["runtime"], p["pid"]):
                errors.append("pid %d, GIL %s: the analysis names its row %r" % (p["pid"], g["address"], name))
            if not holders[key] <= tids:
                errors.append("pid %d, GIL %s: its row shows threads %s holding it, not of the process"
                              % (p["pid"], g["address"], sorted(holders[key] - tids)))
            for t in g["threads"]:
                want = "%s (%d)" % (t["name"], t["tid"])
                got = state.engine.state.get(("Threads", str(t["tid"]), "Name"))
                threads += 1
                if got != want:
                    errors.append("thread %d: the analysis names it %r, the report %r" % (t["tid"], got, want))
                failed[t["tid"]] += t["failed_wakeups"]
    for tid, want in failed.items():
        got = state.engine.state.get(("Threads", str(tid), "FailedWakeups")) or 0
        if got != want:
            errors.append("thread %d: %d failed wake-ups in the analysis, %d in the report" % (tid, got, want))

    # A hold whose acquisition a gil_cycle_open told starts by the
    # opening's clock reading, a little before LTTng stamped that event:
    # shorter than the report's by that gap, well under OPEN_SLACK ns.
    OPEN_SLACK = 20000
    segs = collections.defaultdict(lambda: [0, 0, 0])
    for begin, end, name, content in hold.segments:
        s = segs[(content["pid"], name)]
        s[0] += 1
        s[1] += end - begin
        s[2] += content.get("opened") or 0
    holds = 0
    for p in report["processes"]:
        nthreads = len({t["tid"] for g in p["gils"] for t in g["threads"]})
        funcs = collections.defaultdict(lambda: [0, 0])
        for g in p["gils"]:
            for f in g["python_functions"]:
                funcs[func_label(f)][0] += f["holds"]
                funcs[func_label(f)][1] += f["held_ns"]
        extra = 0
        for (pid, name), (count, ns, _) in segs.items():
            if pid == p["pid"] and name not in funcs:
                errors.append("pid %d: %d holds in %r, a function the report does not have" % (pid, count, name))
        for name, (count, ns) in funcs.items():
            got, got_ns, opened = segs.get((p["pid"], name), (0, 0, 0))
            holds += got
            if got > count or got_ns > ns or (got == count and not 0 <= ns - got_ns <= opened * OPEN_SLACK):
                errors.append("pid %d, %s: %d holds, %d ns in the analysis; %d, %d ns in the report"
                              % (p["pid"], name, got, got_ns, count, ns))
            extra += count - got
        if extra > nthreads:
            errors.append("pid %d: %d holds of the report are not segments, more than its %d threads"
                          % (p["pid"], extra, nthreads))
    latencies = {}
    for what, pattern, key, inexact in (("waits", wait, "wait_ns", lambda c: c.get("opened") == 1),
                                        ("wake-ups", wakeup, "wakeup_latency_ns", lambda c: c.get("exact") == 0)):
        latencies[what] = compare_latencies(what, pattern.segments, report, key, inexact, OPEN_SLACK, errors)
    if errors:
        print("FAIL: " + "\n      ".join(errors), file=sys.stderr)
        return 1
    print("%s: %d events, %d GIL rows, %d thread names, %d failed wake-ups, %d holds, %d waits and %d wake-ups agree with the report"
          % (trace, n, gils, threads, sum(failed.values()), holds, latencies["waits"], latencies["wake-ups"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
