# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# giltrace-analyze: the analysis core (pure C, also linked into the
# check tests and the fuzzer) and the program around it.

noinst_LTLIBRARIES += analyzer/libgilstate.la
analyzer_libgilstate_la_SOURCES = \
	analyzer/gil_state.c analyzer/gil_state.h \
	analyzer/lock_state.c analyzer/lock_state.h \
	analyzer/hist.c analyzer/hist.h \
	analyzer/idmap.c analyzer/idmap.h
analyzer_libgilstate_la_LIBADD = -lm
