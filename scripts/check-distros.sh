#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# make check-distros: the test suite on the Debian releases after the
# one CI's machine runs (13 "trixie" and unstable "sid"), each in a
# debootstrapped chroot with that release's own packages (LTTng,
# Babeltrace, its CPythons, Ruby, OCaml, gcc, glibc).  Per release:
#
#  1. the chroot: debootstrap, then scripts/setup.sh --deps-only inside.
#     Kept under $GT_CHROOT_CACHE, named by the release and a hash of
#     what setup.sh installs, and built again when setup.sh changes or
#     the chroot is older than $GT_CHROOT_MAX_AGE days (the releases
#     move on); setup.sh runs again at every use, installing only what
#     is missing.
#  2. a copy of this tree (the files git knows, with uncommitted
#     changes; the whole tree when it is not a git checkout), configured
#     with the release's autotools, built out of tree, make check.
#     The build must print no compiler warning.
#
# With --chroots-only, step 1 only, for every release at once (the
# time is the network's and dpkg's, not the CPUs'): scripts/test.sh
# runs that in the background while the host's own suite runs, so that
# a fresh machine does not wait for it afterwards.
#
# Everything of a run (the mounts, the copy, the build, /tmp) lives in
# a mount namespace of its own, gone when the release is done; the logs
# are copied out to $GT_DISTROS_LOGS.  Needs root (debootstrap, chroot,
# the tests' private session daemons); prints one line per release and
# exits 1 if any failed, 77 if none could be tried.
#
# Environment: GT_DISTROS (default "trixie sid"), GT_CHROOT_CACHE
# (/var/cache/giltrace-chroots), GT_CHROOT_MAX_AGE (7), GT_DEBIAN_MIRROR
# (http://deb.debian.org/debian), GT_DISTROS_LOGS (./distros-logs),
# GT_DISTROS_JOBS (make -j, default nproc).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
distros=${GT_DISTROS:-trixie sid}
cache=${GT_CHROOT_CACHE:-/var/cache/giltrace-chroots}
max_age=${GT_CHROOT_MAX_AGE:-7}
mirror=${GT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
logs=$(mkdir -p "${GT_DISTROS_LOGS:-distros-logs}" && cd "${GT_DISTROS_LOGS:-distros-logs}" && pwd)
jobs=${GT_DISTROS_JOBS:-$(nproc)}

say() { echo "check-distros: $*"; }

chroots_only=0
case ${1:-} in
--chroots-only) chroots_only=1 ;;
"") ;;
*) echo "usage: $0 [--chroots-only]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (debootstrap, chroot, mounts)" >&2
	exit 77
fi
for c in debootstrap unshare chroot; do
	command -v $c >/dev/null || { say "SKIP: $c is missing (scripts/setup.sh installs it)" >&2; exit 77; }
done

# What a chroot is made of: a change to any of it makes a new one.
recipe() {
	echo "debootstrap minbase $1 $mirror"
	cat "$src/scripts/setup.sh"
}

# make_chroot RELEASE DIR: a fresh chroot of RELEASE in DIR, with the
# packages setup.sh installs.
make_chroot() {
	local rel=$1 dir=$2
	rm -rf "$dir"
	debootstrap --variant=minbase "$rel" "$dir" "$mirror" >"$logs/$rel.debootstrap.log" 2>&1 || {
		tail -20 "$logs/$rel.debootstrap.log" >&2
		return 1
	}
	# unstable's Release files are valid a week and the cache may be
	# older; no service is started in the chroot (lttng-tools ships
	# lttng-sessiond's): the tests start their own private daemons.
	cat >"$dir/etc/apt/apt.conf.d/99giltrace" <<-'EOF'
	Acquire::Check-Valid-Until "false";
	Acquire::Retries "3";
	APT::Install-Recommends "false";
	EOF
	# A chroot that is thrown away when the machine stops needs no
	# fsync after every file dpkg unpacks (twice as fast on a slow disk).
	echo force-unsafe-io >"$dir/etc/dpkg/dpkg.cfg.d/99giltrace-unsafe-io"
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod +x "$dir/usr/sbin/policy-rc.d"
	in_chroot "$dir" "" "" true
}

