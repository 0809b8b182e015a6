# libgiltrace.so: the preloadable shim and the giltrace tracepoint provider.

pkglib_LTLIBRARIES += shim/libgiltrace.la
shim_libgiltrace_la_SOURCES = \
	tracepoints/giltrace_tp.h tracepoints/gil_cycle_rec.h \
	shim/callsite_cache.c shim/callsite_cache.h \
	shim/callsite_events.c shim/callsite_events.h \
	shim/env_depth.c shim/env_depth.h shim/export.h \
	shim/gil_identify.c shim/gil_identify.h \
	shim/gil_ocaml.c shim/gil_ruby.c shim/gil_runtimes.h \
	shim/gil_tracker.c shim/gil_tracker.h shim/gil_types.h \
	shim/gil_compact.c shim/gil_compact.h shim/ust_clock.h \
	shim/gil_flusher.c shim/gil_flusher.h \
	shim/guard.c shim/guard.h \
	shim/internal_callers.c shim/internal_callers.h shim/name_epoch.h \
	shim/object_table.c shim/object_table.h \
	shim/py_chain.h shim/py_code_names.c shim/py_code_names.h \
	shim/py_frames.c shim/py_frames.h shim/py_layout.c shim/py_layout.h \
	shim/py_mem.h shim/py_offsets.h shim/py_offsets_table.h \
	shim/py_text.c shim/py_text.h shim/py_thread_target.c shim/py_thread_target.h \
	shim/real.c shim/real.h shim/safe_read.c shim/safe_read.h \
	shim/symbol.c shim/symbol.h shim/addr_word.h \
	shim/small_copy.h shim/tp_recording.c shim/tp_recording.h \
	shim/wrap_cond.c shim/wrap_mutex.c shim/wrap_sem.c shim/wrap_setname.c shim/wrap_thread.c shim/wrap_thread.h shim/wrap_exit.c shim/wrap_exit.h
shim_libgiltrace_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tracepoints -I$(srcdir)/shim \
	$(LTTNG_UST_CFLAGS) $(LIBUNWIND_CFLAGS)
# -fexceptions: cancellation unwinds through the wait wrappers and must
# run their cleanup; hidden by default, only the wrappers are exported.
# $(LTO_CFLAGS): see configure.ac (link-time optimisation).
SHIM_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden -fexceptions
shim_libgiltrace_la_CFLAGS = $(SHIM_CFLAGS) $(LTO_CFLAGS)
shim_libgiltrace_la_LDFLAGS = $(AM_LDFLAGS) -avoid-version -module -shared -Wl,-z,now $(LTO_CFLAGS)

# The two files whose constructor and destructor must keep their order,
# built without link-time optimisation (which merges every file's into
# one function, in an order of its own): the tracepoint provider, whose
# destructor unregisters the probes, and the shim's start and end, whose
# destructor tells what is pending at exit and so must run first.  Each
# keeps an entry of its own in .fini_array, run from the last linked.
noinst_LTLIBRARIES += shim/libgiltrace_ends.la
shim_libgiltrace_ends_la_SOURCES = tracepoints/giltrace_tp.c shim/shim_init.c
shim_libgiltrace_ends_la_CPPFLAGS = $(shim_libgiltrace_la_CPPFLAGS)
shim_libgiltrace_ends_la_CFLAGS = $(SHIM_CFLAGS)
# libgcc_s before libunwind: libunwind exports _Unwind_* too, and must
# not interpose libgcc_s's, which glibc's thread cancellation relies on.
SHIM_LIBS = $(LTTNG_UST_LIBS) -lgcc_s $(LIBUNWIND_LIBS) $(DL_LIBS)
shim_libgiltrace_la_LIBADD = shim/libgiltrace_ends.la $(SHIM_LIBS)
if COND_COMPAT
shim_libgiltrace_la_LDFLAGS += -Wl,--version-script=$(srcdir)/shim/libgiltrace.map
endif
EXTRA_DIST += shim/libgiltrace.map

# The CPython layouts the shim reads Python frames by, generated from
# each interpreter's headers (tests/e2e_py_offsets.sh checks them).
EXTRA_DIST += scripts/py_offsets_gen.sh scripts/py_offsets_probe.c

# Profile-guided optimisation (configure.ac, --enable-pgo): the shim
# built again with instrumentation (libgiltrace_train and its ends,
# never installed), run by scripts/pgo_train.sh on GIL workloads under
# giltrace record; its counts, named for the shim's own objects, are
# what those are compiled with.  Any change to the shim trains it again.
if COND_PGO
noinst_LTLIBRARIES += shim/libgiltrace_train.la shim/libgiltrace_ends_train.la
PGO_TRAIN_FLAGS = -fprofile-generate -fprofile-update=atomic -fprofile-dir=$(abs_builddir)/shim/pgo-raw
PGO_USE_FLAGS = -fprofile-use -fprofile-partial-training -fprofile-correction -Wno-missing-profile \
	-fprofile-dir=$(abs_builddir)/shim/pgo
shim_libgiltrace_train_la_SOURCES = $(shim_libgiltrace_la_SOURCES)
shim_libgiltrace_train_la_CPPFLAGS = $(shim_libgiltrace_la_CPPFLAGS)
shim_libgiltrace_train_la_CFLAGS = $(SHIM_CFLAGS) $(LTO_CFLAGS) $(PGO_TRAIN_FLAGS)
# -rpath: a shared library, as the one it stands for, though not installed.
shim_libgiltrace_train_la_LDFLAGS = $(shim_libgiltrace_la_LDFLAGS) $(PGO_TRAIN_FLAGS) -rpath $(pkglibdir)
shim_libgiltrace_train_la_LIBADD = shim/libgiltrace_ends_train.la $(SHIM_LIBS)
shim_libgiltrace_ends_train_la_SOURCES = $(shim_libgiltrace_ends_la_SOURCES)
shim_libgiltrace_ends_train_la_CPPFLAGS = $(shim_libgiltrace_la_CPPFLAGS)
shim_libgiltrace_ends_train_la_CFLAGS = $(SHIM_CFLAGS) $(PGO_TRAIN_FLAGS)
shim_libgiltrace_la_CFLAGS += $(PGO_USE_FLAGS)
shim_libgiltrace_ends_la_CFLAGS += $(PGO_USE_FLAGS)
$(shim_libgiltrace_la_OBJECTS) $(shim_libgiltrace_ends_la_OBJECTS): shim/pgo.stamp
shim/pgo.stamp: shim/libgiltrace_train.la frontend/giltrace$(EXEEXT) analyzer/giltrace-analyze$(EXEEXT) \
		tests/progs/gil_protocol$(EXEEXT) tests/progs/gil_sem_protocol$(EXEEXT) \
		$(srcdir)/scripts/pgo_train.sh $(srcdir)/tests/lib/pythons.sh $(srcdir)/bench/workloads.py
	$(AM_V_GEN)PYTHON3="$(PYTHON3)" $(SHELL) $(srcdir)/scripts/pgo_train.sh $(abs_builddir) $(abs_srcdir) && touch $@
endif
CLEANFILES += shim/pgo.stamp shim/pgo-train.log
clean-local: shim-pgo-clean
shim-pgo-clean:
	rm -rf shim/pgo shim/pgo-raw
.PHONY: shim-pgo-clean
EXTRA_DIST += scripts/pgo_train.sh
