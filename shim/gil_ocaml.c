/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * OCaml 4's master lock (otherlibs/systhreads/st_posix.h): a mutex, a
 * busy flag and one condition variable, taken by
 * caml_thread_leave_blocking_section and released by
 * caml_thread_enter_blocking_section, both static and, in bytecode,
 * in a stripped dllthreads.so.  systhreads installs them in two hooks
 * the runtime exports (caml_leave_blocking_section_hook and
 * caml_enter_blocking_section_hook), so a call site lies in one of them
 * if the unwind tables say its function starts where a hook points.
 * Thread.yield's caml_thread_yield is exported under its name.
 *
 * OCaml 5 (st_pthreads.h) keeps one such master lock per domain, and
 * its lock calls moved into static functions the hooks call, or jump
 * to (st_masterlock_acquire, st_masterlock_release, thread_yield), so
 * call sites no longer lie in the hooks.  What marks the master lock
 * now is the domain lock, the runtime's own mutex per domain: the
 * master lock takes it (caml_acquire_domain_lock) or releases it
 * (caml_release_domain_lock), both exported, inside its critical
 * sections, and with systhreads running nothing else calls them inside
 * a critical section of another mutex.  The state machine
 * (gil_tracker.c) watches for that nesting; the sites where a master
 * lock was so found are then learned (gil_identify.c), which finds the
 * master locks of other domains as they are first locked.
 *
 * The version: native programs export the standard library's Sys
 * module block (camlStdlib__Sys), whose fields include the string
 * Sys.ocaml_version; the bytecode interpreter carries its banner "The
 * OCaml runtime, version ..." in its read-only data.
 */
#define _GNU_SOURCE
#include "config.h"

#include <ctype.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "gil_runtimes.h"
#include "symbol.h"

/* Where the runtime keeps the two hooks, found once; NULL outside
 * OCaml.  ocaml5: the runtime exports caml_acquire_domain_lock (OCaml
 * 5 and later), whose master locks are found by the domain lock, not
 * by the hooks.  Global: one runtime per process. */
static void *const *ocaml_leave_hook, *const *ocaml_enter_hook;
static int ocaml5;
static int ocaml_looked_up;

static void ocaml_look_up(void)
{
	if (__atomic_load_n(&ocaml_looked_up, __ATOMIC_ACQUIRE)) {
		return;
	}
	/* A race only repeats the same look-up. */
	ocaml_leave_hook = symbol_lookup("caml_leave_blocking_section_hook", NULL);
	ocaml_enter_hook = symbol_lookup("caml_enter_blocking_section_hook", NULL);
	ocaml5 = ocaml_leave_hook && symbol_lookup("caml_acquire_domain_lock", NULL);
	__atomic_store_n(&ocaml_looked_up, 1, __ATOMIC_RELEASE);
}

int ocaml_domain_locks(void)
{
	ocaml_look_up();
	return ocaml5;
}

int ocaml_threads_loaded(void)
{
	/* Global: once found, stays (a library with C stubs is never
	 * unloaded by OCaml). */
	static int loaded;

	if (!__atomic_load_n(&loaded, __ATOMIC_RELAXED) && symbol_lookup("caml_thread_yield", NULL)) {
		__atomic_store_n(&loaded, 1, __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&loaded, __ATOMIC_RELAXED);
}

/* OCaml 5: the domain lock's functions, by name (the runtime exports
 * them with their sizes, stripped or not).  Whether systhreads runs is
 * asked when a master lock is to be found (ocaml_threads_loaded), not
 * here: a site's role is remembered for good. */
static enum site_role ocaml5_site_role(const char *name)
{
	if (!name) {
		return SITE_OTHER;
	}
	if (strcmp(name, "caml_acquire_domain_lock") == 0) {
		return SITE_OCAML_DOMAIN_LOCK;
	}
	if (strcmp(name, "caml_release_domain_lock") == 0) {
		return SITE_OCAML_DOMAIN_UNLOCK;
	}
	return SITE_OTHER;
}

enum site_role ocaml_site_role(uintptr_t function_start, const char *name)
{
	ocaml_look_up();
	if (!ocaml_leave_hook || !ocaml_enter_hook) {
		return SITE_OTHER;
	}
	if (ocaml5) {
		return ocaml5_site_role(name);
	}
	if (name && strcmp(name, "caml_thread_yield") == 0) {
		return SITE_OCAML_YIELD;
	}
	if (!function_start) {
		return SITE_OTHER;
	}
	if (function_start == (uintptr_t) __atomic_load_n(ocaml_leave_hook, __ATOMIC_RELAXED)) {
		return SITE_OCAML_TAKE;
	}
	if (function_start == (uintptr_t) __atomic_load_n(ocaml_enter_hook, __ATOMIC_RELAXED)) {
		return SITE_OCAML_DROP;
	}
	return SITE_OTHER;
}

/* Copy a version number ("4.13.1", "4.14.0+flambda") from s, at most
 * n bytes, if s starts with one; 1 on success. */
static int copy_version(char *buf, size_t len, const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !isdigit((unsigned char) s[0])) {
		return 0;
	}
	while (i < n && i + 1 < len && (isalnum((unsigned char) s[i]) || strchr(".+~-_", s[i]))) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = '\0';
	return memchr(buf, '.', i) != NULL;
}

