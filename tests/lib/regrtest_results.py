#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Per-test-case results from CPython's regrtest run with -v.

  regrtest_results.py OUTPUT_FILE

Prints "TEST_ID STATUS" per test case, sorted, STATUS one of ok, FAIL,
ERROR, skipped, expected-failure, unexpected-success.  unittest's
verbose lines are "name (id) ... status", with the status on a later
line (alone, or after "...") when the test has a docstring or printed
something meanwhile; the
id names the class (2.7 to 3.10) or the method too (3.11+).
"""

import re
import sys

NAME = re.compile(r"^(test\w*) \(([\w.]+)\)")
STATUS = re.compile(r"(?:\.\.\. |^)(ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b")


def test_id(name, where):
    return where if where.endswith("." + name) else where + "." + name


def parse(lines):
    results = {}
    pending = None
    for line in lines:
        m = NAME.match(line)
        if m:
            pending = test_id(m.group(1), m.group(2))
        s = STATUS.search(line)
        if s and pending:
            results[pending] = s.group(1).replace(" ", "-")
            pending = None
    return results


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], errors="replace") as fp:
        results = parse(fp)
    for tid in sorted(results):
        print("%s %s" % (tid, results[tid]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
