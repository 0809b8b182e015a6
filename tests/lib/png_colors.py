#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Count the pixels of a PNG screenshot near given colours.

    png_colors.py FILE RRGGBB...

Prints "total N", "distinct N" (distinct colours) and one "RRGGBB N" line
per colour asked for (pixels within a small distance of it).  Reads the
8-bit RGB/RGBA non-interlaced PNGs that Chromium writes, with only the
standard library."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit("%s: unsupported PNG (depth %d, colour type %d)" % (path, depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = read_png(sys.argv[1])
    wanted = [(w, tuple(int(w[k:k + 2], 16) for k in (0, 2, 4))) for w in sys.argv[2:]]
    counts = dict((w, 0) for w, _ in wanted)
    distinct = set()
    for line in rows:
        for x in range(0, width * bpp, bpp):
            px = (line[x], line[x + 1], line[x + 2])
            distinct.add(px)
            for name, rgb in wanted:
                if sum(abs(px[k] - rgb[k]) for k in range(3)) <= 24:
                    counts[name] += 1
    print("total %d" % (width * height))
    print("distinct %d" % len(distinct))
    for name, _ in wanted:
        print("%s %d" % (name, counts[name]))


if __name__ == "__main__":
    main()
