/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "config.h"

#include <string.h>

#include "py_mem.h"
#include "py_text.h"

/* Append code point c to buf (used bytes *n of max - 1) as UTF-8; 0 if
 * it does not fit (the text is cut there). */
static int put_utf8(char *buf, size_t max, size_t *n, uint32_t c)
{
	unsigned char u[4];
	size_t len;

	if (c >= 0xd800 && c <= 0xdfff) {
		c = '?';	/* a lone surrogate has no UTF-8 */
	}
	if (c < 0x80) {
		u[0] = (unsigned char) c;
		len = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char) (0xc0 | c >> 6);
		u[1] = (unsigned char) (0x80 | (c & 0x3f));
		len = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char) (0xe0 | c >> 12);
		u[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char) (0x80 | (c & 0x3f));
		len = 3;
	} else {
		u[0] = (unsigned char) (0xf0 | c >> 18);
		u[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3f));
		u[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
		u[3] = (unsigned char) (0x80 | (c & 0x3f));
		len = 4;
	}
	if (*n + len > max - 1) {
		return 0;
	}
	memcpy(buf + *n, u, len);
	*n += len;
	return 1;
}

/* The length of the valid UTF-8 sequence at s (avail bytes), 0 if none. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
		: s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;

	if (len == 0 || len > avail) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
	}
	return len;
}

/* 2.7: bytes in whatever encoding the source had; kept where they are
 * valid UTF-8, '?' where not. */
static enum py_text_status text_bytes(const struct py_layout *l, uintptr_t obj, char *buf,
		size_t max, const char **text)
{
	const unsigned char *s = (const unsigned char *) (obj + l->bytes_sval);
	intptr_t len = (intptr_t) py_word(obj, l->var_size);
	size_t n = 0, i = 0;

	if (len < 0) {
		return PY_TEXT_UNREADABLE;
	}
	while (i < (size_t) len) {
		size_t seq = utf8_sequence(s + i, (size_t) len - i);

		if (seq == 0) {
			if (n + 1 > max - 1) {
				break;
			}
			buf[n++] = '?';
			i++;
			continue;
		}
		if (n + seq > max - 1) {
			break;
		}
		memcpy(buf + n, s + i, seq);
		n += seq;
		i += seq;
	}
	buf[n] = '\0';
	*text = buf;
	return PY_TEXT_OK;
}

/* 3.x: a compact str holds its code points right after its header, one,
 * two or four bytes each (its kind); an ASCII one is its own UTF-8. */
static enum py_text_status text_str(const struct py_layout *l, uintptr_t obj, char *buf,
		size_t max, const char **text)
{
	uint32_t state = py_u32(obj, l->str_state);
	unsigned int kind = (state >> l->str_kind_bit) & 7;
	intptr_t len = (intptr_t) py_word(obj, l->str_length);
	uintptr_t data;
	size_t n = 0;

	if (!((state >> l->str_compact_bit) & 1) || len < 0) {
		return PY_TEXT_UNREADABLE;	/* a legacy string: never a name */
	}
	if ((state >> l->str_ascii_bit) & 1) {
		data = obj + l->str_ascii_size;
		if ((size_t) len < max) {
			*text = (const char *) data;	/* NUL-terminated by CPython */
			return PY_TEXT_OK;
		}
		memcpy(buf, (const void *) data, max - 1);
		buf[max - 1] = '\0';
		*text = buf;
		return PY_TEXT_OK;
	}
	if (kind != 1 && kind != 2 && kind != 4) {
		return PY_TEXT_UNREADABLE;
	}
	data = obj + l->str_compact_size;
	for (intptr_t i = 0; i < len; i++) {
		uint32_t c = kind == 1 ? ((const uint8_t *) data)[i]
			: kind == 2 ? ((const uint16_t *) data)[i] : ((const uint32_t *) data)[i];

		if (!put_utf8(buf, max, &n, c)) {
			break;
		}
	}
	buf[n] = '\0';
	*text = buf;
	return PY_TEXT_OK;
}

enum py_text_status py_text(const struct py_layout *l, uintptr_t obj, char *buf, size_t max,
		const char **text)
{
	if (!obj || py_word(obj, l->ob_type) != l->str_type) {
		return PY_TEXT_NOT_STRING;
	}
	if (l->names_are_bytes) {
		return text_bytes(l, obj, buf, max, text);
	}
	return text_str(l, obj, buf, max, text);
}

int py_text_is(const struct py_layout *l, uintptr_t obj, const char *s)
{
	char buf[64];
	const char *text;

	return py_text(l, obj, buf, sizeof(buf), &text) == PY_TEXT_OK && strcmp(text, s) == 0;
}
