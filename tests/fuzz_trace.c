/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * libFuzzer harness for giltrace-analyze's whole path: damaged copies of
 * real traces (tests/corpus/) are written to a directory and analysed by
 * the program's own main() (analyzer/analyze_main.c, renamed analyzer_main when
 * tests/fuzz_trace.sh compiles it): finding the trace, the babeltrace2
 * graph (ctf.fs source, muxer, our sink), the analysis core and a
 * report.  Each run must end in a documented exit status with, on
 * failure, exactly one line on stderr naming the program, and with no
 * output on success; AddressSanitizer and UndefinedBehaviorSanitizer
 * watch our code, libFuzzer's -timeout catches a hang (ours or
 * babeltrace2's).
 *
 * Two modes.  By default the analyzer runs in this process
 * (GILTRACE_ANALYZE_INPROCESS=1), so that libFuzzer sees its coverage;
 * a crash inside libbabeltrace2 then ends the run, and
 * tests/fuzz_trace.sh (libFuzzer's -fork mode) replays the input with
 * FUZZ_TRACE_ISOLATE=1: the analyzer's own child process (isolate_run()),
 * where such a crash must give status 4 and one line.
 *
 * An input is a whole trace (tests/corpus/tracepack.py documents the
 * format): a flags byte (--all-locks, the format, --verbose), then the
 * files, maybe with those of a second trace (t2/...).  The
 * custom mutator below knows LTTng's layout, so most mutations keep the
 * trace readable enough to reach deep code: packet header and context
 * fields set to edge values, packets dropped, repeated, swapped or moved
 * between streams, files cut short (at packet boundaries and inside
 * headers), index entries corrupted, metadata packet headers and TSDL
 * text edited (numbers, words, lines, event blocks), a copy of the trace
 * added beside it (the same processes twice).  libbabeltrace2 is
 * not instrumented, so its error messages are fed back to libFuzzer as
 * extra coverage: an input that makes babeltrace2 fail in a new way is
 * kept.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... (tests/fuzz_trace.sh)
 *   fuzz_trace -close_fd_mask=2 CORPUS_DIR      (the analyzer's stderr
 *                                                is captured per run)
 */
#define _GNU_SOURCE
#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* analyzer/analyze_main.c's main(). */
int analyzer_main(int argc, char **argv);

/* ---- the input: a trace as an archive ------------------------------ */

#define ARCHIVE_MAX_FILES 32
#define NAME_MAX_LEN 64

struct tfile {
	char name[NAME_MAX_LEN + 12];	/* "t2/index/" + a name */
	uint8_t *data;			/* owned */
	size_t len;
};

/* The flags byte: bit 0 --all-locks, bits 1-2 the format, bit 3
 * --verbose. */
#define FLAG_ALL_LOCKS 1
#define FLAG_VERBOSE 8

struct archive {
	uint8_t flags;
	struct tfile files[ARCHIVE_MAX_FILES];
	size_t nfiles;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

static void put_le(uint8_t *p, uint64_t v, unsigned int width)
{
	for (unsigned int i = 0; i < width; i++) {
		p[i] = (uint8_t) (v >> (8 * i));
	}
}

static uint64_t get_le(const uint8_t *p, unsigned int width)
{
	uint64_t v = 0;

	for (unsigned int i = width; i > 0; i--) {
		v = v << 8 | p[i - 1];
	}
	return v;
}

static uint64_t get_be(const uint8_t *p, unsigned int width)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < width; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static void put_be(uint8_t *p, uint64_t v, unsigned int width)
{
	for (unsigned int i = 0; i < width; i++) {
		p[width - 1 - i] = (uint8_t) (v >> (8 * i));
	}
}

/* Files named "t2/..." belong to a second trace, in a subdirectory. */
#define SECOND_TRACE "t2/"

/* The name within its trace: without the second trace's prefix. */
static const char *name_in_trace(const char *name)
{
	return strncmp(name, SECOND_TRACE, 3) == 0 ? name + 3 : name;
}

/*
 * A file name the harness may create below the trace directory: a plain
 * name, or one in index/, either maybe in t2/; never "index" itself,
 * nothing starting with a dot (no "..").  tracepack.py applies the same
 * rule.
 */
static int name_ok(const char *name)
{
	const char *in = name_in_trace(name);
	const char *base = strncmp(in, "index/", 6) == 0 ? in + 6 : in;
	size_t n = strlen(base);

	if (n == 0 || n > NAME_MAX_LEN || base[0] == '.' || strcmp(in, "index") == 0
			|| strcmp(base, "t2") == 0) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char c = base[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| c == '_' || c == '-' || c == '.')) {
			return 0;
		}
	}
	return 1;
}

static int is_metadata(const struct tfile *f)
{
	return strcmp(name_in_trace(f->name), "metadata") == 0;
}

static int is_index(const struct tfile *f)
{
	return strncmp(name_in_trace(f->name), "index/", 6) == 0;
}

