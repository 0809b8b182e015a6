#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The README's first command: install what giltrace needs on Debian 12,
# build it and install it under ./_install, then record a real CPython
# program whose threads fight over the GIL on the system's python3, and
# print the report of the trace just recorded.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
make -s -C build install >/dev/null

giltrace=$PWD/_install/bin/giltrace
rm -rf demo
mkdir -p demo

echo
echo "\$ giltrace record -o demo/trace -- /usr/bin/python3 examples/gil_convoy.py"
"$giltrace" record -o demo/trace -- /usr/bin/python3 examples/gil_convoy.py
echo
echo "\$ giltrace report --svg demo/timeline.svg --html demo/timeline.html demo/trace"
"$giltrace" report --svg demo/timeline.svg --html demo/timeline.html demo/trace
echo
echo "The GIL timeline: $PWD/demo/timeline.html (or .svg); open it in a browser."
echo "For Trace Compass, import $PWD/_install/share/giltrace/giltrace.xml (see README.md)."
