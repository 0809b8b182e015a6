#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# OCaml's master lock (systhreads) on the distribution's ocaml, under the
# shim: tests/ml/contention.ml, built here in native code and in
# bytecode (run by the stripped ocamlrun, systhreads in a stripped
# dllthreads.so), with a spinner stopped only by a tick and a yield,
# two threads calling Thread.yield in turns, and CPU-bound threads
# beside an I/O-bound one.  Each is recorded with every lock event and
# checked by gt_runtime_check (tests/lib/runtime_e2e.sh): output
# unchanged, the lock identified (OCaml 4: by blocking-section-hook;
# OCaml 5: by domain-lock) as "OCaml" plus the version the compiler
# reports, the per-thread grammar, failed reacquisitions counted and
# equal to a count from the raw lock calls, the analyzer equal to
# babeltrace2's text.  OCaml 5 has one master lock per domain:
# tests/ml/domains.ml runs the same contention in three domains, native
# and bytecode, and each domain's lock must be found (the main one's by
# domain-lock, the others' where it was locked: callsite-learned) and
# counted so, on its own.
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
4.*)
	method=blocking-section-hook
	libs="-I +threads"
	;;
*)
	method=domain-lock
	# OCaml 5 moved unix and threads out of the standard library's
	# directory.
	libs="-I +unix -I +threads"
	;;
esac

build=$GT_TMP/ml
mkdir -p "$build"
cp "$here/ml/contention.ml" "$here/ml/domains.ml" "$build/"
(cd "$build" &&
	ocamlopt $libs unix.cmxa threads.cmxa contention.ml -o contention.native &&
	ocamlc $libs unix.cma threads.cma contention.ml -o contention.byte) >"$build/log" 2>&1 ||
	gt_fail "cannot build the OCaml workload: $(tail -5 "$build/log")"

# The argument: about 200 us of work between two system calls of the
# I/O thread (native code runs it some 20 times faster).
gt_runtime_check ocaml-native $method "OCaml $version" "" -- \
	"$build/contention.native" 200000
# Its failed reacquisitions are counted and must equal the lock calls',
# but need not occur: a CI machine busy with other work once had none
# in bytecode (and 65 in native code, some 120 on a quiet machine).
# The native case above keeps the count from passing vacuously.
GT_MIN_FAILED=0 gt_runtime_check ocaml-bytecode $method "OCaml $version" "" -- \
	"$build/contention.byte" 10000
case $version in
4.*)
	echo "PASS: OCaml $version, native and bytecode (domains are OCaml 5's)"
	exit 0
	;;
esac

(cd "$build" &&
	ocamlopt $libs unix.cmxa threads.cmxa domains.ml -o domains.native &&
	ocamlc $libs unix.cma threads.cma domains.ml -o domains.byte) >"$build/log" 2>&1 ||
	gt_fail "cannot build the OCaml domains workload: $(tail -5 "$build/log")"
# Three domains' lock calls, their garbage collections' included, outrun
# the buffers: gt_runtime_check records blocking, so LTTng-UST waits for
# room instead of discarding events.
GT_GILS=3 gt_runtime_check ocaml-domains-native domain-lock,callsite-learned "OCaml $version" "" -- \
	"$build/domains.native" 3 200000
GT_GILS=3 gt_runtime_check ocaml-domains-bytecode domain-lock,callsite-learned "OCaml $version" "" -- \
	"$build/domains.byte" 3 10000
echo "PASS: OCaml $version, native and bytecode, one domain and three"
