#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The shim's CPython layouts (shim/py_offsets_table.h) against every
# interpreter's headers present: scripts/py_offsets_gen.sh --check
# compiles its probe against each one's headers and compares the row it
# makes with the committed one.  pyenv's interpreters, and Debian's
# python3 when its headers are installed (python3-dev); those absent are
# named.  A layout the table has but no header here checks (3.14, 3.15:
# made from Debian's libpython3.x-dev of unstable) is named too.
set -euo pipefail
src=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
args=()
for v in 2.7 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13; do
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	ls -d "$root"/versions/"$v".*/include/python"$v"*/Python.h >/dev/null 2>&1 ||
		echo "skipping CPython $v's headers: not installed under $root/versions" >&2
done
deb=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
debv=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ -n "$deb" ] && [ -f "$deb/Python.h" ]; then
	args+=("debian=$deb:$(dirname "$deb")")
else
	echo "skipping Debian's python3 headers: not installed (apt-get install python3-dev)" >&2
fi
rc=0
CC=${GT_CC:-cc} "$src/scripts/py_offsets_gen.sh" --check "${args[@]}" || rc=$?
for v in 3.14 3.15; do
	grep -q "CPython $v _Py_DebugOffsets" "$src/shim/py_offsets_table.h" &&
		echo "not checked here: CPython $v's _Py_DebugOffsets layout (its headers are not installed)" >&2
done
exit $rc
