/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <babeltrace2/babeltrace.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "isolate.h"
#include "trace_read.h"

#define MODULE "giltrace-analyze"

#define APPEND_CAUSE(...) \
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_UNKNOWN(MODULE, __VA_ARGS__)

/* ---- finding traces ------------------------------------------------ */

static enum trace_read_status list_add(struct trace_list *list, const char *dir)
{
	char *copy;

	for (size_t i = 0; i < list->len; i++) {
		if (strcmp(list->paths[i], dir) == 0) {
			return TRACE_READ_OK;
		}
	}
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		char **paths = realloc(list->paths, cap * sizeof(*paths));

		if (!paths) {
			return TRACE_READ_MEMORY;
		}
		list->paths = paths;
		list->cap = cap;
	}
	copy = strdup(dir);
	if (!copy) {
		return TRACE_READ_MEMORY;
	}
	list->paths[list->len++] = copy;
	return TRACE_READ_OK;
}

/*
 * nftw() has no user argument: the list being filled is global for the
 * duration of one walk (trace_find is not reentrant, nor need it be).
 */
static struct trace_list *walk_list;
static enum trace_read_status walk_status;

static int walk_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char *dir;

	if (type != FTW_F || strcmp(path + ftw->base, "metadata") != 0 || !S_ISREG(st->st_mode)) {
		return 0;
	}
	dir = strndup(path, ftw->base > 1 ? (size_t) ftw->base - 1 : 1);
	if (!dir) {
		walk_status = TRACE_READ_MEMORY;
		return 1;
	}
	walk_status = list_add(walk_list, dir);
	free(dir);
	return walk_status != TRACE_READ_OK;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

enum trace_read_status trace_find(const char *input, struct trace_list *list)
{
	struct stat st;
	size_t before = list->len;
	enum trace_read_status status = TRACE_READ_OK;

	if (stat(input, &st) != 0) {
		APPEND_CAUSE("Cannot open trace directory: path=\"%s\", error=\"%s\"", input, strerror(errno));
		status = TRACE_READ_NOT_FOUND;
		goto end;
	}
	if (S_ISREG(st.st_mode)) {
		char *copy = strdup(input);
		char *base, *dir;

		if (!copy) {
			status = TRACE_READ_MEMORY;
			goto end;
		}
		base = basename(copy);
		if (strcmp(base, "metadata") != 0) {
			free(copy);
			APPEND_CAUSE("Not a trace directory: path=\"%s\" is a file; give the directory LTTng wrote", input);
			status = TRACE_READ_NOT_FOUND;
			goto end;
		}
		free(copy);
		copy = strdup(input);
		if (!copy) {
			status = TRACE_READ_MEMORY;
			goto end;
		}
		dir = dirname(copy);
		status = list_add(list, dir);
		free(copy);
		goto end;
	}
	if (!S_ISDIR(st.st_mode)) {
		APPEND_CAUSE("Not a trace directory: path=\"%s\"", input);
		status = TRACE_READ_NOT_FOUND;
		goto end;
	}
	walk_list = list;
	walk_status = TRACE_READ_OK;
	/* FTW_PHYS: never follow symlinks (no loops, no escaping the tree). */
	if (nftw(input, walk_visit, 32, FTW_PHYS) < 0) {
		APPEND_CAUSE("Cannot read directory: path=\"%s\", error=\"%s\"", input, strerror(errno));
		status = TRACE_READ_NOT_FOUND;
		goto end;
	}
	status = walk_status;
	if (status != TRACE_READ_OK) {
		goto end;
	}
	if (list->len == before) {
		APPEND_CAUSE("No CTF trace found: path=\"%s\" holds no directory with a \"metadata\" file", input);
		status = TRACE_READ_NOT_FOUND;
		goto end;
	}
	qsort(list->paths + before, list->len - before, sizeof(*list->paths), path_cmp);
end:
	return status;
}

void trace_list_free(struct trace_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		free(list->paths[i]);
	}
	free(list->paths);
	list->paths = NULL;
	list->len = list->cap = 0;
}

