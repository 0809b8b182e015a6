# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Compact GIL cycles (giltrace(7), "Compact cycles") read as the events of
today's layout they stand for, for the tests' own readers of raw events.

A giltrace:gil_cycle stands for gil_acquire_begin at begin_ts,
gil_acquire_end (0 waits, 0 timeouts) at acquired_ts and gil_release
(its waiters and signalled, 0 where the event has none) at released_ts;
a giltrace:gil_cycle_open
for thread tid's gil_acquire_begin and, unless acquired_ts is 0, its
gil_acquire_end.  The shim lets no event of the same GIL fall between
those times, so placing them where the compact event is keeps every
count; expand_msg gives their own times as well.

    expand_text(lines)   babeltrace2's text lines, compact ones replaced
                         by today's (the counting readers: awk, regexes)
    expand_msg(msg)      a bt2 event message: None for any other event,
                         else [(name, ns_from_origin, tid, fields)]
                         (raw=True: the clock's own values, as
                         snapshot.value gives them)
    python3 gil_compact.py <text >text   the first, as a filter
"""
import re
import sys

_TEXT = re.compile(r'^(.*?)giltrace:(gil_cycles|gil_cycle|gil_cycle_open): (\{[^}]*\}, )?'
                   r'\{ (vpid = \d+, vtid = )(\d+)([^}]*)\}, \{ (.*) \}$')


def _fields(text):
    """name = value pairs of a payload; a sequence's value is its whole
    "[ [0] = ..., [1] = ... ]", commas inside brackets or strings kept."""
    out, depth, quoted, start = {}, 0, False, 0
    for i, c in enumerate(text + ","):
        if c == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "," and depth == 0:
            k, _, v = text[start:i].partition(" = ")
            out[k.strip()] = v.strip()
            start = i + 1
    return out


def _line(head, name, cpu, ctx, tid, ctx_rest, fields):
    return "%sgiltrace:%s: %s{ %s%s%s}, { %s }\n" % (
        head, name, cpu or "", ctx, tid, ctx_rest,
        ", ".join("%s = %s" % kv for kv in fields))


def _seq(f, name):
    return [("_%s_length" % name, f.get("_%s_length" % name, "0")), (name, f.get(name, "[ ]"))]


def _list(v):
    """The elements of a sequence's text "[ [0] = a, [1] = b ]"."""
    return re.findall(r'\[\d+\] = ([^,\]]+)', v)


def _seq_text(name, values):
    return [("_%s_length" % name, str(len(values))),
            (name, "[ %s ]" % ", ".join("[%d] = %s" % iv for iv in enumerate(values))
             if values else "[ ]")]


# A gil_cycles' members: one element per cycle, then the flattened frames
# of each end, with the per-cycle member saying how many are each cycle's.
_PER_CYCLE = ("begin_ts", "acquired_ts", "released_ts", "begin_caller", "acquire_caller", "caller",
              "waiters", "signalled")
_FRAMES = (("acquire_backtrace_len", ("acquire_backtrace",)),
           ("acquire_py_len", ("acquire_pycode", "acquire_pyinstr")),
           ("backtrace_len", ("backtrace",)),
           ("py_len", ("pycode", "pyinstr")))


# An acquire_py_len that says the acquisition's Python frames are the
# previous cycle's release's, and the py_len above which a release's are
# an earlier cycle's of the batch, that many cycles back
# (tracepoints/gil_cycle_rec.h, giltrace(7)).
_PY_AS_RELEASE = 255
_PY_BACK = 128


def _batch_cycles(p):
    """A gil_cycles' cycles as dicts of a gil_cycle's members, from p, its
    members' values (a sequence as a list of its elements)."""
    at = [0] * len(_FRAMES)
    done = []
    for i in range(len(p["begin_ts"])):
        c = dict((k, p[k][i]) for k in _PER_CYCLE)
        for j, (length, seqs) in enumerate(_FRAMES):
            n = int(p[length][i])
            if length == "acquire_py_len" and n == _PY_AS_RELEASE:
                c["acquire_pycode"] = done[-1]["pycode"] if done else []
                c["acquire_pyinstr"] = done[-1]["pyinstr"] if done else []
                continue
            if length == "py_len" and _PY_BACK < n < _PY_AS_RELEASE:
                back = n - _PY_BACK
                c["pycode"] = done[-back]["pycode"] if back <= len(done) else []
                c["pyinstr"] = done[-back]["pyinstr"] if back <= len(done) else []
                continue
            for name in seqs:
                c[name] = p[name][at[j]:at[j] + n]
            at[j] += n
        done.append(c)
        yield c


