/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include <babeltrace2/babeltrace.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tracepoints/gil_cycle_rec.h"
#include "trace_decode.h"
#include "trace_error.h"
#include "trace_isolate.h"

/* ---- event classes ------------------------------------------------- */

/* Where a payload or context member goes in struct gs_event. */
enum slot {
	SLOT_ADDR,
	SLOT_ADDR2,
	SLOT_RET,
	SLOT_ERR,
	SLOT_WAITS,
	SLOT_TIMEOUTS,
	SLOT_WAITERS,
	SLOT_TIMED_OUT,
	SLOT_SIGNALLED,
	SLOT_KIND,
	SLOT_METHOD,
	SLOT_RUNTIME,
	SLOT_REASON,
	SLOT_CALLER,
	SLOT_BACKTRACE,
	SLOT_SYMBOL,
	SLOT_OFFSET,
	SLOT_BINARY,
	SLOT_BINARY_OFFSET,
	SLOT_PYCODE,
	SLOT_PYINSTR,
	SLOT_NAME,
	SLOT_FILENAME,
	SLOT_FIRSTLINENO,
	SLOT_LINETABLE_FORMAT,
	SLOT_LINETABLE,
	SLOT_BEGIN_TS,
	SLOT_ACQUIRED_TS,
	SLOT_RELEASED_TS,
	SLOT_TID,
	SLOT_BEGIN_CALLER,
	SLOT_ACQUIRE_CALLER,
	SLOT_ACQUIRE_BACKTRACE,
	SLOT_ACQUIRE_PYCODE,
	SLOT_ACQUIRE_PYINSTR,
	SLOT_VPID,
	SLOT_VTID,
	SLOT_PROCNAME,
};

struct member_slot {
	const char *name;
	enum slot slot;
};

/* Payload member names of the contract (tracepoints/giltrace_tp.h) and
 * where they go; read-only tables shared by every event class. */
static const struct member_slot field_slots[] = {
	{ "gil", SLOT_ADDR },
	{ "addr", SLOT_ADDR },
	{ "cond", SLOT_ADDR2 },
	{ "mutex", SLOT_ADDR2 },
	{ "ret", SLOT_RET },
	{ "err", SLOT_ERR },
	{ "waits", SLOT_WAITS },
	{ "timeouts", SLOT_TIMEOUTS },
	{ "waiters", SLOT_WAITERS },
	{ "timed_out", SLOT_TIMED_OUT },
	{ "signalled", SLOT_SIGNALLED },
	{ "kind", SLOT_KIND },
	{ "method", SLOT_METHOD },
	{ "runtime", SLOT_RUNTIME },
	{ "reason", SLOT_REASON },
	{ "caller", SLOT_CALLER },
	{ "backtrace", SLOT_BACKTRACE },
	{ "symbol", SLOT_SYMBOL },
	{ "offset", SLOT_OFFSET },
	{ "binary", SLOT_BINARY },
	{ "binary_offset", SLOT_BINARY_OFFSET },
	{ "pycode", SLOT_PYCODE },
	{ "pyinstr", SLOT_PYINSTR },
	{ "code", SLOT_ADDR },
	{ "target", SLOT_ADDR },
	{ "name", SLOT_NAME },
	{ "filename", SLOT_FILENAME },
	{ "firstlineno", SLOT_FIRSTLINENO },
	{ "linetable_format", SLOT_LINETABLE_FORMAT },
	{ "linetable", SLOT_LINETABLE },
	{ "begin_ts", SLOT_BEGIN_TS },
	{ "acquired_ts", SLOT_ACQUIRED_TS },
	{ "released_ts", SLOT_RELEASED_TS },
	{ "tid", SLOT_TID },
	{ "begin_caller", SLOT_BEGIN_CALLER },
	{ "acquire_caller", SLOT_ACQUIRE_CALLER },
	{ "acquire_backtrace", SLOT_ACQUIRE_BACKTRACE },
	{ "acquire_pycode", SLOT_ACQUIRE_PYCODE },
	{ "acquire_pyinstr", SLOT_ACQUIRE_PYINSTR },
};

/*
 * gil_cycles (giltrace(7), "Compact cycles"): a batch of gil_cycle's,
 * its members read by name, each cycle fed to the analysis as the
 * gil_cycle it stands for.
 */
enum batch_member {
	BM_GIL,
	BM_TID,
	BM_BEGIN_TS,
	BM_ACQUIRED_TS,
	BM_RELEASED_TS,
	BM_BEGIN_CALLER,
	BM_ACQUIRE_CALLER,
	BM_CALLER,
	BM_WAITERS,
	BM_SIGNALLED,
	BM_ACQUIRE_BACKTRACE_LEN,
	BM_ACQUIRE_BACKTRACE,
	BM_ACQUIRE_PY_LEN,
	BM_ACQUIRE_PYCODE,
	BM_ACQUIRE_PYINSTR,
	BM_BACKTRACE_LEN,
	BM_BACKTRACE,
	BM_PY_LEN,
	BM_PYCODE,
	BM_PYINSTR,
	BM_COUNT
};

