#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The shim's known hazards, each with a C program in tests/progs/ that
# checks its own behaviour (exit status 0 only if every call did what
# POSIX and glibc specify), run without the shim and recorded under it
# with every lock event enabled.  For each: same exit status and same
# output with and without the shim, and the trace shows the calls:
# - hazard_errors: return values and errno of every failure kind
#   (EBUSY, ETIMEDOUT, EDEADLK, EPERM, EAGAIN, EINVAL, EOVERFLOW, and
#   ERANGE of pthread_setname_np, whose success names the thread in the
#   trace and whose failure does not);
# - hazard_compat_cond: a program linked against pthread_cond_*@GLIBC_2.2.5
#   works (each version reaches its own counterpart) and is traced;
# - hazard_cancel: threads cancelled in cond_wait, cond_timedwait,
#   sem_wait and a GIL wait: cleanup handlers run with the mutex held,
#   and the trace closes each cancelled wait (ret -125 / ECANCELED,
#   gil_acquire_abandon); and a cancellation pending when a thread
#   attempts a free semaphore GIL (gil_sem_protocol --cancel-pending):
#   the shim tries the semaphore first, but acts on the cancellation
#   before, as glibc's sem_wait does, so the GIL stays free;
# - hazard_signals: EINTR from sem_wait without SA_RESTART, restarts
#   with it, condvar waits that go on after the handler;
# - hazard_fork_exec: a forked child keeps working and is traced as its
#   own process; every exec function fails as it should (-1, errno) and
#   execl, execlp and execle pass their arguments and environment on;
#   an exec'd program is traced too, its GIL counts exact;
# - hazard_exit: a process whose last thread ends by pthread_exit (main
#   leaving first, or a forked child's only thread) ends, atexit
#   handlers run: LTTng-UST's threads must not keep it alive;
# - hazard_threads: 500 threads, every lock traced, no event lost, and
#   gil_not_found once in a process that never had a GIL;
# - hazard_ctor: calls from a program constructor and from a library
#   constructor that runs before the shim's own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
gt_lttng_private "$@"

gt_need_checker
progs=$GT_BUILDDIR/tests/progs
check() { /usr/bin/python3 "$here/trace_check.py" "$@"; }

# run NAME [--json] [--blocking] -- CMD ARGS: without the shim, then
# recorded under it with all lock events; same status and stdout
# required (--json: the same JSON once pid, tids and addresses are left
# out; --blocking: gt_record's, no event lost however busy the machine).  Leaves
# $GT_TMP/NAME.{plain,out,err,events} and the trace in NAME.trace.
run() {
	local name=$1 json=0 rc_plain=0 rc=0 opts=()
	shift
	if [ "$1" = --json ]; then
		json=1
		shift
	fi
	if [ "$1" = --blocking ]; then
		opts=(--blocking)
		shift
	fi
	shift
	timeout -k 10 120 "$@" >"$GT_TMP/$name.plain" 2>"$GT_TMP/$name.plain.err" || rc_plain=$?
	[ $rc_plain -ne 124 ] || gt_fail "$name: hangs without the shim"
	timeout -k 10 120 bash -c '. "$1"; shift; gt_record "$@"' _ "$here/lib/lttng.sh" \
		"$GT_TMP/$name.trace" --all-locks "${opts[@]}" -- "$@" >"$GT_TMP/$name.out" 2>"$GT_TMP/$name.err" || rc=$?
	[ $rc -ne 124 ] || gt_fail "$name: hangs under the shim"
	[ $rc_plain -eq 0 ] || gt_fail "$name: fails without the shim (status $rc_plain): $(cat "$GT_TMP/$name.plain.err")"
	[ $rc -eq 0 ] || gt_fail "$name: fails under the shim (status $rc): $(cat "$GT_TMP/$name.out" "$GT_TMP/$name.err")"
	if [ $json = 1 ]; then
		local f='del(.pid) | walk(if type == "object" then del(.tid, .gil) else . end)'
		diff <(jq -c "$f" "$GT_TMP/$name.plain") <(jq -c "$f" "$GT_TMP/$name.out") >&2 ||
			gt_fail "$name: output differs with the shim"
	else
		diff "$GT_TMP/$name.plain" "$GT_TMP/$name.out" >&2 || gt_fail "$name: output differs with the shim"
	fi
	check events "$GT_TMP/$name.trace" >"$GT_TMP/$name.events" ||
		gt_fail "$name: the trace cannot be read or lost events"
}

# count NAME JQ_FILTER: how many events of NAME's trace pass the filter.
count() {
	jq -c "select($2)" "$GT_TMP/$1.events" | wc -l
}

