# Tests, by area: the shim, the analysis core and the trace reader,
# giltrace record, the views (report, picture, top, Trace Compass).
# check programs test pure logic; e2e scripts record real traces with a
# private LTTng session daemon (tests/lib/lttng.sh) and real interpreters.

# GT_VIEWS_CHECK: every recording a test makes with gt_record must look
# the same in every view (tests/lib/views.sh).
#
# No version manager's shims in the tests' PATH (pyenv's, rbenv's): a
# shim is a shell script that takes up to a second to start the
# interpreter it names, and the suite runs python3 for its checks some
# three hundred times.  The interpreters a test runs on purpose it names
# by their paths (gt_pythons).
AM_TESTS_ENVIRONMENT = GT_BUILDDIR=$(abs_top_builddir) GT_SRCDIR=$(abs_top_srcdir) \
	GT_SANITIZERS=$(enable_sanitizers) GT_PGO=$(pgo) GT_CC="$(CC)" GT_VIEWS_CHECK=1; \
	export GT_BUILDDIR GT_SRCDIR GT_SANITIZERS GT_PGO GT_CC GT_VIEWS_CHECK; \
	PATH=$$(printf '%s' "$$PATH" | tr ':' '\n' | grep -v '/shims$$' | paste -sd: -); export PATH;
# Every test's log ends with how long it took (tests/lib/slowest_tests.sh
# lists the slowest after each suite: CI's 90 minutes are shared).
LOG_DRIVER = $(SHELL) $(srcdir)/tests/lib/timed_test_driver.sh $(SHELL) $(top_srcdir)/build-aux/test-driver
EXTRA_DIST += tests/lib/timed_test_driver.sh tests/lib/slowest_tests.sh tests/lib/pythons.sh
EXTRA_DIST += tests/lib/lttng.sh tests/lib/giltrace.sh tests/lib/views.sh tests/lib/views_check.py tests/lib/regress.sh tests/lib/lttng_mi.py \
	tests/trace_check.py

# ---- First: the manual pages, and one recording end to end -------------
TESTS += tests/man_lint.sh tests/build_pgo.sh tests/e2e_smoke.sh
EXTRA_DIST += tests/man_lint.sh tests/build_pgo.sh tests/e2e_smoke.sh

# ---- The shim ----------------------------------------------------------

# The GIL state machine and identification, compiled from shim/ as they
# are, against a fake world (tests/shim_fakes.c) and a recording
# tracepoint provider (tests/shim_tp_recorder.h, force-included: see
# there); no LTTng is linked, no session daemon needed.  LTTNG_UST_CFLAGS
# only locates the empty <lttng/tracepoint-event.h> the provider header
# ends with.
check_PROGRAMS += tests/check_gil_tracker
tests_check_gil_tracker_SOURCES = tests/check_gil_tracker.c \
	tests/shim_fakes.c tests/shim_fakes.h tests/shim_tp_recorder.h \
	shim/gil_tracker.c shim/gil_compact.c shim/gil_identify.c shim/callsite_cache.c shim/callsite_events.c \
	shim/env_depth.c
tests_check_gil_tracker_CPPFLAGS = $(AM_CPPFLAGS) -include $(srcdir)/tests/shim_tp_recorder.h \
	-I$(top_srcdir) -I$(srcdir)/shim -I$(srcdir)/tracepoints $(LTTNG_UST_CFLAGS)
tests_check_gil_tracker_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_check_gil_tracker_LDADD = $(CHECK_LIBS)
TESTS += tests/check_gil_tracker
SANITIZER_TESTS += tests/check_gil_tracker

# When a name event counts as recorded (shim/tp_recording.c): the real
# tracepoints and LTTng-UST's RCU, probes connected by the test.
check_PROGRAMS += tests/check_tp_recording
tests_check_tp_recording_SOURCES = tests/check_tp_recording.c shim/tp_recording.c
tests_check_tp_recording_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/shim -I$(srcdir)/tracepoints $(LTTNG_UST_CFLAGS)
tests_check_tp_recording_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_tp_recording_LDADD = $(CHECK_LIBS) $(DL_LIBS)
TESTS += tests/check_tp_recording
SANITIZER_TESTS += tests/check_tp_recording