static const char *const batch_names[BM_COUNT] = {
	"gil", "tid", "begin_ts", "acquired_ts", "released_ts", "begin_caller", "acquire_caller",
	"caller", "waiters", "signalled", "acquire_backtrace_len", "acquire_backtrace",
	"acquire_py_len", "acquire_pycode", "acquire_pyinstr", "backtrace_len", "backtrace",
	"py_len", "pycode", "pyinstr",
};

/* The event common context members we read (lttng add-context). */
static const struct member_slot context_slots[] = {
	{ "vpid", SLOT_VPID },
	{ "vtid", SLOT_VTID },
	{ "procname", SLOT_PROCNAME },
};

/* The contract's event names and what each is to the analysis. */
static const struct {
	const char *name;
	enum gs_event_type type;
} event_types[] = {
	{ "giltrace:gil_identified", GS_EV_GIL_IDENTIFIED },
	{ "giltrace:gil_not_found", GS_EV_GIL_NOT_FOUND },
	{ "giltrace:gil_acquire_begin", GS_EV_GIL_ACQUIRE_BEGIN },
	{ "giltrace:gil_wait_begin", GS_EV_GIL_WAIT_BEGIN },
	{ "giltrace:gil_wait_end", GS_EV_GIL_WAIT_END },
	{ "giltrace:gil_acquire_end", GS_EV_GIL_ACQUIRE_END },
	{ "giltrace:gil_acquire_abandon", GS_EV_GIL_ACQUIRE_ABANDON },
	{ "giltrace:gil_release", GS_EV_GIL_RELEASE },
	{ "giltrace:gil_cycle", GS_EV_GIL_CYCLE },
	{ "giltrace:gil_cycle_open", GS_EV_GIL_CYCLE_OPEN },
	{ "giltrace:gil_cycles", GS_EV_GIL_CYCLE },	/* a batch: see batch_names */
	{ "giltrace:gil_callsite", GS_EV_GIL_CALLSITE },
	{ "giltrace:py_code", GS_EV_PY_CODE },
	{ "giltrace:py_thread_target", GS_EV_PY_THREAD_TARGET },
	{ "giltrace:thread_name", GS_EV_THREAD_NAME },
	{ "giltrace:py_frames_off", GS_EV_PY_FRAMES_OFF },
	{ "giltrace:process_exit", GS_EV_PROCESS_EXIT },
	{ "giltrace:mutex_lock_begin", GS_EV_MUTEX_LOCK_BEGIN },
	{ "giltrace:mutex_lock_end", GS_EV_MUTEX_LOCK_END },
	{ "giltrace:mutex_trylock", GS_EV_MUTEX_TRYLOCK },
	{ "giltrace:mutex_timedlock_begin", GS_EV_MUTEX_TIMEDLOCK_BEGIN },
	{ "giltrace:mutex_timedlock_end", GS_EV_MUTEX_TIMEDLOCK_END },
	{ "giltrace:mutex_unlock", GS_EV_MUTEX_UNLOCK },
	{ "giltrace:cond_wait_begin", GS_EV_COND_WAIT_BEGIN },
	{ "giltrace:cond_wait_end", GS_EV_COND_WAIT_END },
	{ "giltrace:cond_signal", GS_EV_COND_SIGNAL },
	{ "giltrace:cond_broadcast", GS_EV_COND_BROADCAST },
	{ "giltrace:sem_wait_begin", GS_EV_SEM_WAIT_BEGIN },
	{ "giltrace:sem_wait_end", GS_EV_SEM_WAIT_END },
	{ "giltrace:sem_trywait", GS_EV_SEM_TRYWAIT },
	{ "giltrace:sem_post", GS_EV_SEM_POST },
};

#define DESC_MAX_FIELDS 16

enum field_type {
	FT_UNSIGNED,
	FT_SIGNED,
	FT_STRING,
	FT_ARRAY,			/* of unsigned integers (backtrace, pycode, ...) */
};

struct field_ref {
	uint64_t index;			/* member index in its structure */
	enum slot slot;
	enum field_type type;
};

/*
 * What an event class means to us, worked out once from its field
 * classes so that each event costs only indexed borrows.
 */
struct ev_desc {
	const bt_event_class *ec;	/* a reference owned by this */
	int wanted;			/* a giltrace event the analysis reads */
	int giltrace;			/* any giltrace:* event */
	int unknown;			/* a giltrace:* event not in event_types */
	int has_clock;
	int has_context;		/* vpid and vtid present */
	enum gs_event_type type;
	struct field_ref ctx[3];
	unsigned int nctx;
	struct field_ref payload[DESC_MAX_FIELDS];
	unsigned int npayload;
	int batch;			/* gil_cycles: batch_at says where its members are */
	int64_t batch_at[BM_COUNT];	/* member index, -1 if absent */
	int batch_signed[BM_COUNT];	/* a scalar member is a signed integer */
};

