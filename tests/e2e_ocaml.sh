#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# OCaml 4's master lock (systhreads) on Debian's ocaml, under the shim:
# tests/ml/contention.ml, built here in native code and in bytecode
# (run by the stripped ocamlrun, systhreads in a stripped
# dllthreads.so), with a spinner stopped only by a tick and a yield,
# two threads calling Thread.yield in turns, and CPU-bound threads
# beside an I/O-bound one.  Each is recorded with every lock event and
# checked by gt_runtime_check (tests/lib/runtime_e2e.sh): output
# unchanged, the lock identified by blocking-section-hook as "OCaml"
# plus the version the compiler reports, the per-thread grammar, failed
# reacquisitions counted and equal to a count from the raw lock calls,
# the analyzer equal to babeltrace2's text.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/lttng.sh"
. "$here/lib/runtime_e2e.sh"
gt_lttng_private "$@"

[ "${GT_SANITIZERS:-no}" != yes ] || gt_skip "sanitizer build: OCaml's runtime is not instrumented"
command -v ocamlopt >/dev/null && command -v ocamlc >/dev/null ||
	gt_skip "the OCaml compilers are not installed (apt-get install ocaml)"
gt_need_checker
version=$(ocamlopt -version)
case $version in
4.*) ;;
*) gt_skip "OCaml $version: the master lock of systhreads is OCaml 4's" ;;
esac

build=$GT_TMP/ml
mkdir -p "$build"
cp "$here/ml/contention.ml" "$build/"
(cd "$build" &&
	ocamlopt -I +threads unix.cmxa threads.cmxa contention.ml -o contention.native &&
	ocamlc -I +threads unix.cma threads.cma contention.ml -o contention.byte) >"$build/log" 2>&1 ||
	gt_fail "cannot build the OCaml workload: $(tail -5 "$build/log")"

# The argument: about 200 us of work between two system calls of the
# I/O thread (native code runs it some 20 times faster).
gt_runtime_check ocaml-native blocking-section-hook "OCaml $version" "" -- \
	"$build/contention.native" 200000
gt_runtime_check ocaml-bytecode blocking-section-hook "OCaml $version" "" -- \
	"$build/contention.byte" 10000
echo "PASS: OCaml $version, native and bytecode"
