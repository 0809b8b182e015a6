#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The suite's LOG_DRIVER (tests/local.mk): automake's test-driver, given
# as this script's arguments and run unchanged, then one line at the end
# of the test's log saying how long it took ("# took N s").  CI has 90
# minutes for the whole suite on three releases; tests/lib/slowest_tests.sh
# reads these lines to show where they go.  Exit status: the driver's.
log=
prev=
for arg in "$@"; do
	case $prev:$arg in
	--log-file:*) log=$arg ;;
	*:--log-file=*) log=${arg#--log-file=} ;;
	esac
	prev=$arg
done
start=$(date +%s)
"$@"
rc=$?
[ -z "$log" ] || [ ! -f "$log" ] || echo "# took $(($(date +%s) - start)) s" >>"$log"
exit $rc