static int field_type_of(const bt_field_class *fc, enum field_type *type)
{
	bt_field_class_type t = bt_field_class_get_type(fc);

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		*type = FT_UNSIGNED;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		*type = FT_SIGNED;
	} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
		*type = FT_STRING;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		const bt_field_class *elem = bt_field_class_array_borrow_element_field_class_const(fc);

		if (!bt_field_class_type_is(bt_field_class_get_type(elem), BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
			return -1;
		}
		*type = FT_ARRAY;
	} else {
		return -1;
	}
	return 0;
}

/* Finds the members named in slots[] in a structure field class. */
static unsigned int map_members(const bt_field_class *sfc, const struct member_slot *slots,
		size_t nslots, struct field_ref *refs, unsigned int max)
{
	unsigned int n = 0;
	uint64_t count;

	if (!sfc || bt_field_class_get_type(sfc) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return 0;
	}
	count = bt_field_class_structure_get_member_count(sfc);
	for (uint64_t i = 0; i < count && n < max; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(sfc, i);
		const char *name = bt_field_class_structure_member_get_name(m);
		const bt_field_class *fc = bt_field_class_structure_member_borrow_field_class_const(m);
		enum field_type type;
		int slot = -1;

		for (size_t k = 0; k < nslots; k++) {
			if (strcmp(name, slots[k].name) == 0) {
				slot = (int) slots[k].slot;
				break;
			}
		}
		if (slot < 0 || field_type_of(fc, &type) != 0) {
			continue;
		}
		refs[n].index = i;
		refs[n].slot = (enum slot) slot;
		refs[n].type = type;
		n++;
	}
	return n;
}

/*
 * A giltrace event kind this reader does not know: a newer giltrace
 * recorded it.  Its name is kept (each once, the first few) so that the
 * report can say what was left out.
 */
static void unknown_kind_note(struct trace_read_stats *st, const char *name)
{
	char said[TRACE_UNKNOWN_NAME_LEN];

	snprintf(said, sizeof(said), "%s", name);
	/* Said on one line: a damaged name's control bytes are not. */
	for (char *c = said; *c; c++) {
		if ((unsigned char) *c < 0x20 || *c == 0x7f) {
			*c = '?';
		}
	}
	for (unsigned int i = 0; i < st->unknown_kinds; i++) {
		if (strcmp(st->unknown_names[i], said) == 0) {
			return;
		}
	}
	if (st->unknown_kinds == TRACE_UNKNOWN_NAMES) {
		st->unknown_more = 1;
		return;
	}
	memcpy(st->unknown_names[st->unknown_kinds++], said, sizeof(said));
}

/* Where a gil_cycles' members are: the scalars unsigned or signed
 * integers, the rest arrays of unsigned ones. */
static void batch_map(struct ev_desc *d, const bt_field_class *sfc)
{
	uint64_t count;

	d->batch = 1;
	for (int k = 0; k < BM_COUNT; k++) {
		d->batch_at[k] = -1;
	}
	if (!sfc || bt_field_class_get_type(sfc) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return;
	}
	count = bt_field_class_structure_get_member_count(sfc);
	for (int k = 0; k < BM_COUNT; k++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_name_const(sfc, batch_names[k]);
		enum field_type type;

		if (!m || field_type_of(bt_field_class_structure_member_borrow_field_class_const(m), &type) != 0
				|| (type == FT_ARRAY) != (k >= BM_BEGIN_TS) || type == FT_STRING) {
			continue;
		}
		for (uint64_t i = 0; i < count; i++) {
			if (bt_field_class_structure_borrow_member_by_index_const(sfc, i) == m) {
				d->batch_at[k] = (int64_t) i;
				d->batch_signed[k] = type == FT_SIGNED;
				break;
			}
		}
	}
}

static struct ev_desc *desc_create(struct trace_sink *r, const bt_event_class *ec)
{
	struct ev_desc *d = calloc(1, sizeof(*d));
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	const char *name = bt_event_class_get_name(ec);
	int vpid = 0, vtid = 0;

