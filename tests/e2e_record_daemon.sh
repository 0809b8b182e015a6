#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace record with and without a running session daemon, inside the
# test's private namespace (tests/lib/lttng.sh) so that no daemon of the
# user is touched:
# - a running daemon is used and left as it was (other sessions intact,
#   no session of ours left);
# - --session NAME records into an existing session and leaves it;
# - --private-daemon starts its own beside the running one, which sees
#   nothing of it;
# - with no daemon running, a private one is started and stopped after,
#   leaving no process and no file behind;
# - in a chroot, COMMAND runs inside it (a private daemon as root).
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
. "$(dirname "$0")/lib/giltrace.sh"
T=$GT_TMP
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

workload='
import os, sys, threading
def spin(n):
    while n: n -= 1
t = [threading.Thread(target=spin, args=(200000,)) for _ in range(2)]
[x.start() for x in t]; [x.join() for x in t]
print(os.getpid())'

has_gil_events_of() { # DIR PID
	# Compact cycles read as the events they stand for (giltrace(7)).
	babeltrace2 "$1" >"$1.raw" &&
		/usr/bin/python3 "$(dirname "$0")/lib/gil_compact.py" <"$1.raw" >"$1.txt" &&
		grep -q "giltrace:gil_acquire_end: .*vpid = $2," "$1.txt"
}

# --- a running daemon -------------------------------------------------------
daemon=$(gt_test_daemon)
[ -n "$daemon" ] || gt_fail "the test's session daemon is not running"
lttng create bystander --output="$T/bystander" >/dev/null
pid=$("$GILTRACE" record -o "$T/shared" -- "$PY" -c "$workload" 2>"$T/shared.err")
has_gil_events_of "$T/shared" "$pid" || gt_fail "running daemon: no GIL events of $pid"
[ "$(gt_test_daemon)" = "$daemon" ] || gt_fail "running daemon: it was replaced or stopped"
gt_mi_sessions >"$T/list"
grep -q '^bystander ' "$T/list" || gt_fail "running daemon: another session disappeared"
grep -q '^giltrace-[0-9]' "$T/list" && gt_fail "running daemon: giltrace left its session: $(cat "$T/list")"
[ -z "$(ls -A "$TMPDIR")" ] || gt_fail "running daemon: files left in TMPDIR: $(ls -A "$TMPDIR")"
echo "running daemon used and left as it was"

# --- --session NAME: an existing session, stopped -------------------------------
lttng create mine --output="$T/mine" >/dev/null
pid=$("$GILTRACE" record --session mine -- "$PY" -c "$workload" 2>"$T/mine.err")
has_gil_events_of "$T/mine" "$pid" || gt_fail "--session: no GIL events of $pid in the session's output"
gt_mi_sessions >"$T/mine.list"
grep -q '^mine ' "$T/mine.list" || gt_fail "--session: the session was destroyed"
grep -qx 'mine inactive' "$T/mine.list" || gt_fail "--session: a session found stopped was left running"
grep -q "^giltrace: trace $T/mine: [0-9]* events recorded" "$T/mine.err" || gt_fail "--session: closing line: $(cat "$T/mine.err")"
# ... and one found recording stays recording.
lttng start mine >/dev/null
"$GILTRACE" record --session mine -- "$PY" -c "$workload" >/dev/null 2>"$T/mine2.err"
gt_mi_sessions >"$T/mine2.list"
grep -qx 'mine active' "$T/mine2.list" || gt_fail "--session: a recording session was stopped"
grep -q "still recording" "$T/mine2.err" || gt_fail "--session: closing line for an active session: $(cat "$T/mine2.err")"
lttng destroy mine >/dev/null
rc=0
"$GILTRACE" record --session nosuch -- true 2>"$T/nosuch.err" || rc=$?
[ "$rc" -eq 125 ] || gt_fail "--session with an unknown name: status $rc, want 125"
echo "--session records into an existing session and leaves it as found"

