#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Python frames asked for where the interpreter's layout is unknown:
# every pyenv interpreter present runs with tests/py/pyversion_fake.c
# preloaded, whose Py_GetVersion() and Py_Version (3.11 on) say 3.99.0.
# Up to 3.12 that version has no layout; 3.13 says its own in its
# _Py_DebugOffsets, which disagrees.  Each must give exactly one
# py_frames_off with that reason, and no frame, no py_code, no thread
# target; its GIL events must be exactly those of the same run with
# frames off (a one-thread program: the same sequence, each call site
# named by its binary and offset), and the program's output and exit
# status those of a run without the shim.  With only Py_GetVersion()
# faked, 3.11 on must see it disagree with their Py_Version.  Debian's
# python3.X have Py_GetVersion in the executable, which a preloaded
# library cannot override: each runs as tests/py/libpython_main.c, its
# main linked against the release's shared libpython3.X (python3.X-dev).
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
gt_need_checker
T=$GT_TMP
"${GT_CC:-cc}" -shared -fPIC -O2 -Wall -DFAKE_NUMBER -o "$T/fake_both.so" "$GT_SRCDIR/tests/py/pyversion_fake.c"
"${GT_CC:-cc}" -shared -fPIC -O2 -Wall -o "$T/fake_text.so" "$GT_SRCDIR/tests/py/pyversion_fake.c"

# One thread: the same GIL events every run.  2.7 and 3.6 make their
# GIL only when a thread starts: made here, with no thread.
prog='
import ctypes, sys, time
if sys.version_info < (3, 7):
    ctypes.pythonapi.PyEval_InitThreads()
for i in range(5):
    time.sleep(0.002)
print("slept %d times" % 5)
sys.exit(3)
'

# The reason each version must give, both faked.
reason() {
	case $1 in
	3.1[3-9].*) echo "CPython 3.99.0: Py_GetVersion() and _Py_DebugOffsets (${1%.*}) disagree" ;;
	*) echo "CPython 3.99.0: no layout known for 3.99 (2.7 and 3.6 to 3.12 are read by their headers, 3.13 on by the interpreter's _Py_DebugOffsets)" ;;
	esac
}

# off_reason EVENTS: the one py_frames_off's reason (fails if not one).
off_reason() {
	local n
	n=$(jq -c 'select(.name == "py_frames_off")' "$1" | wc -l)
	[ "$n" = 1 ] || gt_fail "$1: $n py_frames_off events, want 1"
	jq -r 'select(.name == "py_frames_off") | .reason' "$1"
}