	if (!d) {
		return NULL;
	}
	/* Keep the class alive while cached: a live session's traces may end
	 * (per-process buffers) and a new class must not reuse its address. */
	bt_event_class_get_ref(ec);
	d->ec = ec;
	d->giltrace = name && strncmp(name, "giltrace:", 9) == 0;
	d->unknown = d->giltrace;
	for (size_t i = 0; d->giltrace && i < sizeof(event_types) / sizeof(event_types[0]); i++) {
		if (strcmp(name, event_types[i].name) == 0) {
			d->type = event_types[i].type;
			d->wanted = d->type < GS_EV_MUTEX_LOCK_BEGIN || r->a->all_locks;
			d->unknown = 0;
			break;
		}
	}
	if (d->unknown) {
		unknown_kind_note(r->stats, name);
	}
	d->has_clock = bt_stream_class_borrow_default_clock_class_const(sc) != NULL;
	d->nctx = map_members(bt_stream_class_borrow_event_common_context_field_class_const(sc),
		context_slots, sizeof(context_slots) / sizeof(context_slots[0]), d->ctx, 3);
	for (unsigned int i = 0; i < d->nctx; i++) {
		vpid |= d->ctx[i].slot == SLOT_VPID;
		vtid |= d->ctx[i].slot == SLOT_VTID;
	}
	d->has_context = vpid && vtid;
	d->npayload = map_members(bt_event_class_borrow_payload_field_class_const(ec),
		field_slots, sizeof(field_slots) / sizeof(field_slots[0]), d->payload, DESC_MAX_FIELDS);
	if (d->giltrace && strcmp(name, "giltrace:gil_cycles") == 0) {
		batch_map(d, bt_event_class_borrow_payload_field_class_const(ec));
	}
	if (idmap_put(&r->descs, (uint64_t) (uintptr_t) ec, d) != 0) {
		bt_event_class_put_ref(ec);
		free(d);
		return NULL;
	}
	return d;
}

/* An array's length, at most max, and its unsigned elements. */
static uint32_t array_len(const bt_field *f, uint64_t max)
{
	uint64_t n = bt_field_array_get_length(f);

	return (uint32_t) (n > max ? max : n);
}

static uint64_t array_at(const bt_field *f, uint64_t i)
{
	return bt_field_integer_unsigned_get_value(bt_field_array_borrow_element_field_by_index_const(f, i));
}

/* A line table into the sink's buffer, grown to fit; none (NULL, with
 * its length) if longer than LINETABLE_MAX.  Returns -1 when out of
 * memory. */
static int linetable_set(struct trace_sink *r, struct gs_event *ev, const bt_field *f)
{
	uint64_t n = bt_field_array_get_length(f);

	ev->nlinetable = n > UINT32_MAX ? UINT32_MAX : (uint32_t) n;
	if (n > LINETABLE_MAX) {
		return 0;
	}
	if (n > r->linetable_cap) {
		uint8_t *t = realloc(r->linetable, n);

		if (!t) {
			return -1;
		}
		r->linetable = t;
		r->linetable_cap = n;
	}
	for (uint64_t i = 0; i < n; i++) {
		r->linetable[i] = (uint8_t) array_at(f, i);
	}
	ev->linetable = r->linetable;
	return 0;
}

/* Sequences into the sink's buffers (the event borrows them). */
static int array_set(struct trace_sink *r, struct gs_event *ev, enum slot slot, const bt_field *f)
{
	switch (slot) {
	case SLOT_BACKTRACE:
		ev->nbacktrace = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->nbacktrace; i++) {
			r->frames[i] = array_at(f, i);
		}
		ev->backtrace = r->frames;
		return 0;
	case SLOT_PYCODE:
		ev->npycode = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->npycode; i++) {
			r->pycode[i] = array_at(f, i);
		}
		ev->pycode = r->pycode;
		return 0;
	case SLOT_PYINSTR:
		ev->npyinstr = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->npyinstr; i++) {
			r->pyinstr[i] = (uint32_t) array_at(f, i);
		}
		ev->pyinstr = r->pyinstr;
		return 0;
	case SLOT_LINETABLE:
		return linetable_set(r, ev, f);
	case SLOT_ACQUIRE_BACKTRACE:
		ev->nacquire_backtrace = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->nacquire_backtrace; i++) {
			r->acq_frames[i] = array_at(f, i);
		}
		ev->acquire_backtrace = r->acq_frames;
		return 0;
	case SLOT_ACQUIRE_PYCODE:
		ev->nacquire_pycode = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->nacquire_pycode; i++) {
			r->acq_pycode[i] = array_at(f, i);
		}
		ev->acquire_pycode = r->acq_pycode;
		return 0;
	case SLOT_ACQUIRE_PYINSTR:
		ev->nacquire_pyinstr = array_len(f, BACKTRACE_MAX);
		for (uint32_t i = 0; i < ev->nacquire_pyinstr; i++) {
			r->acq_pyinstr[i] = (uint32_t) array_at(f, i);
		}
		ev->acquire_pyinstr = r->acq_pyinstr;
		return 0;
	default:
		return 0;
	}
}

/*
 * A time a compact cycle carries (begin_ts, acquired_ts, released_ts): a value of the
 * clock that stamps the events, read by the shim through LTTng-UST's own
 * clock function (giltrace(7)), so the event's clock class converts it
 * exactly as it converts the event's timestamp.
 */
