# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Shell library for tests and benchmarks that record real LTTng traces
# with a session daemon private to the run.
#
#   . tests/lib/lttng.sh
#   gt_lttng_private "$@"        # first thing: may re-execute the script
#   gt_record DIR [--all-locks] [--subbuf-size=S] [--num-subbuf=N] [--blocking]
#             [--trace-format=F] -- CMD [ARGS...]
#
# Isolation: as root, the script re-executes itself in a private mount
# namespace where /run/lttng and /dev/shm are fresh tmpfs mounts, so the
# daemon started here and every socket and shared-memory file it uses
# are invisible to (and cannot reach) a daemon or session the user has.
# As another user, a private LTTNG_HOME does the same.  The daemon is
# killed when the script exits.  Exit status 77 (automake's SKIP) when
# no private daemon can be had, with the reason on stderr.

: "${GT_BUILDDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
# gt_pythons: the CPythons present (tests/lib/pythons.sh).
. "$(dirname "${BASH_SOURCE[0]}")/pythons.sh"
: "${GT_SHIM:=$GT_BUILDDIR/shim/.libs/libgiltrace.so}"
GT_UST_FORK=$(pkg-config --variable=libdir lttng-ust 2>/dev/null)/liblttng-ust-fork.so
[ -e "$GT_UST_FORK" ] || GT_UST_FORK=/usr/lib/x86_64-linux-gnu/liblttng-ust-fork.so
# What giltrace record preloads besides (frontend/child.c): LTTng-UST's
# fd helper, so that a program closing descriptors it did not open
# cannot close LTTng-UST's; nothing when it is not installed.
GT_UST_FD=${GT_UST_FORK%/*}/liblttng-ust-fd.so
[ -e "$GT_UST_FD" ] && GT_UST_FD=$GT_UST_FD: || GT_UST_FD=

# In a build configured with --enable-sanitizers the shim needs the
# AddressSanitizer runtime loaded before anything else in the process.
GT_PRELOAD_FIRST=
if [ "${GT_SANITIZERS:-no}" = yes ]; then
	GT_PRELOAD_FIRST=$(${GT_CC:-cc} -print-file-name=libasan.so):
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi

gt_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

. "$(dirname "${BASH_SOURCE[0]}")/views.sh"

# The test's own stderr, for what the library says while a command's
# stderr is redirected (gt_record's views line).
[ -e /proc/self/fd/9 ] || exec 9>&2

gt_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# What tests/trace_check.py and the tests' jq assertions need; skip
# without them.
gt_need_checker() {
	/usr/bin/python3 -c 'import bt2' 2>/dev/null ||
		gt_skip "the libbabeltrace2 Python bindings are missing (apt-get install python3-bt2)"
	command -v jq >/dev/null || gt_skip "jq is missing (apt-get install jq)"
}

gt_lttng_private() {
	command -v lttng >/dev/null && command -v lttng-sessiond >/dev/null ||
		gt_skip "lttng-tools is not installed (apt-get install lttng-tools)"
	if [ "$(id -u)" -eq 0 ] && [ -z "${GT_LTTNG_NS:-}" ]; then
		command -v unshare >/dev/null || gt_skip "unshare (util-linux) is needed for a private session daemon"
		GT_LTTNG_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
	fi
	GT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-test.XXXXXX")
	# Exported: gt_record_within's shell notes disagreeing views there.
	export GT_TMP
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p /run/lttng
		mount -t tmpfs tmpfs /run/lttng 2>/dev/null ||
			gt_skip "cannot mount a private /run/lttng (no CAP_SYS_ADMIN?)"
		mount -t tmpfs tmpfs /dev/shm ||
			gt_skip "cannot mount a private /dev/shm"
	fi
	export LTTNG_HOME="$GT_TMP/home"
	mkdir -p "$LTTNG_HOME"
	trap gt_lttng_cleanup EXIT
	gt_sessiond_start
}

# gt_sessiond_start: the test's session daemon (again, after it died),
# answering; skips the test if it cannot be had.
gt_sessiond_start() {
	local i
	lttng-sessiond --daemonize --no-kernel --quiet >>"$GT_TMP/sessiond.log" 2>&1 ||
		gt_skip "lttng-sessiond did not start: $(tail -1 "$GT_TMP/sessiond.log")"
	for i in $(seq 50); do
		lttng list >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	gt_skip "lttng-sessiond does not answer"
}

# gt_sessiond_alive: does the test's session daemon still answer?
gt_sessiond_alive() {
	lttng list >/dev/null 2>&1
}

# Runs as the EXIT trap, under the script's set -e: nothing here may
# fail, or a test that passed would end with status 1.
gt_lttng_cleanup() {
	local pid pids= i
	for pid in $(pgrep -f "^lttng-sessiond --daemonize --no-kernel" 2>/dev/null); do
		# Only the daemon of this namespace / this LTTNG_HOME.
		if [ -n "${GT_LTTNG_NS:-}" ] && [ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/$$/ns/mnt)" ]; then
			continue
		fi
		if [ -z "${GT_LTTNG_NS:-}" ] && ! tr '\0' '\n' </proc/$pid/environ 2>/dev/null | grep -qx "LTTNG_HOME=$LTTNG_HOME"; then
			continue
		fi
		# It may be gone already (a forked helper caught by pgrep).
		kill "$pid" 2>/dev/null && pids="$pids $pid"
	done
	# Its consumer may still write into $GT_TMP: let it stop first.
	for i in $(seq 50); do
		pid=
		for pid in $pids; do
			kill -0 "$pid" 2>/dev/null && break
			pid=
		done
		[ -z "${pid:-}" ] && break
		sleep 0.1
	done
	[ "${GT_KEEP_TMP:-0}" = 1 ] || rm -rf "$GT_TMP" 2>/dev/null || true
}

# The daemon's sessions and channels, from its machine interface
# (tests/lib/lttng_mi.py): "NAME active|inactive" per session, and
# "CHANNEL KEY VALUE" per channel attribute of session $1.
GT_LTTNG_MI=$(dirname "${BASH_SOURCE[0]}")/lttng_mi.py
gt_mi_sessions() {
	lttng --mi xml list | /usr/bin/python3 "$GT_LTTNG_MI" sessions
}
gt_mi_channels() {
	lttng --mi xml list "$1" | /usr/bin/python3 "$GT_LTTNG_MI" channels
}

# gt_record DIR [options] -- CMD...: record CMD under the shim into DIR.
# The command's exit status is returned; its stdio is left alone.  In
# make check (GT_VIEWS_CHECK=1) every view of the recording must then
# agree (tests/lib/views.sh; its line goes to the test's stderr, not to
# the command's).  The GIL's events are recorded with what names their
# Python frames and threads, and Python frames are on as giltrace
# record has them (GILTRACE_PYFRAMES=8) unless GILTRACE_PYFRAMES says.
gt_record() {
	local out=$1 all=0 subbuf=4M nsubbuf=4 events='giltrace:gil_*,giltrace:py_*,giltrace:thread_name,giltrace:process_exit'
	local blocking=() format=()
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--all-locks) all=1 ;;
		# The program waits for room in the buffers rather than lose an
		# event, however slowly the consumer daemon runs on a busy
		# machine (LTTng-UST blocks only where the program allows it).
		--blocking) blocking=(--blocking-timeout=inf) ;;
		# lttng create's (LTTng 2.15 on: ctf-1.8 or ctf-2).
		--trace-format=*) format=("$1") ;;
		--subbuf-size=*) subbuf=${1#*=} ;;
		--num-subbuf=*) nsubbuf=${1#*=} ;;
		--) shift; break ;;
		*) gt_fail "gt_record: unknown option $1" ;;
		esac
		shift
	done
	[ $all = 1 ] && events='giltrace:*'
	local s="gt$$-$RANDOM"
	lttng create "$s" --output="$out" "${format[@]}" >/dev/null
	# Blocking, one ring buffer for the channel where LTTng has it (2.16
	# on): with per-CPU buffers LTTng-UST 2.16 blocks only while the
	# consumer has not made room; a record whose next sub-buffer a
	# preempted writer still holds (hundreds of threads on two CPUs) is
	# discarded all the same, where a per-channel buffer waits for it.
	if [ ${#blocking[@]} -eq 0 ] ||
		! lttng enable-channel -u -s "$s" chan --subbuf-size="$subbuf" --num-subbuf="$nsubbuf" \
			"${blocking[@]}" --buffer-allocation=per-channel >/dev/null 2>&1; then
		lttng enable-channel -u -s "$s" chan --subbuf-size="$subbuf" --num-subbuf="$nsubbuf" "${blocking[@]}" >/dev/null
	fi
	lttng enable-event -u -s "$s" -c chan "$events" >/dev/null
	lttng add-context -u -s "$s" -c chan -t vpid -t vtid -t procname >/dev/null
	lttng start "$s" >/dev/null
	local rc=0
	(
		[ ${#blocking[@]} -eq 0 ] || export LTTNG_UST_ALLOW_BLOCKING=1
		GILTRACE_PYFRAMES=${GILTRACE_PYFRAMES-8} \
			LD_PRELOAD="$GT_PRELOAD_FIRST$GT_UST_FORK:$GT_UST_FD$GT_SHIM${LD_PRELOAD:+:$LD_PRELOAD}" "$@"
	) || rc=$?
	lttng stop "$s" >/dev/null
	lttng destroy "$s" >/dev/null
	if [ "${GT_VIEWS_CHECK:-0}" = 1 ]; then
		gt_views_agree "$out" >&9 2>&9
	fi
	return $rc
}

# gt_record_within SECONDS OUT_DIR [OPTION...] -- CMD [ARGS...]: gt_record
# under timeout(1) (status 124 when CMD outlives SECONDS).
gt_record_within() {
	local secs=$1
	shift
	timeout "$secs" bash -c '. "$1"; shift; gt_record "$@"' _ "${BASH_SOURCE[0]}" "$@"
}

# gt_stack_of PID: every thread's stack of PID (gdb; without it, where
# each thread sleeps in the kernel).
gt_stack_of() {
	echo "---- $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) (pid $1)"
	if command -v gdb >/dev/null; then
		timeout 60 gdb -p "$1" -batch -nx -ex 'thread apply all bt' 2>&1 | grep -v '^\[New LWP\|^\[Thread debugging\|^Using host'
	else
		grep -H . /proc/"$1"/task/*/wchan 2>/dev/null
	fi
}

