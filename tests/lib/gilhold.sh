# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Shell library: tests/py/gilhold.c built for an interpreter.  Source
# after tests/lib/lttng.sh.
#
#   gt_build_gilhold NAME PYTHON DIR    # DIR/gilhold.so, or 1 (printed)

gt_build_gilhold() {
	local name=$1 py=$2 dir=$3 inc
	inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
	if [ ! -f "$inc/Python.h" ]; then
		echo "skipping $name: no Python.h in $inc (Debian: apt-get install python3-dev)" >&2
		return 1
	fi
	mkdir -p "$dir"
	"${GT_CC:-cc}" -shared -fPIC -O2 -Wall -I"$inc" -o "$dir/gilhold.so" "$GT_SRCDIR/tests/py/gilhold.c"
}