/* ---- metadata sanity ----------------------------------------------- */

/*
 * The header of a packet of packetized CTF metadata (CTF 1.8, section
 * 7.1), as LTTng writes it.
 */
struct metadata_packet_header {
	uint32_t magic;
	uint8_t uuid[16];
	uint32_t checksum;
	uint32_t content_size;		/* bits, header included */
	uint32_t packet_size;		/* bits */
	uint8_t compression_scheme;
	uint8_t encryption_scheme;
	uint8_t checksum_scheme;
	uint8_t major;
	uint8_t minor;
} __attribute__((packed));

#define METADATA_MAGIC 0x75D11D57u

/*
 * babeltrace2 2.0 reads packetized metadata (the first packet's magic
 * says it is) packet after packet without looking at the later packets'
 * magic: it takes content_size bits, header included, then skips
 * packet_size - content_size bits; and it never stops if the file ends
 * before a packet's content does: a damaged size field hangs it.  Follow
 * the packets as it does, and check that each one fits in the file
 * before handing the trace over.
 */
static enum trace_read_status metadata_check(const char *dir)
{
	char path[PATH_MAX];
	struct metadata_packet_header h;
	enum trace_read_status status = TRACE_READ_OK;
	struct stat st;
	uint64_t off = 0;
	int swap = -1;		/* unknown before the first header */
	FILE *f;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) != 0) {
		APPEND_CAUSE("Cannot read trace metadata: path=\"%s\", error=\"%s\"", path, strerror(errno));
		status = TRACE_READ_BAD_TRACE;
		goto end;
	}
	while (fread(&h, sizeof(h), 1, f) == 1) {
		uint64_t content, packet;

		if (swap < 0 && h.magic != METADATA_MAGIC && h.magic != __builtin_bswap32(METADATA_MAGIC)) {
			break;		/* plain-text metadata */
		}
		if (swap < 0) {
			swap = h.magic != METADATA_MAGIC;
		}
		if (swap) {
			h.content_size = __builtin_bswap32(h.content_size);
			h.packet_size = __builtin_bswap32(h.packet_size);
		}
		content = h.content_size / 8;
		packet = h.packet_size / 8;
		if (content < sizeof(h) || h.packet_size < h.content_size || off + content > (uint64_t) st.st_size) {
			APPEND_CAUSE("Corrupted metadata: path=\"%s\", packet-offset=%" PRIu64
				", content-size-bytes=%" PRIu64 ", packet-size-bytes=%" PRIu64
				", file-size=%lld", path, off, content, packet, (long long) st.st_size);
			status = TRACE_READ_BAD_TRACE;
			goto end;
		}
		/* babeltrace's next packet: the padding is skipped from the
		 * content's last whole byte. */
		off += content + (h.packet_size - h.content_size) / 8;
		if (fseeko(f, (off_t) off, SEEK_SET) != 0) {
			break;
		}
	}
end:
	if (f) {
		fclose(f);
	}
	return status;
}

/* The size of a trace's files (metadata and streams), for the
 * watchdog's memory bound (isolate.h). */
static uint64_t trace_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t total = 0;

	if (!d) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
			total += (uint64_t) st.st_size;
		}
	}
	closedir(d);
	return total;
}

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
	{ "giltrace:gil_callsite", GS_EV_GIL_CALLSITE },
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

#define DESC_MAX_FIELDS 8

enum field_type {
	FT_UNSIGNED,
	FT_SIGNED,
	FT_STRING,
	FT_ARRAY,			/* of unsigned integers (backtrace) */
};

/* Frames kept of a backtrace (the shim records at most 32). */
#define BACKTRACE_MAX 64

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
	int has_clock;
	int has_context;		/* vpid and vtid present */
	enum gs_event_type type;
	struct field_ref ctx[3];
	unsigned int nctx;
	struct field_ref payload[DESC_MAX_FIELDS];
	unsigned int npayload;
};