# gt_stacks PID: every thread's stack of PID and of its descendants,
# for the log of a run that hangs.
gt_stacks() {
	local p kids
	for p in "$@"; do
		gt_stack_of "$p"
		kids=$(pgrep -P "$p" || true)
		[ -z "$kids" ] || gt_stacks $kids
	done
}

# gt_stacks_daemons: the stacks of the test's session and consumer
# daemons, and of any other program still running with its LTTNG_HOME
# (a forked child no longer below the command, say): what a command
# stuck in the daemon's hands waits for.
gt_stacks_daemons() {
	local p comm
	[ -n "${LTTNG_HOME:-}" ] || return 0
	for p in $(ls /proc | grep -x '[0-9]*'); do
		[ "$p" != $$ ] || continue
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		case $comm in bash|sh|timeout|sleep|gdb|ls|grep|tr|cat) continue ;; esac
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "LTTNG_HOME=$LTTNG_HOME" || continue
		gt_stack_of "$p"
	done
}

# gt_limited SECONDS STACKS CMD [ARGS...]: CMD under timeout -k 5
# SECONDS (status 124 or 137 when it outlives them); a few seconds
# before, the stacks of CMD's processes still running, then of the
# test's daemons (gt_stacks_daemons), go to the file STACKS, so that a
# hang leaves the evidence of where.  The watcher leaves by itself once
# CMD has ended and is never killed: bash runs the
# script's EXIT trap (gt_lttng_cleanup: the daemon killed, GT_TMP
# removed) in a child killed before it has reset its traps.
gt_limited() {
	local secs=$1 stacks=$2 t rc=0
	shift 2
	timeout -k 5 "$secs" "$@" &
	t=$!
	bash -c 'for ((i = 0; i < $1; i++)); do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done
		. "$3"; { gt_stacks $(pgrep -P "$2"); echo "==== the daemons"; gt_stacks_daemons; echo "==== end"; } >"$4" 2>&1' \
		_ $((secs > 10 ? secs - 5 : secs)) "$t" "${BASH_SOURCE[0]}" "$stacks" </dev/null >/dev/null 2>&1 &
	wait "$t" || rc=$?
	return $rc
}

# gt_limited_stacks STACKS: prints what gt_limited's watcher wrote
# there, once it has written it all (the daemons' stacks come after the
# command was killed; at most two minutes more), or says none was taken.
gt_limited_stacks() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -qx '==== end' "$1" 2>/dev/null && break
		[ -e "$1" ] || [ $i -lt 100 ] || break
		sleep 0.1
	done
	cat "$1" 2>/dev/null || echo "(none taken)"
}

# gt_python3: the path of one CPython 3 to run (Debian's, else pyenv
# 3.11.7); nothing if neither is present.
gt_python3() {
	gt_pythons 2>/dev/null | awk '$1 == "debian" || $1 == "3.11.7" {print $2; exit}'
}

