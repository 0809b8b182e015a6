# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace-analyze: the analysis core (pure C, also linked into the
# check tests and the fuzzer), the trace reader library (libbabeltrace2,
# also linked into giltrace and bench/tracecount) and the program around
# them.

noinst_LTLIBRARIES += analyzer/libgilstate.la
analyzer_libgilstate_la_SOURCES = \
	analyzer/callsite_table.c analyzer/callsite_table.h \
	analyzer/gil_analysis.c analyzer/gil_analysis.h \
	analyzer/lock_state.c analyzer/lock_state.h \
	analyzer/hist.c analyzer/hist.h \
	analyzer/idmap.c analyzer/idmap.h \
	analyzer/json_write.c analyzer/json_write.h \
	analyzer/py_linetable.c analyzer/py_linetable.h \
	analyzer/py_code_table.c analyzer/py_code_table.h \
	analyzer/py_functions.c analyzer/py_functions.h \
	analyzer/py_blockers.c analyzer/py_blockers.h \
	analyzer/trace_stats.c
analyzer_libgilstate_la_LIBADD = -lm

# Reading traces (analyzer/trace_reader.h): finding them, checking their
# metadata, decoding the giltrace events, the offline and live graphs,
# and the child process that outlives libbabeltrace2's crashes.
noinst_LTLIBRARIES += analyzer/libtracereader.la
analyzer_libtracereader_la_SOURCES = \
	analyzer/trace_reader.h \
	analyzer/trace_error.c analyzer/trace_error.h \
	analyzer/trace_find.c \
	analyzer/trace_metadata.c analyzer/trace_metadata.h \
	analyzer/trace_decode.c analyzer/trace_decode.h \
	analyzer/trace_graph.c analyzer/trace_graph.h \
	analyzer/trace_live.c \
	analyzer/trace_isolate.c analyzer/trace_isolate.h
analyzer_libtracereader_la_CFLAGS = $(AM_CFLAGS) $(BABELTRACE2_CFLAGS)
analyzer_libtracereader_la_LIBADD = analyzer/libgilstate.la $(BABELTRACE2_LIBS)

bin_PROGRAMS += analyzer/giltrace-analyze
analyzer_giltrace_analyze_SOURCES = \
	analyzer/analyze_main.c \
	analyzer/report_order.c analyzer/report.h \
	analyzer/report_text.c analyzer/report_json.c analyzer/report_csv.c
analyzer_giltrace_analyze_LDADD = analyzer/libtracereader.la analyzer/libgilstate.la -lm

# make fuzz: fuzz the analysis core, then the whole program on damaged
# real traces (tests/fuzz_trace.sh), for FUZZ_SECONDS each, keeping the
# corpora in the build tree.  Other fuzz targets can join with
# "fuzz: their-target".
FUZZ_SECONDS = 300
fuzz: fuzz-gil-analysis fuzz-trace
fuzz-gil-analysis:
	GT_BUILDDIR=$(abs_top_builddir) GT_SRCDIR=$(abs_top_srcdir) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		FUZZ_CORPUS=$(abs_top_builddir)/tests/fuzz-corpus $(SHELL) $(srcdir)/tests/fuzz_gil_analysis.sh
fuzz-trace:
	GT_BUILDDIR=$(abs_top_builddir) GT_SRCDIR=$(abs_top_srcdir) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		FUZZ_CORPUS=$(abs_top_builddir)/tests/fuzz-trace-corpus $(SHELL) $(srcdir)/tests/fuzz_trace.sh
.PHONY: fuzz fuzz-gil-analysis fuzz-trace