/* The sink's state, owned by trace_read()'s frame. */
struct reader {
	struct gs_analysis *a;
	struct trace_read_stats *stats;
	struct idmap descs;		/* event class address -> struct ev_desc, owned */
	struct ev_desc *last;		/* the descriptor used last */
	uint64_t frames[BACKTRACE_MAX];	/* the current event's backtrace */
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

static struct ev_desc *desc_create(struct reader *r, const bt_event_class *ec)
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
	for (size_t i = 0; d->giltrace && i < sizeof(event_types) / sizeof(event_types[0]); i++) {
		if (strcmp(name, event_types[i].name) == 0) {
			d->type = event_types[i].type;
			d->wanted = d->type < GS_EV_MUTEX_LOCK_BEGIN || r->a->all_locks;
			break;
		}
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
	if (idmap_put(&r->descs, (uint64_t) (uintptr_t) ec, d) != 0) {
		bt_event_class_put_ref(ec);
		free(d);
		return NULL;
	}
	return d;
}

/* A backtrace into the reader's buffer (the event borrows it). */
static void backtrace_set(struct reader *r, struct gs_event *ev, const bt_field *f)
{
	uint64_t n = bt_field_array_get_length(f);

	if (n > BACKTRACE_MAX) {
		n = BACKTRACE_MAX;
	}
	for (uint64_t i = 0; i < n; i++) {
		r->frames[i] = bt_field_integer_unsigned_get_value(
			bt_field_array_borrow_element_field_by_index_const(f, i));
	}
	ev->backtrace = r->frames;
	ev->nbacktrace = (uint32_t) n;
}

static void slot_set(struct reader *r, struct gs_event *ev, enum slot slot, const bt_field *f,
		enum field_type type)
{
	uint64_t u = 0;
	int64_t s = 0;
	const char *str = NULL;

	if (type == FT_ARRAY) {
		if (slot == SLOT_BACKTRACE) {
			backtrace_set(r, ev, f);
		}
		return;
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
		break;
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
	}
}

static int event_handle(struct reader *r, const bt_message *msg)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	const bt_event_class *ec = bt_event_borrow_class_const(event);
	struct ev_desc *d = r->last;
	struct gs_event ev;
	const bt_field *sf;

	r->stats->events++;
	if (!d || d->ec != ec) {
		d = idmap_get(&r->descs, (uint64_t) (uintptr_t) ec);
		if (!d) {
			d = desc_create(r, ec);
			if (!d) {
				return -1;
			}
		}
		r->last = d;
	}
	if (!d->giltrace) {
		return 0;
	}
	r->stats->giltrace_events++;
	if (!d->wanted) {
		return 0;
	}
	if (!d->has_context) {
		r->stats->no_context++;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = d->type;
	if (d->has_clock) {
		const bt_clock_snapshot *cs = bt_message_event_borrow_default_clock_snapshot_const(msg);

		if (bt_clock_snapshot_get_ns_from_origin(cs, &ev.ts) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
			ev.ts = 0;
		}
		if (ev.ts > r->stats->clock_ns) {
			r->stats->clock_ns = ev.ts;
		}
	}
	sf = bt_event_borrow_common_context_field_const(event);
	for (unsigned int i = 0; i < d->nctx; i++) {
		slot_set(r, &ev, d->ctx[i].slot,
			bt_field_structure_borrow_member_field_by_index_const(sf, d->ctx[i].index),
			d->ctx[i].type);
	}
	sf = bt_event_borrow_payload_field_const(event);
	for (unsigned int i = 0; i < d->npayload; i++) {
		slot_set(r, &ev, d->payload[i].slot,
			bt_field_structure_borrow_member_field_by_index_const(sf, d->payload[i].index),
			d->payload[i].type);
	}
	gs_feed(r->a, &ev);
	return 0;
}

/* A live source saying no event older than this will come. */
static void inactivity_handle(struct reader *r, const bt_message *msg)
{
	const bt_clock_snapshot *cs = bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(msg);
	int64_t ns;

	if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK
			&& ns > r->stats->clock_ns) {
		r->stats->clock_ns = ns;
	}
}