# in_chroot DIR SRC LOGS CMD...: run CMD in the chroot DIR, in a mount
# namespace of its own with /proc, /sys, /dev and fresh tmpfs /dev/shm,
# /run and /tmp; /work is a tmpfs too, SRC (when not empty) is copied
# to /work/src and LOGS (when not empty) is /work/logs.  setup.sh
# --deps-only runs first.
in_chroot() {
	local dir=$1 from=$2 logdir=$3
	shift 3
	unshare --mount --propagation private -- /bin/bash -s "$dir" "$from" "$logdir" "$src" "$@" <<-'EOS'
	set -euo pipefail
	dir=$1 from=$2 logdir=$3 src=$4
	shift 4
	# The chroot's root must be a mount point of its own, or the tests'
	# unshare --propagation private fails inside it.
	mount --bind "$dir" "$dir"
	mount -t proc proc "$dir/proc"
	mount --rbind /sys "$dir/sys"
	mount --rbind /dev "$dir/dev"
	mount -t tmpfs -o mode=1777 tmpfs "$dir/dev/shm"
	mount -t tmpfs tmpfs "$dir/run"
	mount -t tmpfs -o mode=1777 tmpfs "$dir/tmp"
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	mkdir -p "$dir/work" "$dir/root/setup/scripts"
	mount -t tmpfs tmpfs "$dir/work"
	cp "$src/scripts/setup.sh" "$dir/root/setup/scripts/"
	# Trace Compass's schema, where tests/tracecompass_validate.sh looks
	# for it beside the tree (../shared), when the host has it there.
	if [ -n "$from" ] && [ -d "$from/../shared/tracecompass/schema" ]; then
		mkdir -p "$dir/work/shared/tracecompass"
		cp -r "$from/../shared/tracecompass/schema" "$dir/work/shared/tracecompass/"
	fi
	if [ -n "$logdir" ]; then
		mkdir -p "$dir/work/logs"
		mount --bind "$logdir" "$dir/work/logs"
	fi
	if [ -n "$from" ]; then
		mkdir "$dir/work/src"
		if git -C "$from" rev-parse --git-dir >/dev/null 2>&1; then
			(cd "$from" && git ls-files -z --cached --others --exclude-standard |
				xargs -0 tar --no-recursion -cf - 2>/dev/null) | tar -xf - -C "$dir/work/src"
		else
			tar -cf - -C "$from" --exclude='./build*' --exclude=./_install . | tar -xf - -C "$dir/work/src"
		fi
	fi
	run() {
		chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	}
	run /bin/bash /root/setup/scripts/setup.sh --deps-only
	run "$@"
	EOS
}

# chroot_for RELEASE: the path of an up-to-date chroot of RELEASE.
chroot_for() {
	local rel=$1 key dir old
	key=$(recipe "$rel" | sha256sum | cut -c1-12)
	dir=$cache/$rel-$key
	if [ -d "$dir" ] && [ -e "$dir/.giltrace-ready" ] &&
		[ -z "$(find "$dir/.giltrace-ready" -mtime +"$max_age")" ]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$cache"
	for old in "$cache/$rel"-*; do
		[ -e "$old" ] || continue
		say "$rel: removing the old chroot $old" >&2
		rm -rf "$old"
	done
	say "$rel: building a chroot in $dir (debootstrap, then setup.sh)" >&2
	local t0=$SECONDS
	make_chroot "$rel" "$dir.new" >"$logs/$rel.chroot.log" 2>&1 || {
		tail -30 "$logs/$rel.chroot.log" >&2
		return 1
	}
	mv "$dir.new" "$dir"
	touch "$dir/.giltrace-ready"
	say "$rel: chroot built in $((SECONDS - t0)) s" >&2
	echo "$dir"
}

