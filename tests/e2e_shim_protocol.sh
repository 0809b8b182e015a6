#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The GIL protocol programs recorded under the shim with a private
# session daemon.  For every build variant and mode:
# - the counts read from the trace (tests/trace_check.py) equal the
#   program's own counts exactly, per thread and in total, and the trace
#   has no other GIL and keeps the per-thread grammar;
# - the GIL is identified by the method that variant leaves the shim;
# - the program's output is the same with and without the shim: byte
#   for byte in --script mode (same counts on every run, pid, tids and
#   addresses aside), the same shape in the free-running mix.
#
# Variants: gil_protocol (take_gil/drop_gil by name: callsite-symbol),
# gil_protocol_extent stripped (the GIL inside an exported _PyRuntime, a
# decoy exported take_gil before the real functions: runtime-extent),
# both with two interpreters (two GILs, the second by callsite-learned),
# and gil_sem_protocol (2.7's semaphore: semaphore-caller).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

gt_need_checker
progs=$GT_BUILDDIR/tests/progs
for p in gil_protocol gil_protocol_extent gil_sem_protocol; do
	[ -x "$progs/$p" ] || gt_fail "$progs/$p is not built (make check builds it)"
done
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }

# The stripped variant and the lie it must not believe: in the
# unstripped build, the exported take_gil is the nearest exported symbol
# before both GIL functions; the stripped copy keeps only exported ones.
extent=$GT_TMP/gil_protocol_stripped
strip -o "$extent" "$progs/gil_protocol_extent"
! nm "$extent" 2>/dev/null | grep -q . || gt_fail "strip left a symbol table in $extent"
nm -DS --defined-only "$extent" | grep -q ' B _PyRuntime$' || gt_fail "_PyRuntime is not exported"
layout=$(nm -n "$progs/gil_protocol_extent" | awk '$2 ~ /^[tT]$/ { print $3 }' |
	grep -A2 -x take_gil | tr '\n' ' ')
[ "$layout" = "take_gil gp_gil_acquire gp_gil_release " ] ||
	gt_fail "the decoy does not precede the GIL functions: $layout"
exported_funcs=$(nm -D --defined-only "$extent" | awk '$2 == "T" { print $3 }' | tr '\n' ' ')
[ "$exported_funcs" = "take_gil " ] || gt_fail "unexpected exported functions: $exported_funcs"

# run NAME METHODS -- CMD ARGS: record, compare counts, check methods.
run() {
	local name=$1 want=$2 got
	shift 3
	# Blocking (gt_record): exact counts need every event.
	gt_record "$GT_TMP/$name.trace" --blocking -- "$@" >"$GT_TMP/$name.json" ||
		gt_fail "$name: the program failed under the shim"
	check compare "$GT_TMP/$name.trace" "$GT_TMP/$name.json" ||
		gt_fail "$name: the trace's counts differ from the program's"
	got=$(check summary "$GT_TMP/$name.trace" |
		jq -r '[.processes[].gils[].method] | join(" ")')
	[ "$got" = "$want" ] || gt_fail "$name: identified by \"$got\", expected \"$want\""
	echo "ok: $name identified by $got"
}

# same NAME MODE -- CMD ARGS: the output without the shim has the same
# content (MODE exact) or the same shape (MODE shape) as under it.
same() {
	local name=$1 mode=$2 filter
	shift 3
	"$@" >"$GT_TMP/$name.plain.json" || gt_fail "$name: the program failed without the shim"
	case $mode in
	exact) filter='del(.pid) | walk(if type == "object" then del(.tid, .gil) else . end)' ;;
	shape) filter='walk(if type == "number" or type == "string" then 0 else . end)' ;;
	esac
	if ! diff <(jq -c "$filter" "$GT_TMP/$name.plain.json") <(jq -c "$filter" "$GT_TMP/$name.json"); then
		gt_fail "$name: output differs with the shim ($mode)"
	fi
}

run symbol-script "callsite-symbol" -- "$progs/gil_protocol" --script
same symbol-script exact -- "$progs/gil_protocol" --script
run symbol-mix "callsite-symbol" -- "$progs/gil_protocol"
same symbol-mix shape -- "$progs/gil_protocol"
run symbol-two "callsite-symbol callsite-learned" -- "$progs/gil_protocol" --interpreters 2
same symbol-two shape -- "$progs/gil_protocol" --interpreters 2

run extent-script "runtime-extent" -- "$extent" --script
same extent-script exact -- "$extent" --script
run extent-mix "runtime-extent" -- "$extent"
same extent-mix shape -- "$extent"
run extent-two "runtime-extent callsite-learned" -- "$extent" --interpreters 2
same extent-two shape -- "$extent" --interpreters 2

run sem-script "semaphore-caller" -- "$progs/gil_sem_protocol" --script
same sem-script exact -- "$progs/gil_sem_protocol" --script
run sem-mix "semaphore-caller" -- "$progs/gil_sem_protocol"
same sem-mix shape -- "$progs/gil_sem_protocol"

# Many new GILs, each first locked by several threads at once: the
# shim must trace gil_identified before any other thread's event on it
# (a race: one run in three showed it before the fix, so four runs).
learned=$(printf ' callsite-learned%.0s' $(seq 15))
for i in 1 2 3 4; do
	run "register-race-$i" "callsite-symbol$learned" -- \
		"$progs/gil_protocol" --interpreters 16 --threads 48 --rounds 10 --start-together
done

# Figures for the log.
for f in "$GT_TMP"/*.json; do
	case $f in *.plain.json) continue ;; esac
	printf '%s: ' "$(basename "$f" .json)"
	jq -c 'if .gils then [.gils[].totals] else .totals end' "$f"
done
echo "PASS"
