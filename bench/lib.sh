# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Shell library of the benchmarks: the modes compared, one measured run
# (with its own tracing session when the mode traces), and the results
# file.  Sourced by bench/*.sh once they have set BENCH_SRCDIR; brings
# tests/lib/lttng.sh (the private session daemon) with it.
#
# Modes (the preloaded library, and what a session records):
#   none      no preload
#   shim      libgiltrace.so preloaded, no tracing session
#   shim+gil  libgiltrace.so, session recording giltrace:gil_*
#   shim+all  libgiltrace.so, session recording giltrace:*
#   shim+cs   as shim+gil, with call-site backtraces of BENCH_CALLSITES
#             frames (GILTRACE_CALLSITES, default 8); shim+csN: N frames
#   shim+pyN  as shim+gil, with N Python frames (GILTRACE_PYFRAMES=N) and
#             the events that name them (giltrace:py_*, thread_name);
#             shim+py0 the same session with frames off
#   nc+pyN    as shim+pyN, with compact cycles off: the session enables
#             every GIL event but gil_cycles and gil_cycle_open, so the
#             same shim writes three events a GIL cycle (giltrace(7))
#   floor     bench/libcostfloor.so preloaded: LTTng-UST loaded and the
#             trace clock read at the attempt, acquisition and release of
#             each GIL cycle, nothing else (bench/cost_floor.c); no session
#   design    bench/libdesignfloor.so preloaded, session recording
#             giltrace_bench:*: a semaphore GIL's events in issue 14's
#             layout (a batch of cycles taken at once, events of their own
#             for a wait), no Python frames, nothing of giltrace's own
#             bookkeeping (bench/design_floor.c); design+wide the same
#             with the batch in gil_cycles' shape, a sequence per field
#   hold+N    bench/libholddelay.so preloaded: no tracer, the holder of
#             a semaphore waits N ns before each post (CPython 2.7's GIL
#             held N ns longer each time; bench/hold_delay.c); no session
#   idle      bench/libidlethread.so preloaded: no tracer, one idle thread
#             more, as LTTng-UST's listener threads (bench/idle_thread.c)
#   ust       liblttng-ust-pthread-wrapper.so preloaded, no session
#   ust+ev    liblttng-ust-pthread-wrapper.so, session recording
#             lttng_ust_pthread:*
#   b, b+X    as shim, shim+X (any of the above) with the library named
#             by BENCH_SHIM_B: before/after figures of a shim change, in
#             the same paired runs (-m "none shim+gil b+gil")
#   c, c+X    the same with BENCH_SHIM_C: a third library in the same runs
#
# Channel settings of the traced modes (environment, defaults below):
#   BENCH_SUBBUF, BENCH_NSUBBUF  sub-buffer size and count
#   BENCH_BUFFERS                uid or pid (per-user or per-process buffers)
#   BENCH_CONTEXTS               contexts added to every event
# The defaults are what bench/RESULTS.md recommends for giltrace record:
# the only setting bench/channels.sh saw lose no GIL event in any run,
# on a loaded machine too.

: "${GT_BUILDDIR:=$BENCH_SRCDIR/build}"
export GT_BUILDDIR
. "$BENCH_SRCDIR/tests/lib/lttng.sh"
: "${BENCH_RESULTS:=$BENCH_SRCDIR/bench/RESULTS.md}"

: "${BENCH_SUBBUF:=4M}"
: "${BENCH_NSUBBUF:=4}"
: "${BENCH_BUFFERS:=uid}"
: "${BENCH_CONTEXTS:=vpid vtid procname}"
BENCH_UST_PTHREAD=$(pkg-config --variable=libdir lttng-ust 2>/dev/null)/liblttng-ust-pthread-wrapper.so
[ -e "$BENCH_UST_PTHREAD" ] || BENCH_UST_PTHREAD=/usr/lib/x86_64-linux-gnu/liblttng-ust-pthread-wrapper.so

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_interp_path NAME: the CPython a benchmark names debian, 3.13 or 2.7.
bench_interp_path() {
	local root
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	case $1 in
	debian) echo /usr/bin/python3 ;;
	3.13) echo "$root/versions/3.13.0/bin/python" ;;
	2.7) echo "$root/versions/2.7.18/bin/python" ;;
	*) bench_die "unknown interpreter $1 (debian, 3.13 or 2.7)" ;;
	esac
}

