/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "symbol.h"

/*
 * libunwind 1.8 sets errno on its way (get_proc_name opening the
 * binary, unw_backtrace probing addresses), and these run inside the
 * program's lock calls, before the real call: every function here
 * leaves errno as it found it.
 */

static uintptr_t function_at(uintptr_t ip, char *buf, size_t len)
{
	unw_accessors_t *acc = unw_get_accessors(unw_local_addr_space);
	unw_proc_info_t pi;
	unw_word_t off = 0;
	int ret;

	buf[0] = '\0';
	if (unw_get_proc_info_by_ip(unw_local_addr_space, ip, &pi, NULL) != 0) {
		return 0;
	}
	if (!acc || !acc->get_proc_name) {
		return pi.start_ip;
	}
	/* -UNW_ENOMEM: a longer name, truncated; its offset is still right. */
	ret = acc->get_proc_name(unw_local_addr_space, ip, buf, len, &off, NULL);
	if ((ret != 0 && ret != -UNW_ENOMEM) || pi.start_ip != ip - off) {
		buf[0] = '\0';
	}
	return pi.start_ip;
}

uintptr_t symbol_function_at(uintptr_t ip, char *buf, size_t len)
{
	int err = errno;
	uintptr_t start = function_at(ip, buf, len);

	errno = err;
	return start;
}

/* libunwind's name (from the symbol table, static functions included),
 * believed only where the unwind tables agree. */
static int symbol_from_unwind(uintptr_t ip, char *buf, size_t len, uintptr_t *start)
{
	uintptr_t function = symbol_function_at(ip, buf, len);

	if (!buf[0]) {
		return -1;
	}
	*start = function;
	return 0;
}

/* A dynamic symbol whose size covers ip. */
static int symbol_from_dynsym(uintptr_t ip, char *buf, size_t len, uintptr_t *start)
{
	Dl_info info;
	const ElfW(Sym) *sym = NULL;

	if (!dladdr1((void *) ip, &info, (void **) &sym, RTLD_DL_SYMENT) || !sym || !info.dli_sname) {
		return -1;
	}
	if (ip < (uintptr_t) info.dli_saddr || ip >= (uintptr_t) info.dli_saddr + sym->st_size) {
		return -1;
	}
	strncpy(buf, info.dli_sname, len - 1);
	buf[len - 1] = '\0';
	*start = (uintptr_t) info.dli_saddr;
	return 0;
}

int symbol_at(uintptr_t ip, char *buf, size_t len, uintptr_t *start)
{
	int err = errno, ret;

	if (len == 0) {
		return -1;
	}
	/* The dynamic symbols first: a few lookups in memory, where
	 * libunwind reads the binary's symbol table from its file. */
	ret = symbol_from_dynsym(ip, buf, len, start);
	if (ret != 0) {
		ret = symbol_from_unwind(ip, buf, len, start);
	}
	errno = err;
	return ret;
}

/* Most frames symbol_backtrace returns: more than any caller asks for. */
#define SYMBOL_BACKTRACE_MAX 64

/* noinline: its own frame is the one dropped. */
__attribute__((noinline)) int symbol_backtrace(void **frames, int max)
{
	void *raw[SYMBOL_BACKTRACE_MAX + 1];
	int n, err = errno;

	if (max > SYMBOL_BACKTRACE_MAX) {
		max = SYMBOL_BACKTRACE_MAX;
	}
	/* raw[0] lies in this function: dropped, the caller sees what
	 * unw_backtrace would have given it (callers count frames). */
	n = unw_backtrace(raw, max + 1);
	errno = err;
	if (n <= 1) {
		return 0;
	}
	memcpy(frames, raw + 1, (size_t) (n - 1) * sizeof(*frames));
	return n - 1;
}

void *symbol_lookup(const char *name, size_t *size)
{
	void *addr = dlsym(RTLD_DEFAULT, name);
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!size) {
		return addr;
	}
	*size = 0;
	if (addr && dladdr1(addr, &info, (void **) &sym, RTLD_DL_SYMENT) && sym) {
		*size = sym->st_size;
	}
	return addr;
}

/*
 * The main program's path.  Global: one per process image, read on
 * first use (an exec starts a new image, a fork keeps the same one).
 */
static char exe_path[PATH_MAX];

int symbol_object_at(uintptr_t ip, const char **path, uintptr_t *bias)
{
	Dl_info info;
	struct link_map *map = NULL;

	if (!dladdr1((void *) ip, &info, (void **) &map, RTLD_DL_LINKMAP) || !map) {
		return -1;
	}
	*bias = map->l_addr;
	if (map->l_name && map->l_name[0]) {
		*path = map->l_name;
		return 0;
	}
	/* The main program's link map has no name. */
	if (!exe_path[0]) {
		ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);

		if (n <= 0) {
			return -1;
		}
		exe_path[n] = '\0';
	}
	*path = exe_path;
	return 0;
}