static void archive_free(struct archive *ar)
{
	for (size_t i = 0; i < ar->nfiles; i++) {
		free(ar->files[i].data);
	}
	ar->nfiles = 0;
}

/* Reads whatever the bytes hold: lengths past the end are cut short,
 * bad names kept (the writer skips them), files past the maximum
 * dropped.  Returns -1 only when out of memory. */
static int archive_parse(const uint8_t *data, size_t size, struct archive *ar)
{
	size_t off = 1;

	memset(ar, 0, sizeof(*ar));
	ar->flags = size ? data[0] : 0;
	while (off < size && ar->nfiles < ARCHIVE_MAX_FILES) {
		struct tfile *f = &ar->files[ar->nfiles];
		size_t n = data[off++];
		size_t len;

		n = n < size - off ? n : size - off;
		if (n > NAME_MAX_LEN + 9) {
			n = NAME_MAX_LEN + 9;
		}
		memcpy(f->name, data + off, n);
		f->name[n] = '\0';
		off += n;
		len = 0;
		if (size - off >= 4) {
			len = le32(data + off);
			off += 4;
		} else {
			off = size;
		}
		len = len < size - off ? len : size - off;
		f->data = malloc(len ? len : 1);
		if (!f->data) {
			archive_free(ar);
			return -1;
		}
		memcpy(f->data, data + off, len);
		f->len = len;
		off += len;
		ar->nfiles++;
	}
	return 0;
}

/* Serialises into out; returns the size, or 0 (out untouched) if it
 * would exceed max. */
static size_t archive_write(const struct archive *ar, uint8_t *out, size_t max)
{
	size_t off = 1, total = 1;

	for (size_t i = 0; i < ar->nfiles; i++) {
		total += 1 + strlen(ar->files[i].name) + 4 + ar->files[i].len;
	}
	if (total > max) {
		return 0;
	}
	out[0] = ar->flags;
	for (size_t i = 0; i < ar->nfiles; i++) {
		const struct tfile *f = &ar->files[i];
		size_t n = strlen(f->name);

		out[off++] = (uint8_t) n;
		memcpy(out + off, f->name, n);
		off += n;
		put_le(out + off, f->len, 4);
		off += 4;
		memcpy(out + off, f->data, f->len);
		off += f->len;
	}
	return off;
}

/* ---- running the analyzer ------------------------------------------ */

/*
 * The harness's working directory (FUZZ_TRACE_WORKDIR, or a fresh one
 * made at start-up), the descriptor of the real stderr (libFuzzer is run
 * with -close_fd_mask=2, so fd 2 is free to capture the analyzer's
 * messages) and the table of extra coverage: process-wide because
 * libFuzzer's callbacks take no user argument.
 */
static char workdir[PATH_MAX];
static int report_fd = 2;

/*
 * References to the plugins the analyzer loads, held for the whole run:
 * their shared objects then stay mapped between runs, so that leak and
 * sanitizer reports can name functions inside them (and no run pays for
 * loading them again).
 */
static const bt_plugin *kept_plugins[2];

/* libFuzzer reads this section as extra coverage counters (Linux). */
#define EXTRA_COUNTERS 4096
static uint8_t extra_counters[EXTRA_COUNTERS] __attribute__((section("__libfuzzer_extra_counters"), used));

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void workdir_remove(void)
{
	if (!getenv("FUZZ_TRACE_WORKDIR")) {
		rm_tree(workdir);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_TRACE_WORKDIR");
	const char *tmp = getenv("TMPDIR");

	report_fd = dup(2);
	if (report_fd < 0) {
		report_fd = 2;
	}
	if (dir) {
		snprintf(workdir, sizeof(workdir), "%s", dir);
		mkdir(workdir, 0700);
	} else {
		snprintf(workdir, sizeof(workdir), "%s/giltrace-fuzz-trace.XXXXXX", tmp ? tmp : "/tmp");
		if (!mkdtemp(workdir)) {
			perror("fuzz_trace: mkdtemp");
			exit(1);
		}
	}
	atexit(workdir_remove);
	if (!getenv("FUZZ_TRACE_ISOLATE")) {
		setenv("GILTRACE_ANALYZE_INPROCESS", "1", 1);
	}
	bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &kept_plugins[0]);
	bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &kept_plugins[1]);
	return 0;
}

static int file_write(const char *dir, const struct tfile *f)
{
	char path[PATH_MAX];
	FILE *out;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	out = fopen(path, "wb");
	if (!out) {
		return -1;
	}
	if (f->len && fwrite(f->data, f->len, 1, out) != 1) {
		rc = -1;
	}
	if (fclose(out) != 0) {
		rc = -1;
	}
	return rc;
}

/* The trace directory for this run, fresh, with the second trace's
 * subdirectory (no trace there without its metadata). */
