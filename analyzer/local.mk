# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace-analyze: the analysis core (pure C, also linked into the
# check tests and the fuzzer) and the program around it.

noinst_LTLIBRARIES += analyzer/libgilstate.la
analyzer_libgilstate_la_SOURCES = \
	analyzer/callsite_table.c analyzer/callsite_table.h \
	analyzer/gil_analysis.c analyzer/gil_analysis.h \
	analyzer/lock_state.c analyzer/lock_state.h \
	analyzer/hist.c analyzer/hist.h \
	analyzer/idmap.c analyzer/idmap.h \
	analyzer/json_write.c analyzer/json_write.h
analyzer_libgilstate_la_LIBADD = -lm

bin_PROGRAMS += analyzer/giltrace-analyze
analyzer_giltrace_analyze_SOURCES = \
	analyzer/analyze_main.c \
	analyzer/trace_read.c analyzer/trace_read.h \
	analyzer/isolate.c analyzer/isolate.h \
	analyzer/report_order.c analyzer/report.h \
	analyzer/report_text.c analyzer/report_json.c analyzer/report_csv.c
analyzer_giltrace_analyze_CFLAGS = $(AM_CFLAGS) $(BABELTRACE2_CFLAGS)
analyzer_giltrace_analyze_LDADD = analyzer/libgilstate.la $(BABELTRACE2_LIBS) -lm

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