# The table of CPython layouts the shim reads frames by
# (shim/py_offsets_table.h) against every interpreter's headers present.
TESTS += tests/e2e_py_offsets.sh
EXTRA_DIST += tests/e2e_py_offsets.sh

# tests/progs/ are C programs that run a GIL protocol (or a hazard) and
# count by themselves; the e2e scripts record them under the shim with
# a private session daemon and compare with tests/trace_check.py.
# Keep functions in source order: the runtime-extent build places an
# exported decoy right before the GIL functions (tests/progs/gil_protocol.c).
GT_PROGS_CFLAGS = $(AM_CFLAGS) -fno-toplevel-reorder

check_PROGRAMS += tests/progs/gil_protocol tests/progs/gil_protocol_extent \
	tests/progs/gil_sem_protocol
tests_progs_gil_protocol_SOURCES = tests/progs/gil_protocol.c tests/progs/task_state.h tests/progs/progs_util.h
tests_progs_gil_protocol_CFLAGS = $(GT_PROGS_CFLAGS)
tests_progs_gil_protocol_extent_SOURCES = $(tests_progs_gil_protocol_SOURCES)
tests_progs_gil_protocol_extent_CPPFLAGS = $(AM_CPPFLAGS) -DGP_RUNTIME_EXTENT
tests_progs_gil_protocol_extent_CFLAGS = $(GT_PROGS_CFLAGS)
# _PyRuntime and the decoy are exported with their sizes, nothing else.
tests_progs_gil_protocol_extent_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--export-dynamic-symbol=_PyRuntime -Wl,--export-dynamic-symbol=take_gil
tests_progs_gil_sem_protocol_SOURCES = tests/progs/gil_sem_protocol.c tests/progs/task_state.h tests/progs/progs_util.h
tests_progs_gil_sem_protocol_CFLAGS = $(GT_PROGS_CFLAGS)
TESTS += tests/e2e_shim_protocol.sh
EXTRA_DIST += tests/e2e_shim_protocol.sh
TESTS += tests/e2e_idle_pending.sh
EXTRA_DIST += tests/e2e_idle_pending.sh

# Real CPython: every interpreter present, sub-interpreters too.
TESTS += tests/e2e_cpython.sh
EXTRA_DIST += tests/e2e_cpython.sh tests/py/contention.py tests/py/subinterp.py

# Hazards: what the shim must never change in a program.
check_PROGRAMS += tests/progs/hazard_errors tests/progs/hazard_cancel \
	tests/progs/hazard_signals tests/progs/hazard_fork_exec tests/progs/hazard_threads \
	tests/progs/hazard_ctor tests/progs/hazard_exit
tests_progs_hazard_exit_SOURCES = tests/progs/hazard_exit.c
tests_progs_hazard_errors_SOURCES = tests/progs/hazard_errors.c tests/progs/progs_util.h
tests_progs_hazard_cancel_SOURCES = tests/progs/hazard_cancel.c tests/progs/task_state.h tests/progs/progs_util.h
tests_progs_hazard_signals_SOURCES = tests/progs/hazard_signals.c tests/progs/task_state.h tests/progs/progs_util.h
tests_progs_hazard_fork_exec_SOURCES = tests/progs/hazard_fork_exec.c
tests_progs_hazard_threads_SOURCES = tests/progs/hazard_threads.c
tests_progs_hazard_ctor_SOURCES = tests/progs/hazard_ctor.c tests/progs/hazard_ctor.h
tests_progs_hazard_ctor_LDADD = tests/progs/libhazard_ctor.la
# -no-install: a real executable, not a libtool wrapper script (which
# would run a shell under the shim first).
tests_progs_hazard_ctor_LDFLAGS = $(AM_LDFLAGS) -no-install
check_LTLIBRARIES += tests/progs/libhazard_ctor.la
tests_progs_libhazard_ctor_la_SOURCES = tests/progs/libhazard_ctor.c tests/progs/hazard_ctor.h
# -rpath: a shared library (check_LTLIBRARIES are convenience archives otherwise).
tests_progs_libhazard_ctor_la_LDFLAGS = $(AM_LDFLAGS) -avoid-version -rpath $(abs_builddir)
if COND_COMPAT
check_PROGRAMS += tests/progs/hazard_compat_cond
tests_progs_hazard_compat_cond_SOURCES = tests/progs/hazard_compat_cond.c
endif
EXTRA_DIST += tests/progs/hazard_compat_cond.c
TESTS += tests/e2e_shim_hazards.sh
EXTRA_DIST += tests/e2e_shim_hazards.sh

