#!/bin/bash
# SPDX-License-Identifier: MIT
# Install what building and testing giltrace needs on Debian 12, then
# build it.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	build-essential autoconf automake libtool pkg-config
	liblttng-ust-dev lttng-tools liblttng-ctl-dev babeltrace2 libbabeltrace2-dev python3-bt2 jq
	libunwind-dev check python3 python3-dev util-linux
	mandoc libxml2-utils time procps
	clang libclang-rt-14-dev	# libFuzzer: tests/fuzz_gil_analysis.sh, tests/fuzz_trace.sh
	chromium
	nodejs	# tests/tracecompass_validate.sh runs the analysis's scripts
	ruby ocaml	# tests/e2e_ruby.sh, tests/e2e_ocaml.sh: other runtimes' big locks
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --prefix="$PWD/../_install"
make -j"$(nproc)"