# The build and the suite inside the chroot, the logs in /work/logs
# (the host's $logs/RELEASE).  A compiler warning fails the build.
suite='
set -u
cd /work/src
rc=0
{ autoreconf -fi && mkdir /work/build && cd /work/build && ../src/configure --prefix=/work/_install &&
	make -j"$1" && make -j"$1" check TESTS=; } >/work/logs/build.log 2>&1 || rc=$?
if [ $rc = 0 ] && grep -E "warning:" /work/logs/build.log >/work/logs/warnings.log; then
	echo "compiler warnings:" >&2
	cat /work/logs/warnings.log >&2
	rc=1
fi
if [ $rc = 0 ]; then
	cd /work/build
	make -j"$1" check >/work/logs/check.log 2>&1 || rc=$?
	cp -f test-suite.log /work/logs/
	cp -f --parents tests/*.log /work/logs/ 2>/dev/null
	cp -f --parents tests/fuzz-trace-* tests/fuzz-crash-* /work/logs/ 2>/dev/null || true	# failing fuzzer inputs
else
	tail -40 /work/logs/build.log >&2
fi
exit $rc
'

# counts LOGDIR: automake's totals of the release's make check, and the
# reason each skipped test gave.
counts() {
	local l=$1/check.log t lines
	[ -f "$l" ] || { echo "no make check"; return 0; }
	sed -n 's/^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\): *\([0-9]*\)/\1 \2/p' "$l" | tr '\n' ' '
	echo
	sh "$src/tests/lib/slowest_tests.sh" "$1" 5 | sed 's/^/  /'
	for t in $(sed -n 's/^SKIP: //p' "$l"); do
		echo "  skipped $t: $(grep -h '^SKIP: ' "$1/$t.log" 2>/dev/null | tail -1 | cut -c7-)"
	done
	# Every FAIL line a failed test printed (its cases'), not only its
	# summary, or its log's last line if it printed none: CI shows this
	# and not the logs.
	for t in $(sed -n 's/^\(FAIL\|ERROR\): //p' "$l"); do
		echo "  failed $t:"
		lines=$(grep -h '^FAIL: ' "$1/$t.log" 2>/dev/null | head -8 | cut -c7- || true)
		[ -n "$lines" ] || lines=$(tail -1 "$1/$t.log" 2>/dev/null || true)
		echo "$lines" | cut -c1-300 | sed 's/^/    /'
		# A fuzzer's failing input, whole: the chroot's build tree is
		# gone after the run (tests/lib/fuzz_input.sh).
		grep -h 'FUZZ-INPUT ' "$1/$t.log" 2>/dev/null | head -2 | sed 's/^.*FUZZ-INPUT /    FUZZ-INPUT /' || true
	done
	return 0
}

# --chroots-only: every release's chroot at once, one line each.
if [ $chroots_only = 1 ]; then
	failed=0
	pids=()
	for rel in $distros; do
		(t0=$SECONDS; chroot_for "$rel" >/dev/null && say "$rel: chroot ready after $((SECONDS - t0)) s") &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || failed=1
	done
	exit $failed
fi

summary=()
failed=0
t_all=$SECONDS
for rel in $distros; do
	t0=$SECONDS
	if ! dir=$(chroot_for "$rel"); then
		summary+=("$rel: FAIL: no chroot (logs in $logs)")
		failed=1
		continue
	fi
	t1=$SECONDS
	rm -rf "${logs:?}/$rel"
	mkdir -p "$logs/$rel"
	say "$rel: building and testing in $dir"
	rc=0
	in_chroot "$dir" "$src" "$logs/$rel" /bin/bash -c "$suite" _ "$jobs" >"$logs/$rel.run.log" 2>&1 || rc=$?
	result=PASS
	[ $rc = 0 ] || { result=FAIL; failed=1; tail -40 "$logs/$rel.run.log" >&2; }
	summary+=("$rel: $result: chroot $((t1 - t0)) s, build and suite $((SECONDS - t1)) s: $(counts "$logs/$rel")")
done
for line in "${summary[@]}"; do
	say "$line"
done
say "all releases in $((SECONDS - t_all)) s; logs in $logs"
exit $failed
