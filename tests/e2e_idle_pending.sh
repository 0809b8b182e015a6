#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# A process that goes quiet with cycles pending: the GIL protocol
# programs (tests/progs) with --linger write their counts, then wait,
# the GIL free, like a service between requests.  The session is
# stopped while they wait and they are killed (SIGKILL: no exit to tell
# anything), as giltrace top -p or a session of the user's ends: the
# cycles each thread had batched, its last ones, must be in the trace
# all the same (the shim's flusher thread tells them, gil_flusher.c).
# The trace's counts must equal the program's exactly.  Without the
# flusher the last batch of every thread is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

gt_need_checker
T=$GT_TMP
progs=$GT_BUILDDIR/tests/progs
for p in gil_protocol gil_sem_protocol; do
	[ -x "$progs/$p" ] || gt_fail "$progs/$p is not built (make check builds it)"
done
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }

# lingering NAME -- CMD...: record CMD until it has written its counts,
# then stop the session while it lingers, kill it and compare.
lingering() {
	local name=$1 s="gt$$-$RANDOM" pid i
	shift 2
	lttng create "$s" --output="$T/$name.trace" >/dev/null
	# Blocking, as gt_record --blocking: exact counts need every event.
	lttng enable-channel -u -s "$s" chan --blocking-timeout=inf >/dev/null
	lttng enable-event -u -s "$s" -c chan 'giltrace:gil_*,giltrace:py_*,giltrace:thread_name,giltrace:process_exit' >/dev/null
	lttng add-context -u -s "$s" -c chan -t vpid -t vtid -t procname >/dev/null
	lttng start "$s" >/dev/null
	LTTNG_UST_ALLOW_BLOCKING=1 LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_UST_FD$GT_SHIM" \
		"$@" >"$T/$name.json" &
	pid=$!
	# The counts are written once every cycle is done.  The bound only
	# keeps a broken run from hanging the suite.
	for ((i = 0; i < 1200; i++)); do
		grep -q '}$' "$T/$name.json" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '}$' "$T/$name.json" || gt_fail "$name: the program wrote no counts"
	# The flusher looks every 10 ms: a second is a hundred looks.
	sleep 1
	lttng stop "$s" >/dev/null
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	lttng destroy "$s" >/dev/null
	check compare "$T/$name.trace" "$T/$name.json" ||
		gt_fail "$name: the trace's counts differ from the program's (cycles pending while it lingered are missing?)"
	echo "ok: $name: every cycle in the trace, though the process never exited"
}

lingering script -- "$progs/gil_protocol" --script --linger
lingering mix -- "$progs/gil_protocol" --threads 4 --rounds 100 --linger
lingering sem -- "$progs/gil_sem_protocol" --threads 4 --rounds 100 --linger
echo "PASS: cycles pending when a process goes quiet reach the trace"
