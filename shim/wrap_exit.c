/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * _exit and _Exit: a process that ends without running destructors
 * (os._exit, as multiprocessing's children end) would take the batches
 * of compact cycles still pending (gil_compact.h) with it, cycles that
 * were done, and end without process_exit.  Both are told first, as the
 * destructor tells them (gil_tracker_at_exit), then the next _exit
 * runs.  A batch
 * another thread is writing right now, or one this thread was writing
 * when a signal handler called _exit, is left: waiting there could
 * wait for ever.  The child of vfork shares its parent's memory, whose
 * batches are the parent's to tell.  Nothing here allocates or looks
 * symbols up: the next _exit was found at start-up.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "export.h"
#include "gil_tracker.h"
#include "guard.h"
#include "wrap_exit.h"

/* The next definitions, found once by shim_init.  Global: the process's
 * one C library. */
static void (*next_exit)(int);
static void (*next_Exit)(int);

/* The pid at start-up or after fork: another one is a vfork child's.
 * Global for that reason. */
static pid_t own_pid;

void exit_wrap_init(void)
{
	next_exit = (void (*)(int)) dlsym(RTLD_NEXT, "_exit");
	next_Exit = (void (*)(int)) dlsym(RTLD_NEXT, "_Exit");
	own_pid = (pid_t) syscall(SYS_getpid);
}

void exit_wrap_after_fork_child(void)
{
	own_pid = (pid_t) syscall(SYS_getpid);
}

static void pending_told(void)
{
	if (own_pid != (pid_t) syscall(SYS_getpid)) {
		return;
	}
	shim_enter();
	gil_tracker_at_exit(0);
	shim_leave();
}

static __attribute__((noreturn)) void exit_now(void (*next)(int), int status)
{
	if (next) {
		next(status);
	}
	for (;;) {
		syscall(SYS_exit_group, status);
	}
}

SHIM_EXPORT void _exit(int status)
{
	pending_told();
	exit_now(next_exit, status);
}

SHIM_EXPORT void _Exit(int status)
{
	pending_told();
	exit_now(next_Exit, status);
}
