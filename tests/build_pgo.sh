#!/bin/bash
# SPDX-License-Identifier: MIT
# The shim was built with its training's profile wherever configure
# chose profile-guided optimisation: a training that fails lets the
# build go on without it (scripts/pgo_train.sh), this test does not.
set -euo pipefail
builddir=${GT_BUILDDIR:?run by make check}
if [ "${GT_PGO:-no}" != yes ]; then
	echo "SKIP: configured without profile-guided optimisation (./configure's notice says why)" >&2
	exit 77
fi
log=$builddir/shim/pgo-train.log
status=0
# The files of a GIL cycle's path: each must have counts from the
# training, which ran the paths of mutexes, condition variables,
# semaphores and Python frames.
for f in gil_tracker gil_compact py_frames py_code_names wrap_mutex wrap_cond wrap_sem; do
	if [ -z "$(ls "$builddir"/shim/pgo/*libgiltrace_la-$f.gcda 2>/dev/null)" ]; then
		echo "FAIL: no profile for shim/$f.c: the training did not run it (see $log)" >&2
		status=1
	fi
done
if [ ! "$builddir/shim/.libs/libgiltrace.so" -nt "$builddir/shim/pgo.stamp" ]; then
	echo "FAIL: shim/.libs/libgiltrace.so is older than its training (shim/pgo.stamp)" >&2
	status=1
fi
[ $status -eq 0 ] && echo "PASS: the shim is built with the profile of $(grep -c '^== ' "$log") training steps"
exit $status