static int64_t cycles_to_ns(const struct trace_sink *r, uint64_t cycles)
{
	int64_t ns = 0;

	if (!r->clock || bt_clock_class_cycles_to_ns_from_origin(r->clock, cycles, &ns)
			!= BT_CLOCK_CLASS_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK) {
		return 0;
	}
	return ns;
}

/* Returns 0, or -1 when out of memory. */
static int slot_set(struct trace_sink *r, struct gs_event *ev, enum slot slot, const bt_field *f,
		enum field_type type)
{
	uint64_t u = 0;
	int64_t s = 0;
	const char *str = NULL;

	if (type == FT_ARRAY) {
		return array_set(r, ev, slot, f);
	}
	switch (type) {
	case FT_UNSIGNED:
		u = bt_field_integer_unsigned_get_value(f);
		s = (int64_t) u;
		break;
	case FT_SIGNED:
		s = bt_field_integer_signed_get_value(f);
		u = (uint64_t) s;
		break;
	case FT_STRING:
		str = bt_field_string_get_value(f);
		break;
	case FT_ARRAY:
		break;
	}
	switch (slot) {
	case SLOT_ADDR:
		ev->addr = u;
		break;
	case SLOT_ADDR2:
		ev->addr2 = u;
		break;
	case SLOT_RET:
		ev->ret = s;
		break;
	case SLOT_ERR:
		ev->err = s;
		break;
	case SLOT_WAITS:
		ev->waits = (uint32_t) u;
		break;
	case SLOT_TIMEOUTS:
		ev->timeouts = (uint32_t) u;
		break;
	case SLOT_WAITERS:
		ev->waiters = (uint32_t) u;
		break;
	case SLOT_TIMED_OUT:
		ev->timed_out = u != 0;
		break;
	case SLOT_SIGNALLED:
		ev->signalled = u != 0;
		break;
	case SLOT_KIND:
		ev->kind = str;
		break;
	case SLOT_METHOD:
		ev->method = str;
		break;
	case SLOT_RUNTIME:
		ev->runtime = str;
		break;
	case SLOT_REASON:
		ev->reason = str;
		break;
	case SLOT_CALLER:
		ev->caller = u;
		break;
	case SLOT_BACKTRACE:
		break;		/* a sequence, read above */
	case SLOT_SYMBOL:
		ev->symbol = str;
		break;
	case SLOT_OFFSET:
		ev->offset = u;
		break;
	case SLOT_BINARY:
		ev->binary = str;
		break;
	case SLOT_BINARY_OFFSET:
		ev->binary_offset = u;
		break;
	case SLOT_VPID:
		ev->vpid = s;
		break;
	case SLOT_VTID:
		ev->vtid = s;
		break;
	case SLOT_PROCNAME:
		ev->procname = str;
		break;
	case SLOT_NAME:
		ev->name = str;
		break;
	case SLOT_FILENAME:
		ev->filename = str;
		break;
	case SLOT_FIRSTLINENO:
		ev->firstlineno = (int32_t) s;
		break;
	case SLOT_LINETABLE_FORMAT:
		ev->linetable_format = (uint8_t) u;
		break;
	case SLOT_BEGIN_TS:
		ev->begin_ts = cycles_to_ns(r, u);
		break;
	case SLOT_ACQUIRED_TS:
		/* 0: an attempt still going on (gil_cycle_open). */
		ev->acquired_ts = u ? cycles_to_ns(r, u) : 0;
		break;
	case SLOT_RELEASED_TS:
		ev->released_ts = cycles_to_ns(r, u);
		break;
	case SLOT_TID:
		ev->tid = s;
		break;
	case SLOT_BEGIN_CALLER:
		ev->begin_caller = u;
		break;
	case SLOT_ACQUIRE_CALLER:
		ev->acquire_caller = u;
		break;
	case SLOT_PYCODE:
	case SLOT_PYINSTR:
	case SLOT_LINETABLE:
	case SLOT_ACQUIRE_BACKTRACE:
	case SLOT_ACQUIRE_PYCODE:
	case SLOT_ACQUIRE_PYINSTR:
		break;		/* sequences, read above */
	}
	return 0;
}

/* The descriptor of an event class: the last one used, a cached one,
 * or a new one; NULL when out of memory. */
static struct ev_desc *desc_get(struct trace_sink *r, const bt_event_class *ec)
{
	struct ev_desc *d = r->last;

	if (d && d->ec == ec) {
		return d;
	}
	d = idmap_get(&r->descs, (uint64_t) (uintptr_t) ec);
	if (!d) {
		d = desc_create(r, ec);
	}
	if (d) {
		r->last = d;
	}
	return d;
}

/* The members refs names of the structure field sf, into ev; -1 when
 * out of memory. */