def _batch_text(cpu, ctx, ctx_rest, f):
    """A gil_cycles' cycles, each as the text of the gil_cycle it stands for."""
    per = dict((k, _list(f.get(k, "[ ]")))
               for k in _PER_CYCLE + tuple(k for length, seqs in _FRAMES for k in (length,) + seqs))
    for c in _batch_cycles(per):
        cycle = [("gil", f["gil"])] + [(k, c[k]) for k in _PER_CYCLE[:5]]
        for name in ("acquire_backtrace", "acquire_pycode", "acquire_pyinstr"):
            cycle += _seq_text(name, c[name])
        cycle += [("caller", c["caller"])]
        for name in ("backtrace", "pycode", "pyinstr"):
            cycle += _seq_text(name, c[name])
        cycle += [("waiters", c["waiters"]), ("signalled", c["signalled"])]
        yield "%s{ %s}, { %s }" % (cpu or "", ctx + f["tid"] + ctx_rest,
                                  ", ".join("%s = %s" % kv for kv in cycle))


def expand_text(lines):
    for line in lines:
        m = _TEXT.match(line.rstrip("\n"))
        if not m:
            yield line
            continue
        head, name, cpu, ctx, tid, ctx_rest, payload = m.groups()
        f = _fields(payload)
        if name == "gil_cycles":
            for one in _batch_text(cpu, ctx, ctx_rest, f):
                for out in expand_text(["%sgiltrace:gil_cycle: %s\n" % (head, one)]):
                    yield out
            continue
        gil = ("gil", f["gil"])
        me = f["tid"] if name == "gil_cycle_open" else tid
        yield _line(head, "gil_acquire_begin", cpu, ctx, me, ctx_rest,
                    [gil, ("caller", f["begin_caller"])])
        if name == "gil_cycle_open" and int(f["acquired_ts"]) == 0:
            continue
        yield _line(head, "gil_acquire_end", cpu, ctx, me, ctx_rest,
                    [gil, ("waits", "0"), ("timeouts", "0"), ("caller", f["acquire_caller"])]
                    + _seq(f, "acquire_backtrace") + _seq(f, "acquire_pycode")
                    + _seq(f, "acquire_pyinstr"))
        if name == "gil_cycle_open":
            continue
        yield _line(head, "gil_release", cpu, ctx, me, ctx_rest,
                    [gil, ("waiters", f.get("waiters", "0")), ("signalled", f.get("signalled", "0")),
                     ("caller", f["caller"])]
                    + _seq(f, "backtrace") + _seq(f, "pycode") + _seq(f, "pyinstr"))


def _value(v):
    try:
        return [int(x) for x in v]
    except TypeError:
        return int(v)


def _batch_msg(p, ns):
    """A gil_cycles' cycles, each as expand_msg gives a gil_cycle."""
    out = []
    for c in _batch_cycles(p):
        out.append(("giltrace:gil_acquire_begin", ns(c["begin_ts"]), p["tid"],
                    {"gil": p["gil"], "caller": c["begin_caller"]}))
        out.append(("giltrace:gil_acquire_end", ns(c["acquired_ts"]), p["tid"],
                    {"gil": p["gil"], "waits": 0, "timeouts": 0, "caller": c["acquire_caller"],
                     "backtrace": c["acquire_backtrace"], "pycode": c["acquire_pycode"],
                     "pyinstr": c["acquire_pyinstr"]}))
        out.append(("giltrace:gil_release", ns(c["released_ts"]), p["tid"],
                    {"gil": p["gil"], "waiters": c["waiters"], "signalled": c["signalled"],
                     "caller": c["caller"], "backtrace": c["backtrace"], "pycode": c["pycode"],
                     "pyinstr": c["pyinstr"]}))
    return out


def expand_msg(msg, raw=False):
    ev = msg.event
    if ev.name not in ("giltrace:gil_cycle", "giltrace:gil_cycle_open", "giltrace:gil_cycles"):
        return None
    p = dict((k, _value(v)) for k, v in ev.payload_field.items())
    snap = msg.default_clock_snapshot
    ns = (lambda v: v) if raw else snap.clock_class.cycles_to_ns_from_origin
    if ev.name == "giltrace:gil_cycles":
        return _batch_msg(p, ns)
    tid = p["tid"] if ev.name == "giltrace:gil_cycle_open" else int(ev["vtid"])
    out = [("giltrace:gil_acquire_begin", ns(p["begin_ts"]), tid,
            {"gil": p["gil"], "caller": p["begin_caller"]})]
    if ev.name == "giltrace:gil_cycle_open" and p["acquired_ts"] == 0:
        return out
    out.append(("giltrace:gil_acquire_end", ns(p["acquired_ts"]), tid,
                {"gil": p["gil"], "waits": 0, "timeouts": 0, "caller": p["acquire_caller"],
                 "backtrace": p["acquire_backtrace"], "pycode": p["acquire_pycode"],
                 "pyinstr": p["acquire_pyinstr"]}))
    if ev.name == "giltrace:gil_cycle_open":
        return out
    out.append(("giltrace:gil_release", ns(p["released_ts"]), tid,
                {"gil": p["gil"], "waiters": p.get("waiters", 0), "signalled": p.get("signalled", 0),
                 "caller": p["caller"],
                 "backtrace": p["backtrace"], "pycode": p["pycode"], "pyinstr": p["pyinstr"]}))
    return out


if __name__ == "__main__":
    try:
        sys.stdout.writelines(expand_text(sys.stdin))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader had enough (grep -q): not a failure of the filter.
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