static void trace_write(const struct archive *ar, const char *dir)
{
	static const char *const subdirs[] = { "", "/index", "/t2", "/t2/index" };
	char path[PATH_MAX];

	rm_tree(dir);
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, subdirs[i]);
		if (mkdir(path, 0700) != 0) {
			dprintf(report_fd, "fuzz_trace: cannot create %s: %s\n", path, strerror(errno));
			abort();
		}
	}
	for (size_t i = 0; i < ar->nfiles; i++) {
		if (name_ok(ar->files[i].name) && file_write(dir, &ar->files[i]) != 0) {
			dprintf(report_fd, "fuzz_trace: cannot write %s/%s: %s\n", dir, ar->files[i].name,
				strerror(errno));
			abort();
		}
	}
}

/* Runs giltrace-analyze on the trace directory (the second trace is
 * found below it) with fd 2 going to path; returns its status. */
static int analyze(const char *dir, uint8_t flags, const char *path)
{
	static const char *const formats[] = { "--format=text", "--format=json", "--format=csv", "--format=text" };
	char *argv[8];
	int argc = 0, fd, status;

	argv[argc++] = "giltrace-analyze";
	argv[argc++] = (char *) formats[(flags >> 1) & 3];
	if (flags & FLAG_ALL_LOCKS) {
		argv[argc++] = "--all-locks";
	}
	if (flags & FLAG_VERBOSE) {
		argv[argc++] = "--verbose";
	}
	argv[argc++] = "-o";
	argv[argc++] = "/dev/null";
	argv[argc++] = (char *) dir;
	argv[argc] = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 2) < 0) {
		dprintf(report_fd, "fuzz_trace: cannot capture stderr in %s: %s\n", path, strerror(errno));
		abort();
	}
	close(fd);
	optind = 0;	/* glibc: start getopt afresh */
	status = analyzer_main(argc, argv);
	fflush(stderr);
	return status;
}

static size_t file_read(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return n;
}

/* Each way the analyzer ends (status, message with numbers and
 * addresses left out) becomes a coverage feature of its own. */
static void outcome_feature(int status, const char *msg)
{
	uint32_t h = 2166136261u ^ (uint32_t) status;
	int in_number = 0;

	for (const char *p = msg; *p && *p != '\n'; p++) {
		int hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');

		if (p[0] == '0' && p[1] == 'x') {
			p++;
			in_number = 1;
			continue;
		}
		if ((in_number && hex) || (*p >= '0' && *p <= '9')) {
			in_number = 1;
			continue;
		}
		in_number = 0;
		h = (h ^ (uint8_t) *p) * 16777619u;
	}
	extra_counters[h % EXTRA_COUNTERS]++;
}

static void fail(const char *why, int status, const char *msg)
{
	dprintf(report_fd, "fuzz_trace: %s (exit status %d); stderr was:\n%s\n", why, status, msg);
	abort();
}

/* Is msg (n bytes) exactly one line starting with prefix, with more after it? */
static int one_line(const char *msg, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);

	return n > len + 1 && strncmp(msg, prefix, len) == 0 && msg[n - 1] == '\n'
		&& memchr(msg, '\n', n) == msg + n - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[65536];
	char dir[PATH_MAX], errpath[PATH_MAX];
	struct archive ar;
	uint8_t flags;
	size_t n;
	int status;

	if (archive_parse(data, size, &ar) != 0) {
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/trace", workdir);
	snprintf(errpath, sizeof(errpath), "%s/stderr", workdir);
	trace_write(&ar, dir);
	flags = ar.flags;
	status = analyze(dir, flags, errpath);
	archive_free(&ar);
	n = file_read(errpath, msg, sizeof(msg));
	outcome_feature(status, msg);
	if (n == sizeof(msg) - 1) {
		fail("64 KiB or more on stderr", status, msg);
	}

	/* giltrace-analyze(1), EXIT STATUS: 3 if the metadata is gone, 4
	 * for a damaged trace, 5 and 6 for a readable one without usable
	 * events.  1 (memory, output) and 2 (usage) must not happen here. */
	if (status != 0 && status != 3 && status != 4 && status != 5 && status != 6) {
		fail("undocumented exit status for a damaged trace", status, msg);
	}
	if (flags & FLAG_VERBOSE) {
		/* babeltrace2's warnings, then ours and every cause */
		if (status != 0 && !strstr(msg, "giltrace-analyze: ")) {
			fail("a failure must print a line naming the program", status, msg);
		}
		return 0;
	}
	/* A report may come with one warning line: events of kinds this
	 * version does not know (a damaged event name reads as one). */
	if (status == 0 && n != 0 && !one_line(msg, n, "giltrace-analyze: Warning: ")) {
		fail("report written, yet messages on stderr other than one warning", status, msg);
	}
	if (status != 0 && !one_line(msg, n, "giltrace-analyze: ")) {
		fail("a failure must print one line naming the program", status, msg);
	}
	return 0;
}