# bench_check_built: the shim and the benchmark programs must exist.
bench_check_built() {
	[ -e "$GT_SHIM" ] || bench_die "$GT_SHIM not found; build first (make), or set GT_BUILDDIR"
	[ -x "$GT_BUILDDIR/bench/tracecount" ] || bench_die "$GT_BUILDDIR/bench/tracecount not built (make)"
	[ -x /usr/bin/time ] || bench_die "/usr/bin/time not found (apt-get install time)"
}

# bench_mode_preload MODE: the LD_PRELOAD value of MODE ("" for none).
bench_mode_preload() {
	case $1 in
	none) echo "" ;;
	shim|shim+gil|shim+all|shim+cs*|shim+py*|nc+py*) echo "$GT_SHIM" ;;
	ust|ust+ev) echo "$BENCH_UST_PTHREAD" ;;
	floor)
		[ -e "$GT_BUILDDIR/bench/.libs/libcostfloor.so" ] || bench_die "bench/libcostfloor.so not built (make)"
		echo "$GT_BUILDDIR/bench/.libs/libcostfloor.so" ;;
	design|design+wide)
		[ -e "$GT_BUILDDIR/bench/.libs/libdesignfloor.so" ] || bench_die "bench/libdesignfloor.so not built (make)"
		echo "$GT_BUILDDIR/bench/.libs/libdesignfloor.so" ;;
	idle)
		[ -e "$GT_BUILDDIR/bench/.libs/libidlethread.so" ] || bench_die "bench/libidlethread.so not built (make)"
		echo "$GT_BUILDDIR/bench/.libs/libidlethread.so" ;;
	hold+[0-9]*)
		[ -e "$GT_BUILDDIR/bench/.libs/libholddelay.so" ] || bench_die "bench/libholddelay.so not built (make)"
		echo "$GT_BUILDDIR/bench/.libs/libholddelay.so" ;;
	b|b+*)
		[ -e "${BENCH_SHIM_B:-}" ] || bench_die "mode $1 needs BENCH_SHIM_B=/path/to/libgiltrace.so"
		echo "$BENCH_SHIM_B" ;;
	c|c+*)
		[ -e "${BENCH_SHIM_C:-}" ] || bench_die "mode $1 needs BENCH_SHIM_C=/path/to/libgiltrace.so"
		echo "$BENCH_SHIM_C" ;;
	*) bench_die "unknown mode $1" ;;
	esac
}

# bench_mode_as_shim MODE: the shim mode a b mode stands for.
bench_mode_as_shim() {
	case $1 in
	b|c) echo shim ;;
	b+*|c+*) echo "shim+${1#?+}" ;;
	*) echo "$1" ;;
	esac
}

# bench_mode_events MODE: the event rule a session records ("" for none).
bench_mode_events() {
	case $(bench_mode_as_shim "$1") in
	shim+gil|shim+cs*) echo 'giltrace:gil_*' ;;
	shim+py*) echo 'giltrace:gil_*,giltrace:py_*,giltrace:thread_name' ;;
	nc+py*)
		# By name, not gil_* with an exclusion: lttng-sessiond 2.13.9
		# dies when `lttng list` (bench_session_discarded) shows one.
		echo 'giltrace:gil_identified,giltrace:gil_not_found,giltrace:gil_acquire_begin,giltrace:gil_wait_begin,giltrace:gil_wait_end,giltrace:gil_acquire_end,giltrace:gil_acquire_abandon,giltrace:gil_release,giltrace:gil_callsite,giltrace:py_*,giltrace:thread_name' ;;
	shim+all) echo 'giltrace:*' ;;
	ust+ev) echo 'lttng_ust_pthread:*' ;;
	design|design+wide) echo 'giltrace_bench:*' ;;
	*) echo "" ;;
	esac
}

# bench_mode_env MODE: extra environment of MODE's program, if any.
bench_mode_env() {
	case $(bench_mode_as_shim "$1") in
	shim+cs) echo "GILTRACE_CALLSITES=${BENCH_CALLSITES:-8}" ;;
	shim+cs[0-9]*) echo "GILTRACE_CALLSITES=${1#*+cs}" ;;
	shim+py[0-9]*|nc+py[0-9]*) echo "GILTRACE_PYFRAMES=${1#*+py}" ;;
	hold+[0-9]*) echo "HOLD_DELAY_NS=${1#hold+}" ;;
	design+wide) echo "DESIGN_WIDE=1" ;;
	*) echo "" ;;
	esac
}

