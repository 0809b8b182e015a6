#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Preloading the shim never changes a program (issue 12).  Each case runs
# four ways: plain; with libgiltrace.so preloaded and no session; under
# `giltrace record` (GIL events); under `giltrace record --all-locks
# --callsites=32`.  Exit status, stdout and stderr must be the same byte
# for byte in all four, and no run may hang.  The cases
# (tests/progs/hazard_context.c, hazard_lifetime.c):
# - intercepted calls where little is safe: a library constructor under
#   dlopen waiting for its thread's first lock calls and first calls of
#   functions programs rarely call (the loader's lock is held); sem_post in a signal handler from 2,000 new call sites
#   while the interrupted thread allocates (malloc's lock is held), and
#   on an 8 KiB alternate signal stack; two threads meeting the same new
#   sites; errno kept by successful calls; pthread_cond_clockwait and
#   pthread_mutex_clocklock with invalid clocks; a siglongjmp out of a
#   traced wait, after which the thread is still traced (every one of
#   its lock rounds in the --all-locks trace);
# - process lifetime: the main thread leaves first with thrd_exit or
#   pthread_exit while a thread glibc started itself (C11 thread,
#   SIGEV_THREAD timer, POSIX AIO notification) has yet to call exit(N);
#   the program's thread-specific-data destructors run for its last
#   thread; a forked child of a C11 thread ends with thrd_exit;
# - a Python program forking a child: the child's GIL is named in the
#   trace (its first GIL events come before its LTTng-UST registers);
# - sanitizer runtimes: the same program built with ThreadSanitizer and
#   with AddressSanitizer (the latter preloaded first by the user, as
#   its runtime requires), when the compiler can build them; in the
#   sanitizer build (make check-sanitizers) every case runs with its
#   runtime preloaded first, by the user, under giltrace record too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"
gt_need_checker
. "$here/lib/giltrace.sh"
T=$GT_TMP
progs=$GT_BUILDDIR/tests/progs
ctor_lib=$progs/.libs/libhazard_ctor_wait.so
[ -x "$progs/hazard_context" ] && [ -x "$progs/hazard_lifetime" ] && [ -e "$ctor_lib" ] ||
	gt_fail "the hazard programs are not built (make check builds them)"
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }
modes="plain preload record all"
failed=0

# The user's own LD_PRELOAD of a run: the sanitizer runtime the
# sanitizer build needs first (tests/lib/lttng.sh), and USER_PRELOAD.
user_preload() {
	local p=${GT_PRELOAD_FIRST%:}
	[ -z "${USER_PRELOAD:-}" ] || p=${p:+$p:}$USER_PRELOAD
	echo "$p"
}

# run_mode NAME MODE CMD...: one run, its status in NAME.MODE.rc.
run_mode() {
	local name=$1 mode=$2 rc=0 pre st
	shift 2
	pre=$(user_preload)
	st=$T/$name.$mode.stacks
	case $mode in
	plain)
		if [ -n "${USER_PRELOAD:-}" ]; then
			gt_limited 120 "$st" env LD_PRELOAD="$USER_PRELOAD" "$@"
		else
			gt_limited 120 "$st" "$@"
		fi ;;
	preload)
		gt_limited 120 "$st" env LD_PRELOAD="${pre:+$pre:}$GT_SHIM" "$@" ;;
	record)
		gt_limited 120 "$st" env LD_PRELOAD="$pre" "$GILTRACE" record -q -o "$T/$name.record" -- "$@" ;;
	all)
		gt_limited 120 "$st" env LD_PRELOAD="$pre" "$GILTRACE" record -q --all-locks --callsites=32 \
			-o "$T/$name.all" -- "$@" ;;
	esac >"$T/$name.$mode.out" 2>"$T/$name.$mode.err" || rc=$?
	echo "$rc" >"$T/$name.$mode.rc"
}

# first_change A B: the first line that differs, as diff marks it, on
# one line (FAIL lines are what CI's summary shows).
first_change() {
	diff "$1" "$2" | grep -m1 '^[<>]' | cut -c1-200 | tr -d '\r' || true
}

