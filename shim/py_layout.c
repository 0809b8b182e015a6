/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "giltrace_tp.h"
#include "py_layout.h"
#include "py_mem.h"
#include "py_offsets_table.h"
#include "real.h"
#include "safe_read.h"
#include "symbol.h"
#include "tp_recording.h"

/*
 * The decision, made once per process (a forked child keeps it: same
 * interpreter).  Global: the interpreter is the process's.  layout is
 * written before layout_state becomes LAYOUT_ON (release), and read by
 * any thread after (acquire); decisions and failures take layout_lock.
 */
enum { LAYOUT_UNDECIDED, LAYOUT_ON, LAYOUT_OFF };
static int layout_state;
static struct py_layout layout;
static pthread_mutex_t layout_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Why frames are off, for py_frames_off; "" for a process that is not
 * Python, which says nothing.  off_told: 1 + the count of sessions
 * starting to record (tp_recording_changes) when it was last said, 0
 * if never: a session that starts later, beside or after the one that
 * heard it, hears it too.
 */
static char off_reason[256];
static unsigned int off_told;

/*
 * 3.13+: where the mutex lies in struct _gil_runtime_state, which
 * _Py_DebugOffsets does not say; learned at the first GIL (see
 * learn_gil_mutex) and then layout.gil_mutex.  Under layout_lock.
 */
static int gil_mutex_learned;

/* The version the interpreter reports, as Py_GetVersion() gives it. */
struct py_version {
	unsigned int major, minor, micro;
	char text[32];
};