static int members_set(struct trace_sink *r, struct gs_event *ev, const bt_field *sf,
		const struct field_ref *refs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (slot_set(r, ev, refs[i].slot, bt_field_structure_borrow_member_field_by_index_const(sf,
				refs[i].index), refs[i].type) != 0) {
			return -1;
		}
	}
	return 0;
}

/* The event's time, which the trace vouches for from then on. */
static int64_t event_time(struct trace_sink *r, const bt_message *msg)
{
	const bt_clock_snapshot *cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
	int64_t ns;

	if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		return 0;
	}
	if (ns > r->stats->clock_ns) {
		r->stats->clock_ns = ns;
	}
	return ns;
}

/* A batch member's field, or NULL if the class has none. */
static const bt_field *batch_field(const struct ev_desc *d, const bt_field *payload, enum batch_member k)
{
	if (d->batch_at[k] < 0) {
		return NULL;
	}
	return bt_field_structure_borrow_member_field_by_index_const(payload, (uint64_t) d->batch_at[k]);
}

/* Element i of a batch's per-cycle array f (0 if f is missing or short). */
static uint64_t batch_at(const bt_field *f, uint64_t i)
{
	return f && i < bt_field_array_get_length(f) ? array_at(f, i) : 0;
}

/*
 * The next len elements of a flattened array f, from *from on, into
 * out (at most BACKTRACE_MAX, and what f has): the frames of one cycle.
 */
static uint32_t batch_frames(const bt_field *f, uint64_t *from, uint64_t len, uint64_t *out)
{
	uint64_t have = f ? bt_field_array_get_length(f) : 0;
	uint32_t n = 0;

	for (uint64_t j = 0; j < len && *from + j < have && n < BACKTRACE_MAX; j++) {
		out[n++] = array_at(f, *from + j);
	}
	*from += len;
	return n;
}

/* The same for 32-bit elements (pyinstr); *from is left as it was, for
 * the pycode sequence read next with the same lengths. */
static uint32_t batch_frames32(const bt_field *f, uint64_t from, uint64_t len, uint32_t *out)
{
	uint64_t wide[BACKTRACE_MAX];
	uint32_t n = batch_frames(f, &from, len, wide);

	for (uint32_t i = 0; i < n; i++) {
		out[i] = (uint32_t) wide[i];
	}
	return n;
}

/*
 * Where the release frames of a batch's last cycles lie in the flattened
 * sequences, by cycle index modulo BATCH_BACK_RING: what a py_len of
 * GIL_BATCH_PY_BACK + k reads.  k is at most 126 (py_len is a byte, and
 * 255 is taken), so the ring holds every cycle it can name.
 */
#define BATCH_BACK_RING 128

struct batch_back {
	uint64_t at[BATCH_BACK_RING];
	uint64_t len[BATCH_BACK_RING];
};

/*
 * One end (acquisition or release) of a batch's cycles: where its frames
 * go, and how far into the flattened sequences the cycles before went;
 * back, the release end's only: where its cycles' frames were.
 */
struct batch_end {
	uint64_t *bt, *pycode;
	uint32_t *pyinstr;
	uint64_t at_bt, at_py;
	struct batch_back *back;
};

/*
 * Where cycle i's Python frames are at end e: *at and *len into the
 * flattened sequences for a length len told in the trace, which a back
 * reference (GIL_BATCH_PY_BACK + k, release end only) resolves to cycle
 * i - k's; 1 if they are the cycle's own, which come next.
 */
static int batch_py_where(struct batch_end *e, uint64_t i, uint64_t *at, uint64_t *len)
{
	struct batch_back *b = e->back;
	int own = 1;

	if (b && *len > GIL_BATCH_PY_BACK && *len < GIL_BATCH_PY_AS_RELEASE) {
		uint64_t k = *len - GIL_BATCH_PY_BACK;

		own = 0;
		*at = 0;
		*len = 0;
		if (k <= i) {
			*at = b->at[(i - k) % BATCH_BACK_RING];
			*len = b->len[(i - k) % BATCH_BACK_RING];
		}
	} else {
		*at = e->at_py;
	}
	if (b) {
		b->at[i % BATCH_BACK_RING] = *at;
		b->len[i % BATCH_BACK_RING] = *len;
	}
	return own;
}

/*
 * Cycle i's frames at one end, from the five members from first on in
 * the order of enum batch_member (backtrace length, backtrace, Python
 * frames' length, code objects, offsets): returns the backtrace's
 * length, *npy the Python frames' (their code objects and offsets, as
 * many of each as both sequences have).  as, as_n: the previous
 * cycle's release's Python frames, which a length of
 * GIL_BATCH_PY_AS_RELEASE says these are (none before cycle 1).
 */
static uint32_t batch_end_read(const bt_field *const *f, enum batch_member first, uint64_t i,
		struct batch_end *e, uint32_t *npy, const struct batch_end *as, uint32_t as_n)
{
	uint64_t len = batch_at(f[first], i);
	uint32_t nbt = batch_frames(f[first + 1], &e->at_bt, len, e->bt);
	uint32_t ninstr;
	uint64_t at, *from;

