/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "safe_read.h"

int safe_read(uintptr_t addr, void *out, size_t len)
{
	struct iovec local = { out, len };
	struct iovec remote = { (void *) addr, len };
	int err = errno;
	ssize_t n;

	if (addr == 0) {
		return -1;
	}
	/* getpid(): the process, also in a forked child (glibc no longer
	 * caches it, and a child's pid is its own). */
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	errno = err;	/* the program's errno is the program's */
	return n == (ssize_t) len ? 0 : -1;
}

int safe_read_word(uintptr_t addr, uintptr_t *out)
{
	return safe_read(addr, out, sizeof(*out));
}