/* Off, with the reason formatted; returns -1 for the caller to return. */
__attribute__((format(printf, 1, 2)))
static int off(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(off_reason, sizeof(off_reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- what the interpreter says it is ------------------------------ */

/*
 * Py_GetVersion() only formats constants into a static buffer (checked
 * in every version's source: no lock, no Python).  The first call comes
 * here, in a GIL event, as gil_identified's runtime field did already.
 */
static int version_reported(struct py_version *v)
{
	const char *(*get)(void) = (const char *(*)(void)) symbol_lookup("Py_GetVersion", NULL);
	const char *text;

	if (!get) {
		return -1;
	}
	text = get();
	memset(v, 0, sizeof(*v));
	snprintf(v->text, sizeof(v->text), "%.*s", (int) strcspn(text, " "), text);
	if (sscanf(v->text, "%u.%u.%u", &v->major, &v->minor, &v->micro) < 2) {
		return off("Py_GetVersion() says \"%s\", which is no version", v->text);
	}
	return 0;
}

/* 3.11+ also exports the version as a number: the two must agree. */
static int version_number_agrees(const struct py_version *v)
{
	const uint32_t *number = symbol_lookup("Py_Version", NULL);
	unsigned int major, minor;

	if (!number) {
		return 0;
	}
	major = *number >> 24;
	minor = (*number >> 16) & 0xff;
	if (major != v->major || minor != v->minor) {
		return off("CPython %s: Py_GetVersion() and Py_Version (%u.%u) disagree",
			v->text, major, minor);
	}
	return 0;
}

/* ---- 2.7 to 3.12: the table of their headers ----------------------- */

static const struct py_offsets *table_row(unsigned int major, unsigned int minor)
{
	for (size_t i = 0; i < sizeof(py_offsets_rows) / sizeof(py_offsets_rows[0]); i++) {
		if (py_offsets_rows[i].major == major && py_offsets_rows[i].minor == minor) {
			return &py_offsets_rows[i];
		}
	}
	return NULL;
}

static void table_thread_states(struct py_layout *l, const struct py_offsets *o, uintptr_t runtime)
{
	l->ts_next = o->ts_next;
	l->ts_interp = o->ts_interp;
	l->ts_thread_id = o->ts_thread_id;
	l->ts_frame = o->ts_frame;
	l->cframe_current = o->cframe_current;
	l->interp_next = o->interp_next;
	l->interp_tstate_head = o->interp_tstate_head;
	l->interp_ceval_gil = o->interp_ceval_gil;
	l->gil_mutex = o->gil_mutex;
	l->gil_holder = o->gil_last_holder;
	if (runtime) {
		l->tss = runtime + o->runtime_tss;
		l->tss_initialized = o->tss_initialized;
		l->tss_key = o->tss_key;
		l->main_gil_mutex = runtime + o->runtime_gil + o->gil_mutex;
	}
}

static void table_frames(struct py_layout *l, const struct py_offsets *o)
{
	if (l->frame_kind == PY_FRAME_OBJECTS) {
		l->frame_back = o->f_back;
		l->frame_code = o->f_code;
		l->frame_instr = o->f_lasti;
		l->first_shim_owner = 256;
		return;
	}
	l->frame_back = o->iframe_previous;
	l->frame_code = o->iframe_code;
	l->frame_instr = o->iframe_instr;
	l->frame_owner = o->iframe_owner;
	l->owner_generator = o->iframe_owner_generator;
	l->first_shim_owner = o->iframe_first_shim_owner;
}

static void table_objects(struct py_layout *l, const struct py_offsets *o)
{
	/* From 3.11 the qualified name (contract: py_code's name). */
	l->co_name = o->co_qualname ? o->co_qualname : o->co_name;
	l->co_filename = o->co_filename;
	l->co_firstlineno = o->co_firstlineno;
	l->co_linetable = o->co_linetable;
	l->co_code_start = o->co_code_adaptive;
	l->co_firsttraceable = o->co_firsttraceable;
	l->ob_type = o->ob_type;
	l->var_size = o->var_size;
	l->bytes_sval = o->bytes_sval;
	l->bytes_hash = o->bytes_hash;
	l->str_length = o->str_length;
	l->str_hash = o->str_hash;
	l->str_state = o->str_state;
	l->str_ascii_size = o->str_ascii_size;
	l->str_compact_size = o->str_compact_size;
	l->str_kind_bit = o->str_kind_bit;
	l->str_compact_bit = o->str_compact_bit;
	l->str_ascii_bit = o->str_ascii_bit;
}

/* What the objects of the interpreter must measure (type_sizes_check). */
struct expected_sizes {
	uint32_t type_basicsize;	/* offsetof(PyTypeObject, tp_basicsize) */
	uint32_t code, frame, str, bytes;	/* 0: not checked */
};

static int from_table(struct py_layout *l, const struct py_version *v, uintptr_t runtime,
		size_t runtime_size, struct expected_sizes *sizes)
{
	const struct py_offsets *o = table_row(v->major, v->minor);
	int v37 = v->major == 3 && v->minor >= 7;

	if (!o) {
		return off("CPython %s: no layout known for %u.%u (2.7 and 3.6 to 3.12 are read by "
			"their headers, 3.13 on by the interpreter's _Py_DebugOffsets)",
			v->text, v->major, v->minor);
	}
	if (v->major == 3 && v->minor >= 13) {
		return off("CPython %s: no _Py_DebugOffsets at the start of _PyRuntime", v->text);
	}
	if (v37 && !runtime) {
		return off("CPython %s: no _PyRuntime exported", v->text);
	}
	if (v37 && runtime_size != o->runtime_size) {
		return off("CPython %s: _PyRuntime is %zu bytes where %u.%u's headers say %u "
			"(another build of %u.%u, a debug build?)", v->text, runtime_size,
			v->major, v->minor, o->runtime_size, v->major, v->minor);
	}
	l->major = v->major;
	l->minor = v->minor;
	l->tstate_way = v->major == 2 ? PY_TSTATE_WALK
		: v->minor == 6 ? PY_TSTATE_GILSTATE : PY_TSTATE_HOLDER_TSS;
	l->frame_kind = v->major == 2 || v->minor <= 10 ? PY_FRAME_OBJECTS : PY_FRAME_CFRAME;
	l->linetable_format = v->major == 2 ? 4 : v->minor <= 9 ? 1 : v->minor == 10 ? 2 : 3;
	l->lasti_scale = v->major == 3 && v->minor == 10 ? 2 : 1;
	l->names_are_bytes = v->major == 2;
	l->runtime = runtime;
	l->runtime_end = runtime + runtime_size;
	table_thread_states(l, o, v37 ? runtime : 0);
	table_frames(l, o);
	table_objects(l, o);
	sizes->type_basicsize = o->type_basicsize;
	sizes->code = o->code_basicsize;
	sizes->frame = o->frame_basicsize;
	sizes->str = o->str_basicsize;
	sizes->bytes = o->bytes_basicsize;
	return 0;
}

/* ---- 3.13 on: the interpreter's _Py_DebugOffsets -------------------- */

static const struct py_debug_layout *debug_row(unsigned int minor)
{
	for (size_t i = 0; i < sizeof(py_debug_layouts) / sizeof(py_debug_layouts[0]); i++) {
		if (py_debug_layouts[i].minor == minor) {
			return &py_debug_layouts[i];
		}
	}
	return NULL;
}

/* One field of _Py_DebugOffsets (each is a uint64_t). */
static uint32_t debug_field(uintptr_t runtime, uint32_t at)
{
	uint64_t v;

	memcpy(&v, (const void *) (runtime + at), sizeof(v));
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t) v;
}

/* Does each field lie inside its structure, by the sizes the descriptor
 * gives too?  A descriptor read with the wrong layout fails this. */
static int debug_plausible(const struct py_layout *l, uintptr_t rt, const struct py_debug_layout *d)
{
	uint32_t ts = debug_field(rt, d->ts_size), fr = debug_field(rt, d->frame_size);
	uint32_t co = debug_field(rt, d->code_size), str = debug_field(rt, d->str_size);

	return debug_field(rt, d->object_size) == 2 * sizeof(void *) && l->ob_type == sizeof(void *)
		&& debug_field(rt, d->ts_prev) == 0 && l->ts_thread_id < ts && l->ts_frame < ts
		&& l->ts_interp < ts && l->frame_back < fr && l->frame_code < fr
		&& l->frame_instr < fr && l->frame_owner < fr && l->co_name < co
		&& l->co_filename < co && l->co_linetable < co && l->co_firstlineno < co
		&& l->co_code_start <= co && l->str_state < str && l->str_length < str
		&& l->str_ascii_size <= str && l->gil_holder < 256;
}

/* Each offset of the layout that _Py_DebugOffsets gives, and where (all
 * uint32_t on both sides). */
#define DEBUG_FIELD(to, from)	{ offsetof(struct py_layout, to), offsetof(struct py_debug_layout, from) }

static const struct {
	size_t to, from;
} debug_fields[] = {
	DEBUG_FIELD(interp_next, interp_next),
	DEBUG_FIELD(interp_ceval_gil, interp_ceval_gil),
	DEBUG_FIELD(interp_gil, interp_gil),
	DEBUG_FIELD(gil_holder, interp_gil_holder),
	DEBUG_FIELD(ts_interp, ts_interp),
	DEBUG_FIELD(ts_thread_id, ts_thread_id),
	DEBUG_FIELD(ts_frame, ts_current_frame),
	DEBUG_FIELD(frame_back, frame_previous),
	DEBUG_FIELD(frame_code, frame_executable),
	DEBUG_FIELD(frame_instr, frame_instr_ptr),
	DEBUG_FIELD(frame_owner, frame_owner),
	DEBUG_FIELD(co_name, code_qualname),
	DEBUG_FIELD(co_filename, code_filename),
	DEBUG_FIELD(co_firstlineno, code_firstlineno),
	DEBUG_FIELD(co_linetable, code_linetable),
	DEBUG_FIELD(co_code_start, code_adaptive),
	DEBUG_FIELD(ob_type, object_type),
	DEBUG_FIELD(var_size, bytes_ob_size),
	DEBUG_FIELD(bytes_sval, bytes_sval),
	DEBUG_FIELD(str_length, str_length),
	DEBUG_FIELD(str_state, str_state),
	DEBUG_FIELD(str_ascii_size, str_ascii_size),
};

static void debug_fill(struct py_layout *l, uintptr_t rt, const struct py_debug_layout *d)
{
	for (size_t i = 0; i < sizeof(debug_fields) / sizeof(debug_fields[0]); i++) {
		uint32_t at;

		memcpy(&at, (const char *) d + debug_fields[i].from, sizeof(at));
		at = debug_field(rt, at);
		memcpy((char *) l + debug_fields[i].to, &at, sizeof(at));
	}
	/* last_holder is given from the interpreter's start, as its GIL. */
	l->gil_holder -= l->interp_gil;
	l->tstate_way = PY_TSTATE_HOLDER;
	l->frame_kind = PY_FRAME_CURRENT;
	l->linetable_format = 3;
	l->lasti_scale = 1;
	l->runtime = rt;
	l->runtime_end = rt + debug_field(rt, d->runtime_size);
	l->interpreters_head = rt + debug_field(rt, d->interpreters_head);
	/* What the descriptor does not say, from the same version's headers. */
	l->code_tag_bits = d->executable_tag_bits;
	l->first_shim_owner = d->first_shim_owner;
	l->str_hash = d->str_hash;
	l->str_compact_size = d->str_compact_size;
	l->str_kind_bit = d->str_kind_bit;
	l->str_compact_bit = d->str_compact_bit;
	l->str_ascii_bit = d->str_ascii_bit;
}

static int from_debug_offsets(struct py_layout *l, const struct py_version *v, uintptr_t rt,
		size_t runtime_size, struct expected_sizes *sizes)
{
	uint64_t hex;
	unsigned int major, minor;
	const struct py_debug_layout *d;

	/* cookie[8], then version: the start every layout shares. */
	memcpy(&hex, (const void *) (rt + 8), sizeof(hex));
	major = (unsigned int) (hex >> 24) & 0xff;
	minor = (unsigned int) (hex >> 16) & 0xff;
	if (major != v->major || minor != v->minor) {
		return off("CPython %s: Py_GetVersion() and _Py_DebugOffsets (%u.%u) disagree",
			v->text, major, minor);
	}
	d = debug_row(minor);
	if (!d) {
		return off("CPython %s: no layout of _Py_DebugOffsets known for %u.%u (known: 3.13 to 3.15)",
			v->text, major, minor);
	}
	if (runtime_size < d->struct_size || debug_field(rt, d->runtime_size) != runtime_size) {
		return off("CPython %s: _PyRuntime is %zu bytes, its _Py_DebugOffsets says %u",
			v->text, runtime_size, debug_field(rt, d->runtime_size));
	}
	if (debug_field(rt, d->free_threaded)) {
		return off("CPython %s: a free-threaded build, which has no GIL to follow", v->text);
	}
	l->major = major;
	l->minor = minor;
	debug_fill(l, rt, d);
	if (!debug_plausible(l, rt, d)) {
		return off("CPython %s: its _Py_DebugOffsets do not read as %u.%u's layout", v->text,
			major, minor);
	}
	sizes->type_basicsize = 4 * sizeof(void *);	/* PyObject_VAR_HEAD, tp_name */
	sizes->code = l->co_code_start;			/* code objects are variable-size */
	sizes->frame = 0;
	sizes->str = debug_field(rt, d->str_size);
	sizes->bytes = l->bytes_sval + 1;
	return 0;
}

/* ---- checks against the running interpreter ------------------------ */

/* The exported type object name, and its tp_basicsize if want is set. */
static int type_found(const char *name, uintptr_t *type, uint32_t basicsize_at, uint32_t want,
		const struct py_version *v)
{
	intptr_t basicsize;

	*type = (uintptr_t) symbol_lookup(name, NULL);
	if (!*type) {
		return off("CPython %s: no %s exported", v->text, name);
	}
	if (!want) {
		return 0;
	}
	memcpy(&basicsize, (const void *) (*type + basicsize_at), sizeof(basicsize));
	if (basicsize != (intptr_t) want) {
		return off("CPython %s: %s's objects are %ld bytes where the layout says %u "
			"(another build, a debug build?)", v->text, name, (long) basicsize, want);
	}
	return 0;
}

static int types_check(struct py_layout *l, const struct expected_sizes *s, const struct py_version *v)
{
	const char *str = l->names_are_bytes ? "PyString_Type" : "PyUnicode_Type";
	const char *bytes = l->names_are_bytes ? "PyString_Type" : "PyBytes_Type";

	if (type_found("PyCode_Type", &l->code_type, s->type_basicsize, s->code, v) != 0
	    || type_found(str, &l->str_type, s->type_basicsize, l->names_are_bytes ? 0 : s->str, v) != 0
	    || type_found(bytes, &l->bytes_type, s->type_basicsize, s->bytes, v) != 0) {
		return -1;
	}
	if (l->frame_kind == PY_FRAME_OBJECTS
	    && type_found("PyFrame_Type", &l->frame_type, s->type_basicsize, s->frame, v) != 0) {
		return -1;
	}
	return 0;
}

/* The interpreter functions a way of finding thread states calls: each
 * a load and a jump (disassembled in 2.7.18 and 3.6.15: PyGILState's
 * reads its key and calls pthread_getspecific; 2.7's would take a lock,
 * hence the walk). */
static int functions_found(struct py_layout *l, const struct py_version *v)
{
	if (l->tstate_way == PY_TSTATE_GILSTATE) {
		l->gilstate_this = (void *(*)(void)) symbol_lookup("PyGILState_GetThisThreadState", NULL);
		if (!l->gilstate_this) {
			return off("CPython %s: no PyGILState_GetThisThreadState exported", v->text);
		}
	}
	if (l->tstate_way == PY_TSTATE_WALK) {
		l->interp_head = (void *(*)(void)) symbol_lookup("PyInterpreterState_Head", NULL);
		if (!l->interp_head) {
			return off("CPython %s: no PyInterpreterState_Head exported", v->text);
		}
	}
	return 0;
}

/* Decide, under layout_lock.  off_reason stays "" for a process that is
 * not Python (no Py_GetVersion): it says nothing. */
static void layout_decide(void)
{
	struct py_version v;
	struct expected_sizes sizes = { 0 };
	struct py_layout l;
	size_t runtime_size = 0;
	uintptr_t runtime;
	int ok;

	memset(&l, 0, sizeof(l));
	off_reason[0] = '\0';
	if (version_reported(&v) != 0 || version_number_agrees(&v) != 0) {
		__atomic_store_n(&layout_state, LAYOUT_OFF, __ATOMIC_RELEASE);
		return;
	}
	runtime = (uintptr_t) symbol_lookup("_PyRuntime", &runtime_size);
	if (runtime && runtime_size >= 16 && memcmp((const void *) runtime, "xdebugpy", 8) == 0) {
		ok = from_debug_offsets(&l, &v, runtime, runtime_size, &sizes) == 0;
	} else {
		ok = from_table(&l, &v, runtime, runtime_size, &sizes) == 0;
	}
	ok = ok && types_check(&l, &sizes, &v) == 0 && functions_found(&l, &v) == 0;
	l.name_hash = l.names_are_bytes ? l.bytes_hash : l.str_hash;
	if (!ok) {
		__atomic_store_n(&layout_state, LAYOUT_OFF, __ATOMIC_RELEASE);
		return;
	}
	layout = l;
	__atomic_store_n(&layout_state, LAYOUT_ON, __ATOMIC_RELEASE);
	__atomic_store_n(&py_layout_on, &layout, __ATOMIC_RELEASE);
}

const struct py_layout *py_layout_on;

const struct py_layout *py_layout_get_slow(void)
{
	int state = __atomic_load_n(&layout_state, __ATOMIC_ACQUIRE);

	if (state == LAYOUT_UNDECIDED) {
		real_pthread_mutex_lock(&layout_lock);
		if (layout_state == LAYOUT_UNDECIDED) {
			layout_decide();
		}
		real_pthread_mutex_unlock(&layout_lock);
		state = __atomic_load_n(&layout_state, __ATOMIC_ACQUIRE);
	}
	if (state == LAYOUT_ON) {
		return &layout;
	}
	py_layout_announce();
	return NULL;
}

/* ---- the GIL --------------------------------------------------------- */

/*
 * 3.13+: _Py_DebugOffsets gives last_holder in the GIL but not the
 * mutex, the shim's name for it.  An interpreter's ceval.gil points to
 * its GIL: the one that holds this mutex tells where it lies.  Read
 * through safe_read: other interpreters may come and go meanwhile.
 */
static int learn_gil_mutex(const void *mutex)
{
	uintptr_t m = (uintptr_t) mutex, interp = 0, gil = 0;

	if (safe_read_word(layout.interpreters_head, &interp) != 0) {
		return -1;
	}
	for (int i = 0; interp && i < 64; i++) {
		if (safe_read_word(interp + layout.interp_ceval_gil, &gil) != 0) {
			return -1;
		}
		if (gil && m > gil + layout.gil_holder && m - gil < 512 && (m - gil) % sizeof(void *) == 0) {
			layout.gil_mutex = (uint32_t) (m - gil);
			__atomic_store_n(&gil_mutex_learned, 1, __ATOMIC_RELEASE);
			return 0;
		}
		if (safe_read_word(interp + layout.interp_next, &interp) != 0) {
			return -1;
		}
	}
	return -1;
}

uintptr_t py_layout_holder(const struct py_layout *l, const void *mutex)
{
	uintptr_t m = (uintptr_t) mutex;

	if (l->tstate_way == PY_TSTATE_HOLDER && !__atomic_load_n(&gil_mutex_learned, __ATOMIC_ACQUIRE)) {
		real_pthread_mutex_lock(&layout_lock);
		int learned = gil_mutex_learned || learn_gil_mutex(mutex) == 0;
		real_pthread_mutex_unlock(&layout_lock);
		if (!learned) {
			py_layout_fail("layout check failed: the GIL's mutex is in no interpreter's GIL");
			return 0;
		}
	}
	/* Up to 3.11 there is one GIL, in _PyRuntime; 3.12's main one is
	 * there too, a sub-interpreter's own anywhere. */
	if (l->main_gil_mutex && m != l->main_gil_mutex && (l->minor < 12 || (m >= l->runtime && m < l->runtime_end))) {
		py_layout_fail("layout check failed: the GIL's mutex is not where the layout puts "
			"_PyRuntime's GIL");
		return 0;
	}
	return m - l->gil_mutex + l->gil_holder;
}

uintptr_t py_layout_gil(const struct py_layout *l, const void *mutex)
{
	return (uintptr_t) mutex - l->gil_mutex;
}

/* ---- off, and saying so ------------------------------------------- */

void py_layout_fail(const char *reason)
{
	real_pthread_mutex_lock(&layout_lock);
	if (__atomic_load_n(&layout_state, __ATOMIC_RELAXED) != LAYOUT_OFF) {
		snprintf(off_reason, sizeof(off_reason), "%s", reason);
		__atomic_store_n(&py_layout_on, NULL, __ATOMIC_RELEASE);
		__atomic_store_n(&layout_state, LAYOUT_OFF, __ATOMIC_RELEASE);
	}
	real_pthread_mutex_unlock(&layout_lock);
	py_layout_announce();
}

void py_layout_announce(void)
{
	unsigned int told, now;

	/* Recorded first: confirming a new session's recorder counts it. */
	if (!off_reason[0] || !tp_recorded(TP_PY_FRAMES_OFF)) {
		return;
	}
	now = tp_recording_changes() + 1;
	told = __atomic_load_n(&off_told, __ATOMIC_RELAXED);
	/* One thread says it for the sessions recording now. */
	if (told != now && __atomic_compare_exchange_n(&off_told, &told, now, 0, __ATOMIC_RELAXED,
			__ATOMIC_RELAXED)) {
		lttng_ust_tracepoint(giltrace, py_frames_off, off_reason, NULL);
	}
}

void py_layout_after_fork_child(void)
{
	pthread_mutex_init(&layout_lock, NULL);
	off_told = 0;
}
