#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The committed traces of tests/corpus/ (the fuzzer's seeds, recorded
# from CPython 2.7, 3.11 and 3.13) read by giltrace-analyze: each one's
# per-thread counters equal those re-derived from babeltrace2's text by
# tests/lib/gil_reference.py, exactly, and --all-locks equals the
# reference's lock counts; all of them at once give one process each
# (two for the forked child), every view of each shows the same
# figures, and the reader's count mode (bench/tracecount) counts the
# events babeltrace2 prints.  Then every
# damaged trace of tests/corpus/regress/ ends in its documented status
# and one line, the same line from tracecount when it is unreadable.
# Needs no session daemon, so it runs in the sanitizer build too.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${GT_BUILDDIR:-$srcdir/build}
analyze=$builddir/analyzer/giltrace-analyze
count=$builddir/bench/tracecount
giltrace=$builddir/frontend/giltrace
ref=$srcdir/tests/lib/gil_reference.py
corpus=$srcdir/tests/corpus

fail() { echo "FAIL: $*" >&2; exit 1; }
GT_BUILDDIR=$builddir GT_SRCDIR=$srcdir
. "$srcdir/tests/lib/views.sh"
. "$srcdir/tests/lib/regress.sh"
[ -x "$analyze" ] || fail "$analyze not built"
[ -x "$count" ] || fail "$count not built"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed" >&2; exit 77; }
command -v babeltrace2 >/dev/null || { echo "SKIP: babeltrace2 is needed" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 procs=0 locks_checked=
for d in "$corpus"/*/; do
	[ -f "$d/metadata" ] || continue
	name=$(basename "$d")
	"$analyze" --format=json "$d" >"$tmp/$name.json" 2>"$tmp/err" || fail "$name: status $?: $(cat "$tmp/err")"
	[ -s "$tmp/err" ] && fail "$name: messages on stderr: $(cat "$tmp/err")"
	babeltrace2 "$d" | python3 "$ref" count >"$tmp/$name.ref"
	printf '%-16s ' "$name"
	python3 "$ref" compare "$tmp/$name.json" "$tmp/$name.ref" || fail "$name: analyzer and reference differ"
	if grep -q 'giltrace:mutex_' <(babeltrace2 "$d" | head -2000); then
		"$analyze" --all-locks --format=json "$d" >"$tmp/$name.locks.json" || fail "$name: --all-locks failed"
		printf '%-16s ' "$name"
		babeltrace2 "$d" | python3 "$ref" locks "$tmp/$name.locks.json" ||
			fail "$name: --all-locks and reference differ"
		locks_checked="$locks_checked $name"
	fi
	# c-cancel's thread cancelled in its GIL wait: one abandoned attempt.
	if [ "$name" = c-cancel ]; then
		python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(sum(g["abandoned_attempts"] for p in r["processes"] for g in p["gils"]) != 1)' \
			"$tmp/$name.json" || fail "$name: expected exactly 1 abandoned attempt"
	fi
	# Every view of it shows the analyzer's figures.
	gt_views_agree "$d" "$name"
	procs=$((procs + $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["processes"]))' "$tmp/$name.json")))
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no trace in $corpus"
# The traces recorded with --all-locks (tests/corpus/regenerate.sh).
[ "$locks_checked" = " c-cancel py27-all-locks" ] ||
	fail "--all-locks checked on [$locks_checked ], expected c-cancel and py27-all-locks"

"$analyze" --format=json "$corpus" >"$tmp/all.json" || fail "the whole corpus at once: status $?"
python3 - "$tmp/all.json" "$n" "$procs" <<'PY' || fail "the whole corpus at once: wrong traces or processes"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["traces"]) == int(sys.argv[2]), r["traces"]
assert len(r["processes"]) == int(sys.argv[3]), [p["pid"] for p in r["processes"]]
PY
echo "all $n traces at once: $procs processes"

"$count" "$corpus" >"$tmp/count" 2>"$tmp/err" || fail "tracecount: status $?: $(cat "$tmp/err")"
events=$(babeltrace2 "$corpus" | wc -l)
[ "$(cat "$tmp/count")" = "$(printf 'events %s\ndiscarded 0' "$events")" ] ||
	fail "tracecount: $(cat "$tmp/count"), want events $events, discarded 0"
echo "tracecount: $events events, as babeltrace2 prints them"

# tests/corpus/regress/NAME-STATUS.gtfz: a fuzzer input that once found
# a bug, and the status it must end in; giltrace report's picture and
# giltrace top --replay end in it too, with the same line (a trace
# without GIL events, status 5 for the analyzer, is an empty picture).
k=0
for f in "$corpus"/regress/*.gtfz; do
	[ -e "$f" ] || continue
	base=$(basename "$f" .gtfz)
	want=$(gt_regress_want "$base")
	rm -rf "$tmp/r"
	python3 "$corpus/tracepack.py" unpack "$f" "$tmp/r"
	rc=0
	"$analyze" "$tmp/r" >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$base: status $rc, want $want: $(cat "$tmp/err")"
	if [ "$want" -ne 0 ]; then
		[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^giltrace-analyze: ' "$tmp/err" ||
			fail "$base: not one line naming the program: $(cat "$tmp/err")"
	fi
	# giltrace report's picture reads it as giltrace-analyze does: the
	# same status, and the same line from giltrace.
	rc=0
	GILTRACE_ANALYZE=$analyze "$giltrace" report --picture-only --svg "$tmp/r.svg" "$tmp/r" >/dev/null \
		2>"$tmp/picture.err" || rc=$?
	{ [ "$rc" -eq "$want" ] || { [ "$want" -eq 5 ] && [ "$rc" -eq 0 ]; }; } ||
		fail "$base: the picture's status $rc, giltrace-analyze's $want: $(cat "$tmp/picture.err")"
	if [ "$want" -ne 0 ] && [ "$want" -ne 5 ]; then
		[ "$(sed 's/^giltrace: //' "$tmp/picture.err")" = "$(sed 's/^giltrace-analyze: //' "$tmp/err")" ] ||
			fail "$base: the picture's line differs: $(cat "$tmp/picture.err")"
	fi
	# So does giltrace top --replay.
	rc=0
	"$giltrace" top --replay "$tmp/r" >/dev/null 2>"$tmp/replay.err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$base: top --replay's status $rc, giltrace-analyze's $want: $(cat "$tmp/replay.err")"
	if [ "$want" -ne 0 ] && [ "$want" -ne 5 ]; then
		[ "$(sed 's/^giltrace: //' "$tmp/replay.err")" = "$(sed 's/^giltrace-analyze: //' "$tmp/err")" ] ||
			fail "$base: top --replay's line differs: $(cat "$tmp/replay.err")"
	fi
	if [ "$want" -eq 4 ]; then
		rc=0
		"$count" "$tmp/r" >/dev/null 2>"$tmp/count.err" || rc=$?
		[ "$rc" -eq 1 ] && grep -q '^tracecount: ' "$tmp/count.err" &&
			[ "$(sed 's/^tracecount: //' "$tmp/count.err")" = "$(sed 's/^giltrace-analyze: //' "$tmp/err")" ] ||
			fail "$base: tracecount's status $rc, and its line differs: $(cat "$tmp/count.err")"
	fi
	k=$((k + 1))
done
echo "PASS: $n corpus traces exact; $k damaged traces of tests/corpus/regress as documented, the picture's status and line the analyzer's"
