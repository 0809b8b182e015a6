#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fuzz giltrace-analyze's whole path (tests/fuzz_trace.c) with damaged
# copies of the real traces of tests/corpus/ (and of one with Python
# frames, tests/lib/pyframes_scenario.py), under AddressSanitizer and
# UndefinedBehaviorSanitizer, for FUZZ_SECONDS (12 in make check, 300
# with make fuzz).
#
#  1. Every damaged trace of tests/corpus/regress/ (inputs that once
#     found a bug) is replayed.
#  2. libFuzzer runs in -fork mode, the analyzer in its process.  A
#     crash inside libbabeltrace2 kills that process, a runaway inside
#     it exceeds libFuzzer's memory limit; the fuzzer goes on and keeps
#     the input.
#  3. Each such input is replayed with FUZZ_TRACE_ISOLATE=1, through
#     the analyzer's child process and watchdog (analyzer/trace_isolate.c): it
#     must end in status 4 and one line like any damaged trace.
# A crash or sanitizer report in our code, a run longer than
# FUZZ_TIMEOUT seconds (a hang), an undocumented exit status or a
# message that is not one line fails, and the input is left as
# tests/fuzz-trace-* in the build tree (tests/corpus/tracepack.py unpack
# turns it into a trace directory).  make fuzz keeps the corpus in
# FUZZ_CORPUS, so longer runs build on earlier ones.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${GT_BUILDDIR:-$srcdir/build}
seconds=${FUZZ_SECONDS:-12}
timeout=${FUZZ_TIMEOUT:-60}
cc=${FUZZ_CC:-clang}
bin=$builddir/tests/fuzz_trace
. "$srcdir/tests/lib/fuzz_input.sh"
log=$builddir/tests/fuzz-trace.log

skip() { echo "SKIP: $*" >&2; exit 77; }
command -v "$cc" >/dev/null || skip "$cc not installed (apt-get install clang libclang-rt-14-dev)"
command -v python3 >/dev/null || skip "python3 is needed to pack the corpus"
pkg-config --exists babeltrace2 || skip "libbabeltrace2-dev is not installed"
[ -f "$builddir/config.h" ] || skip "$builddir/config.h missing: configure first"
work=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-fuzz-trace.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$work/p.c"
"$cc" -fsanitize=fuzzer "$work/p.c" -o "$work/p" 2>/dev/null ||
	skip "$cc cannot build libFuzzer targets (apt-get install libclang-rt-14-dev)"

# The analyzer's sources as the program is built from them, with the
# trace reader library and the analysis core (analyzer/local.mk), its
# main() renamed so that libFuzzer's can run.
flags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
	-Wall -Wextra -Wno-unused-parameter -I"$builddir" -I"$srcdir" $(pkg-config --cflags babeltrace2))
mkdir -p "$builddir/tests" "$work/obj"
"$cc" "${flags[@]}" -Dmain=analyzer_main -c "$srcdir/analyzer/analyze_main.c" -o "$work/obj/main.o"
objs=("$work/obj/main.o")
for s in tests/fuzz_trace.c analyzer/trace_error.c analyzer/trace_find.c analyzer/trace_metadata.c \
		analyzer/trace_decode.c analyzer/trace_graph.c analyzer/trace_live.c analyzer/trace_isolate.c \
		analyzer/gil_analysis.c analyzer/lock_state.c analyzer/callsite_table.c \
		analyzer/py_linetable.c analyzer/py_code_table.c analyzer/py_functions.c analyzer/py_blockers.c \
		analyzer/hist.c analyzer/idmap.c analyzer/json_write.c analyzer/report_order.c analyzer/report_text.c \
		analyzer/report_json.c analyzer/report_csv.c analyzer/trace_stats.c; do
	o=$work/obj/$(basename "$s" .c).o
	"$cc" "${flags[@]}" -c "$srcdir/$s" -o "$o"
	objs+=("$o")
done
"$cc" -fsanitize=fuzzer,address,undefined "${objs[@]}" $(pkg-config --libs babeltrace2) -lm -o "$bin"