# same NAME WANT_STATUS -- CMD...: the four runs end alike, and the
# plain one with WANT_STATUS (so that the case tests what it says).
same() {
	local name=$1 want=$2 mode bad=0
	shift 3
	for mode in $modes; do
		run_mode "$name" "$mode" "$@"
	done
	if [ "$(cat "$T/$name.plain.rc")" != "$want" ]; then
		echo "FAIL: $name: status $(cat "$T/$name.plain.rc") without the shim, expected $want: $(cat "$T/$name.plain.err")" >&2
		failed=$((failed + 1))
		return 0
	fi
	for mode in preload record all; do
		local rc
		rc=$(cat "$T/$name.$mode.rc")
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "FAIL: $name: hangs ($mode); its stacks:" >&2
			gt_limited_stacks "$T/$name.$mode.stacks" >&2
			bad=1
			continue
		fi
		if [ "$rc" != "$want" ]; then
			echo "FAIL: $name: status $rc ($mode), $want without the shim" >&2
			bad=1
		fi
		if ! diff "$T/$name.plain.out" "$T/$name.$mode.out" >&2; then
			echo "FAIL: $name: stdout differs ($mode): $(first_change "$T/$name.plain.out" "$T/$name.$mode.out")" >&2
			bad=1
		fi
		if ! diff "$T/$name.plain.err" "$T/$name.$mode.err" >&2; then
			echo "FAIL: $name: stderr differs ($mode): $(first_change "$T/$name.plain.err" "$T/$name.$mode.err")" >&2
			bad=1
		fi
	done
	# A daemon gone makes every later recording start a private one
	# (giltrace record): said here, and the next case gets the test's own.
	if ! gt_sessiond_alive; then
		echo "FAIL: $name: the test's session daemon is gone after this case (started again for the next one)" >&2
		# In a subshell: gt_sessiond_start skips the test when it cannot,
		# and this test has failed already.
		(gt_sessiond_start) >/dev/null 2>&1 || true
		gt_sessiond_alive || gt_fail "$name: the test's session daemon does not start again"
		bad=1
	fi
	if [ $bad = 0 ]; then
		echo "ok: $name: $(head -1 "$T/$name.plain.out")"
	fi
	failed=$((failed + bad))
}

# ---- calls where little is safe ------------------------------------------
same dlopen-ctor 0 -- "$progs/hazard_context" dlopen-ctor "$ctor_lib"
same signal-sem 0 -- "$progs/hazard_context" signal-sem
same altstack 0 -- "$progs/hazard_context" altstack
same threads-sem 0 -- "$progs/hazard_context" threads-sem
same errno 0 -- "$progs/hazard_context" errno
same clockwait 0 -- "$progs/hazard_context" clockwait

rounds=1000
same siglongjmp 0 -- "$progs/hazard_context" siglongjmp $rounds "$T/siglongjmp.addr"
# The last run (--all-locks) wrote the address of the mutex of its rounds.
if [ -d "$T/siglongjmp.all" ]; then
	addr=$(cat "$T/siglongjmp.addr")
	n=$(check events "$T/siglongjmp.all" | jq -c "select(.name == \"mutex_lock_begin\" and .addr == $addr)" | wc -l)
	if [ "$n" -ne $rounds ]; then
		echo "FAIL: siglongjmp: $n of the $rounds lock rounds after the siglongjmp traced" >&2
		failed=$((failed + 1))
	else
		echo "ok: siglongjmp: all $rounds lock rounds after it traced"
	fi
fi

# ---- process lifetime ------------------------------------------------------
same thrd-exit 7 -- "$progs/hazard_lifetime" thrd-exit
same timer-exit 3 -- "$progs/hazard_lifetime" timer-exit
same aio-exit 5 -- "$progs/hazard_lifetime" aio-exit
# Both end by glibc's count alone, which AddressSanitizer's pthread_create
# interceptor, ahead of the shim, keeps LTTng-UST's threads in
# (giltrace(7), CAVEATS).
if [ "${GT_SANITIZERS:-no}" = yes ]; then
	echo "skipped: tsd, thrd-fork: AddressSanitizer preloaded first hides LTTng-UST's threads from the shim (giltrace(7), CAVEATS)"
else
	same tsd 0 -- "$progs/hazard_lifetime" tsd
	same thrd-fork 0 -- "$progs/hazard_lifetime" thrd-fork
fi

# ---- a forked child's GIL ----------------------------------------------------
# The child's first GIL events come before its LTTng-UST has registered
# again with the session daemon: the GIL must still be named in its trace.
cat >"$T/fork_child.py" <<'PY'
import os, threading
def spin(n):
    while n:
        n -= 1
