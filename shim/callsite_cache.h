/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * What each call site (return address) of an intercepted call is, so
 * that the cost of naming it (object_table.h) is paid once per site.
 */
#ifndef GILTRACE_SHIM_CALLSITE_CACHE_H
#define GILTRACE_SHIM_CALLSITE_CACHE_H

#include <stdint.h>

enum site_role {
	SITE_PENDING = 0,	/* internal: being classified */
	SITE_OTHER,		/* nothing known about this site */
	SITE_TAKE,		/* inside a GIL acquire function (take_gil) */
	SITE_DROP,		/* inside a GIL release function (drop_gil) */
	SITE_PYTHREAD_LOCK,	/* inside CPython's PyThread_{acquire,release}_lock */
	SITE_PYEVAL,		/* inside a PyEval_* function (caller of the 2.7 GIL) */
	SITE_USER_TAKE,		/* inside an acquire function named in GILTRACE_LOCK_FUNCS */
	SITE_USER_DROP,		/* inside a release function named there */
	SITE_USER_YIELD,	/* inside a yield function named there */
	SITE_WRAPPER,		/* inside a wrapper named in GILTRACE_LOCK_WRAPPERS */
	SITE_RUBY_LOCK,		/* inside Ruby's rb_native_mutex_lock */
	SITE_OCAML_TAKE,	/* inside OCaml's caml_leave_blocking_section_hook */
	SITE_OCAML_DROP,	/* inside OCaml's caml_enter_blocking_section_hook */
	SITE_OCAML_YIELD,	/* inside OCaml's caml_thread_yield */
	SITE_OCAML_DOMAIN_LOCK,	/* inside OCaml 5's caml_acquire_domain_lock */
	SITE_OCAML_DOMAIN_UNLOCK, /* inside OCaml 5's caml_release_domain_lock */
	SITE_UNMAPPED,		/* not (yet) in a known object: answered as SITE_OTHER, never cached */
};

typedef enum site_role (*callsite_classify_fn)(uintptr_t ip);

/* The role of call site ip, classifying it with classify on first sight
 * (SITE_UNMAPPED is returned as SITE_OTHER and asked again next time). */
enum site_role callsite_cache_lookup(uintptr_t ip, callsite_classify_fn classify);

/* Forget everything (the child of a fork keeps the parent's sites, so
 * this is only for tests). */
void callsite_cache_clear(void);

#endif
