#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# Ruby's GVL on Debian's ruby (3.1, stripped to its dynamic symbols),
# under the shim: tests/rb/contention.rb (a spinner stopped only by a
# time-slice timeout and a yield, two threads passing the GVL with
# Thread.pass, CPU-bound threads beside an I/O-bound one) recorded with
# every lock event, and checked by gt_runtime_check
# (tests/lib/runtime_e2e.sh): output unchanged, the GVL identified by
# thread-start as "Ruby" plus the version Ruby itself reports, the
# per-thread grammar, failed reacquisitions counted and equal to a count
# from the raw lock calls, the analyzer equal to babeltrace2's text.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
. "$here/lib/runtime_e2e.sh"
gt_lttng_private "$@"

[ "${GT_SANITIZERS:-no}" != yes ] || gt_skip "sanitizer build: Ruby is not instrumented"
command -v ruby >/dev/null || gt_skip "ruby is not installed (apt-get install ruby)"
/usr/bin/python3 -c 'import bt2' 2>/dev/null ||
	gt_skip "the libbabeltrace2 Python bindings are missing (apt-get install python3-bt2)"
command -v jq >/dev/null || gt_skip "jq is missing (apt-get install jq)"
version=$(ruby -e 'print RUBY_VERSION')
case $version in
3.1.*) ;;
*) gt_skip "Ruby $version: the GVL recognition follows Ruby 3.1's thread_pthread.c (Debian 12)" ;;
esac

# rb_global_vm_lock_t: switch_cond and switch_wait_cond, 72 and 120
# bytes after the GVL's mutex on x86-64.
case $(uname -m) in
x86_64) handover=72,120 ;;
*) gt_skip "the hand-over condition variables' offsets are known for x86-64 only" ;;
esac

# 10000: about 200 us of work between two system calls of the I/O thread.
gt_runtime_check ruby thread-start "Ruby $version" "$handover" -- \
	ruby "$here/rb/contention.rb" 10000
echo "PASS: Ruby $version"