# --- --private-daemon beside the running one -----------------------------------
pid=$("$GILTRACE" record --private-daemon -o "$T/private" -- "$PY" -c "$workload" 2>"$T/private.err")
has_gil_events_of "$T/private" "$pid" || gt_fail "--private-daemon: no GIL events of $pid"
[ "$(gt_test_daemon)" = "$daemon" ] || gt_fail "--private-daemon: the running daemon was disturbed"
gt_mi_sessions >"$T/list2"
grep -q '^giltrace-[0-9]' "$T/list2" && gt_fail "--private-daemon: its session showed up on the running daemon"
[ -z "$(gt_procs_with_home "$TMPDIR")" ] || gt_fail "--private-daemon: daemon processes left: $(gt_procs_with_home "$TMPDIR")"
[ -z "$(ls -A "$TMPDIR")" ] || gt_fail "--private-daemon: files left in TMPDIR: $(ls -A "$TMPDIR")"
lttng list bystander >/dev/null || gt_fail "--private-daemon: the running daemon lost a session"
echo "--private-daemon ran beside the running daemon without touching it"

# --- no daemon at all ----------------------------------------------------------
gt_stop_test_daemon
pid=$("$GILTRACE" record -o "$T/none" -- "$PY" -c "$workload" 2>"$T/none.err")
has_gil_events_of "$T/none" "$pid" || gt_fail "no daemon: no GIL events of $pid"
grep -q "^giltrace: trace $T/none: [0-9]* events recorded, 0 discarded$" "$T/none.err" || gt_fail "no daemon: closing line: $(cat "$T/none.err")"
[ -z "$(gt_procs_with_home "$TMPDIR")" ] || gt_fail "no daemon: daemon processes left: $(gt_procs_with_home "$TMPDIR")"
[ -z "$(ls -A "$TMPDIR")" ] || gt_fail "no daemon: files left in TMPDIR: $(ls -A "$TMPDIR")"
! lttng list >/dev/null 2>&1 || gt_fail "no daemon: a session daemon answers after giltrace exited"
# COMMAND runs in the current directory, relative paths included.
mkdir -p "$T/cwd/sub"
printf 'import os\nprint(os.getcwd())\n' >"$T/cwd/sub/where.py"
got=$(cd "$T/cwd" && "$GILTRACE" record -o rel.trace -- "$PY" sub/where.py 2>"$T/cwd.err")
[ "$got" = "$T/cwd" ] || gt_fail "no daemon: COMMAND ran in '$got', not in $T/cwd"
# ... and the closing line counts the trace at the relative path.
n=$(gt_closing_count "$T/cwd.err")
[ "$n" = "$(gt_bt_count "$T/cwd/rel.trace")" ] && [ "$n" -gt 0 ] ||
	gt_fail "no daemon: closing line for a relative -o: $(cat "$T/cwd.err")"
# In a chroot (as root): the private daemon's mount namespace must not
# take COMMAND out of it, nor out of its directory (setns() back to the
# original namespace alone leaves a process at that namespace's root).
# The chroot is the whole tree, inside a throwaway mount namespace, with
# a tmpfs on /mnt holding a file only the chroot has.
if [ "$(id -u)" -eq 0 ] && [ -d /mnt ]; then
	mkdir -p "$T/chroot" "$T/cwd2"
	# shellcheck disable=SC2016
	got=$(unshare --mount --propagation private /bin/bash -c '
		set -e
		mount --rbind / "$1"
		mount -t tmpfs tmpfs "$1/mnt"
		echo inside >"$1/mnt/giltrace-marker"
		exec chroot "$1" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$2" "$3" record -q --private-daemon \
			-o chroot.trace -- /bin/sh -c "cat /mnt/giltrace-marker; pwd"
	' _ "$T/chroot" "$T/cwd2" "$GILTRACE" 2>"$T/chroot.err") ||
		gt_fail "chroot: giltrace record failed: $(cat "$T/chroot.err")"
	[ "$got" = "$(printf 'inside\n%s' "$T/cwd2")" ] ||
		gt_fail "chroot: COMMAND left the chroot or its directory, it printed: $got"
	[ "$(gt_bt_count "$T/cwd2/chroot.trace")" -gt 0 ] || gt_fail "chroot: no trace in $T/cwd2/chroot.trace"
	echo "in a chroot: COMMAND stays in it, in its directory"
fi
# The default output directory is new, in the current directory.
(cd "$T" && "$GILTRACE" record -q -- "$PY" -c "$workload" >/dev/null)
ls -d "$T"/giltrace-2* >/dev/null 2>&1 || gt_fail "no default trace directory giltrace-DATE-TIME in the current directory"
rc=0
"$GILTRACE" record --session mine -- true 2>/dev/null || rc=$?
[ "$rc" -eq 125 ] || gt_fail "--session without a daemon: status $rc, want 125"
echo "PASS: running daemon, --session, --private-daemon, and no daemon"