# Programs the shim must not change, in any mode (issue 12): calls made
# in signal handlers, on small stacks, under the loader's lock, after a
# siglongjmp, and processes whose threads glibc starts itself.
check_PROGRAMS += tests/progs/hazard_context tests/progs/hazard_lifetime
tests_progs_hazard_context_SOURCES = tests/progs/hazard_context.c tests/progs/progs_util.h
tests_progs_hazard_context_LDADD = $(DL_LIBS)
tests_progs_hazard_lifetime_SOURCES = tests/progs/hazard_lifetime.c tests/progs/progs_util.h
tests_progs_hazard_lifetime_LDADD = -lrt
check_LTLIBRARIES += tests/progs/libhazard_ctor_wait.la
tests_progs_libhazard_ctor_wait_la_SOURCES = tests/progs/libhazard_ctor_wait.c
tests_progs_libhazard_ctor_wait_la_LDFLAGS = $(AM_LDFLAGS) -avoid-version -rpath $(abs_builddir)
TESTS += tests/e2e_shim_unchanged.sh
SANITIZER_TESTS += tests/e2e_shim_unchanged.sh
SANITIZER_TESTS += tests/e2e_idle_pending.sh
EXTRA_DIST += tests/e2e_shim_unchanged.sh

# Other runtimes' big locks: Ruby's GVL, OCaml's master lock, recorded
# on the real interpreters with every lock event.
TESTS += tests/e2e_ruby.sh tests/e2e_ocaml.sh
EXTRA_DIST += tests/e2e_ruby.sh tests/e2e_ocaml.sh tests/lib/runtime_e2e.sh \
	tests/lib/lock_oracle.py tests/rb/contention.rb tests/rb/midrun.rb tests/rb/ractors.rb \
	tests/ml/contention.ml \
	tests/ml/domains.ml

# A big lock reached through wrapper functions, named to the shim with
# GILTRACE_LOCK_FUNCS and GILTRACE_LOCK_WRAPPERS, counting by itself.
check_PROGRAMS += tests/progs/biglock_wrapped
tests_progs_biglock_wrapped_SOURCES = tests/progs/biglock_wrapped.c tests/progs/task_state.h tests/progs/progs_util.h
tests_progs_biglock_wrapped_CFLAGS = $(GT_PROGS_CFLAGS)
TESTS += tests/e2e_user_lock.sh
SANITIZER_TESTS += tests/e2e_user_lock.sh
EXTRA_DIST += tests/e2e_user_lock.sh

# Call sites end to end: a C extension holding the GIL, on every CPython.
TESTS += tests/e2e_callsites.sh
EXTRA_DIST += tests/e2e_callsites.sh tests/lib/callsites_check.py tests/py/gilhold.c \
	tests/py/callsites.py

# Python frames end to end, on every CPython: the frames at known calls,
# the code objects' names and line tables, threads' targets and names.
TESTS += tests/e2e_pyframes.sh
EXTRA_DIST += tests/e2e_pyframes.sh tests/lib/pyframes_check.py tests/py/pyframes_prog.py

# An interpreter whose layout is unknown: frames off with their reason,
# and the GIL events and the program as without frames.
TESTS += tests/e2e_pyframes_off.sh
EXTRA_DIST += tests/e2e_pyframes_off.sh tests/py/pyversion_fake.c tests/py/libpython_main.c

# Python functions, who made whom wait and thread names end to end: the
# same extension, held from known functions and lines, on every CPython.
TESTS += tests/e2e_pyfunctions.sh
TESTS += tests/e2e_py_exit.sh
EXTRA_DIST += tests/e2e_py_exit.sh tests/py/exit_blocked.py tests/py/exit_finalizing.py tests/py/exit_underscore.py
TESTS += tests/e2e_session_again.sh
EXTRA_DIST += tests/e2e_session_again.sh tests/py/session_again.py
EXTRA_DIST += tests/e2e_pyfunctions.sh tests/py/pyfunctions.py tests/lib/pyfunctions_check.py tests/lib/pyviews_check.py