/* ---- the mutator --------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static size_t rng_below(struct rng *r, size_t n)
{
	return n ? (size_t) (rng_next(r) % n) : 0;
}

/* A value that tends to break size and offset arithmetic. */
static uint64_t edge_value(struct rng *r, uint64_t old, unsigned int width)
{
	static const uint64_t table[] = {
		0, 1, 2, 7, 8, 9, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100, 0x2a0, 0x2a8, 0xfff, 0x1000, 0x7fff,
		0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
		0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
	};
	uint64_t v;

	switch (rng_below(r, 6)) {
	case 0:
		v = old + 1 + rng_below(r, 8);
		break;
	case 1:
		v = old - 1 - rng_below(r, 8);
		break;
	case 2:
		v = rng_below(r, 2) ? old * 2 : old / 2;
		break;
	case 3:
		v = old ^ (1ull << rng_below(r, width * 8));
		break;
	case 4:
		v = rng_next(r);
		break;
	default:
		v = table[rng_below(r, sizeof(table) / sizeof(table[0]))];
		break;
	}
	return width == 8 ? v : v & ((1ull << (width * 8)) - 1);
}

/* Replaces len bytes at off by n bytes of src (NULL: uninitialised,
 * for the caller to fill); returns -1 when out of memory. */
static int file_splice(struct tfile *f, size_t off, size_t len, const uint8_t *src, size_t n)
{
	uint8_t *d = malloc(f->len - len + n + 1);

	if (!d) {
		return -1;
	}
	memcpy(d, f->data, off);
	if (src) {
		memcpy(d + off, src, n);
	}
	memcpy(d + off + n, f->data + off + len, f->len - off - len);
	free(f->data);
	f->data = d;
	f->len = f->len - len + n;
	return 0;
}

/* libFuzzer's own byte mutations on a window (up to 64 bytes) of the
 * file; now and then the window grows or shrinks. */
static void bytes_mutate(struct rng *r, struct tfile *f, size_t off, size_t len)
{
	uint8_t buf[128];
	size_t n;

	if (off > f->len) {
		off = f->len;
	}
	len = len < f->len - off ? len : f->len - off;
	len = len < 64 ? len : 64;
	if (len == 0) {
		buf[0] = (uint8_t) rng_next(r);
		file_splice(f, off, 0, buf, 1);
		return;
	}
	memcpy(buf, f->data + off, len);
	n = LLVMFuzzerMutate(buf, len, rng_below(r, 4) ? len : sizeof(buf));
	file_splice(f, off, len, buf, n);
}

/* LTTng-UST 2.13's packet header and context (the metadata's
 * trace.packet.header and struct packet_context), little-endian. */
static const struct {
	unsigned int off, width;
} packet_fields[] = {
	{ 0, 4 },	/* magic */
	{ 4, 1 },	/* uuid (one byte of it) */
	{ 19, 1 },
	{ 20, 4 },	/* stream_id */
	{ 24, 8 },	/* stream_instance_id */
	{ 32, 8 },	/* timestamp_begin */
	{ 40, 8 },	/* timestamp_end */
	{ 48, 8 },	/* content_size, bits */
	{ 56, 8 },	/* packet_size, bits */
	{ 64, 8 },	/* packet_seq_num */
	{ 72, 8 },	/* events_discarded */
	{ 80, 4 },	/* cpu_id */
	{ 88, 2 },	/* the first event's id (large header, aligned on 8) */
	{ 90, 4 },	/* its timestamp */
};

#define PACKET_HEADER_LEN 84
#define PACKET_MAGIC 0xC1FC1FC1u
#define MAX_PACKETS 512

struct span {
	size_t off, len;
};

/* The packets of a stream file, as far as they can be followed. */
static size_t packets_find(const struct tfile *f, struct span *p, size_t max)
{
	size_t n = 0, off = 0;

	while (n < max && f->len - off >= PACKET_HEADER_LEN && le32(f->data + off) == PACKET_MAGIC) {
		uint64_t len = le64(f->data + off + 56) / 8;

		if (len < PACKET_HEADER_LEN || len > f->len - off) {
			break;
		}
		p[n].off = off;
		p[n].len = (size_t) len;
		n++;
		off += (size_t) len;
	}
	return n;
}

static int is_stream(const struct tfile *f)
{
	return !is_index(f) && !is_metadata(f);
}

static struct tfile *other_stream(struct rng *r, struct archive *ar)
{
	size_t start = rng_below(r, ar->nfiles);

	for (size_t k = 0; k < ar->nfiles; k++) {
		struct tfile *f = &ar->files[(start + k) % ar->nfiles];

		if (is_stream(f)) {
			return f;
		}
	}
	return NULL;
}

/* A header or context field of one packet (or the same value in all)
 * set to an edge value. */
static void packet_field_set(struct rng *r, struct tfile *f, const struct span *p, size_t n, size_t i)
{
	size_t fi = rng_below(r, sizeof(packet_fields) / sizeof(packet_fields[0]));
	unsigned int off = packet_fields[fi].off, w = packet_fields[fi].width;
	int all = rng_below(r, 4) == 0;
	uint64_t v;

	if (p[i].len < off + w) {
		return;
	}
	v = edge_value(r, get_le(f->data + p[i].off + off, w), w);
	for (size_t j = all ? 0 : i; j < (all ? n : i + 1); j++) {
		if (p[j].len >= off + w) {
			put_le(f->data + p[j].off + off, v, w);
		}
	}
}

