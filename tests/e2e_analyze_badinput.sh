#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Bad input: every case gives one line on stderr, starting with the
# program name, and the exit status giltrace-analyze(1) documents; no
# case crashes (no signal, no sanitizer report).  Damaged copies of a
# real trace are also read with bytes flipped at random places.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
. "$(dirname "$0")/lib/regress.sh"
gt_lttng_private "$@"

analyze=$GT_BUILDDIR/analyzer/giltrace-analyze
[ -x "$analyze" ] || gt_fail "$analyze not built"
[ -x /usr/bin/python3 ] || gt_skip "/usr/bin/python3 not present"
work=$GT_TMP/bad
mkdir -p "$work"

# A good trace, a trace without giltrace events, one without contexts.
gt_record "$work/good" -- /usr/bin/python3 -c 'import threading; t = threading.Thread(target=sum, args=([1],)); t.start(); t.join()' ||
	gt_fail "python3 failed under the shim"
"$analyze" "$work/good" >/dev/null || gt_fail "the good trace does not analyse"
# A watchdog bound that is no number of MiB: one line, the default used.
GILTRACE_WATCH_MIB=12x "$analyze" "$work/good" >/dev/null 2>"$work/watch.err" ||
	gt_fail "a bad GILTRACE_WATCH_MIB stopped the analysis: $(cat "$work/watch.err")"
[ "$(cat "$work/watch.err")" = "giltrace-analyze: GILTRACE_WATCH_MIB=12x is not a number of MiB from 1 to 1048576; the watchdog uses 128" ] ||
	gt_fail "a bad GILTRACE_WATCH_MIB: $(cat "$work/watch.err")"

lttng create other --output="$work/other" >/dev/null
lttng enable-event -u -s other 'lttng_ust_statedump:*' >/dev/null
lttng start other >/dev/null
LD_PRELOAD=$GT_PRELOAD_FIRST$GT_SHIM /usr/bin/python3 -c 'pass'
lttng destroy other >/dev/null

lttng create noctx --output="$work/noctx" >/dev/null
lttng enable-event -u -s noctx 'giltrace:gil_*' >/dev/null
lttng start noctx >/dev/null
LD_PRELOAD=$GT_PRELOAD_FIRST$GT_SHIM /usr/bin/python3 -c 'pass'
lttng destroy noctx >/dev/null

good_trace=$(dirname "$(find "$work/good" -name metadata | head -1)")
damaged() {	# damaged NAME [FROM]: a fresh copy of the good recording (or of FROM)
	rm -rf "${work:?}/$1"
	cp -r "${2:-$work/good}" "$work/$1"
	dirname "$(find "$work/$1" -name metadata | head -1)"
}

# The cases of metadata packets and the edits of CTF 1.8's metadata text
# below need CTF 1.8's packetized metadata (its
# packets start with the magic 0x75d11d57): LTTng 2.15 on records CTF 2
# by default, whose metadata is JSON text, and records CTF 1.8 when
# asked.
ctf1=$work/good
if [ "$(od -An -tx4 -N4 "$good_trace/metadata" | tr -d ' ')" != 75d11d57 ]; then
	gt_record "$work/good-ctf1" --trace-format=ctf-1.8 -- /usr/bin/python3 -c 'import threading; t = threading.Thread(target=sum, args=([1],)); t.start(); t.join()' ||
		gt_fail "python3 failed under the shim"
	ctf1=$work/good-ctf1
	"$analyze" "$ctf1" >/dev/null || gt_fail "the good CTF 1.8 trace does not analyse"
fi

mkdir -p "$work/empty" "$work/nometa/sub"
echo "not a trace" >"$work/nometa/sub/notes.txt"
echo "not a trace" >"$work/file.txt"
d=$(damaged badmeta); printf '/* CTF 1.8 */\ntrace { major = ; };\n' >"$d/metadata"
d=$(damaged emptymeta); : >"$d/metadata"
d=$(damaged binmeta); head -c 4096 /dev/urandom >"$d/metadata"
d=$(damaged truncated)
for f in "$d"/chan*; do truncate -s $(($(stat -c %s "$f") / 2 + 7)) "$f"; done
d=$(damaged garbage)
for f in "$d"/chan*; do head -c "$(stat -c %s "$f")" /dev/urandom >"$f"; done

fails=0
expect() {	# expect STATUS DESCRIPTION ARGS...
	local want=$1 what=$2 rc=0 lines
	shift 2
	timeout 600 "$analyze" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
	lines=$(wc -l <"$work/stderr")
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: $what: exit status $rc, want $want"; cat "$work/stderr"; fails=$((fails + 1))
	elif [ "$want" -ne 0 ] && [ "$want" -ne 2 ] && [ "$lines" -ne 1 ]; then
		echo "FAIL: $what: $lines lines on stderr, want 1"; cat "$work/stderr"; fails=$((fails + 1))
	elif [ "$want" -ne 0 ] && ! head -1 "$work/stderr" | grep -q '^giltrace-analyze: '; then
		echo "FAIL: $what: message does not name the program"; cat "$work/stderr"; fails=$((fails + 1))
	else
		printf '%-34s %d  %s\n' "$what" "$rc" "$(head -1 "$work/stderr")"
	fi
}

