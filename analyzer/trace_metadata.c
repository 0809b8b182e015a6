/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_error.h"
#include "trace_metadata.h"

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
enum trace_read_status trace_metadata_check(const char *dir)
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
		TRACE_APPEND_CAUSE("Cannot read trace metadata: path=\"%s\", error=\"%s\"", path, strerror(errno));
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
			TRACE_APPEND_CAUSE("Corrupted metadata: path=\"%s\", packet-offset=%" PRIu64
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
