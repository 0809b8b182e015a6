# Tests: check programs for pure logic, e2e scripts recording real traces
# with a private LTTng session daemon (tests/lib/lttng.sh).

AM_TESTS_ENVIRONMENT = GT_BUILDDIR=$(abs_top_builddir) GT_SRCDIR=$(abs_top_srcdir) \
	GT_SANITIZERS=$(enable_sanitizers) GT_CC="$(CC)"; \
	export GT_BUILDDIR GT_SRCDIR GT_SANITIZERS GT_CC;

TESTS += tests/e2e_smoke.sh
EXTRA_DIST += tests/lib/lttng.sh tests/e2e_smoke.sh

# Manual pages (lead).
TESTS += tests/man_lint.sh
EXTRA_DIST += tests/man_lint.sh

# Analyzer: the analysis core against hand-built event sequences.
check_PROGRAMS += tests/check_gil_state
tests_check_gil_state_SOURCES = tests/check_gil_state.c
tests_check_gil_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_gil_state_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_gil_state_LDADD = analyzer/libgilstate.la $(CHECK_LIBS)
TESTS += tests/check_gil_state
SANITIZER_TESTS += tests/check_gil_state

# Fault tests (lead): daemon killed mid-run, buffers too small, children.
TESTS += tests/e2e_fault_sessiond_killed.sh tests/e2e_fault_small_buffers.sh tests/e2e_fault_children.sh
EXTRA_DIST += tests/e2e_fault_sessiond_killed.sh tests/e2e_fault_small_buffers.sh tests/e2e_fault_children.sh

# Analyzer end to end: real CPython runs checked against an independent
# count from babeltrace2's text; bad input of every kind.
TESTS += tests/e2e_analyze_cpython.sh tests/e2e_analyze_badinput.sh
SANITIZER_TESTS += tests/e2e_analyze_badinput.sh
EXTRA_DIST += tests/e2e_analyze_cpython.sh tests/e2e_analyze_badinput.sh tests/lib/gil_reference.py

# ---- Shim tests: GIL protocol programs, hazards, real CPython -------
# tests/progs/ are C programs that run a GIL protocol (or a hazard) and
# count by themselves; the e2e scripts record them under the shim with
# a private session daemon and compare with tests/trace_check.py.

# Keep functions in source order: the runtime-extent build places an
# exported decoy right before the GIL functions (tests/progs/gil_protocol.c).
GT_PROGS_CFLAGS = $(AM_CFLAGS) -fno-toplevel-reorder

check_PROGRAMS += tests/progs/gil_protocol tests/progs/gil_protocol_extent \
	tests/progs/gil_sem_protocol
tests_progs_gil_protocol_SOURCES = tests/progs/gil_protocol.c tests/progs/task_state.h
tests_progs_gil_protocol_CFLAGS = $(GT_PROGS_CFLAGS)
tests_progs_gil_protocol_extent_SOURCES = $(tests_progs_gil_protocol_SOURCES)
tests_progs_gil_protocol_extent_CPPFLAGS = $(AM_CPPFLAGS) -DGP_RUNTIME_EXTENT
tests_progs_gil_protocol_extent_CFLAGS = $(GT_PROGS_CFLAGS)
# _PyRuntime and the decoy are exported with their sizes, nothing else.
tests_progs_gil_protocol_extent_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--export-dynamic-symbol=_PyRuntime -Wl,--export-dynamic-symbol=take_gil
tests_progs_gil_sem_protocol_SOURCES = tests/progs/gil_sem_protocol.c tests/progs/task_state.h
tests_progs_gil_sem_protocol_CFLAGS = $(GT_PROGS_CFLAGS)

TESTS += tests/e2e_shim_protocol.sh
EXTRA_DIST += tests/trace_check.py tests/e2e_shim_protocol.sh

# Analyzer fuzzing: a short libFuzzer run over the analysis core
# (make fuzz runs it longer).
TESTS += tests/fuzz_gil_state.sh
EXTRA_DIST += tests/fuzz_gil_state.sh tests/fuzz_gil_state.c
CLEANFILES += tests/fuzz_gil_state tests/fuzz.log

# Analyzer ground truth: the GIL protocol programs' own counts.
TESTS += tests/e2e_analyze_protocol.sh
SANITIZER_TESTS += tests/e2e_analyze_protocol.sh
EXTRA_DIST += tests/e2e_analyze_protocol.sh
TESTS += tests/e2e_analyze_locks.sh
SANITIZER_TESTS += tests/e2e_analyze_locks.sh
EXTRA_DIST += tests/e2e_analyze_locks.sh

TESTS += tests/e2e_cpython.sh
EXTRA_DIST += tests/e2e_cpython.sh tests/py/contention.py tests/py/subinterp.py
