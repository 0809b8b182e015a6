/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Where a process image ends without its destructors: _exit and _Exit
 * (os._exit, as multiprocessing's children end), and the exec family
 * (os.execv, a server re-executing itself).  Either would take the
 * batches of compact cycles still pending (gil_compact.h) with it,
 * cycles that were done.  They are told first, as the destructor tells
 * them (gil_tracker_at_exit), then the next definition runs; before
 * _exit process_exit follows, before an exec not (the process goes on
 * in another program, or in this one if the exec fails).  A batch
 * another thread is writing right now, or one this thread was writing
 * when a signal handler called _exit or an exec, is left: waiting there
 * could wait for ever.  The child of vfork shares its parent's memory,
 * whose batches are the parent's to tell.  Nothing here allocates or
 * looks symbols up: the next definitions were found at start-up.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "export.h"
#include "gil_flusher.h"
#include "gil_tracker.h"
#include "guard.h"
#include "wrap_exit.h"

/* The next definitions, found once by shim_init.  Global: the process's
 * one C library. */
static void (*next_exit)(int);
static void (*next_Exit)(int);
static int (*next_execve)(const char *, char *const[], char *const[]);
static int (*next_execv)(const char *, char *const[]);
static int (*next_execvp)(const char *, char *const[]);
static int (*next_execvpe)(const char *, char *const[], char *const[]);
static int (*next_fexecve)(int, char *const[], char *const[]);

/* The pid at start-up or after fork: another one is a vfork child's.
 * Global for that reason. */
static pid_t own_pid;

void exit_wrap_init(void)
{
	next_exit = (void (*)(int)) dlsym(RTLD_NEXT, "_exit");
	next_Exit = (void (*)(int)) dlsym(RTLD_NEXT, "_Exit");
	next_execve = (int (*)(const char *, char *const[], char *const[])) dlsym(RTLD_NEXT, "execve");
	next_execv = (int (*)(const char *, char *const[])) dlsym(RTLD_NEXT, "execv");
	next_execvp = (int (*)(const char *, char *const[])) dlsym(RTLD_NEXT, "execvp");
	next_execvpe = (int (*)(const char *, char *const[], char *const[])) dlsym(RTLD_NEXT, "execvpe");
	next_fexecve = (int (*)(int, char *const[], char *const[])) dlsym(RTLD_NEXT, "fexecve");
	own_pid = (pid_t) syscall(SYS_getpid);
}

void exit_wrap_after_fork_child(void)
{
	own_pid = (pid_t) syscall(SYS_getpid);
}

/* What is pending, told unless this is a vfork child; then process_exit
 * if the process exits (not before an exec).  errno stays the caller's
 * (an exec that fails sets it). */
static void pending_told(int exiting)
{
	int saved_errno = errno;

	if (own_pid == (pid_t) syscall(SYS_getpid)) {
		shim_enter();
		flusher_pause();
		if (exiting) {
			gil_tracker_at_exit(0);
		} else {
			gil_tracker_tell_pending(0);
		}
		shim_leave();
	}
	errno = saved_errno;
}

/* An exec that returned failed: the process goes on, and so does the
 * shim's flusher thread.  errno stays the exec's. */
static int exec_failed(int ret)
{
	if (own_pid == (pid_t) syscall(SYS_getpid)) {
		flusher_resume();
	}
	return ret;
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
	pending_told(1);
	exit_now(next_exit, status);
}

SHIM_EXPORT void _Exit(int status)
{
	pending_told(1);
	exit_now(next_Exit, status);
}

/* A next definition the C library does not have: as if it had none. */
static int exec_missing(void)
{
	errno = ENOSYS;
	return -1;
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	pending_told(0);
	return exec_failed(next_execve ? next_execve(path, argv, envp) : exec_missing());
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	pending_told(0);
	return exec_failed(next_execv ? next_execv(path, argv) : exec_missing());
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	pending_told(0);
	return exec_failed(next_execvp ? next_execvp(file, argv) : exec_missing());
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	pending_told(0);
	return exec_failed(next_execvpe ? next_execvpe(file, argv, envp) : exec_missing());
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	pending_told(0);
	return exec_failed(next_fexecve ? next_fexecve(fd, argv, envp) : exec_missing());
}

/*
 * execl, execlp and execle: their arguments as an argv on the stack,
 * then the vector form, as the C library itself does (up to INT_MAX
 * arguments, else E2BIG); execle's environment follows the null pointer.
 * execl_argc: how many arguments from arg on (-1 for too many).
 */
static ptrdiff_t execl_argc(va_list ap)
{
	ptrdiff_t argc;
	va_list c;

	va_copy(c, ap);
	for (argc = 1; va_arg(c, const char *); argc++) {
		if (argc == INT_MAX) {
			argc = -1;
			break;
		}
	}
	va_end(c);
	return argc;
}

enum execl_form {
	EXECL,
	EXECLP,
	EXECLE,
};

static int execl_any(enum execl_form form, const char *path, const char *arg, va_list ap)
{
	ptrdiff_t argc = execl_argc(ap);

	if (argc < 0) {
		errno = E2BIG;
		return -1;
	}
	char *argv[argc + 1];

	argv[0] = (char *) arg;
	for (ptrdiff_t i = 1; i <= argc; i++) {
		argv[i] = va_arg(ap, char *);
	}
	switch (form) {
	case EXECLP:
		return execvp(path, argv);
	case EXECLE:
		return execve(path, argv, va_arg(ap, char *const *));
	default:
		return execv(path, argv);
	}
}

SHIM_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_any(EXECL, path, arg, ap);
	va_end(ap);
	return ret;
}

SHIM_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_any(EXECLP, file, arg, ap);
	va_end(ap);
	return ret;
}

SHIM_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = execl_any(EXECLE, path, arg, ap);
	va_end(ap);
	return ret;
}