# CPython's own thread tests with and without the shim: minutes of
# run time, so a target of its own that scripts/test.sh runs after
# make check (77 = skipped, reason printed).
check-regrtest: all
	@$(AM_TESTS_ENVIRONMENT) rc=0; $(srcdir)/tests/regrtest_compare.sh || rc=$$?; \
	test $$rc = 0 || test $$rc = 77
.PHONY: check-regrtest
EXTRA_DIST += tests/regrtest_compare.sh tests/lib/regrtest_results.py

# The whole suite again on Debian 13 and unstable, each in a chroot
# with its own packages, built there from this tree: tens of minutes
# the first time on a machine (debootstrap and the packages; the chroots
# are kept), so a target of its own that scripts/test.sh runs after the
# rest (77 = skipped, reason printed: not root).
check-distros:
	@rc=0; GT_DISTROS_LOGS=$(abs_top_builddir)/distros-logs $(srcdir)/scripts/check-distros.sh || rc=$$?; \
	test $$rc = 0 || test $$rc = 77
.PHONY: check-distros
EXTRA_DIST += scripts/check-distros.sh scripts/setup.sh

# ---- The analysis core and the trace reader ------------------------------

# The core against hand-built event sequences; call-site attribution.
check_PROGRAMS += tests/check_gil_analysis tests/check_callsite_table
tests_check_gil_analysis_SOURCES = tests/check_gil_analysis.c tests/core_lookup.h
tests_check_gil_analysis_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_gil_analysis_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_gil_analysis_LDADD = analyzer/libgilstate.la $(CHECK_LIBS)
tests_check_callsite_table_SOURCES = tests/check_callsite_table.c tests/core_lookup.h
tests_check_callsite_table_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_callsite_table_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_callsite_table_LDADD = analyzer/libgilstate.la $(CHECK_LIBS)
TESTS += tests/check_gil_analysis tests/check_callsite_table

# Compact cycles read as today's events: random histories compared
# report for report (links the report writers of giltrace-analyze).
check_PROGRAMS += tests/check_compact_cycles
tests_check_compact_cycles_SOURCES = tests/check_compact_cycles.c \
	analyzer/report_order.c analyzer/report_json.c analyzer/report_text.c
tests_check_compact_cycles_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_compact_cycles_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -I$(top_srcdir)/analyzer
tests_check_compact_cycles_LDADD = analyzer/libgilstate.la $(CHECK_LIBS) -lm
TESTS += tests/check_compact_cycles
SANITIZER_TESTS += tests/check_compact_cycles
SANITIZER_TESTS += tests/check_gil_analysis tests/check_callsite_table

# The Python side of the core: thread names, functions, who made whom wait.
check_PROGRAMS += tests/check_py_analysis
tests_check_py_analysis_SOURCES = tests/check_py_analysis.c tests/core_lookup.h
tests_check_py_analysis_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_py_analysis_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_py_analysis_LDADD = analyzer/libgilstate.la $(CHECK_LIBS)
TESTS += tests/check_py_analysis
SANITIZER_TESTS += tests/check_py_analysis

# Python line numbers: the line-table decoder at every byte offset of
# code compiled by each interpreter (tests/linetables/, committed; the
# interpreters are only needed to write them again).
check_PROGRAMS += tests/check_py_linetable
tests_check_py_linetable_SOURCES = tests/check_py_linetable.c
tests_check_py_linetable_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_py_linetable_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) \
	-DGT_LINETABLES_DIR='"$(abs_top_srcdir)/tests/linetables"'
tests_check_py_linetable_LDADD = analyzer/libgilstate.la $(CHECK_LIBS)
TESTS += tests/check_py_linetable
SANITIZER_TESTS += tests/check_py_linetable
EXTRA_DIST += tests/linetables tests/py/linetable_dump.py tests/py/linetable_sample.py \
	tests/py/linetable_sample3.py

# Ground truth: the GIL protocol programs' own counts, every lock's, and
# real CPython runs against an independent count from babeltrace2's text.
TESTS += tests/e2e_analyze_protocol.sh tests/e2e_analyze_locks.sh tests/e2e_analyze_cpython.sh
SANITIZER_TESTS += tests/e2e_analyze_protocol.sh tests/e2e_analyze_locks.sh
EXTRA_DIST += tests/e2e_analyze_protocol.sh tests/e2e_analyze_locks.sh tests/e2e_analyze_cpython.sh \
	tests/lib/gil_reference.py