/* Packets a < b change places. */
static int packets_swap(struct tfile *f, const struct span *pa, const struct span *pb)
{
	uint8_t *copy = malloc(pb->len);
	int rc;

	if (!copy) {
		return -1;
	}
	memcpy(copy, f->data + pb->off, pb->len);
	rc = file_splice(f, pb->off, pb->len, f->data + pa->off, pa->len);
	if (rc == 0) {
		rc = file_splice(f, pa->off, pa->len, copy, pb->len);
	}
	free(copy);
	return rc;
}

/* A packet of another stream file inserted at off. */
static int packet_insert_foreign(struct rng *r, struct archive *ar, struct tfile *f, size_t off)
{
	static struct span q[MAX_PACKETS];
	struct tfile *g = other_stream(r, ar);
	size_t m = g ? packets_find(g, q, MAX_PACKETS) : 0;
	size_t j = rng_below(r, m);
	uint8_t *copy;
	int rc;

	if (m == 0) {
		return 0;
	}
	copy = malloc(q[j].len);
	if (!copy) {
		return -1;
	}
	memcpy(copy, g->data + q[j].off, q[j].len);
	rc = file_splice(f, off, 0, copy, q[j].len);
	free(copy);
	return rc;
}

/* The file cut short: at a packet's start, inside its header, or
 * anywhere. */
static void stream_cut(struct rng *r, struct tfile *f, const struct span *p)
{
	size_t at;

	switch (rng_below(r, 3)) {
	case 0:
		at = p->off;
		break;
	case 1:
		at = p->off + 1 + rng_below(r, PACKET_HEADER_LEN + 16);
		break;
	default:
		at = rng_below(r, f->len);
		break;
	}
	if (at < f->len) {
		f->len = at;
	}
}

static int stream_mutate(struct rng *r, struct archive *ar, struct tfile *f)
{
	static struct span p[MAX_PACKETS];
	size_t n = packets_find(f, p, MAX_PACKETS);
	size_t i = rng_below(r, n), k = rng_below(r, n);
	size_t header = PACKET_HEADER_LEN + 8;

	if (n == 0) {
		bytes_mutate(r, f, rng_below(r, f->len + 1), 1 + rng_below(r, 32));
		return 0;
	}
	switch (rng_below(r, 9)) {
	case 0:
	case 1:
		packet_field_set(r, f, p, n, i);
		return 0;
	case 2:		/* a packet dropped */
		return file_splice(f, p[i].off, p[i].len, NULL, 0);
	case 3:		/* a packet repeated */
		return file_splice(f, p[i].off, 0, f->data + p[i].off, p[i].len);
	case 4:
		return i == k ? 0 : packets_swap(f, &p[i < k ? i : k], &p[i < k ? k : i]);
	case 5:
		return packet_insert_foreign(r, ar, f, p[i].off);
	case 6:
		stream_cut(r, f, &p[i]);
		return 0;
	case 7:		/* bytes inside a packet's events */
		bytes_mutate(r, f, p[i].off + PACKET_HEADER_LEN + rng_below(r, p[i].len - PACKET_HEADER_LEN),
			1 + rng_below(r, 16));
		return 0;
	default:	/* a bit of a header */
		f->data[p[i].off + rng_below(r, header < p[i].len ? header : p[i].len)] ^=
			(uint8_t) (1u << rng_below(r, 8));
		return 0;
	}
}

/* CTF 1.8's index files as LTTng writes them: big-endian header
 * (magic, major, minor, entry length) and entries of u64 fields. */
#define INDEX_HEADER_LEN 16

static int index_mutate(struct rng *r, struct tfile *f)
{
	size_t elen = f->len >= INDEX_HEADER_LEN ? (size_t) get_be(f->data + 12, 4) : 0;
	size_t n = elen >= 8 && elen <= 4096 ? (f->len - INDEX_HEADER_LEN) / elen : 0;
	size_t i = rng_below(r, n);
	int rc = 0;

	if (f->len < INDEX_HEADER_LEN) {
		bytes_mutate(r, f, 0, f->len);
		return 0;
	}
	switch (rng_below(r, 5)) {
	case 0:		/* a header field */
	{
		uint8_t *h = f->data + 4 * rng_below(r, 4);

		put_be(h, edge_value(r, get_be(h, 4), 4), 4);
		break;
	}
	case 1:
	case 2:		/* a field of an entry */
		if (n > 0) {
			uint8_t *e = f->data + INDEX_HEADER_LEN + i * elen + 8 * rng_below(r, elen / 8);

			put_be(e, edge_value(r, get_be(e, 8), 8), 8);
		}
		break;
	case 3:		/* an entry dropped or repeated */
		if (n > 0) {
			size_t at = INDEX_HEADER_LEN + i * elen;

			rc = rng_below(r, 2) ? file_splice(f, at, elen, NULL, 0) : file_splice(f, at, 0, f->data + at, elen);
		}
		break;
	default:	/* cut short */
		f->len = rng_below(r, f->len);
		break;
	}
	return rc;
}