static int message_handle(struct reader *r, const bt_message *msg)
{
	uint64_t count = 0;

	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		return event_handle(r, msg);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		if (bt_message_discarded_events_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE) {
			gs_discarded(r->a, count, 0, 0);
		} else {
			gs_discarded(r->a, 0, 0, 1);
		}
		return 0;
	case BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY:
		inactivity_handle(r, msg);
		return 0;
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		if (bt_message_discarded_packets_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE) {
			gs_discarded(r->a, 0, count, 0);
		} else {
			gs_discarded(r->a, 0, 0, 1);
		}
		return 0;
	default:
		return 0;
	}
}

/* ---- the sink ------------------------------------------------------ */

static bt_graph_simple_sink_component_consume_func_status sink_consume(
		bt_message_iterator *iter, void *data)
{
	struct reader *r = data;
	bt_message_array_const msgs;
	uint64_t count = 0;
	bt_graph_simple_sink_component_consume_func_status status =
		BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
	bt_message_iterator_next_status next = bt_message_iterator_next(iter, &msgs, &count);

	/* Back from decoding (isolate.h): a crash from here on is ours. */
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
		APPEND_CAUSE("Failed to get messages from upstream component");
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
end:
	isolate_babeltrace_enter(NULL);
	return status;
}

/* ---- the graph ----------------------------------------------------- */

struct graph {
	bt_graph *graph;		/* owned */
	const bt_plugin *ctf;		/* owned */
	const bt_plugin *utils;		/* owned */
	const bt_component_filter *muxer;	/* borrowed from the graph */
	const bt_component_source **sources;	/* owned array of borrowed components */
	size_t nsources;
};

static enum trace_read_status plugin_find(const char *name, const bt_plugin **plugin)
{
	bt_plugin_find_status st = bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, plugin);

	if (st == BT_PLUGIN_FIND_STATUS_OK) {
		return TRACE_READ_OK;
	}
	if (st == BT_PLUGIN_FIND_STATUS_MEMORY_ERROR) {
		return TRACE_READ_MEMORY;
	}
	APPEND_CAUSE("Cannot find the babeltrace2 \"%s\" plugin: is babeltrace2 installed (apt-get install babeltrace2)?", name);
	return TRACE_READ_ERROR;
}

/* A source's parameters {"inputs": [input]}, to put; NULL when out of
 * memory. */
static bt_value *inputs_params(const char *input)
{
	bt_value *params = bt_value_map_create();
	bt_value *inputs = NULL;

	if (!params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs)
			!= BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK
			|| bt_value_array_append_string_element(inputs, input)
			!= BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK) {
		bt_value_put_ref(params);
		return NULL;
	}
	return params;
}

/* The analysis sink, fed from the output port from; what names that
 * port's component in the error. */
