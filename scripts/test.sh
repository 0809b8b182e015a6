#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up, build and run the whole test suite: make check, make
# check-regrtest, make check-sanitizers (a second build), then make
# check-distros (the suite again in Debian 13 and unstable chroots).
# GT_CHECK_DISTROS=0 leaves the last out (a developer's quick run: it
# needs root and, the first time on a machine, the network).
set -euo pipefail
cd "$(dirname "$0")/.."
distros=${GT_CHECK_DISTROS:-1}
./scripts/setup.sh

# The chroots make check-distros needs are built meanwhile, in the
# background: on a fresh machine that is debootstrap and the packages of
# two releases, about 3.5 minutes of mostly waiting for the network and
# dpkg (check-distros.sh keeps them for later runs; when they are kept
# already this ends at once).  In a session of its own so that a
# failure below ends it and everything it started.
chroots=
if [ "$distros" = 1 ]; then
	mkdir -p build/distros-logs
	setsid env GT_DISTROS_LOGS="$PWD/build/distros-logs" ./scripts/check-distros.sh --chroots-only \
		>build/distros-logs/chroots.log 2>&1 </dev/null &
	chroots=$!
	trap '[ -z "$chroots" ] || kill -TERM -- -"$chroots" 2>/dev/null || true' EXIT
fi

cd build
make -j"$(nproc)" check || { tail -200 test-suite.log 2>/dev/null; exit 1; }
sh ../tests/lib/slowest_tests.sh tests

# CPython's own thread tests with and without the shim (2.7, 3.11, 3.13).
make check-regrtest

# Our own C code again under AddressSanitizer and UndefinedBehaviorSanitizer.
cd ..
mkdir -p build-sanitizers
cd build-sanitizers
[ -f Makefile ] || ../configure --enable-sanitizers
make -j"$(nproc)"
make -j"$(nproc)" check-sanitizers || { tail -200 test-suite.log 2>/dev/null; exit 1; }
sh ../tests/lib/slowest_tests.sh tests

# The same suite on Debian 13 and unstable, each in a chroot of its own
# with that release's packages (scripts/check-distros.sh; the chroots
# are kept under /var/cache/giltrace-chroots for the next run).  A
# chroot the background job could not build is tried again here, and
# fails the run with its reason if it still cannot be.
[ "$distros" = 1 ] || exit 0
cd ../build
rc=0
wait "$chroots" || rc=$?
chroots=
cat distros-logs/chroots.log
[ $rc = 0 ] || [ $rc = 77 ] || echo "test.sh: the chroots could not all be built in the background (status $rc); make check-distros tries again"
make check-distros
