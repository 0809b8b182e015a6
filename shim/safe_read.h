/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Reading memory the shim is not yet sure of without ever faulting: the
 * kernel copies it (process_vm_readv(2) on this very process) and says
 * EFAULT for an address that is not mapped.  About a microsecond a call,
 * so only for checks made once (a thread state never seen before, a
 * layout not yet trusted), never per event.
 */
#ifndef GILTRACE_SHIM_SAFE_READ_H
#define GILTRACE_SHIM_SAFE_READ_H

#include <stddef.h>
#include <stdint.h>

/* Copy len bytes at addr into out: 0, or -1 if any of them is not readable. */
int safe_read(uintptr_t addr, void *out, size_t len);

/* The pointer-sized word at addr into *out: 0, or -1. */
int safe_read_word(uintptr_t addr, uintptr_t *out);

#endif