static enum trace_read_status sink_add(bt_graph *graph, struct reader *r, const bt_port_output *from,
		const char *what)
{
	const bt_component_sink *sink;

	if (bt_graph_add_simple_sink_component(graph, "giltrace", NULL, sink_consume, NULL, r, &sink)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		APPEND_CAUSE("Cannot create the analysis sink");
		return TRACE_READ_ERROR;
	}
	if (bt_graph_connect_ports(graph, from, bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
			NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		APPEND_CAUSE("Cannot connect %s to the analysis sink", what);
		return TRACE_READ_ERROR;
	}
	return TRACE_READ_OK;
}

static enum trace_read_status source_add(struct graph *g, const char *path, size_t i,
		bt_logging_level level)
{
	const bt_component_class_source *cls =
		bt_plugin_borrow_source_component_class_by_name_const(g->ctf, "fs");
	bt_value *params = inputs_params(path);
	char name[32];
	enum trace_read_status status = TRACE_READ_OK;
	bt_graph_add_component_status st;

	if (!cls) {
		APPEND_CAUSE("Cannot find the source.ctf.fs component class");
		status = TRACE_READ_ERROR;
		goto end;
	}
	if (!params) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	status = metadata_check(path);
	if (status != TRACE_READ_OK) {
		APPEND_CAUSE("Cannot read trace: path=\"%s\"", path);
		goto end;
	}
	snprintf(name, sizeof(name), "trace-%zu", i);
	/* Parses the metadata and reads every packet's header. */
	isolate_babeltrace_data(trace_bytes(path));
	isolate_babeltrace_enter(path);
	st = bt_graph_add_source_component(g->graph, cls, name, params, level, &g->sources[i]);
	isolate_babeltrace_leave();
	if (st != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		APPEND_CAUSE("Cannot read trace (--verbose shows babeltrace2's diagnosis): path=\"%s\"", path);
		status = TRACE_READ_BAD_TRACE;
		goto end;
	}
	g->nsources++;
end:
	bt_value_put_ref(params);
	return status;
}

/* Every output port of every source goes to a fresh muxer input. */
static enum trace_read_status sources_connect(struct graph *g, const struct trace_list *list)
{
	for (size_t i = 0; i < g->nsources; i++) {
		uint64_t n = bt_component_source_get_output_port_count(g->sources[i]);

		for (uint64_t k = 0; k < n; k++) {
			const bt_port_output *out =
				bt_component_source_borrow_output_port_by_index_const(g->sources[i], k);
			uint64_t free_in = bt_component_filter_get_input_port_count(g->muxer) - 1;
			const bt_port_input *in =
				bt_component_filter_borrow_input_port_by_index_const(g->muxer, free_in);

			if (bt_graph_connect_ports(g->graph, out, in, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
				APPEND_CAUSE("Cannot connect trace to the muxer: path=\"%s\"", list->paths[i]);
				return TRACE_READ_ERROR;
			}
		}
	}
	return TRACE_READ_OK;
}

static enum trace_read_status graph_build(struct graph *g, const struct trace_list *list,
		struct reader *r, bt_logging_level level)
{
	const bt_component_class_filter *mux_cls;
	enum trace_read_status status;

	g->graph = bt_graph_create(0);
	g->sources = calloc(list->len, sizeof(*g->sources));
	if (!g->graph || !g->sources) {
		return TRACE_READ_MEMORY;
	}
	status = plugin_find("ctf", &g->ctf);
	if (status == TRACE_READ_OK) {
		status = plugin_find("utils", &g->utils);
	}
	if (status != TRACE_READ_OK) {
		return status;
	}
	for (size_t i = 0; i < list->len; i++) {
		status = source_add(g, list->paths[i], i, level);
		if (status != TRACE_READ_OK) {
			return status;
		}
	}
	mux_cls = bt_plugin_borrow_filter_component_class_by_name_const(g->utils, "muxer");
	if (!mux_cls || bt_graph_add_filter_component(g->graph, mux_cls, "muxer", NULL, level, &g->muxer)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		APPEND_CAUSE("Cannot create the filter.utils.muxer component");
		return TRACE_READ_ERROR;
	}
	status = sources_connect(g, list);
	if (status != TRACE_READ_OK) {
		return status;
	}
	return sink_add(g->graph, r, bt_component_filter_borrow_output_port_by_name_const(g->muxer, "out"),
		"the muxer");
}

static void graph_free(struct graph *g)
{
	/* The sources' finalization walks what they decoded. */
	isolate_babeltrace_enter(NULL);
	bt_graph_put_ref(g->graph);
	isolate_babeltrace_leave();
	bt_plugin_put_ref(g->ctf);
	bt_plugin_put_ref(g->utils);
	free(g->sources);
}

/*
 * A run failed inside a source: name the trace it was reading, from the
 * component name ("trace-N") babeltrace recorded in the error causes.
 */
static const char *failed_trace(const struct trace_list *list)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *path = NULL;

	if (!err) {
		return NULL;
	}
	for (uint64_t i = 0; i < bt_error_get_cause_count(err) && !path; i++) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(err, i);
		const char *name;
		size_t k;

		if (bt_error_cause_get_actor_type(c) != BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT) {
			continue;
		}
		name = bt_error_cause_component_actor_get_component_name(c);
		if (sscanf(name, "trace-%zu", &k) == 1 && k < list->len) {
			path = list->paths[k];
		}
	}
	bt_current_thread_move_error(err);
	return path;
}

