#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Writes tests/linetables/cpython-X.Y.txt again with every interpreter
# present (pyenv's 2.7 and 3.6 to 3.13): the ground truth that
# tests/check_py_linetable checks analyzer/py_linetable.c against.  A
# maintainer's tool: the fixtures are committed, so the check needs no
# interpreter.  Prints what it wrote, and the interpreters it skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$here/../py
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for v in 2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0; do
	bin=$root/versions/$v/bin/python
	if [ ! -x "$bin" ]; then
		echo "skipping CPython $v: $bin not present" >&2
		continue
	fi
	out=$here/cpython-${v%.*}.txt
	(cd "$py" && "$bin" linetable_dump.py linetable_sample.py linetable_sample3.py) >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$out: $(grep -c '^code ' "$out") code objects"
done