/* ---- metadata ------------------------------------------------------ */

#define META_MAGIC 0x75D11D57u
#define META_HEADER_LEN 37

/* Words and punctuation of TSDL, to insert where they make no sense. */
static const char *const tsdl_words[] = {
	"struct", "variant", "enum", "typealias", "typedef", "integer", "floating_point", "string",
	"event", "stream", "trace", "clock", "env", "callsite", "{", "}", ";", "[", "]", ":=", "<", ">",
	"align(", "size = ", "align = ", "signed = ", "byte_order = be", "encoding = UTF8", "base = ",
	"map = clock.monotonic.value", "id = ", "stream_id = ", "name = ", "fields := ", "\"", "...",
	" = 0 ... 30,", "uint64_t", "uint8_t", "uint5_t", "_vtid", "_gil", "exp_dig = 11;",
	"mant_dig = 53;", "[17]", "[0]", "[4294967295]", "/*", "*/", "\\",
};

/* Metadata text as a growable buffer. */
struct text {
	char *s;	/* owned */
	size_t len;
};

/* Unpacks packetized metadata; returns the packet size to repack with
 * (0: it was plain text). */
static size_t meta_text(const struct tfile *f, struct text *t, uint8_t *first_header)
{
	size_t off = 0, packet = 0;

	t->s = malloc(f->len + 1);
	t->len = 0;
	if (!t->s) {
		return 0;
	}
	while (f->len - off >= META_HEADER_LEN && le32(f->data + off) == META_MAGIC) {
		uint64_t content = le32(f->data + off + 24) / 8, size = le32(f->data + off + 28) / 8;

		if (content < META_HEADER_LEN || size < content || size > f->len - off) {
			break;
		}
		if (packet == 0) {
			packet = (size_t) size;
			memcpy(first_header, f->data + off, META_HEADER_LEN);
		}
		memcpy(t->s + t->len, f->data + off + META_HEADER_LEN, content - META_HEADER_LEN);
		t->len += content - META_HEADER_LEN;
		off += size;
	}
	if (packet == 0) {
		memcpy(t->s, f->data, f->len);
		t->len = f->len;
	}
	return packet;
}

/* Packs text into packets of the given size as LTTng does (header,
 * text, zero padding); plain text when packet is 0. */
static int meta_pack(struct tfile *f, const struct text *t, size_t packet, const uint8_t *header)
{
	size_t room = packet > META_HEADER_LEN ? packet - META_HEADER_LEN : 0;
	size_t count = room ? (t->len + room - 1) / room : 0;
	uint8_t *d = calloc(1, room ? count * packet + 1 : t->len + 1);

	if (!d) {
		return -1;
	}
	if (!room) {
		memcpy(d, t->s, t->len);
		free(f->data);
		f->data = d;
		f->len = t->len;
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		size_t chunk = t->len - i * room < room ? t->len - i * room : room;
		uint8_t *p = d + i * packet;

		memcpy(p, header, META_HEADER_LEN);
		put_le(p + 24, (META_HEADER_LEN + chunk) * 8, 4);
		put_le(p + 28, packet * 8, 4);
		memcpy(p + META_HEADER_LEN, t->s + i * room, chunk);
	}
	free(f->data);
	f->data = d;
	f->len = count * packet;
	return 0;
}

static int text_splice(struct text *t, size_t off, size_t len, const char *src, size_t n)
{
	char *s = malloc(t->len - len + n + 1);

	if (!s) {
		return -1;
	}
	memcpy(s, t->s, off);
	memcpy(s + off, src, n);
	memcpy(s + off + n, t->s + off + len, t->len - off - len);
	free(t->s);
	t->s = s;
	t->len = t->len - len + n;
	return 0;
}

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The nth run of characters for which pred holds, from a random start;
 * returns its length (0: none). */
