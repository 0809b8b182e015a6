#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Writes the damaged traces of this directory again from the corpus
# (tests/corpus/regenerate.sh runs it): NAME-STATUS.gtfz is a fuzzer
# input (tests/corpus/tracepack.py) that once found a bug, and the exit
# status giltrace-analyze must give for it (tests/e2e_analyze_corpus.sh,
# tests/fuzz_trace.sh).  Each keeps the metadata and the smallest stream
# of py313-fork.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pack=$here/../tracepack.py
src=$here/../py313-fork
tmp=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-regress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

stream=$(basename "$(ls -S "$src"/chan_* | tail -1)")

# base DIR: the metadata and the smallest stream of the source trace,
# as chan_0.
base() {
	rm -rf "$1"
	mkdir -p "$1/index"
	cp "$src/metadata" "$1/"
	cp "$src/$stream" "$1/chan_0"
	cp "$src/index/$stream.idx" "$1/index/chan_0.idx"
}

put_u64() {	# put_u64 FILE OFFSET VALUE: a little-endian packet field
	python3 -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); f.write(struct.pack("<Q", int(sys.argv[3])))' "$@"
}

# libbabeltrace2 2.0.4 aborts or faults on each (see analyzer/trace_isolate.h).
base "$tmp/t"; put_u64 "$tmp/t/chan_0" 48 9223372036854775816	# content_size 2^63 + 8
python3 "$pack" pack "$tmp/t" "$here/bt-content-size-2e63-4.gtfz"
base "$tmp/t"; put_u64 "$tmp/t/chan_0" 56 9223372036854775816	# packet_size
python3 "$pack" pack "$tmp/t" "$here/bt-packet-size-2e63-4.gtfz"
base "$tmp/t"; python3 "$pack" edit "$tmp/t" '\tfreq = \d+;[^\n]*\n' ''
python3 "$pack" pack "$tmp/t" "$here/bt-clock-without-freq-4.gtfz"
base "$tmp/t"; python3 "$pack" edit "$tmp/t" '_vpid;' '_vtid;'
python3 "$pack" pack "$tmp/t" "$here/bt-duplicate-member-4.gtfz"
# libbabeltrace2 2.0.4 loops for ever on it (see analyzer/trace_isolate.h).
base "$tmp/t"; put_u64 "$tmp/t/chan_0" 48 0; put_u64 "$tmp/t/chan_0" 56 0	# sizes 0
rm "$tmp/t/index/chan_0.idx"	# (babeltrace2 indexes the stream itself)
python3 "$pack" pack "$tmp/t" "$here/bt-packet-size-0-4.gtfz"
# An event class of no bits (no event header, no fields, one class):
# libbabeltrace2 2.0 and 2.1 decode the same bits for ever, an endless
# stream of events in calls each too short for the watchdog
# (analyzer/trace_graph.c bounds the events by the traces' bits).
base "$tmp/t"
python3 "$pack" edit "$tmp/t" '(?s)\tevent\.header := .*' \
	'\tpacket.context := struct packet_context;\n};\n\nevent {\n\tname = "giltrace:gil_release";\n\tid = 0;\n\tstream_id = 0;\n\tfields := struct {\n\t};\n};\n'
python3 "$pack" pack "$tmp/t" "$here/bt-zero-bit-event-4.gtfz"
# A py_code event without its first field (the fuzzer's edit of
# py3-compact): its line table's length is read from the bytes of a
# string, and libbabeltrace2 asks for 16 GiB at once for that sequence.
# glib aborts where it cannot have them, the watchdog stops it where it
# can; libFuzzer's own limit on one allocation must not stand in for
# either (tests/fuzz_trace.sh).  The first packet of the stream is
# enough; babeltrace2 indexes it.
rm -rf "$tmp/t"
mkdir -p "$tmp/t/index"
cp "$here/../py3-compact/metadata" "$tmp/t/"
python3 - "$here/../py3-compact/chan_0" "$tmp/t/chan_0" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
size = struct.unpack_from("<Q", data, 56)[0] // 8	# the first packet's packet_size
open(sys.argv[2], "wb").write(data[:size])
PY
python3 "$pack" edit "$tmp/t" '\t\tinteger \{[^}]*\} _code;\n' ''
python3 "$pack" pack "$tmp/t" "$here/bt-huge-sequence-4.gtfz"
# A later metadata packet, bad magic, content past the end of the file:
# libbabeltrace2 loops for ever, analyzer/trace_metadata.c's pre-check once
# stopped at the magic.
base "$tmp/t"
python3 - "$tmp/t/metadata" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    second = struct.unpack_from("<I", data, 28)[0] // 8
    assert second < len(data), "one metadata packet only"
    f.seek(second)
    f.write(b"\0\0\0\0")
    f.seek(second + 24)
    f.write(struct.pack("<I", (len(data) - second + 64) * 8))
PY
python3 "$pack" pack "$tmp/t" "$here/metadata-later-packet-past-end-4.gtfz"
ls -l "$here"/*.gtfz