# Seeds: every corpus trace, each in another format (and the lock
# calls with --all-locks).  Flags byte: bit 0 --all-locks, bits 1-2
# text/json/csv.
mkdir -p "$work/seeds"
k=0
for d in "$srcdir"/tests/corpus/*/; do
	name=$(basename "$d")
	[ -f "$d/metadata" ] || continue
	f=$(( (k % 3) << 1 ))
	case $name in *all-locks*) f=$((f | 1)) ;; esac
	python3 "$srcdir/tests/corpus/tracepack.py" pack "$d" "$work/seeds/$name" "$f"
	k=$((k + 1))
done
[ "$k" -gt 0 ] || { echo "FAIL: no trace in $srcdir/tests/corpus" >&2; exit 1; }
# And one with Python frames, code objects and thread names, written to
# measure (tests/lib/pyframes_scenario.py), read into the text report.
if /usr/bin/python3 -c 'import bt2' 2>/dev/null; then
	/usr/bin/python3 "$srcdir/tests/lib/pyframes_scenario.py" make "$work/pyframes"
	mkdir -p "$work/pyframes/index"	# tracepack's layout; this trace has no index
	python3 "$srcdir/tests/corpus/tracepack.py" pack "$work/pyframes" "$work/seeds/pyframes" 0
fi
# Room for a copy of the trace beside it (t2/) and some growth.
max_len=$(( $(stat -c %s "$work"/seeds/* | sort -n | tail -1) * 3 ))

export FUZZ_TRACE_WORKDIR=$work/run
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# babeltrace2 2.0.4 leaks a few bytes on some damaged traces (its TSDL
# parser, its message iterator's error paths): not ours to fix.  Our own
# allocations never have the ctf plugin on their stack (the sink runs
# above it), and our code calls glib only through libbabeltrace2 (whose
# stacks the fast unwinder cuts at glib): the suppressions would hide a
# babeltrace2 object we forgot to release, so the seeds, which are
# valid traces, are read once more at the end without them.
printf 'leak:babeltrace-plugin-ctf.so\nleak:libglib-2.0.so\n' >"$work/lsan.supp"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$work/lsan.supp:print_suppressions=0}
run=(-close_fd_mask=2 -timeout="$timeout" -rss_limit_mb=2048 -max_len="$max_len")
# Failing inputs of an earlier run; make fuzz keeps its corpus beside
# them, in tests/fuzz-trace-corpus.
find "$builddir/tests" -maxdepth 1 -type f -name "fuzz-trace-*" -delete
show_failure() {	# show_failure LOG
	tail -40 "$1"
	if [ -s "$work/run/stderr" ]; then
		echo "--- the analyzer's stderr in the failing run:"
		head -c 4000 "$work/run/stderr"
	fi
}

# replay FILE...: through the analyzer's child process, one at a time.
# Each may take as long as the analyzer's watchdog lets libbabeltrace2
# run (analyzer/trace_isolate.c: 128 MiB more memory, which 2.1 takes on
# bt-packet-size-0 in a minute or more, where 2.0 took seconds, or ten
# minutes): only a hang the watchdog misses is past the timeout.
# libFuzzer's limit on one allocation (the RSS limit, unless told) is
# lifted: in the child it would end the run with libFuzzer's own status
# where libbabeltrace2 asks for gigabytes at once on a damaged length,
# which the analyzer meets with glib's abort or its watchdog
# (tests/corpus/regress/bt-huge-sequence-4.gtfz).
replay() {
	FUZZ_TRACE_ISOLATE=1 "$bin" "${run[@]}" -malloc_limit_mb=1048576 -timeout=660 "$@" 2>"$work/replay.log"
}

regress=("$srcdir"/tests/corpus/regress/*.gtfz)
if [ -e "${regress[0]}" ]; then
	replay "${regress[@]}" || {
		show_failure "$work/replay.log"
		echo "FAIL: a damaged trace of tests/corpus/regress fails again" >&2
		exit 1
	}
	echo "replayed ${#regress[@]} damaged traces of tests/corpus/regress"
fi

corpus=${FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus" "$work/found"
echo "fuzzing giltrace-analyze on damaged traces for ${seconds}s"
rc=0
TMPDIR=$work "$bin" "${run[@]}" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
	-max_total_time="$seconds" -artifact_prefix="$work/found/" "$corpus" "$work/seeds" \
	2>"$log" || rc=$?
# -fork mode ends in the status of the last failure it ignored (crash,
# time-out, memory): they are judged below.  Only a run that did not
# come to its end ("INFO: exiting") fails here.
if [ $rc -ne 0 ] && ! grep -q '^INFO: exiting: ' "$log"; then
	show_failure "$log"
	echo "FAIL: the fuzzer stopped with status $rc" >&2
	exit 1
fi
grep -E '^#[0-9]+: ' "$log" | tail -1 || true

# A crash or a runaway inside libbabeltrace2 must give status 4 through
# the child process; a leak (not suppressed above) or a crash in our
# code fails either way, and so does a hang the watchdog misses (the
# replay's -timeout).
kinds=
for f in "$work"/found/*; do
	[ -e "$f" ] || continue
	case $(basename "$f") in
	leak-*) "$bin" "${run[@]}" "$f" 2>"$work/replay.log" ;;
	*) replay "$f" ;;
	esac || {
		cp "$f" "$builddir/tests/fuzz-trace-$(basename "$f")"
		show_failure "$work/replay.log"
		fuzz_input_say "$builddir/tests/fuzz-trace-$(basename "$f")" >&2
		echo "FAIL: a failing input: tests/fuzz-trace-$(basename "$f") in the build tree" >&2
		exit 1
	}
	kind=$(basename "$f" | sed 's/-[0-9a-f]*$//')
	kinds="${kinds:+$kinds }$kind"
done

# Valid traces leak nothing, not even babeltrace2 objects.
LSAN_OPTIONS= ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
	"$bin" "${run[@]}" "$work"/seeds/* 2>"$work/replay.log" || {
	show_failure "$work/replay.log"
	echo "FAIL: reading the valid traces of tests/corpus leaks memory" >&2
	exit 1
}
summary=$(echo "$kinds" | tr ' ' '\n' | { grep . || true; } | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep = ", "}')
echo "PASS: $(ls "$corpus" | wc -l) inputs in the corpus; failures found by the in-process runs," \
	"each handled through the child process: ${summary:-none}"