# expect NAME JQ_FILTER N MESSAGE: exactly N events pass the filter.
expect() {
	local n
	n=$(count "$1" "$2")
	[ "$n" -eq "$3" ] || gt_fail "$1: $4: $n events match [$2], expected $3"
}

# at_least NAME JQ_FILTER N MESSAGE
at_least() {
	local n
	n=$(count "$1" "$2")
	[ "$n" -ge "$3" ] || gt_fail "$1: $4: $n events match [$2], expected at least $3"
}

hex() { printf '%d' "$1"; }

# ---- return values and errno -------------------------------------------
run errors -- "$progs/hazard_errors"
pid=$(jq -s '.[0].pid' "$GT_TMP/errors.events")
at_least errors '.name == "mutex_trylock" and .ret == 16' 1 "trylock EBUSY not traced"
at_least errors '.name == "mutex_timedlock_end" and .ret == 110' 1 "timedlock ETIMEDOUT not traced"
at_least errors '.name == "mutex_timedlock_end" and .ret == 22' 2 "timedlock/clocklock EINVAL not traced"
expect errors '.name == "mutex_lock_end" and .ret == 35' 1 "errorcheck EDEADLK not traced"
at_least errors '.name == "cond_wait_end" and .ret == 110' 2 "cond timed/clock wait ETIMEDOUT not traced"
at_least errors '.name == "cond_wait_end" and .ret == 22' 2 "cond wait EINVAL not traced"
expect errors '.name == "sem_trywait" and .ret == -1 and .err == 11' 1 "sem_trywait EAGAIN not traced"
expect errors '.name == "sem_wait_end" and .ret == -1 and .err == 110' 2 "sem timed/clock wait ETIMEDOUT not traced"
expect errors '.name == "sem_wait_end" and .ret == -1 and .err == 22' 2 "sem timed/clock wait EINVAL not traced"
expect errors ".name == \"gil_not_found\" and .pid == $pid" 1 "gil_not_found not emitted exactly once"
expect errors '.name == "thread_name"' 1 "pthread_setname_np: not exactly the one success traced"
expect errors '.name == "thread_name" and .field_name == "hazard-self"' 1 "thread_name does not carry the name"
echo "ok: errors: $(wc -l <"$GT_TMP/errors.plain") cases, same return values and errno with the shim"

# ---- the compat condition variable ABI ----------------------------------
if [ -x "$progs/hazard_compat_cond" ]; then
	run compat -- "$progs/hazard_compat_cond"
	read -r _ cond _ waits _ signals <"$GT_TMP/compat.err"
	expect compat ".name == \"cond_wait_begin\" and .addr == $(hex "$cond")" "$waits" \
		"waits on the compat condvar"
	expect compat ".name == \"cond_wait_end\" and .addr == $(hex "$cond")" "$waits" \
		"ended waits on the compat condvar"
	expect compat ".name == \"cond_signal\" and .addr == $(hex "$cond")" "$signals" \
		"signals of the compat condvar"
	echo "ok: compat: pthread_cond_*@GLIBC_2.2.5 works, $waits waits and $signals signals traced"
else
	echo "skipped: compat: no pre-2.3.2 condvar ABI on this architecture"
fi

# ---- cancellation -------------------------------------------------------
run cancel -- "$progs/hazard_cancel"
expect cancel '.name == "cond_wait_end" and .ret == -125' 3 "cancelled condvar waits (2 plain, 1 GIL)"
expect cancel '.name == "sem_wait_end" and .ret == -1 and .err == 125' 1 "cancelled sem_wait"
expect cancel '.name == "gil_wait_end" and .ret == -125' 1 "cancelled GIL wait"
expect cancel '.name == "gil_acquire_abandon"' 1 "abandoned GIL attempt"
# The cancelled threads' cleanup handlers unlock: traced, the shim's
# guard having been left on the way out.
for tid in $(jq -r 'select(.name == "cond_wait_end" and .ret == -125) | .tid' "$GT_TMP/cancel.events"); do
	at_least cancel ".name == \"mutex_unlock\" and .tid == $tid" 1 "thread $tid's cleanup unlock"
done
check summary "$GT_TMP/cancel.trace" >/dev/null || gt_fail "cancel: GIL grammar broken"
echo "ok: cancel: $(wc -l <"$GT_TMP/cancel.plain") cancelled waits closed in the trace"
run semcancel -- "$progs/gil_sem_protocol" --cancel-pending
expect semcancel '.name == "gil_identified" and .kind == "semaphore"' 1 "the semaphore GIL"
expect semcancel '.name == "sem_wait_end" and .ret == -1 and .err == 125' 1 "the attempt's sem_wait, cancelled"
expect semcancel '.name == "gil_acquire_abandon"' 1 "its GIL attempt, abandoned"
echo "ok: semcancel: $(cat "$GT_TMP/semcancel.plain")"

