/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "util.h"

/* An optional helper: PATH from ENV, else the default; NULL when empty
 * or not installed. */
static const char *optional_lib(const char *env, const char *path)
{
	const char *lib = getenv(env);

	if (!lib) {
		lib = path;
	}
	return *lib && access(lib, R_OK) == 0 ? lib : NULL;
}

/*
 * The preload list: liblttng-ust-fork first; then liblttng-ust-fd when
 * it is installed: a program that closes descriptors it did not open
 * (a shell's "exec 9>&-", closefrom) would otherwise close LTTng-UST's,
 * whose next descriptor then aborts the program on an assertion of
 * LTTng-UST's fd tracker (seen with bash on Debian unstable); with it,
 * such a close fails with EBADF, as it would without LTTng-UST.  Then
 * liblttng-ust-dl when installed (it records the objects loaded after
 * start, such as Python's extension modules, so that Trace Compass can
 * resolve addresses in them too), then the shim.
 */
char *child_preload_list(void)
{
	const char *shim = getenv("GILTRACE_SHIM");
	const char *fork_lib = getenv("GILTRACE_UST_FORK");
	const char *fd_lib = optional_lib("GILTRACE_UST_FD", GILTRACE_UST_FD_PATH);
	const char *dl_lib = optional_lib("GILTRACE_UST_DL", GILTRACE_UST_DL_PATH);
	char *list;

	if (!shim || !*shim) {
		shim = GILTRACE_SHIM_PATH;
	}
	if (!fork_lib || !*fork_lib) {
		fork_lib = GILTRACE_UST_FORK_PATH;
	}
	if (access(shim, R_OK) != 0) {
		gt_err("Cannot find the shim at %s (reinstall giltrace, or set GILTRACE_SHIM)", shim);
		return NULL;
	}
	if (access(fork_lib, R_OK) != 0) {
		gt_err("Cannot find %s, needed to trace forked children (apt-get install liblttng-ust1, or set GILTRACE_UST_FORK)",
			fork_lib);
		return NULL;
	}
	if (asprintf(&list, "%s:%s%s%s%s%s", fork_lib, fd_lib ? fd_lib : "", fd_lib ? ":" : "",
			dl_lib ? dl_lib : "", dl_lib ? ":" : "", shim) < 0) {
		return NULL;
	}
	return list;
}

static void report_and_exit(int fd, int err)
{
	ssize_t n = write(fd, &err, sizeof(err));

	(void) n;
	_exit(err == ENOENT ? GT_EXIT_NOT_FOUND : GT_EXIT_CANNOT_EXEC);
}

/*
 * Is this LD_PRELOAD entry a runtime that must be the first library of
 * the process?  AddressSanitizer's (and HWASan's) abort otherwise.  The
 * others (ThreadSanitizer's, say) stay behind giltrace's libraries: one
 * that intercepts the lock functions ahead of the shim would hide which
 * calls LTTng-UST makes itself (internal_callers.h).
 */
static int sanitizer_runtime(const char *entry, size_t len)
{
	static const char *const names[] = {
		"libasan", "libhwasan", "libclang_rt.asan", "libclang_rt.hwasan",
	};
	const char *base = entry;

	for (size_t i = 0; i < len; i++) {
		if (entry[i] == '/') {
			base = entry + i + 1;
		}
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if ((size_t) (entry + len - base) >= n && strncmp(base, names[i], n) == 0) {
			return 1;
		}
	}
	return 0;
}

/*
 * COMMAND's LD_PRELOAD: the runtimes of the user's own that must come
 * first, then
 * giltrace's libraries, then the rest of the user's (ld.so(8): entries
 * are separated by colons or spaces).  NULL without memory.
 */
static char *child_preload(const char *ours, const char *user)
{
	size_t cap = strlen(ours) + (user ? strlen(user) : 0) + 2;
	char *first = calloc(cap, 1), *rest = calloc(cap, 1), *value = NULL;

	if (!first || !rest) {
		goto end;
	}
	for (const char *p = user; p && *p;) {
		size_t len = strcspn(p, ": ");

		if (len) {
			char *to = sanitizer_runtime(p, len) ? first : rest;

			if (*to) {
				strcat(to, ":");
			}
			strncat(to, p, len);
		}
		p += len;
		p += *p ? 1 : 0;
	}
	if (asprintf(&value, "%s%s%s%s%s", first, *first ? ":" : "", ours, *rest ? ":" : "", rest) < 0) {
		value = NULL;
	}
end:
	free(first);
	free(rest);
	return value;
}

static void run_child(int gate, int errfd, char **argv, const char *preload,
	const struct sessiond *sd, const struct sig_state *state)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;
	char go;

	/* EOF without a byte: giltrace gave up before COMMAND could run. */
	if (read(gate, &go, 1) != 1) {
		_exit(GT_EXIT_FAILURE);
	}
	close(gate);
	if (sessiond_child_setup(sd) != 0) {
		report_and_exit(errfd, errno);
	}
	/* The user's own preloads stay, after ours (sanitizers before). */
	value = child_preload(preload, old);
	if (!value || setenv("LD_PRELOAD", value, 1) != 0) {
		report_and_exit(errfd, ENOMEM);
	}
	sig_restore_for_exec(state);
	execvp(argv[0], argv);
	report_and_exit(errfd, errno);
}

int child_fork(struct child *c, char **argv, const char *preload,
	const struct sessiond *sd, const struct sig_state *state)
{
	int gate[2], err[2];

	if (pipe2(gate, O_CLOEXEC) != 0) {
		gt_err("Cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		gt_err("Cannot create a pipe: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		return -1;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		gt_err("Cannot fork: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		close(err[0]);
		close(err[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(gate[1]);
		close(err[0]);
		run_child(gate[0], err[1], argv, preload, sd, state);
	}
	close(gate[0]);
	close(err[1]);
	c->gate = gate[1];
	c->errpipe = err[0];
	return 0;
}

int child_release(struct child *c, int go)
{
	int err = 0;
	ssize_t n;

	if (go) {
		n = write(c->gate, "g", 1);
		(void) n;
	}
	close(c->gate);
	c->gate = -1;
	if (!go) {
		close(c->errpipe);
		c->errpipe = -1;
		return 0;
	}
	do {
		n = read(c->errpipe, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(c->errpipe);
	c->errpipe = -1;
	return n == (ssize_t) sizeof(err) ? err : 0;
}

void child_abandon(struct child *c, int *status)
{
	child_release(c, 0);
	waitpid(c->pid, status, 0);
}
