# giltrace(1): the front end (record, report and the timeline picture),
# and the Trace Compass analysis it ships.

bin_PROGRAMS += frontend/giltrace

# The timeline and its renderer: pure C views of the analysis core, so
# the unit tests link them too.
noinst_LTLIBRARIES += frontend/libtimeline.la
frontend_libtimeline_la_SOURCES = \
	frontend/timeline.c frontend/timeline.h \
	frontend/render.c frontend/render.h
frontend_libtimeline_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
frontend_libtimeline_la_LIBADD = analyzer/libgilstate.la -lm

# giltrace top's figures per interval: pure C on the analysis core, so
# the unit tests link it too.
noinst_LTLIBRARIES += frontend/libtopview.la
frontend_libtopview_la_SOURCES = frontend/top_view.c frontend/top_view.h
frontend_libtopview_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
frontend_libtopview_la_LIBADD = analyzer/libgilstate.la

frontend_giltrace_SOURCES = \
	frontend/giltrace_main.c frontend/frontend.h \
	frontend/cmd_record.c frontend/cmd_report.c \
	frontend/child.c frontend/child.h \
	frontend/daemon.c frontend/daemon.h \
	frontend/descendants.c frontend/descendants.h \
	frontend/session.c frontend/session.h \
	frontend/sessiond.c frontend/sessiond.h \
	frontend/signals.c frontend/signals.h \
	frontend/util.c frontend/util.h \
	frontend/cmd_top.c frontend/top_replay.c frontend/top_replay.h \
	frontend/relayd.c frontend/relayd.h

# Installed locations giltrace looks for; override at build time with
# e.g. "make giltrace_shim_path=/opt/giltrace/libgiltrace.so", and at
# run time with GILTRACE_SHIM, GILTRACE_ANALYZE, GILTRACE_UST_FORK,
# GILTRACE_UST_FD, GILTRACE_UST_DL and GILTRACE_SESSIOND (the tests point them into the
# build tree).
giltrace_shim_path = $(pkglibdir)/libgiltrace.so
giltrace_analyze_path = $(bindir)/giltrace-analyze
giltrace_ust_fork_path = $(LTTNG_UST_LIBDIR)/liblttng-ust-fork.so.1
giltrace_ust_dl_path = $(LTTNG_UST_LIBDIR)/liblttng-ust-dl.so.1
giltrace_ust_fd_path = $(LTTNG_UST_LIBDIR)/liblttng-ust-fd.so.1
# The LTTng-UST library the shim links: its application socket's name.
giltrace_ust_lib_path = $(LTTNG_UST_LIBDIR)/liblttng-ust.so.1
giltrace_sessiond_path = $(LTTNG_SESSIOND)

frontend_giltrace_CPPFLAGS = $(AM_CPPFLAGS) $(LTTNG_CTL_CFLAGS) $(BABELTRACE2_CFLAGS) -I$(top_srcdir) \
	-DGILTRACE_SHIM_PATH='"$(giltrace_shim_path)"' \
	-DGILTRACE_ANALYZE_PATH='"$(giltrace_analyze_path)"' \
	-DGILTRACE_UST_FORK_PATH='"$(giltrace_ust_fork_path)"' \
	-DGILTRACE_UST_DL_PATH='"$(giltrace_ust_dl_path)"' \
	-DGILTRACE_UST_FD_PATH='"$(giltrace_ust_fd_path)"' \
	-DGILTRACE_UST_LIB_PATH='"$(giltrace_ust_lib_path)"' \
	-DLTTNG_SESSIOND_PATH='"$(giltrace_sessiond_path)"'
frontend_giltrace_LDADD = frontend/libtimeline.la frontend/libtopview.la analyzer/libtracereader.la \
	analyzer/libgilstate.la $(LTTNG_CTL_LIBS) $(BABELTRACE2_LIBS) -lm

# Trace Compass: the XML analysis, installed where users can import it.
tracecompassdir = $(pkgdatadir)
dist_tracecompass_DATA = tracecompass/giltrace.xml

# The demo program of scripts/demo.sh and the README.
EXTRA_DIST += examples/gil_convoy.py scripts/demo.sh docs/timeline.svg docs/demo-output.txt
