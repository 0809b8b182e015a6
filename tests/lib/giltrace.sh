# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Shell library for the front end's tests: the giltrace binary of the
# build tree, pointed at the build tree's shim (and analyzer, when it
# has been built).  Source after tests/lib/lttng.sh.

GILTRACE=$GT_BUILDDIR/frontend/giltrace
[ -x "$GILTRACE" ] || gt_fail "giltrace not built: $GILTRACE"
export GILTRACE_SHIM=$GT_SHIM
export GILTRACE_UST_FORK=$GT_UST_FORK
if [ -x "$GT_BUILDDIR/analyzer/giltrace-analyze" ]; then
	export GILTRACE_ANALYZE=$GT_BUILDDIR/analyzer/giltrace-analyze
fi
PY=/usr/bin/python3
[ -x "$PY" ] || gt_skip "/usr/bin/python3 not present"

# Processes whose environment has LTTNG_HOME below $1: what a private
# session daemon started by giltrace (with TMPDIR=$1) would leave.
gt_procs_with_home() {
	local pid
	for pid in $(pgrep -f 'lttng-(sessiond|consumerd)' 2>/dev/null); do
		if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -q "^LTTNG_HOME=$1/"; then
			echo "$pid"
		fi
	done
	return 0
}

# The session daemon gt_lttng_private started, if it still runs.
gt_test_daemon() {
	local pid
	for pid in $(pgrep -f '^lttng-sessiond --daemonize --no-kernel' 2>/dev/null); do
		if [ -n "${GT_LTTNG_NS:-}" ]; then
			[ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink /proc/$$/ns/mnt)" ] && echo "$pid"
		elif tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "LTTNG_HOME=$LTTNG_HOME"; then
			echo "$pid"
		fi
	done
	return 0
}

# Stop that daemon, so that giltrace finds none running.
gt_stop_test_daemon() {
	local pids pid
	pids=$(gt_test_daemon)
	[ -n "$pids" ] || return 0
	kill $pids
	for pid in $pids; do
		while kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
		done
	done
	! lttng list >/dev/null 2>&1 || gt_fail "a session daemon still answers after stopping the test's"
}

# The closing line's event count, and babeltrace2's for the same trace.
gt_closing_count() {
	sed -n 's/^giltrace: trace .*: \([0-9]*\) events recorded, \([0-9]*\) discarded.*/\1/p' "$1" | tail -1
}

gt_bt_count() {
	babeltrace2 "$1" | wc -l
}

# Wait (without a deadline of its own: automake's harness has one) for a file.
gt_wait_file() {
	while [ ! -e "$1" ]; do
		sleep 0.05
	done
}


# gt_build_gilhold NAME PYTHON DIR: tests/py/gilhold.c built for PYTHON as
# DIR/gilhold.so; 1 if its headers are missing (printed), the test fails
# if it does not build.
gt_build_gilhold() {
	local name=$1 py=$2 dir=$3 inc
	inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
	if [ ! -f "$inc/Python.h" ]; then
		echo "skipping $name: no Python.h in $inc (Debian: apt-get install python3-dev)" >&2
		return 1
	fi
	mkdir -p "$dir"
	"${GT_CC:-cc}" -shared -fPIC -O2 -Wall -I"$inc" -o "$dir/gilhold.so" "$GT_SRCDIR/tests/py/gilhold.c" ||
		gt_fail "$name: cannot build tests/py/gilhold.c"
}