	len = batch_at(f[first + 2], i);
	if (len == GIL_BATCH_PY_AS_RELEASE) {
		*npy = i > 0 && as ? as_n : 0;
		if (*npy) {
			memcpy(e->pycode, as->pycode, *npy * sizeof(e->pycode[0]));
			memcpy(e->pyinstr, as->pyinstr, *npy * sizeof(e->pyinstr[0]));
		}
		return nbt;
	}
	/* The cycle's own frames move the end on; another's are read in place. */
	from = batch_py_where(e, i, &at, &len) ? &e->at_py : &at;
	ninstr = batch_frames32(f[first + 4], *from, len, e->pyinstr);
	*npy = batch_frames(f[first + 3], from, len, e->pycode);
	if (ninstr < *npy) {
		*npy = ninstr;
	}
	return nbt;
}

/* A scalar member's value, read as the class says it is signed or not. */
static uint64_t batch_scalar(const struct ev_desc *d, const bt_field *const *f, enum batch_member k)
{
	if (d->batch_signed[k]) {
		return (uint64_t) bt_field_integer_signed_get_value(f[k]);
	}
	return bt_field_integer_unsigned_get_value(f[k]);
}

/*
 * A gil_cycles: each of its cycles fed as the gil_cycle it stands for,
 * of thread tid (told by another thread, the procname context is that
 * one's).  The cycles' number is begin_ts' length.
 */
static void batch_feed(struct trace_sink *r, const struct ev_desc *d, struct gs_event *base,
		const bt_field *payload)
{
	const bt_field *f[BM_COUNT];
	struct batch_back back;
	struct batch_end acq = { r->acq_frames, r->acq_pycode, r->acq_pyinstr, 0, 0, NULL };
	struct batch_end rel = { r->frames, r->pycode, r->pyinstr, 0, 0, &back };
	uint32_t ev_npy = 0;	/* the previous cycle's release's Python frames */
	uint64_t n;

	for (int k = 0; k < BM_COUNT; k++) {
		f[k] = batch_field(d, payload, (enum batch_member) k);
	}
	if (!f[BM_BEGIN_TS] || !f[BM_GIL] || !f[BM_TID]) {
		return;
	}
	base->type = GS_EV_GIL_CYCLE;
	base->addr = batch_scalar(d, f, BM_GIL);
	base->tid = (int64_t) batch_scalar(d, f, BM_TID);
	if (base->tid != base->vtid) {
		base->procname = NULL;
	}
	base->vtid = base->tid;
	n = bt_field_array_get_length(f[BM_BEGIN_TS]);
	for (uint64_t i = 0; i < n; i++) {
		struct gs_event ev = *base;

		ev.begin_ts = cycles_to_ns(r, batch_at(f[BM_BEGIN_TS], i));
		ev.acquired_ts = cycles_to_ns(r, batch_at(f[BM_ACQUIRED_TS], i));
		ev.released_ts = cycles_to_ns(r, batch_at(f[BM_RELEASED_TS], i));
		ev.begin_caller = batch_at(f[BM_BEGIN_CALLER], i);
		ev.acquire_caller = batch_at(f[BM_ACQUIRE_CALLER], i);
		ev.caller = batch_at(f[BM_CALLER], i);
		ev.waiters = (uint32_t) batch_at(f[BM_WAITERS], i);
		ev.signalled = batch_at(f[BM_SIGNALLED], i) != 0;
		ev.nacquire_backtrace = batch_end_read(f, BM_ACQUIRE_BACKTRACE_LEN, i, &acq,
			&ev.nacquire_pycode, &rel, ev_npy);
		ev.acquire_backtrace = acq.bt;
		ev.acquire_pycode = acq.pycode;
		ev.acquire_pyinstr = acq.pyinstr;
		ev.nacquire_pyinstr = ev.nacquire_pycode;
		ev.nbacktrace = batch_end_read(f, BM_BACKTRACE_LEN, i, &rel, &ev.npycode, NULL, 0);
		ev_npy = ev.npycode;
		ev.backtrace = rel.bt;
		ev.pycode = rel.pycode;
		ev.pyinstr = rel.pyinstr;
		ev.npyinstr = ev.npycode;
		if (r->tick) {
			r->tick(r->tick_arg, ev.ts);
		}
		gs_feed(r->a, &ev);
	}
}