static void descs_free(struct idmap *descs)
{
	size_t pos = 0;
	void *v;

	while (idmap_next(descs, &pos, &v)) {
		bt_event_class_put_ref(((struct ev_desc *) v)->ec);
		free(v);
	}
	idmap_free(descs);
}

enum trace_read_status trace_read(const struct trace_list *list, struct gs_analysis *a,
		int verbose, struct trace_read_stats *stats)
{
	struct reader r = { .a = a, .stats = stats };
	struct graph g = { 0 };
	bt_logging_level level = verbose ? BT_LOGGING_LEVEL_WARNING : BT_LOGGING_LEVEL_NONE;
	enum trace_read_status status;
	bt_graph_run_status run;

	memset(stats, 0, sizeof(*stats));
	status = graph_build(&g, list, &r, level);
	if (status != TRACE_READ_OK) {
		goto end;
	}
	isolate_babeltrace_enter(NULL);
	do {
		run = bt_graph_run(g.graph);
	} while (run == BT_GRAPH_RUN_STATUS_AGAIN);
	isolate_babeltrace_leave();
	if (run == BT_GRAPH_RUN_STATUS_MEMORY_ERROR) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	if (run != BT_GRAPH_RUN_STATUS_OK) {
		const char *path = failed_trace(list);

		if (path) {
			APPEND_CAUSE("Cannot read trace: path=\"%s\"", path);
		} else {
			APPEND_CAUSE("Cannot read the traces");
		}
		status = TRACE_READ_BAD_TRACE;
		goto end;
	}
	if (stats->giltrace_events > 0 && stats->no_context == stats->giltrace_events) {
		APPEND_CAUSE("Cannot tell threads apart: the giltrace events lack the vpid and vtid contexts "
			"(record with: lttng add-context -u -t vpid -t vtid -t procname)");
		status = TRACE_READ_NO_CONTEXT;
	}
end:
	graph_free(&g);
	descs_free(&r.descs);
	return status;
}

/* ---- live reading -------------------------------------------------- */

struct trace_live {
	struct reader r;		/* the sink's state */
	bt_graph *graph;		/* owned */
	const bt_plugin *ctf;		/* owned */
	const bt_component_class_source *cls;	/* borrowed from ctf */
	char *relay;			/* owned: net://HOST:PORT */
	char *session;			/* owned */
	char *url;			/* owned: the session's lttng-live URL */
};

static enum trace_read_status live_graph_build(struct trace_live *l, bt_logging_level level)
{
	const bt_component_source *src;
	bt_value *params = inputs_params(l->url);
	enum trace_read_status status = TRACE_READ_OK;

	l->graph = bt_graph_create(0);
	if (!l->graph || !params) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	/* "end": the source ends once the session is destroyed and read
	 * to its end ("continue" would wait for a new one of that name);
	 * the session must exist on the relay daemon when reading starts. */
	if (bt_value_map_insert_string_entry(params, "session-not-found-action", "end")
			!= BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK) {
		status = TRACE_READ_MEMORY;
		goto end;
	}
	if (bt_graph_add_source_component(l->graph, l->cls, "live", params, level, &src)
			!= BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		APPEND_CAUSE("Cannot create the live source: url=\"%s\"", l->url);
		status = TRACE_READ_ERROR;
		goto end;
	}
	/* One output port: the live source merges its streams itself. */
	status = sink_add(l->graph, &l->r, bt_component_source_borrow_output_port_by_index_const(src, 0),
		"the live source");
end:
	bt_value_put_ref(params);
	return status;
}

enum trace_read_status trace_live_open(const char *relay, const char *host, const char *session,
		struct gs_analysis *a, int verbose, struct trace_read_stats *stats,
		struct trace_live **live)
{
	struct trace_live *l = calloc(1, sizeof(*l));
	enum trace_read_status status;

