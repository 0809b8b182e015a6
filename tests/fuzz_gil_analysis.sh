#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fuzz the analysis core (tests/fuzz_gil_analysis.c) with libFuzzer under
# AddressSanitizer and UndefinedBehaviorSanitizer for FUZZ_SECONDS
# (15 in make check, 300 with make fuzz).  make fuzz keeps its corpus
# in FUZZ_CORPUS (tests/fuzz-corpus in the build tree), so longer runs
# build on earlier ones; make check starts from the seeds each time.  A
# failing input is left as tests/fuzz-crash-* in the build tree.
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${GT_BUILDDIR:-$srcdir/build}
seconds=${FUZZ_SECONDS:-15}
cc=${FUZZ_CC:-clang}
bin=$builddir/tests/fuzz_gil_analysis
. "$srcdir/tests/lib/fuzz_input.sh"

skip() { echo "SKIP: $*" >&2; exit 77; }
command -v "$cc" >/dev/null || skip "$cc not installed (apt-get install clang libclang-rt-14-dev)"
probe=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-fuzz.XXXXXX")
trap 'rm -rf "$probe"' EXIT
corpus=${FUZZ_CORPUS:-$probe/corpus}
mkdir -p "$builddir/tests" "$corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe/p.c"
"$cc" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>/dev/null ||
	skip "$cc cannot build libFuzzer targets (apt-get install libclang-rt-14-dev)"

src=(tests/fuzz_gil_analysis.c analyzer/gil_analysis.c analyzer/lock_state.c analyzer/hist.c analyzer/callsite_table.c
	analyzer/idmap.c analyzer/json_write.c analyzer/report_order.c analyzer/report_text.c analyzer/report_json.c
	analyzer/report_csv.c analyzer/py_linetable.c analyzer/py_code_table.c analyzer/py_functions.c
	analyzer/py_blockers.c analyzer/trace_stats.c)
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Wno-unused-parameter -I"$srcdir" "${src[@]/#/$srcdir/}" -lm -o "$bin"

# Seeds: well-formed sequences (6 bytes an event, see event_decode), so
# the fuzzer starts from deep states: a contended hand-off with a failed
# wake-up, the same on a semaphore GIL, and one with Python code objects,
# frames, thread names and targets.
python3 - "$corpus" <<'PY'
import os, sys
d = sys.argv[1]
BEGIN, WAIT, WEND, END, ABANDON, REL, IDENT = 2, 3, 4, 5, 6, 7, 0
def ev(t, dt, tid, b3=0, b4=0, b5=0):
    return bytes([t, dt, (tid - 1) << 1, b3, b4, b5])
condvar = [ev(IDENT, 1, 1), ev(BEGIN, 1, 1), ev(END, 1, 1), ev(BEGIN, 5, 2), ev(WAIT, 1, 2),
           ev(REL, 9, 1, b3=0b110), ev(BEGIN, 1, 1), ev(END, 1, 1), ev(WEND, 2, 2), ev(WAIT, 1, 2),
           ev(WEND, 50, 2, b3=1), ev(WAIT, 1, 2), ev(REL, 9, 1, b3=0b110), ev(WEND, 3, 2),
           ev(END, 1, 2, b4=0b0111), ev(REL, 9, 2), ev(BEGIN, 1, 3), ev(ABANDON, 4, 3)]
sem = [ev(IDENT, 1, 1, b3=0x10), ev(BEGIN, 1, 1), ev(END, 1, 1), ev(BEGIN, 5, 2),
       ev(REL, 9, 1, b3=0b110), ev(BEGIN, 1, 1), ev(END, 1, 1), ev(REL, 9, 1, b3=0b110), ev(END, 3, 2)]
locks = bytes([i % 23 + 8 if i % 6 == 0 else (i * 37) % 256 for i in range(240)])
PYCODE, TARGET, NAME = 9, 10, 11
# b3: line table length; b4: format (low bits % 5) and code (high bits); b5: frames
python = [ev(PYCODE, 1, 1, b3=6, b4=0x13), ev(PYCODE, 1, 1, b3=12, b4=0x21), ev(TARGET, 1, 2, b4=0x11),
          ev(NAME, 1, 1, b5=0x20), ev(BEGIN, 1, 1), ev(END, 1, 1, b5=0x04), ev(BEGIN, 5, 2), ev(WAIT, 1, 2),
          ev(REL, 9, 1, b3=0b110, b5=0x17), ev(WEND, 2, 2), ev(END, 1, 2, b4=0x01, b5=0x05),
          ev(BEGIN, 1, 3), ev(ABANDON, 4, 3), ev(REL, 9, 2, b5=0x16)]
for name, body in (("condvar", b"\x00" + b"".join(condvar)), ("sem", b"\x02" + b"".join(sem)),
                   ("locks", b"\x01" + locks), ("python", b"\x00" + b"".join(python))):
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(body)
PY

rm -f "$builddir"/tests/fuzz-crash-*
echo "fuzzing the analysis core for ${seconds}s"
"$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$builddir/tests/fuzz-crash-" "$corpus" 2>"$builddir/tests/fuzz.log" || {
	tail -40 "$builddir/tests/fuzz.log"
	for f in "$builddir"/tests/fuzz-crash-*; do
		[ -e "$f" ] && fuzz_input_say "$f" >&2
	done
	echo "FAIL: the fuzzer found a failing input (tests/fuzz-crash-* in the build tree)" >&2
	exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$builddir/tests/fuzz.log" || true
echo "PASS: $(ls "$corpus" | wc -l) inputs in the corpus"