# Python frames (py_code, pycode/pyinstr, thread names) read and reported
# exactly: a trace written to measure with the babeltrace2 bindings.
TESTS += tests/e2e_analyze_pyframes.sh
SANITIZER_TESTS += tests/e2e_analyze_pyframes.sh
EXTRA_DIST += tests/e2e_analyze_pyframes.sh tests/lib/pyframes_scenario.py tests/lib/ctf_giltrace.py

# Bad input of every kind; the committed corpus (tests/corpus/) against
# the reference counts, and its damaged traces (tests/corpus/regress/)
# against their documented status, in every program that reads them;
# a trace with events of kinds a newer giltrace writes, said in every view.
TESTS += tests/e2e_analyze_badinput.sh tests/e2e_analyze_corpus.sh tests/e2e_analyze_newer.sh
SANITIZER_TESTS += tests/e2e_analyze_badinput.sh tests/e2e_analyze_corpus.sh tests/e2e_analyze_newer.sh
EXTRA_DIST += tests/e2e_analyze_badinput.sh tests/e2e_analyze_corpus.sh tests/e2e_analyze_newer.sh tests/corpus

# Fuzzing, short runs (make fuzz runs them longer): the analysis core,
# then giltrace-analyze's whole path on damaged copies of the corpus,
# under the sanitizers.
TESTS += tests/fuzz_gil_analysis.sh tests/fuzz_trace.sh
EXTRA_DIST += tests/fuzz_gil_analysis.sh tests/fuzz_gil_analysis.c tests/fuzz_trace.sh tests/fuzz_trace.c tests/lib/fuzz_input.sh
CLEANFILES += tests/fuzz_gil_analysis tests/fuzz.log tests/fuzz_trace tests/fuzz-trace.log

# ---- giltrace record ------------------------------------------------------

# Exit status, Ctrl-C, session daemons, concurrent runs; the closing line
# through the trace reader (a sound trace, none, the damaged ones).
TESTS += tests/e2e_record_shell.sh tests/e2e_record_status.sh tests/e2e_record_sigint.sh tests/e2e_record_daemon.sh \
	tests/e2e_record_concurrent.sh tests/e2e_record_closing.sh
EXTRA_DIST += tests/e2e_record_shell.sh tests/e2e_record_status.sh tests/e2e_record_sigint.sh tests/e2e_record_daemon.sh \
	tests/e2e_record_concurrent.sh tests/e2e_record_closing.sh tests/lib/ctrl_c.py

# Faults: the daemon killed mid-run, buffers too small, children.
TESTS += tests/e2e_fault_sessiond_killed.sh tests/e2e_fault_small_buffers.sh tests/e2e_fault_children.sh
EXTRA_DIST += tests/e2e_fault_sessiond_killed.sh tests/e2e_fault_small_buffers.sh tests/e2e_fault_children.sh

# ---- The views ------------------------------------------------------------

# The timeline picture: its columns from the core's intervals (pure
# logic), rendered in Chromium, and giltrace report around it.
check_PROGRAMS += tests/check_timeline
tests_check_timeline_SOURCES = tests/check_timeline.c
tests_check_timeline_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_timeline_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_timeline_LDADD = frontend/libtimeline.la $(CHECK_LIBS)
TESTS += tests/check_timeline tests/timeline_render.sh tests/e2e_report.sh
SANITIZER_TESTS += tests/check_timeline
EXTRA_DIST += tests/timeline_render.sh tests/e2e_report.sh tests/lib/png_colors.py

# giltrace top: its intervals over the analysis core (pure logic), and
# end to end with a real relay daemon.
check_PROGRAMS += tests/check_top_view
tests_check_top_view_SOURCES = tests/check_top_view.c
tests_check_top_view_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_check_top_view_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_top_view_LDADD = frontend/libtopview.la $(CHECK_LIBS)
TESTS += tests/check_top_view tests/e2e_top.sh
SANITIZER_TESTS += tests/check_top_view
EXTRA_DIST += tests/e2e_top.sh tests/lib/top_check.py tests/py/gil_busy.py

# The Trace Compass analysis against Trace Compass's schemas.
TESTS += tests/tracecompass_validate.sh
EXTRA_DIST += tests/tracecompass_validate.sh tests/lib/tc_xml_run.py tests/lib/full_batch_scenario.py tracecompass/batch_patterns.py
