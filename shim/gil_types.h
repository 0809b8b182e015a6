/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * What a GIL is, in the words both identification (gil_identify.h,
 * which recognises one) and the state machine (gil_tracker.h, which
 * registers and follows it) use.  Here so that identification needs
 * nothing of the state machine: the dependency goes one way, from
 * gil_tracker to gil_identify.
 */
#ifndef GILTRACE_SHIM_GIL_TYPES_H
#define GILTRACE_SHIM_GIL_TYPES_H

enum gil_kind {
	GIL_KIND_COND,		/* mutex + condition variable */
	GIL_KIND_SEM,		/* one semaphore */
};

/* Whose lock it is: decides the version string and the quirks of struct gil. */
enum gil_runtime {
	GIL_RT_CPYTHON,
	GIL_RT_RUBY,
	GIL_RT_OCAML,
	GIL_RT_USER,		/* named in GILTRACE_LOCK_FUNCS */
};

/* What a critical section on a GIL mutex is for. */
enum gil_role {
	ROLE_NONE = 0,
	ROLE_UNKNOWN,		/* section on a GIL mutex, purpose not yet clear */
	ROLE_ACQUIRE,
	ROLE_RELEASE,
};

#endif
