#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Records the small real traces of tests/corpus/ again (a maintainer's
# tool, not a test): run it from a built tree,
#
#   GT_BUILDDIR=build tests/corpus/regenerate.sh [NAME...]
#
# (only the traces named, if any).
# Each trace is recorded under the shim with a private session daemon
# (tests/lib/lttng.sh), then copied flat with the host name, session
# name, date and the clock's boot id and boot time replaced by fixed
# values (tracepack.py normalize).  Sub-buffers of one page make every
# stream several packets long, so the fuzzer can drop, repeat and
# reorder packets.  The recordings differ from run to run (timing,
# addresses); what matters is that each is real and small.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${GT_SRCDIR:=$(cd "$here/../.." && pwd)}"
export GT_SRCDIR
. "$here/../lib/lttng.sh"
gt_lttng_private "$@"

py27=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/2.7.18/bin/python
py313=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.13.0/bin/python3
for p in /usr/bin/python3 "$py27" "$py313"; do
	[ -x "$p" ] || gt_fail "$p is needed to record the corpus"
done
[ -x "$GT_SHIM" ] || gt_fail "$GT_SHIM not built"

wanted=" $* "
progs=$GT_BUILDDIR/tests/progs
make -C "$GT_BUILDDIR" tests/progs/hazard_cancel >/dev/null || gt_fail "cannot build tests/progs/hazard_cancel"

# record NAME [gt_record options] -- CMD...: one corpus trace.
record() {
	local name=$1
	shift
	[ "$wanted" = "  " ] || [[ $wanted == *" $name "* ]] || return 0
	rm -rf "${GT_TMP:?}/$name" "${here:?}/$name"
	gt_record "$GT_TMP/$name" --subbuf-size=4096 --num-subbuf=64 "$@" >/dev/null ||
		gt_fail "$name: the recorded command failed"
	python3 "$here/tracepack.py" normalize "$GT_TMP/$name" "$name" "$here/$name"
	echo "$name: $(du -sh --apparent-size "$here/$name" | cut -f1)"
}

# The convoy: a CPU-bound thread beside an I/O-bound one (1 ms sleeps
# and pipe round trips); Python 2.7 and 3 alike.  The CPU thread's work
# is bounded on 2.7 (a switch every 100 bytecodes) to keep it small.
cat >"$GT_TMP/convoy.py" <<'PY'
import os, sys, threading, time
stop = []
limit = 3000 if sys.version_info[0] == 2 else 10 ** 8
def cpu():
    n = 0
    while not stop and n < limit:
        n += 1
def io():
    r, w = os.pipe()
    for i in range(6):
        time.sleep(0.001)
        os.write(w, b"x")
        os.read(r, 1)
    stop.append(1)
t = threading.Thread(target=cpu)
u = threading.Thread(target=io)
t.start(); u.start(); u.join(); t.join()
PY

# A forked child that starts a thread of its own: the child is its own
# process in the trace, with the GIL the fork left it.
cat >"$GT_TMP/fork.py" <<'PY'
import os, threading
def run():
    t = threading.Thread(target=sum, args=([1, 2],))
    t.start()
    t.join()
run()
pid = os.fork()
if pid == 0:
    run()
    os._exit(0)
os.waitpid(pid, 0)
PY

# Every lock call, not only the GIL's: a lock and a condition variable
# passed between two threads.
cat >"$GT_TMP/locks.py" <<'PY'
import threading
cv = threading.Condition()
items = []
def producer():
    for i in range(5):
        with cv:
            items.append(i)
            cv.notify()
t = threading.Thread(target=producer)
t.start()
got = 0
while got < 5:
    with cv:
        while not items:
            cv.wait(0.01)
        got += len(items)
        del items[:]
t.join()
PY

record py3-convoy -- /usr/bin/python3 -I -S "$GT_TMP/convoy.py"
# The same under a shim that writes compact cycles (giltrace(7)); the
# traces above were recorded before it (regenerate them only with that
# shim, or they would test the compact layout twice and today's never).
record py3-compact -- /usr/bin/python3 -I -S "$GT_TMP/convoy.py"
record py27-convoy -- "$py27" -S "$GT_TMP/convoy.py"
# 2.7's convoy under a shim whose compact cycles keep their release's
# waiters (gil_cycle's waiters and signalled): the CPU thread releases
# beside the I/O thread sleeping in sem_wait and takes the GIL back.
record py27-compact -- "$py27" -S "$GT_TMP/convoy.py"
# Both again under a shim that tells compact cycles in batches
# (gil_cycles; giltrace(7)); the compact traces above were recorded
# before it.
record py3-batch -- /usr/bin/python3 -I -S "$GT_TMP/convoy.py"
record py27-batch -- "$py27" -S "$GT_TMP/convoy.py"
record py27-all-locks --all-locks -- "$py27" -S "$GT_TMP/locks.py"
record py313-fork -- "$py313" -I -S -W ignore "$GT_TMP/fork.py"
# A C program's GIL protocol with a thread cancelled in its GIL wait
# (gil_acquire_abandon) and cancelled condvar and semaphore waits, every
# lock call traced; then a process without a GIL (gil_not_found).
record c-cancel --all-locks -- /bin/sh -c "$progs/hazard_cancel >/dev/null && /bin/true"

# The damaged traces of regress/ derive from py313-fork.
"$here/regress/derive.sh" >/dev/null
