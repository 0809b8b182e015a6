#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Fault: the session daemon and its consumer are killed (SIGKILL) while a
# traced CPython program runs.  The program must finish with the same
# output and exit status as without the shim.
set -euo pipefail
. "$(dirname "$0")/lib/lttng.sh"
gt_lttng_private "$@"
py=$(gt_python3)
[ -n "$py" ] || gt_skip "no python3 (Debian's or pyenv 3.11.7) to run"

# RUNNING (traced run only): a file made once the first round is done,
# so that the daemons die while the program runs, not before it starts.
prog='
import os, threading, time, sys
def spin(n):
    while n: n -= 1
deadline = time.monotonic() + 3.0
rounds = 0
while time.monotonic() < deadline:
    t = [threading.Thread(target=spin, args=(20000,)) for _ in range(3)]
    [x.start() for x in t]; [x.join() for x in t]
    rounds += 1
    if rounds == 1 and os.environ.get("RUNNING"):
        open(os.environ["RUNNING"], "w").close()
print("finished", rounds > 0)
sys.exit(3)
'
set +e
"$py" -c "$prog" >"$GT_TMP/plain.out" 2>&1
plain_rc=$?
# Only this test's daemons: other tests (make -j) and other users have
# their own on the same machine.  Status 1 if none was there to kill.
kill_own_daemons() {
	local pid killed=0
	for pid in $(pgrep -f '^lttng-(consumerd|sessiond)' || true); do
		if [ -n "${GT_LTTNG_NS:-}" ]; then
			[ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/$$/ns/mnt)" ] || continue
		else
			tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
				grep -qx "LTTNG_HOME=$LTTNG_HOME" || continue
		fi
		kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
	done
	[ "$killed" -gt 0 ]
}
(
	for _ in $(seq 300); do
		[ -e "$GT_TMP/running" ] && break
		sleep 0.1
	done
	[ -e "$GT_TMP/running" ] || exit 2
	kill_own_daemons
) &
killer=$!
RUNNING=$GT_TMP/running gt_record_within 60 \
	"$GT_TMP/trace" -- "$py" -c "$prog" >"$GT_TMP/traced.out" 2>&1
traced_rc=$?
killer_rc=0
wait $killer || killer_rc=$?
set -e
[ "$killer_rc" -ne 2 ] || gt_fail "the traced program never ran its first round"
[ "$killer_rc" -eq 0 ] || gt_fail "no session daemon of this test was running to kill"
! lttng list >/dev/null 2>&1 || gt_fail "a session daemon still answers after the kill"
[ "$traced_rc" -ne 124 ] || gt_fail "the traced program hung after the daemon was killed"
[ "$traced_rc" -eq "$plain_rc" ] || gt_fail "exit status $traced_rc when traced, $plain_rc without"
# gt_record's lttng stop/destroy fail once the daemon is gone; the
# program's own status is what matters: run it directly under the shim too.
set +e
LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_SHIM" timeout 60 "$py" -c "$prog" >"$GT_TMP/preloaded.out" 2>&1
pre_rc=$?
set -e
cmp -s "$GT_TMP/plain.out" "$GT_TMP/preloaded.out" ||
	gt_fail "output differs under the shim with no daemon: $(diff "$GT_TMP/plain.out" "$GT_TMP/preloaded.out" | head -5)"
[ "$pre_rc" -eq "$plain_rc" ] || gt_fail "exit status $pre_rc under the shim, $plain_rc without"
grep -q '^finished True$' "$GT_TMP/traced.out" ||
	gt_fail "traced program's output lacks its last line: $(tail -3 "$GT_TMP/traced.out")"
echo "PASS: program finished (status $plain_rc) after its session daemon was killed"
