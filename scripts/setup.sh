#!/bin/bash
# SPDX-License-Identifier: MIT
# Install what building and testing giltrace needs on Debian 12, 13 or
# unstable, then build it.  Safe to run again.
#
#   scripts/setup.sh              install what is missing, then build
#   scripts/setup.sh --deps-only  install only (make check-distros runs
#                                 this inside each release's chroot)
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=0
[ "${1:-}" = --deps-only ] && deps_only=1

# The same names on every release; those that change from one release
# to the next are asked of apt and dpkg below, not written here.
packages=(
	build-essential autoconf automake libtool pkg-config
	liblttng-ust-dev lttng-tools liblttng-ctl-dev babeltrace2 libbabeltrace2-dev python3-bt2 jq
	libunwind-dev check python3 python3-dev util-linux
	mandoc libxml2-utils time procps
	clang	# libFuzzer: tests/fuzz_gil_analysis.sh, tests/fuzz_trace.sh (and its runtime, below)
	xz-utils	# tests/lib/fuzz_input.sh: a failing fuzzer input printed in the log
	chromium
	nodejs	# tests/tracecompass_validate.sh runs the analysis's scripts
	ruby ocaml	# tests/e2e_ruby.sh, tests/e2e_ocaml.sh: other runtimes' big locks
	debootstrap	# make check-distros: the suite on the later releases
	gdb	# tests/lib/lttng.sh gt_limited: the stacks of a run that hangs, in the test's log
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
updated=0

# install PKG...: those of PKG not installed yet, after one apt-get update.
install() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "setup: installing ${missing[*]}"
	if [ $updated = 0 ]; then
		$sudo apt-get update -q
		updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install "${packages[@]}"

# libFuzzer's runtime is in libclang-rt-N-dev, N the major version of
# the release's default clang (14 on Debian 12, 19 on 13): ask dpkg
# which clang the clang package brought.
clang_major=$(dpkg-query -W -f='${Depends}' clang | grep -o 'clang-[0-9]*' | head -1 | cut -d- -f2)
extra=("libclang-rt-$clang_major-dev")

# Every CPython the release ships besides its default one (unstable has
# several at once): the tests run on each, with its headers for their
# C extension.  Asked of apt's package lists.
for p in $(apt-cache pkgnames python3. 2>/dev/null | grep -E '^python3\.[0-9]+$' | sort -V); do
	# A name only in the lists of another release, or virtual, has no
	# candidate here.
	apt-cache policy "$p" "$p-dev" 2>/dev/null | grep -q 'Candidate: (none)' && continue
	apt-cache policy "$p" "$p-dev" 2>/dev/null | grep -c 'Candidate:' | grep -qx 2 || continue
	extra+=("$p" "$p-dev")
done
install "${extra[@]}"

[ $deps_only = 0 ] || exit 0

[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --prefix="$PWD/../_install"
make -j"$(nproc)"
