#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The shim's training for profile-guided optimisation (configure's
# --enable-pgo, shim/local.mk): run the instrumented shim,
# shim/.libs/libgiltrace_train.so, on the GIL paths people trace, then
# put what it counted where libgiltrace.so's objects are compiled from.
#
#   scripts/pgo_train.sh BUILDDIR SRCDIR
#
# BUILDDIR/shim/pgo-raw   the counts, which gcc's runtime writes at exit
# BUILDDIR/shim/pgo       the same named for libgiltrace's objects
# BUILDDIR/shim/pgo-train.log   what the training runs printed
#
# One recording with giltrace record and a private session daemon,
# Python frames and compact cycles at their defaults, runs: on each CPython
# present (tests/lib/pythons.sh) a stress loop of GIL cycles nobody
# waits for and a countdown on two threads that fight for the GIL; the
# mutex and condition variable protocol of CPython 3 and the semaphore
# one of CPython 2 (tests/progs); then a stress loop with no session,
# where the shim only checks that nothing records.
#
# A training that fails says so in one line on stderr and leaves
# shim/pgo empty: the shim is then built as with no profile, and works
# the same, only slower.  Exit status 0, or 2 on a usage error.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILDDIR SRCDIR" >&2
	exit 2
fi
builddir=$1
srcdir=$2
python=${PYTHON3:-python3}
raw=$builddir/shim/pgo-raw
use=$builddir/shim/pgo
log=$builddir/shim/pgo-train.log
train=$builddir/shim/.libs/libgiltrace_train.so
giltrace=$builddir/frontend/giltrace
progs=$builddir/tests/progs
. "$srcdir/tests/lib/pythons.sh"

rm -rf "$raw" "$use"
mkdir -p "$use"
: >"$log"
work=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-pgo.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The program's own settings of these would train other paths.
unset GILTRACE_PYFRAMES GILTRACE_CALLSITES GILTRACE_ALL_LOCKS LD_PRELOAD
export GILTRACE_SHIM=$train GILTRACE_ANALYZE=$builddir/analyzer/giltrace-analyze

failed() {
	echo "pgo_train.sh: the shim's profile training failed ($1; see $log): it is built without a profile" >&2
	rm -rf "$use"
	mkdir -p "$use"
	exit 0
}

# step NAME COMMAND...: a line of the training's script, which runs
# COMMAND after naming it in the log.
step() {
	local name=$1
	shift
	printf 'echo %q\n' "== $name: $*"
	printf '%q ' "$@"
	printf '\n'
}

# Every CPython here, the one configure found first: a shim trained on
# four CPythons ran Debian's python3 3% faster than one trained on that
# python3 alone (bench/RESULTS.md, "Issue 14, thirteenth session").
pythons=("$python")
first=$(readlink -f "$(command -v "$python")")
while read -r _ path; do
	[ "$(readlink -f "$path")" = "$first" ] || pythons+=("$path")
done < <(gt_pythons 2>>"$log")
{
	echo 'set -e'
	for py in "${pythons[@]}"; do
		step stress "$py" "$srcdir/bench/workloads.py" stress 1
		step countdown "$py" "$srcdir/bench/workloads.py" countdown 1000000
	done
	step protocol "$progs/gil_protocol" --threads 4 --rounds 3000
	step sem_protocol "$progs/gil_sem_protocol" --threads 4 --rounds 3000
} >"$work/steps.sh"
# One recording of them all: one session daemon started, not one a step.
"$giltrace" record --private-daemon -q -o "$work/trace" -- "${BASH:-bash}" "$work/steps.sh" >>"$log" 2>&1 ||
	failed "a step of giltrace record -- $work/steps.sh exited with status $?"
echo "== idle: $python, stress with no session" >>"$log"
LD_PRELOAD=$train "$python" "$srcdir/bench/workloads.py" stress 0.3 >>"$log" 2>&1 ||
	failed "the stress loop with no session exited with status $?"

# gcc looks for an object's counts under its own name: the training
# libraries' objects are named after them (*_train_la-).
n=0
for f in "$raw"/*_train_la-*.gcda; do
	[ -e "$f" ] || break
	b=${f##*/}
	cp "$f" "$use/${b/_train_la-/_la-}"
	n=$((n + 1))
done
[ -n "$(ls "$use"/*libgiltrace_la-gil_tracker.gcda 2>/dev/null)" ] ||
	failed "no counts were written for shim/gil_tracker.c"
echo "== $n files of counts in $use" >>"$log"
exit 0
