#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Small real traces for the analyzer's fuzzing (tests/corpus/).

  tracepack.py normalize RECORDING NAME OUTDIR
      copy the one CTF trace below RECORDING (an LTTng output directory)
      to OUTDIR, flat (metadata, chan_*, index/chan_*.idx), with what
      says where and when it was recorded replaced by fixed values: the
      host name, session name and date, the clock's UUID (the machine's
      boot id) and offset (its boot time).
  tracepack.py pack TRACEDIR ARCHIVE [FLAGS]
      write the trace as one fuzzer input (the format below).
  tracepack.py unpack ARCHIVE OUTDIR
      the reverse, exactly as tests/fuzz_trace.c writes the files.
  tracepack.py edit TRACEDIR PATTERN REPLACEMENT
      replace the first match of a Python regular expression in the
      trace's metadata text, packetized again as before (bad-input
      tests damage the metadata with it).

Fuzzer input format (tests/fuzz_trace.c reads it, leniently):
  u8 flags      bit 0: --all-locks; bits 1-2: 0 text, 1 json, 2 csv;
                bit 3: --verbose
  then files:   u8 name length, name ([A-Za-z0-9_.-], not starting with
                a dot, not "index" nor "t2", optionally in "index/",
                all that optionally in "t2/", a second trace), u32
                little-endian size, the bytes; a later file of the same
                name replaces an earlier one
"""
import os
import re
import struct
import sys

META_MAGIC = 0x75D11D57
META_HEADER = struct.Struct("<I16sIIIBBBBB")	# CTF 1.8 section 7.1
NAME_RE = re.compile(r"^(t2/)?(index/)?(?!t2$)[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$")

# Fixed stand-ins for the machine-specific values of the metadata.
SCRUB = [
	(re.compile(rb'(\thostname = )"[^"]*"'), rb'\1"giltrace-corpus"'),
	(re.compile(rb'(\ttrace_creation_datetime = )"[^"]*"'), rb'\1"20260101T000000+0000"'),
	(re.compile(rb'(\tuuid = )"[0-9a-f-]{36}"(;\n\tdescription = "Monotonic Clock")'),
	 rb'\1"00000000-0000-4000-8000-000000000000"\2'),
	(re.compile(rb'(\toffset = )\d+;'), rb'\g<1>1767225600000000000;'),
]


def metadata_split(data):
	"""(first packet header or None, text) of a metadata file."""
	off, text, first = 0, b"", None
	while off + META_HEADER.size <= len(data):
		h = META_HEADER.unpack_from(data, off)
		if h[0] != META_MAGIC:
			break
		first = first or h
		text += data[off + META_HEADER.size:off + h[3] // 8]
		off += h[4] // 8
	if first is None:
		return None, data
	return first, text


def metadata_join(first, text, packet=4096):
	"""Packetized metadata as LTTng writes it: fixed-size packets."""
	out = b""
	room = packet - META_HEADER.size
	for i in range(0, len(text), room):
		chunk = text[i:i + room]
		h = list(first)
		h[3] = (META_HEADER.size + len(chunk)) * 8
		h[4] = packet * 8
		out += META_HEADER.pack(*h) + chunk + b"\0" * (room - len(chunk))
	return out


def normalize(recording, name, outdir):
	dirs = sorted(d for d, _, files in os.walk(recording) if "metadata" in files)
	if len(dirs) != 1:
		sys.exit("tracepack: want one CTF trace below %s, found %d" % (recording, len(dirs)))
	src = dirs[0]
	first, text = metadata_split(open(os.path.join(src, "metadata"), "rb").read())
	text = re.sub(rb'(\ttrace_name = )"[^"]*"', rb'\1"' + name.encode() + b'"', text)
	for pat, rep in SCRUB:
		text, n = pat.subn(rep, text)
		if n != 1:
			sys.exit("tracepack: %s: %r matched %d times, want 1" % (src, pat.pattern, n))
	os.makedirs(os.path.join(outdir, "index"), exist_ok=True)
	with open(os.path.join(outdir, "metadata"), "wb") as f:
		f.write(metadata_join(first, text) if first else text)
	for rel in sorted(os.listdir(src)) + ["index/" + f for f in sorted(os.listdir(os.path.join(src, "index")))]:
		if rel == "metadata" or not os.path.isfile(os.path.join(src, rel)):
			continue
		with open(os.path.join(src, rel), "rb") as i, open(os.path.join(outdir, rel), "wb") as o:
			o.write(i.read())


def files_of(tracedir):
	for rel in ["metadata"] + sorted(f for f in os.listdir(tracedir) if f != "metadata") + \
			["index/" + f for f in sorted(os.listdir(os.path.join(tracedir, "index")))
			 if os.path.isdir(os.path.join(tracedir, "index"))]:
		if os.path.isfile(os.path.join(tracedir, rel)):
			yield rel


def pack(tracedir, archive, flags=0):
	out = bytes([flags])
	for rel in files_of(tracedir):
		data = open(os.path.join(tracedir, rel), "rb").read()
		out += bytes([len(rel)]) + rel.encode() + struct.pack("<I", len(data)) + data
	with open(archive, "wb") as f:
		f.write(out)


def unpack(archive, outdir):
	data = open(archive, "rb").read()
	off = 1
	os.makedirs(os.path.join(outdir, "index"), exist_ok=True)
	os.makedirs(os.path.join(outdir, "t2", "index"), exist_ok=True)
	while off < len(data):
		n = data[off]
		name = data[off + 1:off + 1 + n].decode("latin-1")
		off += 1 + n
		size = struct.unpack("<I", data[off:off + 4].ljust(4, b"\0"))[0]
		off += 4
		body = data[off:off + size]
		off += size
		if NAME_RE.match(name) and name not in ("index", "t2/index"):
			with open(os.path.join(outdir, name), "wb") as f:
				f.write(body)
	return data[0] if data else 0


def edit(tracedir, pattern, replacement):
	path = os.path.join(tracedir, "metadata")
	first, text = metadata_split(open(path, "rb").read())
	text, n = re.subn(pattern.encode(), replacement.encode(), text, count=1)
	if n != 1:
		sys.exit("tracepack: %r not found in %s" % (pattern, path))
	with open(path, "wb") as f:
		f.write(metadata_join(first, text) if first else text)


def main():
	cmd = sys.argv[1:2]
	if cmd == ["normalize"] and len(sys.argv) == 5:
		normalize(*sys.argv[2:])
	elif cmd == ["pack"] and len(sys.argv) in (4, 5):
		pack(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 0)
	elif cmd == ["unpack"] and len(sys.argv) == 4:
		unpack(*sys.argv[2:])
	elif cmd == ["edit"] and len(sys.argv) == 5:
		edit(*sys.argv[2:])
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