static size_t run_find(struct rng *r, const struct text *t, int (*pred)(char), size_t *at)
{
	size_t start = rng_below(r, t->len);

	for (size_t k = 0; k < t->len; k++) {
		size_t i = (start + k) % t->len, j = i;

		if (!pred(t->s[i]) || (i > 0 && pred(t->s[i - 1]))) {
			continue;
		}
		while (j < t->len && pred(t->s[j])) {
			j++;
		}
		*at = i;
		return j - i;
	}
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha_word(char c)
{
	return is_word_char(c) && !is_digit(c);
}

/* The line holding off: [*start, *end), end past its newline. */
static void line_at(const struct text *t, size_t off, size_t *start, size_t *end)
{
	size_t s = off, e = off;

	while (s > 0 && t->s[s - 1] != '\n') {
		s--;
	}
	while (e < t->len && t->s[e] != '\n') {
		e++;
	}
	*start = s;
	*end = e < t->len ? e + 1 : e;
}

/* An "event {" ... "};" block, from a random start. */
static int event_block(struct rng *r, const struct text *t, size_t *start, size_t *end)
{
	size_t from = rng_below(r, t->len);
	char *s = memmem(t->s + from, t->len - from, "\nevent {", 8);
	char *e;

	if (!s) {
		s = memmem(t->s, t->len, "\nevent {", 8);
	}
	if (!s) {
		return -1;
	}
	e = memmem(s + 1, (size_t) (t->s + t->len - s - 1), "\n};\n", 4);
	if (!e) {
		return -1;
	}
	*start = (size_t) (s + 1 - t->s);
	*end = (size_t) (e + 4 - t->s);
	return 0;
}

/* A number of the text replaced by one that tends to break sizes,
 * alignments, ids and ranges. */
static int text_number(struct rng *r, struct text *t)
{
	static const char *const numbers[] = {
		"0", "1", "2", "3", "7", "8", "9", "16", "31", "32", "33", "63", "64", "65", "128", "255", "256",
		"1000", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296",
		"9223372036854775807", "9223372036854775808", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999", "-1", "-9223372036854775808", "0x0",
		"0xffffffffffffffff", "1e400",
	};
	const char *v = numbers[rng_below(r, sizeof(numbers) / sizeof(numbers[0]))];
	size_t at, len = run_find(r, t, is_digit, &at);

	return len ? text_splice(t, at, len, v, strlen(v)) : 0;
}

/* A word replaced by another word of the text. */
static int text_word(struct rng *r, struct text *t)
{
	char buf[96];
	size_t at, at2, len = run_find(r, t, is_alpha_word, &at), len2 = run_find(r, t, is_alpha_word, &at2);

	if (!len || !len2 || len2 >= sizeof(buf)) {
		return 0;
	}
	memcpy(buf, t->s + at2, len2);
	return text_splice(t, at, len, buf, len2);
}

/* A line repeated elsewhere, or moved there. */
static int text_line_copy(struct rng *r, struct text *t)
{
	char buf[128];
	size_t s, e, s2, e2, len;

	line_at(t, rng_below(r, t->len), &s, &e);
	line_at(t, rng_below(r, t->len), &s2, &e2);
	len = e - s;
	if (len >= sizeof(buf)) {
		return 0;
	}
	memcpy(buf, t->s + s, len);
	if (text_splice(t, s2, 0, buf, len) != 0) {
		return -1;
	}
	if (rng_below(r, 2) && (s2 >= e || e2 <= s)) {
		/* moved: the original goes, where the insertion left it */
		return text_splice(t, s2 < s ? s + len : s, len, "", 0);
	}
	return 0;
}

/* An event block dropped, or repeated (its id twice). */
static int text_event_block(struct rng *r, struct text *t)
{
	size_t s, e;
	char *copy;
	int rc;

	if (event_block(r, t, &s, &e) != 0) {
		return 0;
	}
	if (rng_below(r, 2)) {
		return text_splice(t, s, e - s, "", 0);
	}
	copy = malloc(e - s);
	if (!copy) {
		return -1;
	}
	memcpy(copy, t->s + s, e - s);
	rc = text_splice(t, e, 0, copy, e - s);
	free(copy);
	return rc;
}

/* libFuzzer's byte mutations on up to 32 bytes of the text. */
static int text_bytes(struct rng *r, struct text *t)
{
	char buf[96];
	size_t at = rng_below(r, t->len), len = t->len - at < 32 ? t->len - at : 32, n;

	memcpy(buf, t->s + at, len);
	n = LLVMFuzzerMutate((uint8_t *) buf, len, sizeof(buf));
	return text_splice(t, at, len, buf, n);
}

static int text_mutate(struct rng *r, struct text *t)
{
	const char *w = tsdl_words[rng_below(r, sizeof(tsdl_words) / sizeof(tsdl_words[0]))];
	size_t s, e;

	if (t->len == 0) {
		return text_splice(t, 0, 0, "/* CTF 1.8 */\n", 14);
	}
	switch (rng_below(r, 10)) {
	case 0:
	case 1:
		return text_number(r, t);
	case 2:
		return text_word(r, t);
	case 3:		/* a line dropped */
		line_at(t, rng_below(r, t->len), &s, &e);
		return text_splice(t, s, e - s, "", 0);
	case 4:
		return text_line_copy(r, t);
	case 5:
		return text_event_block(r, t);
	case 6:		/* cut short */
		t->len = rng_below(r, t->len);
		return 0;
	case 7:		/* a TSDL word where it makes no sense */
		return text_splice(t, rng_below(r, t->len + 1), 0, w, strlen(w));
	default:
		return text_bytes(r, t);
	}
}

static int metadata_mutate(struct rng *r, struct tfile *f)
{
	static const size_t sizes[] = { 0, 38, 64, 256, 1024, 4096, 4096, 8192, 65536 };
	uint8_t header[META_HEADER_LEN] = { 0 };
	struct text t;
	size_t packet = meta_text(f, &t, header);
	int rc;

	if (!t.s) {
		return -1;
	}
	if (packet && rng_below(r, 4) == 0) {
		/* A packet header field: magic, UUID, checksum, sizes, schemes,
		 * version; the text is left alone. */
		static const unsigned char offs[] = { 0, 4, 20, 24, 28, 32, 33, 34, 35, 36 };
		size_t count = f->len / packet, i = rng_below(r, count);
		unsigned int off = offs[rng_below(r, sizeof(offs))];
		unsigned int w = off == 0 || (off >= 20 && off <= 28) ? 4 : 1;
		uint8_t *h = f->data + i * packet + off;

		put_le(h, edge_value(r, get_le(h, w), w), w);
		free(t.s);
		return 0;
	}
	rc = text_mutate(r, &t);
	if (rc == 0 && rng_below(r, 8) == 0) {
		packet = sizes[rng_below(r, sizeof(sizes) / sizeof(sizes[0]))];
		if (packet && header[0] == 0) {
			put_le(header, META_MAGIC, 4);
			header[35] = 1;
			header[36] = 8;
		}
	}
	if (rc == 0) {
		rc = meta_pack(f, &t, packet, header);
	}
	free(t.s);
	return rc;
}

/* ---- the archive as a whole ---------------------------------------- */

static int file_copy(struct archive *ar, const struct tfile *g, const char *prefix, const char *name)
{
	struct tfile *n = &ar->files[ar->nfiles];

	if (ar->nfiles == ARCHIVE_MAX_FILES) {
		return 0;
	}
	n->data = malloc(g->len + 1);
	if (!n->data) {
		return -1;
	}
	memcpy(n->data, g->data, g->len);
	n->len = g->len;
	snprintf(n->name, sizeof(n->name), "%s%s", prefix, name);
	ar->nfiles++;
	return 0;
}

static void file_remove(struct archive *ar, size_t i)
{
	free(ar->files[i].data);
	memmove(&ar->files[i], &ar->files[i + 1], (ar->nfiles - i - 1) * sizeof(ar->files[0]));
	ar->nfiles--;
}

/* A second trace, a copy of the first (the same processes twice, as
 * two sessions recording them would give), or no second trace. */
static int second_trace_toggle(struct archive *ar)
{
	size_t n = ar->nfiles;
	int had = 0;

	for (size_t i = n; i > 0; i--) {
		if (name_in_trace(ar->files[i - 1].name) != ar->files[i - 1].name) {
			file_remove(ar, i - 1);
			had = 1;
		}
	}
	for (size_t i = 0; !had && i < n; i++) {
		if (file_copy(ar, &ar->files[i], SECOND_TRACE, ar->files[i].name) != 0) {
			return -1;
		}
	}
	return 0;
}

static int archive_mutate(struct rng *r, struct archive *ar)
{
	struct tfile *f, *g;
	char name[32];
	size_t i;

	if (ar->nfiles == 0) {
		return 0;
	}
	i = rng_below(r, ar->nfiles);
	f = &ar->files[i];
	switch (rng_below(r, 32)) {
	case 0:		/* other options: format, --all-locks, --verbose */
		ar->flags = (uint8_t) ((rng_next(r) & 7) | (rng_below(r, 8) == 0 ? FLAG_VERBOSE : 0));
		return 0;
	case 1:		/* a file gone */
		file_remove(ar, i);
		return 0;
	case 2:		/* a stream file copied under a new name, in its trace */
		g = other_stream(r, ar);
		if (!g) {
			return 0;
		}
		snprintf(name, sizeof(name), "chan_%zu", ar->nfiles);
		return file_copy(ar, g, name_in_trace(g->name) != g->name ? SECOND_TRACE : "", name);
	case 3:
		return second_trace_toggle(ar);
	default:
		break;
	}
	if (is_metadata(f)) {
		return metadata_mutate(r, f);
	}
	if (is_index(f)) {
		return index_mutate(r, f);
	}
	return stream_mutate(r, ar, f);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct rng r = { .s = (uint64_t) seed * 0x9E3779B97F4A7C15ull | 1 };
	struct archive ar;
	size_t rounds, n;

	/* Now and then, bytes regardless of structure. */
	if (rng_below(&r, 32) == 0 || archive_parse(data, size, &ar) != 0) {
		return LLVMFuzzerMutate(data, size, max_size);
	}
	rounds = 1 + rng_below(&r, 3);
	for (size_t k = 0; k < rounds; k++) {
		if (archive_mutate(&r, &ar) != 0) {
			break;
		}
	}
	n = archive_write(&ar, data, max_size);
	archive_free(&ar);
	return n ? n : LLVMFuzzerMutate(data, size, max_size);
}
