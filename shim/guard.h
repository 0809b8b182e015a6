/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The recursion guard.  LTTng-UST, libunwind and the dynamic linker
 * call pthread functions themselves; while a wrapper's own code is
 * running on a thread, every nested intercepted call on that thread goes
 * straight to the real function.  The guard is down while the wrapper
 * is inside the real call: nothing of the shim runs there, and a signal
 * handler may leave that call for good (siglongjmp out of a wait), which
 * would otherwise leave the thread untraced for the rest of its life.
 * A handler that runs during the real call is traced like any code.
 */
#ifndef GILTRACE_SHIM_GUARD_H
#define GILTRACE_SHIM_GUARD_H

/*
 * initial-exec: a global-dynamic TLS access may allocate, and the
 * allocator may lock a mutex.  The shim is only ever preloaded, so its
 * TLS is always in the static block.
 */
extern __thread int shim_guard __attribute__((tls_model("initial-exec")));

static inline int shim_entered(void)
{
	return shim_guard;
}

/* The fences keep the compiler from dropping or moving the flag's
 * stores: a signal handler reads it, and with the shim optimised at link
 * time (configure.ac) no call between the two hides it any more. */
static inline void shim_enter(void)
{
	shim_guard = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void shim_leave(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_guard = 0;
}

#endif