# bench_rotate N WORD...: the words rotated left by N, so that paired
# runs do not always meet the machine in the same order.
bench_rotate() {
	local n=$1
	shift
	local words=("$@") i
	for ((i = 0; i < ${#words[@]}; i++)); do
		printf '%s ' "${words[$(((i + n) % ${#words[@]}))]}"
	done
	echo
}

bench_session_start() {
	local name=$1 trace=$2 events=$3 ctx c
	lttng create "$name" --output="$trace" >/dev/null ||
		bench_die "cannot create a tracing session"
	lttng enable-channel -u -s "$name" chan --buffers-"$BENCH_BUFFERS" \
		--subbuf-size="$BENCH_SUBBUF" --num-subbuf="$BENCH_NSUBBUF" >/dev/null ||
		bench_die "cannot create channel: subbuf=$BENCH_SUBBUF n=$BENCH_NSUBBUF buffers=$BENCH_BUFFERS"
	lttng enable-event -u -s "$name" -c chan "$events" >/dev/null
	ctx=()
	for c in $BENCH_CONTEXTS; do
		ctx+=(-t "$c")
	done
	[ ${#ctx[@]} -eq 0 ] || lttng add-context -u -s "$name" -c chan "${ctx[@]}" >/dev/null
	lttng start "$name" >/dev/null
}

# bench_session_discarded NAME: events the tracer discarded (after stop),
# as `lttng list` says; only a fallback, see bench/tracecount.c.
bench_session_discarded() {
	lttng list "$1" 2>/dev/null | awk '/Discarded events:/ { n += $3 } END { printf "%d\n", n }'
}

# bench_trace_counts DIR LIST_DISCARDED: "events N" and "discarded M"
# lines for the trace in DIR (bench/tracecount); with no trace there
# (nothing recorded), 0 events and the daemon's discarded count.
bench_trace_counts() {
	if ! "$GT_BUILDDIR/bench/tracecount" "$1" 2>/dev/null; then
		echo "events 0"
		echo "discarded $2"
	fi
}

# bench_run OUT MODE -- CMD...: run CMD once in MODE; write its "key
# value" output lines, its peak RSS, CPU time, voluntary context
# switches (a thread that blocks in the kernel: a GIL waiter that sleeps
# rather than finding the GIL free) and, when traced, the events
# recorded and discarded (BENCH_COUNT=0: discarded only, faster) to OUT.
bench_run() {
	local out=$1 mode=$2 preload events menv s trace listed rc=0
	shift 3
	preload=$(bench_mode_preload "$mode")
	events=$(bench_mode_events "$mode")
	menv=$(bench_mode_env "$mode")
	trace="$GT_TMP/trace"
	rm -rf "$trace"
	if [ -n "$events" ]; then
		s="bench$$-$RANDOM"
		bench_session_start "$s" "$trace" "$events"
	fi
	/usr/bin/time -f 'maxrss_kb %M\nuser_s %U\nsys_s %S\nvoluntary_switches %w' -o "$GT_TMP/time" \
		env ${preload:+LD_PRELOAD="$preload"} $menv "$@" >"$GT_TMP/stdout" 2>"$GT_TMP/stderr" || rc=$?
	if [ -n "$events" ]; then
		lttng stop "$s" >/dev/null
		listed=$(bench_session_discarded "$s")
		lttng destroy "$s" >/dev/null
		if [ "${BENCH_COUNT:-1}" = 0 ]; then
			echo "discarded $listed" >>"$GT_TMP/stdout"
		else
			bench_trace_counts "$trace" "$listed" >>"$GT_TMP/stdout"
		fi
	fi
	if [ $rc -ne 0 ]; then
		echo "bench: $mode: $* exited with status $rc:" >&2
		tail -3 "$GT_TMP/stderr" >&2
		return 1
	fi
	grep -v '^Command exited' "$GT_TMP/time" >>"$GT_TMP/stdout"
	cat "$GT_TMP/stdout" >"$out"
	rm -rf "$trace"
}

# bench_machine: one line naming the machine, for RESULTS.md.
bench_machine() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	printf '%s, %s CPUs (%s), %s, load %s' "$(uname -n)" "$(nproc)" "$cpu" \
		"$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
	# What a system call costs moves the ratios (bench/syscall_cost.c).
	[ ! -x "$GT_BUILDDIR/bench/syscall_cost" ] || printf '; %s' "$("$GT_BUILDDIR/bench/syscall_cost")"
}

# bench_append FILE TITLE: append FILE (a markdown table) to RESULTS.md
# under a heading with the date and the machine.
bench_append() {
	local file=$1 title=$2
	{
		echo
		echo "### $title — $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo
		echo "Machine: $(bench_machine). Commit: $(git -C "$BENCH_SRCDIR" rev-parse --short HEAD 2>/dev/null || echo unknown)."
		echo
		cat "$file"
	} >>"$BENCH_RESULTS"
}
