# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Ground truth for the line-table decoder (analyzer/py_linetable.c), from
the interpreter running this (CPython 2.7, 3.6 and later).

  python linetable_dump.py SAMPLE.py... > tests/linetables/cpython-X.Y.txt

Compiles the samples (a sample whose name ends in 3.py only on CPython 3)
and a few sources made here (long functions, big line jumps both ways,
a line of more than 255 bytes of code, a function past line 70000),
and writes for every code object in them, recursively: the raw line
table the shim would copy (co_lnotab up to 3.9, co_linetable from 3.10
on), and the interpreter's own line for every byte offset of co_code,
as runs "offset:line" ("-": no line):
  2.7 to 3.9  dis.findlinestarts() (what PyCode_Addr2Line says);
  3.10        co_lines();
  3.11 on     co_positions(), checked here against co_lines().
tests/linetables/regenerate.sh runs it with every interpreter.
"""
import binascii
import dis
import os
import sys
import types

V = sys.version_info[:2]


def synthetic_sources():
    """(name, source) of code the samples cannot hold readably."""
    long_body = "".join("    v%d = v%d + %d\n" % (i, i - 1, i) for i in range(1, 400))
    yield "long_function", "def long_function(v0):\n%s    return v399\n" % long_body
    yield "big_jumps", ("def big_jumps(a):\n    b = a + 1\n" + "\n" * 300 + "    c = b * 2\n"
                        + "    # comment\n" * 150 + "    d = c - 3\n" + "\n" * 130
                        + "    return d\n")
    loop_body = "".join("        x += %d\n" % i + "\n" * 20 for i in range(12))
    yield "long_loop", "def long_loop(n):\n    x = 0\n    for i in range(n):\n%s    return x\n" % loop_body
    yield "long_call", ("def long_call(f, a):\n    return f(\n        a,\n" + "\n" * 200
                        + "        a,\n    )\n")
    yield "long_line", "def long_line(a):\n    return [%s]\n" % ", ".join(["a + 1"] * 150)
    yield "long_line_jump", ("def long_line_jump(a):\n    x = (%s)\n" % " + ".join(["a"] * 200)
                             + "\n" * 260 + "    return x\n")
    yield "far_away", "\n" * 70000 + "def far_away(a):\n    b = a\n\n\n    return b\n"


def code_objects(code):
    """code and every code object among its constants, depth first."""
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            for sub in code_objects(c):
                yield sub


def table_of(code):
    if V < (3, 10):
        return 1, code.co_lnotab
    return (2 if V == (3, 10) else 3), code.co_linetable


def lines_findlinestarts(code, n):
    lines = [None] * n
    starts = list(dis.findlinestarts(code))
    for i, (start, line) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else n
        for off in range(start, min(end, n)):
            lines[off] = line
    return lines


def lines_co_lines(code, n):
    lines = [None] * n
    for start, end, line in code.co_lines():
        for off in range(start, min(end, n)):
            lines[off] = line
    return lines


def lines_co_positions(code, n):
    lines = [None] * n
    for unit, pos in enumerate(code.co_positions()):
        for off in (2 * unit, 2 * unit + 1):
            if off < n:
                lines[off] = pos[0]
    check = lines_co_lines(code, n)
    if check != lines:
        raise SystemExit("%s: co_lines() and co_positions() disagree" % code.co_name)
    return lines


def expected_lines(code):
    n = len(code.co_code)
    if V < (3, 10):
        return lines_findlinestarts(code, n)
    if V == (3, 10):
        return lines_co_lines(code, n)
    return lines_co_positions(code, n)


def runs(lines):
    out, last = [], object()
    for off, line in enumerate(lines):
        if line != last:
            out.append("%d:%s" % (off, "-" if line is None else line))
            last = line
    return " ".join(out)


def dump(code, out):
    fmt, table = table_of(code)
    name = getattr(code, "co_qualname", code.co_name)
    out.write("code %s\n" % name.replace(" ", "_"))
    out.write("format %d\nfirstlineno %d\ncodelen %d\n" % (fmt, code.co_firstlineno, len(code.co_code)))
    out.write("table %s\n" % binascii.hexlify(table).decode("ascii"))
    out.write("lines %s\nend\n" % runs(expected_lines(code)))


def main():
    out = sys.stdout
    out.write("# CPython %s, written by tests/py/linetable_dump.py: do not edit\n" % sys.version.split()[0])
    out.write("python %d.%d\n" % V)
    sources = []
    for path in sys.argv[1:]:
        if path.endswith("3.py") and V[0] < 3:
            continue
        with open(path) as f:
            sources.append((os.path.basename(path), f.read()))
    sources.extend(("<%s>" % name, src) for name, src in synthetic_sources())
    for filename, src in sources:
        for code in code_objects(compile(src, filename, "exec")):
            dump(code, out)


main()
