# bench: performance figures, never part of make check (timed results on
# shared cores are not pass/fail).  bench/run.sh runs everything and
# appends to bench/RESULTS.md; `make bench` is a shortcut for it.

noinst_PROGRAMS += bench/lockbench
bench_lockbench_SOURCES = bench/lockbench.c
# -O2 whatever CFLAGS say: the loop around the calls must not add noise.
bench_lockbench_CFLAGS = $(AM_CFLAGS) -O2 -pthread
bench_lockbench_LDADD = -lpthread

EXTRA_DIST += bench/run.sh bench/lib.sh bench/lockbench.sh bench/python.sh bench/analyze_bench.sh \
	bench/workloads.py bench/summary.py bench/channels.sh bench/cycle_instructions.sh bench/cycle_instructions.py bench/shim_ab.sh \
	bench/RESULTS.md

.PHONY: bench
bench: all
	GT_BUILDDIR=$(abs_top_builddir) bash $(abs_top_srcdir)/bench/run.sh

# Events recorded and discarded in a trace (see the comment atop it).
noinst_PROGRAMS += bench/tracecount
bench_tracecount_SOURCES = bench/tracecount.c
bench_tracecount_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
bench_tracecount_LDADD = analyzer/libtracereader.la

# bench/lib.sh's mode "floor": LTTng-UST loaded and the trace clock read
# at each timed moment of a GIL cycle, nothing else (see the comment atop
# it).  A shared module built for the benchmarks, never installed.
noinst_LTLIBRARIES += bench/libcostfloor.la
bench_libcostfloor_la_SOURCES = bench/cost_floor.c
bench_libcostfloor_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
bench_libcostfloor_la_CFLAGS = $(AM_CFLAGS) -O2 $(LTTNG_UST_CFLAGS)
bench_libcostfloor_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
bench_libcostfloor_la_LIBADD = $(LTTNG_UST_LIBS) $(DL_LIBS)

# bench/lib.sh's mode "design": the events of issue 14's layout on a
# semaphore GIL and nothing of giltrace's bookkeeping (see the comment
# atop it).
noinst_LTLIBRARIES += bench/libdesignfloor.la
bench_libdesignfloor_la_SOURCES = bench/design_floor.c bench/design_floor_tp.c bench/design_floor_tp.h bench/design_batch.h
bench_libdesignfloor_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -I$(top_srcdir)/bench
bench_libdesignfloor_la_CFLAGS = $(AM_CFLAGS) -O2 $(LTTNG_UST_CFLAGS)
bench_libdesignfloor_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
bench_libdesignfloor_la_LIBADD = $(LTTNG_UST_LIBS) $(DL_LIBS)

# bench/lib.sh's modes "hold+N": a semaphore's holder waits N ns before
# every post, nothing else (see the comment atop it).
noinst_LTLIBRARIES += bench/libholddelay.la
bench_libholddelay_la_SOURCES = bench/hold_delay.c
bench_libholddelay_la_CFLAGS = $(AM_CFLAGS) -O2
bench_libholddelay_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
bench_libholddelay_la_LIBADD = $(DL_LIBS)

# bench/lib.sh's mode "idle": one idle thread more, nothing else (see the
# comment atop it).
noinst_LTLIBRARIES += bench/libidlethread.la
bench_libidlethread_la_SOURCES = bench/idle_thread.c
bench_libidlethread_la_CFLAGS = $(AM_CFLAGS) -O2 -pthread
bench_libidlethread_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
bench_libidlethread_la_LIBADD = -lpthread

# The machine's system call and clock costs, for bench/RESULTS.md.
noinst_PROGRAMS += bench/syscall_cost
bench_syscall_cost_SOURCES = bench/syscall_cost.c
bench_syscall_cost_CFLAGS = $(AM_CFLAGS) -O2
