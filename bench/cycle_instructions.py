# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""bench/cycle_instructions.py DATA MODE...: the table of
bench/cycle_instructions.sh.  For each MODE, DATA holds MODE.short and
MODE.long: callgrind_annotate's per-function instruction counts (.funcs)
and giltrace-analyze's JSON (.json).  Instructions per GIL cycle are
(long - short) / (cycles long - cycles short), by library and for the
functions that cost the most.  A library named by BENCH_SHIM_B (the b
modes) is reported as libgiltrace.so."""
import json
import os
import re
import sys

LINE = re.compile(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*?)\s*(?:\[([^\]]*)\])?\s*$")


def functions(path, alias):
    """{(library, function): instructions} of a callgrind_annotate listing,
    a library named in alias under its other name."""
    out = {}
    orphans = {}
    by_dir = {}
    by_name = {}
    section = False
    with open(path) as f:
        for line in f:
            # Only the listing by function: it starts under its header
            # and ends at the first blank line.
            if not section:
                section = line.rstrip().endswith("file:function")
                continue
            if not line.strip():
                break
            m = LINE.match(line)
            if not m:
                continue
            qualified = re.sub(r"'\d+$", "", m.group(2))	# recursion levels
            source, _, name = qualified.rpartition(":")
            where = os.path.dirname(source)
            n = int(m.group(1).replace(",", ""))
            if m.group(3) is None:
                orphans[(where, name)] = orphans.get((where, name), 0) + n
                continue
            lib = os.path.basename(m.group(3))
            lib = alias.get(lib, lib)
            by_dir.setdefault(where, lib)
            by_name.setdefault(name, lib)
            out[(lib, name)] = out.get((lib, name), 0) + n
    # callgrind_annotate names no object for the code a function has
    # inlined from a header (file:function, no [object]): it is the
    # object built from that directory's sources, or failing that the
    # object of the function it was inlined into.
    for (where, name), n in orphans.items():
        key = (by_dir.get(where) or by_name.get(name, "(no object)"), name)
        out[key] = out.get(key, 0) + n
    return out


def cycles(path):
    with open(path) as f:
        report = json.load(f)
    return sum(g["acquisitions"] for p in report["processes"] for g in p["gils"])


def main(argv):
    data, modes = argv[1], argv[2:]
    # BENCH_SHIM_B's and BENCH_SHIM_C's libraries count as the shim, so
    # that the b and c modes' functions stand beside the shim's.
    alias = {}
    for var in ("BENCH_SHIM_B", "BENCH_SHIM_C"):
        if os.environ.get(var):
            alias[os.path.basename(os.environ[var])] = "libgiltrace.so"
    per = {}
    for mode in modes:
        base = os.path.join(data, mode)
        a, b = functions(base + ".short.funcs", alias), functions(base + ".long.funcs", alias)
        n = cycles(base + ".long.json") - cycles(base + ".short.json")
        if n <= 0:
            sys.exit("cycle_instructions.py: %s: the longer run has no more GIL cycles" % mode)
        per[mode] = ({k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}, n)
    libs = {}
    for mode, (f, _) in per.items():
        for (lib, _name), v in f.items():
            libs.setdefault(lib, {})[mode] = libs.get(lib, {}).get(mode, 0) + v
    print("| library: instructions per GIL cycle | " + " | ".join(modes) + " |")
    print("|---|" + "---:|" * len(modes))
    order = sorted(libs, key=lambda k: -max(libs[k].values()))
    for lib in order:
        if max(libs[lib].values()) < 20:
            continue
        print("| %s | %s |" % (lib, " | ".join("%.0f" % libs[lib].get(m, 0) for m in modes)))
    print("| **total** | %s |" % " | ".join("%.0f" % sum(per[m][0].values()) for m in modes))
    print("| GIL cycles between the two runs | %s |" % " | ".join(str(per[m][1]) for m in modes))
    print()
    first = per[modes[0]][0]
    print("| function (%s's costliest) | library | %s |" % (modes[0], " | ".join(modes)))
    print("|---|---|" + "---:|" * len(modes))
    rows = int(os.environ.get("BENCH_FUNCTIONS", "20"))
    for key in sorted(first, key=lambda k: -first[k])[:rows]:
        print("| %s | %s | %s |" % (key[1], key[0], " | ".join("%.0f" % per[m][0].get(key, 0) for m in modes)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