# ---- signals --------------------------------------------------------------
run signals -- "$progs/hazard_signals"
expect signals '.name == "sem_wait_end" and .ret == -1 and .err == 4' 2 "sem waits ended by EINTR"
expect signals '.name == "sem_wait_end" and .ret == 0' 1 "restarted sem_wait"
echo "ok: signals: $(wc -l <"$GT_TMP/signals.plain") cases"

# ---- fork and exec --------------------------------------------------------
run fork -- "$progs/hazard_fork_exec" fork
pid=$(jq -s '[.[] | select(.procname | startswith("hazard_fork"))][0].pid' "$GT_TMP/fork.events")
read -r _ child locks mutex <"$GT_TMP/fork.err"
[ "$child" != "$pid" ] || gt_fail "fork: the child has the parent's pid"
expect fork ".name == \"mutex_lock_end\" and .pid == $child and .addr == $(hex "$mutex")" "$locks" \
	"the child's locks, traced with its own pid"
expect fork ".name == \"gil_not_found\" and .pid == $child" 1 "the child's gil_not_found"
expect fork ".name == \"gil_not_found\" and .pid == $pid" 1 "the parent's gil_not_found"
echo "ok: fork: child $child traced on its own ($locks locks)"

run exec --json -- "$progs/hazard_fork_exec" exec "$progs/gil_protocol" --script
pid=$(jq '.pid' "$GT_TMP/exec.out")
at_least exec ".pid == $pid and (.procname | startswith(\"hazard_fork\"))" 100 "events before exec"
at_least exec ".pid == $pid and .procname == \"gil_protocol\" and .name == \"gil_identified\"" 1 \
	"the exec'd program's GIL"
check compare "$GT_TMP/exec.trace" "$GT_TMP/exec.out" || gt_fail "exec: the exec'd program's counts differ"
echo "ok: exec: the exec'd gil_protocol traced in pid $pid, counts exact"

# ---- hundreds of threads, no GIL ------------------------------------------
# Every lock of 500 threads: more than the consumer daemon keeps up with
# on a busy machine, so the program waits for it.
run threads --blocking -- "$progs/hazard_threads" 500 20
pid=$(jq -s '.[0].pid' "$GT_TMP/threads.events")
read -r _ mutex _ locks _ gate _ waits <"$GT_TMP/threads.err"
expect threads ".name == \"mutex_lock_end\" and .addr == $(hex "$mutex")" "$locks" "locks of the shared mutex"
expect threads ".name == \"cond_wait_begin\" and .addr == $(hex "$gate")" "$waits" "waits at the gate"
at_least threads ".name == \"mutex_lock_end\" and .addr == $(hex "$mutex")" 10000 "500 threads x 20 locks"
expect threads ".name == \"gil_not_found\" and .pid == $pid" 1 "gil_not_found"
expect threads '.name | startswith("gil_") and . != "gil_not_found"' 0 "GIL events in a program without a GIL"
tids=$(jq -s "[.[] | select(.name == \"mutex_lock_end\" and .addr == $(hex "$mutex")) | .tid] | unique | length" \
	"$GT_TMP/threads.events")
[ "$tids" -eq 500 ] || gt_fail "threads: $tids threads seen locking, expected 500"
echo "ok: threads: 500 threads, $locks locks and $waits gate waits traced, gil_not_found once"

# ---- the last thread ends the process ---------------------------------------
# LTTng-UST's threads, which never end, must not keep it alive.
run exit-main -- "$progs/hazard_exit" main-pthread-exit
grep -qx "atexit handler ran" "$GT_TMP/exit-main.out" || gt_fail "exit-main: atexit handler did not run"
run exit-fork -- "$progs/hazard_exit" fork-from-thread
child=$(jq -s "map(.pid) | unique | length" "$GT_TMP/exit-fork.events")
[ "$child" -eq 2 ] || gt_fail "exit-fork: $child processes traced, expected parent and child"
echo "ok: exit: processes end with their last thread ($(tr '\n' ' ' <"$GT_TMP/exit-fork.out"))"

# ---- constructors -----------------------------------------------------------
run ctor -- "$progs/hazard_ctor"
read -r _ _ mutex <"$GT_TMP/ctor.err"
expect ctor ".name == \"mutex_lock_end\" and .addr == $(hex "$mutex") and .ret == 0" 1 \
	"the program constructor's lock"
expect ctor ".name == \"mutex_trylock\" and .addr == $(hex "$mutex") and .ret == 16" 1 \
	"the program constructor's trylock"
echo "ok: ctor: library and program constructors ($(tr '\n' ' ' <"$GT_TMP/ctor.plain" | grep -o ok | wc -l) ok)"
echo "PASS"
