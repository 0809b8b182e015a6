#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Press Ctrl-C on a real terminal: run COMMAND on a new pseudo-terminal,
wait until its output shows MARKER on a line, type Ctrl-C (the terminal then
signals the whole foreground process group, as a user's keyboard does),
and report how COMMAND ended.

    ctrl_c.py MARKER COMMAND [ARG...]

Prints COMMAND's terminal output, then a last line "status=exited:N"
or "status=signaled:N".  Exit status 0 unless the pty itself failed or
COMMAND hung for HANG_GUARD seconds (then 2): a guard against a hung
test, not a measurement."""
import os
import pty
import select
import signal
import sys
import time

HANG_GUARD = 300


def main():
    marker = sys.argv[1].encode()
    argv = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    out = b""
    sent = False
    deadline = time.monotonic() + HANG_GUARD
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace"))
            print("ctrl_c.py: command hung", file=sys.stderr)
            return 2
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every process holding the terminal has gone
            break
        if not chunk:
            break
        out += chunk
        # The whole marker line first: the terminal flushes the output
        # it still holds when Ctrl-C signals, and a newline left behind
        # would be lost (seen: "READYSIGINTS 1").
        if not sent and marker + b"\r\n" in out:
            os.write(fd, b"\x03")
            sent = True
    _, status = os.waitpid(pid, 0)
    # The terminal echoes Ctrl-C as "^C" wherever the output then was.
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n").replace("^C", ""))
    if os.WIFSIGNALED(status):
        print("status=signaled:%d" % os.WTERMSIG(status))
    else:
        print("status=exited:%d" % os.WEXITSTATUS(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