	*live = NULL;
	if (!l) {
		return TRACE_READ_MEMORY;
	}
	memset(stats, 0, sizeof(*stats));
	l->r.a = a;
	l->r.stats = stats;
	l->relay = strdup(relay);
	l->session = strdup(session);
	if (!l->relay || !l->session || asprintf(&l->url, "%s/host/%s/%s", relay, host, session) < 0) {
		l->url = NULL;
		status = TRACE_READ_MEMORY;
		goto error;
	}
	status = plugin_find("ctf", &l->ctf);
	if (status != TRACE_READ_OK) {
		goto error;
	}
	l->cls = bt_plugin_borrow_source_component_class_by_name_const(l->ctf, "lttng-live");
	if (!l->cls) {
		APPEND_CAUSE("Cannot find the source.ctf.lttng-live component class");
		status = TRACE_READ_ERROR;
		goto error;
	}
	status = live_graph_build(l, verbose ? BT_LOGGING_LEVEL_WARNING : BT_LOGGING_LEVEL_NONE);
	if (status != TRACE_READ_OK) {
		goto error;
	}
	*live = l;
	return TRACE_READ_OK;
error:
	trace_live_close(l);
	return status;
}

enum trace_live_status trace_live_step(struct trace_live *l)
{
	switch (bt_graph_run_once(l->graph)) {
	case BT_GRAPH_RUN_ONCE_STATUS_OK:
		return TRACE_LIVE_OK;
	case BT_GRAPH_RUN_ONCE_STATUS_AGAIN:
		return TRACE_LIVE_AGAIN;
	case BT_GRAPH_RUN_ONCE_STATUS_END:
		return TRACE_LIVE_END;
	case BT_GRAPH_RUN_ONCE_STATUS_MEMORY_ERROR:
		return TRACE_LIVE_MEMORY;
	default:
		APPEND_CAUSE("Cannot read the live session: url=\"%s\"", l->url);
		return TRACE_LIVE_ERROR;
	}
}

/* An integer entry of a map, signed or not; -1 if absent. */
static int64_t map_int(const bt_value *map, const char *key)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	if (v && bt_value_is_unsigned_integer(v)) {
		return (int64_t) bt_value_integer_unsigned_get(v);
	}
	if (v && bt_value_is_signed_integer(v)) {
		return bt_value_integer_signed_get(v);
	}
	return -1;
}

int trace_live_viewers(struct trace_live *l)
{
	const bt_component_class *cls = bt_component_class_source_as_component_class_const(l->cls);
	bt_value *params = bt_value_map_create();
	bt_query_executor *q = NULL;
	const bt_value *result = NULL;
	int viewers = -2;

	if (!params || bt_value_map_insert_string_entry(params, "url", l->relay) != BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK) {
		goto end;
	}
	q = bt_query_executor_create(cls, "sessions", params);
	if (!q) {
		goto end;
	}
	switch (bt_query_executor_query(q, &result)) {
	case BT_QUERY_EXECUTOR_QUERY_STATUS_OK:
		break;
	case BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN:
		viewers = -1;
		goto end;
	default:
		APPEND_CAUSE("Cannot list the relay daemon's sessions: url=\"%s\"", l->relay);
		goto end;
	}
	viewers = -1;
	for (uint64_t i = 0; bt_value_is_array(result) && i < bt_value_array_get_length(result); i++) {
		const bt_value *s = bt_value_array_borrow_element_by_index_const(result, i);
		const bt_value *name = bt_value_map_borrow_entry_value_const(s, "session-name");

		if (name && bt_value_is_string(name) && strcmp(bt_value_string_get(name), l->session) == 0) {
			viewers = (int) map_int(s, "client-count");
			break;
		}
	}
end:
	bt_value_put_ref(result);
	bt_query_executor_put_ref(q);
	bt_value_put_ref(params);
	return viewers;
}

void trace_live_close(struct trace_live *l)
{
	if (!l) {
		return;
	}
	bt_graph_put_ref(l->graph);
	bt_plugin_put_ref(l->ctf);
	descs_free(&l->r.descs);
	free(l->relay);
	free(l->session);
	free(l->url);
	free(l);
}