/* OCaml values: a block's header word precedes it; the low byte is
 * the tag, the bits above the tenth the size in words. */
#define OCAML_STRING_TAG	252
#define OCAML_WOSIZE(hd)	((hd) >> 10)
#define OCAML_SYS_FIELDS_MAX	256

/*
 * Sys.ocaml_version from the native Sys module block: the one field
 * that is a string holding a version number.  The block is static
 * data, filled when the module is initialised (before any thread
 * exists); fields not yet filled are immediate values, skipped.
 */
static int version_from_sys_module(char *buf, size_t len)
{
	const uintptr_t *sys = symbol_lookup("camlStdlib__Sys", NULL);
	uintptr_t fields;

	if (!sys) {
		return 0;
	}
	fields = OCAML_WOSIZE(sys[-1]);
	for (uintptr_t i = 0; i < fields && i < OCAML_SYS_FIELDS_MAX; i++) {
		uintptr_t v = sys[i], hd, bytes;
		const char *s;

		/* Immediates have the low bit set; 0 is no pointer either. */
		if ((v & 7) != 0 || v < 4096) {
			continue;
		}
		hd = ((const uintptr_t *) v)[-1];
		if ((hd & 0xff) != OCAML_STRING_TAG || OCAML_WOSIZE(hd) == 0
				|| OCAML_WOSIZE(hd) > 4) {
			continue;
		}
		/* The last byte tells the padding: length = bytes - 1 - it. */
		s = (const char *) v;
		bytes = OCAML_WOSIZE(hd) * sizeof(uintptr_t);
		if ((uintptr_t) (unsigned char) s[bytes - 1] >= bytes) {
			continue;
		}
		if (copy_version(buf, len, s, bytes - 1 - (unsigned char) s[bytes - 1])) {
			return 1;
		}
	}
	return 0;
}

struct banner_search {
	char *buf;
	size_t len;
	int found;
};

static const char ocaml_banner[] = "The OCaml runtime, version ";

/* The bytecode interpreter's banner, in the main program's read-only
 * segments (the first object dl_iterate_phdr reports). */
static int banner_in_main_program(struct dl_phdr_info *info, size_t size, void *data)
{
	struct banner_search *b = data;

	(void) size;
	for (int i = 0; i < info->dlpi_phnum && !b->found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *seg, *hit, *end;

		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || !(ph->p_flags & PF_R)) {
			continue;
		}
		seg = (const char *) (info->dlpi_addr + ph->p_vaddr);
		end = seg + ph->p_filesz;
		hit = memmem(seg, ph->p_filesz, ocaml_banner, sizeof(ocaml_banner) - 1);
		if (hit) {
			hit += sizeof(ocaml_banner) - 1;
			b->found = copy_version(b->buf, b->len, hit, (size_t) (end - hit));
		}
	}
	return 1;	/* the main program only */
}

int ocaml_runtime_name(char *buf, size_t len)
{
	struct banner_search b;
	char version[32];

	ocaml_look_up();
	if (!ocaml_leave_hook) {
		return 0;
	}
	b.buf = version;
	b.len = sizeof(version);
	b.found = version_from_sys_module(version, sizeof(version));
	if (!b.found) {
		dl_iterate_phdr(banner_in_main_program, &b);
	}
	if (b.found) {
		snprintf(buf, len, "OCaml %s", version);
	} else {
		snprintf(buf, len, "OCaml");
	}
	return 1;
}