def work(name, n):
    t = [threading.Thread(target=spin, args=(n,)) for _ in range(2)]
    [x.start() for x in t]
    [x.join() for x in t]
    print(name, "done", flush=True)
work("parent", 300000)
pid = os.fork()
if pid == 0:
    # Long enough to go on after its LTTng-UST has registered.
    work("child", 3000000)
    os._exit(0)
os.waitpid(pid, 0)
work("parent again", 300000)
PY
# CPython 3.12 on warns at os.fork() when /proc says the process has
# more than one thread, and LTTng-UST's two are there under the shim: the
# one difference README and giltrace(7), CAVEATS, document, left out here
# (that warning only: any other output must still be the same).
same fork-child 0 -- "$PY" -W "ignore:This process:DeprecationWarning" "$T/fork_child.py"

# named_in_both LABEL RECORD: the GIL named in parent and child.
named_in_both() {
	local label=$1 rec=$2 procs named
	"$GT_BUILDDIR/analyzer/giltrace-analyze" --format=json "$rec" >"$rec.json" ||
		gt_fail "$label: the trace cannot be analysed"
	procs=$(jq '[.processes[] | select(.gils | length > 0)] | length' "$rec.json")
	named=$(jq '[.processes[] | select(.gils | length > 0) | select(all(.gils[]; (.runtime // "") | startswith("CPython")))] | length' "$rec.json")
	if [ "$procs" -ne 2 ] || [ "$named" -ne 2 ]; then
		echo "FAIL: $label: $named of $procs processes with a GIL have it named (2 expected): $(jq -c '[.processes[] | {pid, gils: [.gils[].runtime]}]' "$rec.json")" >&2
		failed=$((failed + 1))
	else
		echo "ok: $label: the GIL named in both processes"
	fi
}
if [ -d "$T/fork-child.record" ]; then
	named_in_both fork-child "$T/fork-child.record"
fi
# Without LTTng-UST's wait for the daemon at start-up and after fork,
# the GIL's first events come while the session is being set up for the
# process, where its probes are connected a round trip before it
# records (tp_recording.h): a name told there is lost.  The window is
# short; three runs.
for i in 1 2 3; do
	rc=0
	gt_limited 120 "$T/fork-nowait.stacks" env LTTNG_UST_REGISTER_TIMEOUT=0 LD_PRELOAD="$(user_preload)" \
		"$GILTRACE" record -q -o "$T/fork-nowait$i.record" -- \
		"$PY" -W "ignore:This process:DeprecationWarning" "$T/fork_child.py" >/dev/null 2>"$T/fork-nowait.err" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL: fork-nowait run $i: hangs; its stacks:" >&2
		gt_limited_stacks "$T/fork-nowait.stacks" >&2
		gt_fail "fork-nowait run $i: giltrace record still running after 120 s"
	fi
	[ "$rc" = 0 ] || gt_fail "fork-nowait run $i: giltrace record failed (status $rc): $(head -3 "$T/fork-nowait.err")"
	named_in_both "fork-nowait run $i" "$T/fork-nowait$i.record"
done

# ---- sanitizer runtimes ------------------------------------------------------
cc=${GT_CC:-cc}
src=$here/progs/hazard_context.c
if [ "${GT_SANITIZERS:-no}" != yes ]; then
	if "$cc" -O1 -g -fsanitize=thread -I"$here/progs" "$src" -o "$T/context_tsan" -ldl 2>"$T/tsan.log" &&
		"$T/context_tsan" errno >/dev/null 2>&1; then
		same tsan-threads-sem 0 -- "$T/context_tsan" threads-sem
		same tsan-errno 0 -- "$T/context_tsan" errno
	else
		echo "skipped: ThreadSanitizer: cannot build or run a program with it here"
	fi
	asan=$("$cc" -print-file-name=libasan.so)
	if [ -e "$asan" ] && "$cc" -O1 -g -fsanitize=address -I"$here/progs" "$src" -o "$T/context_asan" -ldl 2>"$T/asan.log" &&
		"$T/context_asan" errno >/dev/null 2>&1; then
		USER_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0 same asan-threads-sem 0 -- "$T/context_asan" threads-sem
	else
		echo "skipped: AddressSanitizer: cannot build or run a program with it here"
	fi
fi

[ $failed -eq 0 ] || gt_fail "$failed case(s) changed by the shim (above)"
echo "PASS: every case ends alike plain, preloaded, recorded and recorded with every lock"
