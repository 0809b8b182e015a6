/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "util.h"

/* Open path as fd; 0, or -1 with fd left alone if it cannot be opened. */
static int redirect(int fd, const char *path, int flags)
{
	int opened = open(path, flags, 0600);

	if (opened < 0) {
		return -1;
	}
	dup2(opened, fd);
	close(opened);
	return 0;
}

void daemon_child_setup(const char *log, pid_t parent)
{
	sigset_t none;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* giltrace died before the prctl: nobody would stop the daemon. */
	if (getppid() != parent) {
		_exit(1);
	}
	redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
	if (redirect(STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC) == 0) {
		dup2(STDOUT_FILENO, STDERR_FILENO);
	}
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void daemon_log_tail(const char *log, char *line, size_t size)
{
	FILE *f = fopen(log, "r");
	char buf[512];

	snprintf(line, size, "no message");
	if (!f) {
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0]) {
			snprintf(line, size, "%s", buf);
		}
	}
	fclose(f);
}

void daemon_stop(pid_t pid, int timeout_ms, const char *what)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int waited, status;

	kill(pid, SIGTERM);
	for (waited = 0; waited < timeout_ms; waited += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			return;
		}
		nanosleep(&tick, NULL);
	}
	gt_err("The private %s did not stop; killing it: pid=%d", what, (int) pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

bool daemon_reap(pid_t *pid)
{
	int status;

	if (*pid > 0 && waitpid(*pid, &status, WNOHANG) == *pid) {
		*pid = 0;
		return true;
	}
	return false;
}
