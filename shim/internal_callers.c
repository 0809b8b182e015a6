/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <link.h>
#include <string.h>

#include "internal_callers.h"

/*
 * Executable segments of the LTTng-UST libraries.  Global: one set per
 * process, written by the constructor before any tracepoint can be
 * enabled, read by every wrapper.
 */
#define INTERNAL_MAX 16
static struct {
	uintptr_t lo, hi;
} internal_ranges[INTERNAL_MAX];
static unsigned int internal_count;
uintptr_t internal_lo, internal_hi;

/* Set once the ranges were computed; read by pthread_create's wrapper. */
static int internal_ready;

int internal_caller_slow(uintptr_t ip)
{
	for (unsigned int i = 0; i < internal_count; i++) {
		if (ip >= internal_ranges[i].lo && ip < internal_ranges[i].hi)
			return 1;
	}
	return 0;
}

static int is_lttng_ust_library(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strncmp(base, "liblttng-ust", 12) == 0;
}

static int collect_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	if (!info->dlpi_name || !is_lttng_ust_library(info->dlpi_name))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && internal_count < INTERNAL_MAX; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		internal_ranges[internal_count].lo = info->dlpi_addr + ph->p_vaddr;
		internal_ranges[internal_count].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		internal_count++;
	}
	return 0;
}

void internal_callers_init(void)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	internal_count = 0;
	dl_iterate_phdr(collect_ranges, NULL);
	for (unsigned int i = 0; i < internal_count; i++) {
		if (internal_ranges[i].lo < lo)
			lo = internal_ranges[i].lo;
		if (internal_ranges[i].hi > hi)
			hi = internal_ranges[i].hi;
	}
	if (!internal_count)
		lo = hi = 0;
	internal_lo = lo;
	internal_hi = hi;
	__atomic_store_n(&internal_ready, 1, __ATOMIC_RELEASE);
}

int internal_callers_ready(void)
{
	return __atomic_load_n(&internal_ready, __ATOMIC_ACQUIRE);
}
