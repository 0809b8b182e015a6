#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# A process traced by one session, then by another (giltrace top -p run
# twice on a service, say), on every CPython gt_pythons lists: the
# second trace must say again which lock is the GIL (gil_identified),
# name every code object its events carry (py_code) and the function
# each thread was started on (py_thread_target), though the process
# named them all in the first.  Between the two, the program runs with
# no session (tests/py/session_again.py, one line at a time): that is
# how the shim knows the next session is another.
#
# Then a third session starts while the second still records (giltrace
# top beside a giltrace record), the program idle meanwhile: no GIL
# event goes unrecorded to say so; the shim sees a recorder it had not
# seen at the next one.  The third trace must name the GIL, work() and
# serve() too.  It also gets the cycles each thread had pending when it
# started, from before it (giltrace(7), CAVEATS), so its check leaves
# unnamed functions out.
#
# Last, a pyenv CPython whose frames cannot be read (its version faked,
# tests/py/pyversion_fake.c, as in e2e_pyframes_off.sh) under two
# sessions one after the other: each trace must say once that frames
# are off, and why.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
T=$GT_TMP
analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
prog=$GT_SRCDIR/tests/py/session_again.py

# wait_line FILE LINE: until FILE holds LINE, or the program is gone.
# Not a timing assertion: the bound only keeps a broken run from
# hanging the suite.
wait_line() {
	for _ in $(seq 600); do
		grep -qx "$2" "$1" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -qx "$2" "$1" || gt_fail "$name: no \"$2\" from the program: $(tail -3 "$1" | tr '\n' ' ')"
}

# session_start K, session_stop K: session K, recording trace K.
session_start() {
	local s=gtagain$$-$1
	lttng create "$s" --output="$T/$name.$1.trace" >/dev/null
	lttng enable-channel -u -s "$s" chan --subbuf-size=1M --num-subbuf=4 >/dev/null
	lttng enable-event -u -s "$s" -c chan 'giltrace:*' >/dev/null
	lttng add-context -u -s "$s" -c chan -t vpid -t vtid -t procname >/dev/null
	lttng start "$s" >/dev/null
}
session_stop() {
	lttng stop "gtagain$$-$1" >/dev/null
	lttng destroy "gtagain$$-$1" >/dev/null
}

# line L: the program runs line L.
line() {
	echo "$1" >&3
	wait_line "$T/$name.out" "done $1"
}

# session K: a session of its own around line K.
session() {
	session_start "$1"
	line "$1"
	session_stop "$1"
}

# named K: what trace K names: the GIL's runtime, the functions left
# unnamed, whether work() is among them (3.6 and 2.7 read the frames of
# one thread state only, giltrace(7)), the thread started on serve().
named() {
	local j=$T/$name.$1.json
	"$analyze" --format=json "$T/$name.$1.trace" >"$j" || gt_fail "$name: giltrace-analyze of trace $1 failed"
	jq -c '[.processes[].gils[] | {runtime, unnamed: [.python_functions[].function
		| select(test("unnamed"))], work: ([.python_functions[].function] | index("work") != null),
		serve: ([.threads[].name // ""] | map(test("serve")) | any)}]' "$j"
}

# program_start NAME PYTHON [LIBRARY]: the program under the shim (and
# LIBRARY, preloaded too), its lines written to descriptor 3, once it
# is ready; program_end: its input closed, it must exit with status 0.
program_start() {
	name=$1
	mkfifo "$T/$name.in"
	GILTRACE_PYFRAMES=8 LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_SHIM${3:+:$3}" \
		"$2" "$prog" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	exec 3>"$T/$name.in"
	wait_line "$T/$name.out" ready
}
program_end() {
	exec 3>&-
	wait "$pid" || gt_fail "$name: the program failed: $(tail -1 "$T/$name.err")"
}

ran=0
while read -r name py; do
	program_start "$name" "$py"
	session 1
	# GIL events with no session: the shim sees its names disabled.
	line between
	session_start 2
	line 2
	# Session 3 starts beside 2, the program idle: line 3 runs under both.
	session_start 3
	line 3
	session_stop 2
	line 4
	session_stop 3
	program_end
	one=$(named 1)
	two=$(named 2)
	jq -e 'length == 1 and (.[0].runtime | startswith("CPython")) and .[0].unnamed == []
		and .[0].serve' <<<"$one" >/dev/null ||
		gt_fail "$name: trace 1: want the GIL named CPython, every function named, the thread started on serve(): $one"
	[ "$two" = "$one" ] || gt_fail "$name: trace 2 names $two, trace 1 $one"
	three=$(named 3)
	[ "$(jq -c 'map(del(.unnamed))' <<<"$three")" = "$(jq -c 'map(del(.unnamed))' <<<"$one")" ] ||
		gt_fail "$name: trace 3, started beside trace 2, names $three, trace 1 $one"
	echo "$name: the second session names the GIL, the functions and the thread's target again, and so does a third started beside it" >&2
	ran=$((ran + 1))
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no CPython to run"

# off_said K: how many py_frames_off trace K of $name holds, and why.
off_said() {
	/usr/bin/python3 "$GT_SRCDIR/tests/trace_check.py" events "$T/$name.$1.trace" |
		jq -s -r 'map(select(.name == "py_frames_off")) | "\(length) \(map(.reason) | unique | join("|"))"'
}

if ! /usr/bin/python3 -c 'import bt2' 2>/dev/null || ! command -v jq >/dev/null; then
	echo "skipping frames off under two sessions: the libbabeltrace2 Python bindings or jq are missing" >&2
	exit 0
fi
off_py=
while read -r name py; do
	case $name in debian*) ;; *) off_py=$py; break ;; esac
done < <(gt_pythons 2>/dev/null)
if [ -z "$off_py" ]; then
	echo "skipping frames off under two sessions: no pyenv CPython, whose Py_GetVersion a preloaded library can override" >&2
	exit 0
fi
"${GT_CC:-cc}" -shared -fPIC -O2 -Wall -DFAKE_NUMBER -o "$T/fake_both.so" "$GT_SRCDIR/tests/py/pyversion_fake.c"
program_start off "$off_py" "$T/fake_both.so"
session 1
line between
session 2
program_end
one=$(off_said 1)
two=$(off_said 2)
[[ $one == "1 CPython 3.99.0: "* ]] || gt_fail "frames off: trace 1 holds $one py_frames_off, want one saying why"
[ "$two" = "$one" ] || gt_fail "frames off: trace 2, the second session, holds \"$two\" py_frames_off, trace 1 \"$one\""
echo "frames off ($off_py): each session's trace says so once: $one" >&2