# The GIL events of a trace, one a line, addresses left out: each call
# site as its binary and offset (gil_callsite), the GIL as "gil".
gil_events() {
	/usr/bin/python3 "$GT_SRCDIR/tests/trace_check.py" events "$1" | jq -s -r '
		(map(select(.name == "gil_callsite") | {key: (.addr | tostring),
			value: "\(.binary | split("/") | last)+\(.binary_offset)"}) | from_entries) as $site
		| .[] | select(.name | startswith("gil_")) | select(.name != "gil_callsite")
		| [.name, $site[(.caller // 0) | tostring], .waits, .timeouts, .waiters, .signalled,
		   .timed_out, .ret, .kind, .method, .runtime, (.backtrace | length?),
		   (.pycode | length?)] | map(tostring) | join(" ")'
}

# run NAME PYTHON DEPTH [FAKE]: record with the fake version (FAKE:
# both, or text) and DEPTH frames, into NAME-DEPTH.
run() {
	local rc=0
	GT_VIEWS_CHECK=0 GILTRACE_PYFRAMES=$3 LD_PRELOAD=$T/fake_${4:-both}.so \
		gt_record "$T/$1-$3.trace" -- "$2" -c "$prog" >"$T/$1-$3.out" 2>"$T/$1-$3.err" || rc=$?
	echo $rc >"$T/$1-$3.rc"
	/usr/bin/python3 "$GT_SRCDIR/tests/trace_check.py" events "$T/$1-$3.trace" >"$T/$1-$3.events" ||
		gt_fail "$1: the trace cannot be read or lost events"
}

# report_says NAME TRACE REASON: the text and JSON reports give the reason.
report_says() {
	local analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
	"$analyze" "$2" >"$T/$1.report" 2>"$T/$1.report.err" || gt_fail "$1: giltrace-analyze failed: $(head -1 "$T/$1.report.err")"
	grep -qxF "  Python frames not recorded: $3" "$T/$1.report" ||
		gt_fail "$1: the text report does not say \"Python frames not recorded: $3\""
	"$analyze" --format=json "$2" >"$T/$1.json" 2>/dev/null || gt_fail "$1: giltrace-analyze --format=json failed"
	[ "$(jq -r '[.processes[].py_frames_off] | map(select(. != null)) | join("|")' "$T/$1.json")" = "$3" ] ||
		gt_fail "$1: the JSON report's py_frames_off is not \"$3\""
}

# libpython_interp PYTHON: the path of PYTHON's main linked against
# its shared libpython (built in $T), or why there is none.
libpython_interp() {
	local x config out
	x=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	# Beside the interpreter: not one of pyenv's on PATH.
	config=${1%/*}/python$x-config
	[ -x "$config" ] || { echo "no $config (python$x-dev)"; return 1; }
	out=$T/libpython$x
	# shellcheck disable=SC2046 # the flags are words
	"${GT_CC:-cc}" -O2 -Wall $("$config" --includes) -o "$out" \
		"$GT_SRCDIR/tests/py/libpython_main.c" $("$config" --ldflags --embed) 2>"$out.err" ||
		{ echo "no shared libpython$x to link with: $(head -1 "$out.err")"; return 1; }
	echo "$out"
}

ran=0
while read -r name py; do
	ver=$name
	if [[ $name == debian* ]]; then
		py=$(libpython_interp "$py") || { echo "skipping $name: $py" >&2; continue; }
		name=${py##*/}
		ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
	fi
	rc=0
	"$py" -c "$prog" >"$T/$name.plain" 2>"$T/$name.plain.err" || rc=$?
	run "$name" "$py" 8
	run "$name" "$py" 0
	for depth in 8 0; do
		[ "$(cat "$T/$name-$depth.rc")" = $rc ] || gt_fail "$name: exit status $(cat "$T/$name-$depth.rc") under the shim, $rc without"
		diff "$T/$name.plain" "$T/$name-$depth.out" >&2 || gt_fail "$name: the output differs under the shim"
	done
	ev=$T/$name-8.events
	want=$(reason "$ver")
	got=$(off_reason "$ev")
	[ "$got" = "$want" ] || gt_fail "$name: py_frames_off says \"$got\", want \"$want\""
	n=$(jq -c 'select(.name == "py_code" or .name == "py_thread_target" or ((.pycode // []) | length > 0))' "$ev" | wc -l)
	[ "$n" = 0 ] || gt_fail "$name: $n events with Python frames or names although frames are off"
	n=$(jq -c 'select(.name | startswith("py_"))' "$T/$name-0.events" | wc -l)
	[ "$n" = 0 ] || gt_fail "$name: $n py_* events with GILTRACE_PYFRAMES=0"
	gil_events "$T/$name-8.trace" >"$T/$name-8.gil"
	gil_events "$T/$name-0.trace" >"$T/$name-0.gil"
	[ -s "$T/$name-0.gil" ] || gt_fail "$name: no GIL event recorded"
	diff "$T/$name-0.gil" "$T/$name-8.gil" >&2 || gt_fail "$name: the GIL events differ from those with frames off"
	report_says "$name" "$T/$name-8.trace" "$want"
	echo "ok: $name ($ver): \"$got\"; $(wc -l <"$T/$name-8.gil") GIL events as with frames off"
	case $ver in
	2.* | 3.[0-9].* | 3.10.*) ;;
	*)
		run "$name-text" "$py" 8 text
		want="CPython 3.99.0: Py_GetVersion() and Py_Version (${ver%.*}) disagree"
		got=$(off_reason "$T/$name-text-8.events")
		[ "$got" = "$want" ] || gt_fail "$name: py_frames_off says \"$got\", want \"$want\""
		echo "ok: $name, Py_GetVersion() alone faked: \"$got\"" ;;
	esac
	ran=$((ran + 1))
done < <(gt_pythons)
[ $ran -gt 0 ] || gt_skip "no interpreter whose Py_GetVersion a preloaded library can override (a pyenv build, or a python3.X with its shared libpython3.X)"
echo "PASS: frames off with their reason on $ran interpreters"
