#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace record's closing line counts the trace through the trace
# reader library, in its crash isolation, and record leaves with
# COMMAND's exit status whatever the count gives:
#  - a sound trace: every event babeltrace2 reads;
#  - no trace (a statically linked COMMAND, which the preload does not
#    reach): "no events recorded";
#  - each damaged trace of tests/corpus/regress/ that giltrace-analyze
#    cannot read: exactly giltrace-analyze's one line (but for the
#    program's name), where libbabeltrace2 alone would crash or hang.
# The traces reach record the way a user's would: the user's own session
# (--session) records into a directory that already holds one.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
. "$(dirname "$0")/lib/regress.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
corpus=$srcdir/tests/corpus
analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
[ -x "$analyze" ] || gt_fail "$analyze not built"
command -v babeltrace2 >/dev/null || gt_skip "babeltrace2 is needed (apt-get install babeltrace2)"

# record_into DIR [COMMAND...]: giltrace record of COMMAND (by default
# one that exits with 3, as must record) in a session of the user's
# writing into DIR; its stderr in $T/record.err.  A hang fails
# (timeout's 124): one the analyzer's watchdog misses, since it stops a
# runaway within its own bounds (128 MiB more, which libbabeltrace2 2.1
# takes in a minute or more on bt-packet-size-0, or 600 s).
record_into() {
	local dir=$1 name rc=0
	shift
	[ $# -gt 0 ] || set -- sh -c 'exit 3'
	name=closing-$(basename "$dir")
	lttng create "$name" --output="$dir" >/dev/null
	timeout 660 "$GILTRACE" record --session "$name" -- "$@" 2>"$T/record.err" || rc=$?
	lttng destroy "$name" >/dev/null
	[ "$rc" -eq 3 ] || gt_fail "$(basename "$dir"): record's status $rc, want COMMAND's 3: $(cat "$T/record.err")"
}

# A sound trace: the closing line counts every event.
mkdir -p "$T/sound"
cp -r "$corpus/py3-convoy" "$T/sound/py3-convoy"
record_into "$T/sound"
want=$(babeltrace2 "$T/sound" | wc -l)
grep -qx "giltrace: trace $T/sound: $want events recorded, 0 discarded" "$T/record.err" ||
	gt_fail "sound trace: want $want events (babeltrace2's count): $(cat "$T/record.err")"
echo "sound trace: $want events, as babeltrace2 counts them"
# The report's first line and JSON count the same events recorded.
"$analyze" "$T/sound" >"$T/sound.txt" 2>&1 || gt_fail "giltrace-analyze of the sound trace: $(cat "$T/sound.txt")"
grep -q "^giltrace-analyze: [0-9]* traces\?, $want events recorded, read as [0-9]* giltrace events, " "$T/sound.txt" ||
	gt_fail "sound trace: the report's first line does not count $want events recorded: $(head -1 "$T/sound.txt")"
got=$("$analyze" --format=json "$T/sound" | jq .recorded_events)
[ "$got" = "$want" ] || gt_fail "sound trace: JSON recorded_events $got, want $want"
echo "sound trace: the report counts the same $want events recorded"

# No trace: a statically linked COMMAND never registers with LTTng.
printf 'int main(void) { return 3; }\n' >"$T/static.c"
${GT_CC:-cc} -static -o "$T/static" "$T/static.c" || gt_fail "cannot link a static program (libc6-dev)"
record_into "$T/none" "$T/static"
grep -qx "giltrace: trace $T/none: no events recorded (COMMAND never registered with LTTng)" "$T/record.err" ||
	gt_fail "no trace: $(cat "$T/record.err")"
echo "no trace: no events recorded"

# tests/corpus/regress/NAME-STATUS.gtfz: giltrace-analyze's status.
k=0
for f in "$corpus"/regress/*.gtfz; do
	[ -e "$f" ] || continue
	base=$(basename "$f" .gtfz)
	"$PY" "$corpus/tracepack.py" unpack "$f" "$T/$base/damaged"
	record_into "$T/$base"
	rc=0
	"$analyze" "$T/$base" >/dev/null 2>"$T/analyze.err" || rc=$?
	want=$(gt_regress_want "$base")
	[ "$rc" -eq "$want" ] || gt_fail "$base: giltrace-analyze's status $rc, want $want"
	[ "$rc" -eq 4 ] || continue	# not unreadable: no line to compare
	[ "$(wc -l <"$T/analyze.err")" -eq 1 ] || gt_fail "$base: giltrace-analyze: $(cat "$T/analyze.err")"
	[ "$(wc -l <"$T/record.err")" -eq 1 ] && grep -q '^giltrace: Cannot read ' "$T/record.err" ||
		gt_fail "$base: record did not print one line naming giltrace: $(cat "$T/record.err")"
	[ "$(sed 's/^giltrace: //' "$T/record.err")" = "$(sed 's/^giltrace-analyze: //' "$T/analyze.err")" ] ||
		gt_fail "$base: record and giltrace-analyze differ:
  $(cat "$T/record.err")
  $(cat "$T/analyze.err")"
	echo "$base: $(cat "$T/record.err")"
	k=$((k + 1))
done
[ "$k" -gt 0 ] || gt_fail "no damaged trace in $corpus/regress"
echo "PASS: a sound trace counted, none said, $k damaged traces with giltrace-analyze's line; status COMMAND's"