static int event_handle(struct trace_sink *r, const bt_message *msg)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	struct ev_desc *d;
	struct gs_event ev;

	r->stats->events++;
	if (!r->a) {
		return 0;	/* only counting */
	}
	d = desc_get(r, bt_event_borrow_class_const(event));
	if (!d) {
		return -1;
	}
	if (!d->giltrace) {
		return 0;
	}
	r->stats->giltrace_events++;
	if (d->unknown) {
		r->stats->unknown_events++;
		return 0;
	}
	if (!d->wanted) {
		return 0;
	}
	if (!d->has_context) {
		r->stats->no_context++;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = d->type;
	r->clock = NULL;
	if (d->has_clock) {
		ev.ts = event_time(r, msg);
		r->clock = bt_clock_snapshot_borrow_clock_class_const(
			bt_message_event_borrow_default_clock_snapshot_const(msg));
	}
	if (members_set(r, &ev, bt_event_borrow_common_context_field_const(event), d->ctx, d->nctx) != 0) {
		return -1;
	}
	if (d->batch) {
		batch_feed(r, d, &ev, bt_event_borrow_payload_field_const(event));
		return 0;
	}
	if (members_set(r, &ev, bt_event_borrow_payload_field_const(event), d->payload, d->npayload) != 0) {
		return -1;
	}
	if (r->tick) {
		r->tick(r->tick_arg, ev.ts);
	}
	gs_feed(r->a, &ev);
	return 0;
}

/* What the tracer says it lost: summed (trace_reader.h), and given to
 * the analysis. */
static void discarded_handle(struct trace_sink *r, const bt_message *msg)
{
	uint64_t events = 0, packets = 0;
	int unknown;

	if (bt_message_get_type(msg) == BT_MESSAGE_TYPE_DISCARDED_EVENTS) {
		unknown = bt_message_discarded_events_get_count(msg, &events) != BT_PROPERTY_AVAILABILITY_AVAILABLE;
	} else {
		unknown = bt_message_discarded_packets_get_count(msg, &packets) != BT_PROPERTY_AVAILABILITY_AVAILABLE;
	}
	r->stats->discarded_events += events;
	r->stats->discarded_packets += packets;
	r->stats->discarded_unknown += (uint64_t) unknown;
	if (r->a) {
		gs_discarded(r->a, events, packets, unknown);
	}
}

/* A live source saying no event older than this will come. */
static void inactivity_handle(struct trace_sink *r, const bt_message *msg)
{
	const bt_clock_snapshot *cs = bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(msg);
	int64_t ns;

	if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK
			&& ns > r->stats->clock_ns) {
		r->stats->clock_ns = ns;
	}
}

static int message_handle(struct trace_sink *r, const bt_message *msg)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		return event_handle(r, msg);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		discarded_handle(r, msg);
		return 0;
	case BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY:
		inactivity_handle(r, msg);
		return 0;
	default:
		return 0;
	}
}

/* ---- the sink ------------------------------------------------------ */

static bt_graph_simple_sink_component_consume_func_status sink_consume(
		bt_message_iterator *iter, void *data)
{
	struct trace_sink *r = data;
	bt_message_array_const msgs;
	uint64_t count = 0;
	bt_graph_simple_sink_component_consume_func_status status =
		BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
	bt_message_iterator_next_status next = bt_message_iterator_next(iter, &msgs, &count);

	/* Back from decoding (trace_isolate.h): a crash from here on is ours. */
	isolate_babeltrace_leave();
	switch (next) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
		goto end;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
		goto end;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
		goto end;
	default:
		TRACE_APPEND_CAUSE("Failed to get messages from upstream component");
		status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
		goto end;
	}
	for (uint64_t i = 0; i < count; i++) {
		if (status == BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK
				&& message_handle(r, msgs[i]) != 0) {
			status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
		}
		bt_message_put_ref(msgs[i]);
	}
	if (r->events_max && r->stats->events > r->events_max
			&& status == BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK) {
		TRACE_APPEND_CAUSE("libbabeltrace2 ran away on damaged data, stopped after %" PRIu64
			" events, more than the traces have bits (--verbose shows its messages)", r->stats->events);
		status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
end:
	isolate_babeltrace_enter(NULL);
	return status;
}

enum trace_read_status trace_sink_add(bt_graph *graph, struct trace_sink *r, const bt_port_output *from,
		const char *what)
{
	const bt_component_sink *sink;

	if (bt_graph_add_simple_sink_component(graph, "giltrace", NULL, sink_consume, NULL, r, &sink)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		TRACE_APPEND_CAUSE("Cannot create the analysis sink");
		return TRACE_READ_ERROR;
	}
	if (bt_graph_connect_ports(graph, from, bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
			NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		TRACE_APPEND_CAUSE("Cannot connect %s to the analysis sink", what);
		return TRACE_READ_ERROR;
	}
	return TRACE_READ_OK;
}

void trace_sink_fini(struct trace_sink *r)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(&r->descs, &pos, &v)) {
		bt_event_class_put_ref(((struct ev_desc *) v)->ec);
		free(v);
	}
	idmap_free(&r->descs);
	r->last = NULL;
	free(r->linetable);
	r->linetable = NULL;
	r->linetable_cap = 0;
}
