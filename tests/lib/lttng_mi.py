# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""What the tests ask of the session daemon, from `lttng --mi xml list`
on stdin: its machine interface, the same from LTTng 2.13 to 2.16 (the
human text of `lttng list` changes from one version to the next).

  lttng --mi xml list | lttng_mi.py sessions
      one line per session: NAME active|inactive
  lttng --mi xml list SESSION | lttng_mi.py channels
      one line per channel and attribute: CHANNEL KEY VALUE (the
      <attributes> elements: subbuffer_size, subbuffer_count,
      overwrite_mode, discarded_events, ...) and CHANNEL enabled true|false
"""
import sys
import xml.etree.ElementTree as ET


def main():
    root = ET.parse(sys.stdin).getroot()
    what = sys.argv[1]
    for session in root.iterfind(".//{*}session"):
        name = session.findtext("{*}name")
        if what == "sessions":
            print(name, "active" if session.findtext("{*}enabled") == "true" else "inactive")
            continue
        for chan in session.iterfind(".//{*}channel"):
            cname = chan.findtext("{*}name")
            print(cname, "enabled", chan.findtext("{*}enabled"))
            attrs = chan.find("{*}attributes")
            for a in attrs if attrs is not None else []:
                print(cname, a.tag.split("}")[-1], a.text)


if __name__ == "__main__":
    main()