expect 2 "no argument"
expect 2 "unknown format" --format=xml "$work/good"
expect 2 "unknown option" --frobnicate "$work/good"
expect 2 "bad pid" --pid=abc "$work/good"
expect 3 "nonexistent path" "$work/does-not-exist"
expect 3 "empty directory" "$work/empty"
expect 3 "directory without CTF trace" "$work/nometa"
expect 3 "file that is not a trace" "$work/file.txt"
expect 3 "good trace, then a missing one" "$work/good" "$work/does-not-exist"
expect 4 "corrupted metadata" "$work/badmeta"
expect 4 "empty metadata" "$work/emptymeta"
expect 4 "binary garbage metadata" "$work/binmeta"
expect 4 "truncated stream files" "$work/truncated"
expect 4 "garbage stream files" "$work/garbage"
expect 5 "valid trace, no giltrace events" "$work/other"
expect 6 "giltrace events without contexts" "$work/noctx"
expect 0 "metadata file given" "$good_trace/metadata"
# babeltrace2 2.0 loops forever on a metadata packet larger than the file.
d=$(damaged bigpacket "$ctf1")
printf '\377\377\377\177' | dd of="$d/metadata" bs=1 seek=24 conv=notrunc status=none
expect 4 "metadata packet past end of file" "$work/bigpacket"
# ... also a later packet, whose magic babeltrace2 does not check.
# It needs a second packet: LTTng 2.16 writes a short recording's
# metadata in one, and then the committed CTF 1.8 recording of the
# corpus (tests/corpus/py313-fork, LTTng 2.13: several) has them.
packets=$ctf1
first_packet_bits=$(od -An -tu4 -j28 -N4 "$(find "$packets" -name metadata | head -1)" | tr -d ' ')
if [ "$((first_packet_bits / 8))" -ge "$(stat -c %s "$(find "$packets" -name metadata | head -1)")" ]; then
	packets=$GT_SRCDIR/tests/corpus/py313-fork
fi
d=$(damaged bigpacket2 "$packets")
python3 - "$d/metadata" <<'PY' || gt_fail "the good trace's metadata has a single packet"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    second = struct.unpack_from("<I", data, 28)[0] // 8	# the first packet's size
    assert second < len(data)
    f.seek(second)
    f.write(b"\0\0\0\0")				# magic
    f.seek(second + 24)
    f.write(struct.pack("<I", (len(data) - second + 64) * 8))	# content_size
PY
expect 4 "later metadata packet past the end" "$work/bigpacket2"
expect 1 "unwritable output" -o /nonexistent/dir/report "$work/good"

# libbabeltrace2 2.0.4 aborts or faults on these (found by
# tests/fuzz_trace.sh): the analyzer reads traces in a child process and
# reports them as damaged.
tracepack=$GT_SRCDIR/tests/corpus/tracepack.py
put_u64() {	# put_u64 FILE OFFSET VALUE: a little-endian packet field
	python3 -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); f.write(struct.pack("<Q", int(sys.argv[3])))' "$@"
}
d=$(damaged hugecontent "$ctf1"); put_u64 "$d/chan_0" 48 9223372036854775816	# content_size: 2^63 + 8
expect 4 "packet content size >= 2^63 bits" "$work/hugecontent"
d=$(damaged hugepacket "$ctf1"); put_u64 "$d/chan_0" 56 9223372036854775816	# packet_size
expect 4 "packet size >= 2^63 bits" "$work/hugepacket"
d=$(damaged nofreq "$ctf1"); python3 "$tracepack" edit "$d" '\tfreq = \d+;[^\n]*\n' ''
# (libbabeltrace2 2.1 reads it, with CTF 1.8's default 1 GHz: the same
# case as tests/corpus/regress/bt-clock-without-freq-4, the same status.)
expect "$(gt_regress_want bt-clock-without-freq-4)" "clock without a frequency" "$work/nofreq"
d=$(damaged dupmember "$ctf1"); python3 "$tracepack" edit "$d" '_vpid;' '_vtid;'
expect 4 "two members of the same name" "$work/dupmember"
# ... and loops for ever, allocating, on a packet size under 8 bits:
# the analyzer's watchdog stops it.
d=$(damaged zeropacket "$ctf1"); put_u64 "$d/chan_0" 48 0; put_u64 "$d/chan_0" 56 0
rm -r "$d/index"	# (babeltrace2 indexes the stream itself)
expect 4 "packet size of 0 bits" "$work/zeropacket"

# Bytes flipped at random: any outcome but a crash.
for i in $(seq 12); do
	d=$(damaged "flip$i")
	python3 - "$d" "$i" <<'PY'
import os, random, sys
d, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
files = [os.path.join(d, f) for f in sorted(os.listdir(d)) if os.path.isfile(os.path.join(d, f))]
for _ in range(8):
    f = rnd.choice(files)
    size = os.path.getsize(f)
    if size == 0:
        continue
    with open(f, "r+b") as fh:
        fh.seek(rnd.randrange(size))
        fh.write(bytes([rnd.randrange(256)]))
PY
	rc=0
	timeout 120 "$analyze" --format=json "$work/flip$i" >/dev/null 2>"$work/stderr" || rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "FAIL: flipped bytes (seed $i): still running after 120 s"; fails=$((fails + 1))
	elif [ "$rc" -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$work/stderr"; then
		echo "FAIL: flipped bytes (seed $i): status $rc"; cat "$work/stderr"; fails=$((fails + 1))
	fi
	rm -rf "${work:?}/flip$i"
done
echo "flipped bytes: 12 damaged traces, no crash"
[ $fails -eq 0 ] || gt_fail "$fails bad-input cases"
echo "PASS"
