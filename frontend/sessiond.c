/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "daemon.h"
#include "sessiond.h"
#include "util.h"

/* How long a private daemon may take to answer, and to stop. */
#define SESSIOND_START_TIMEOUT_S	30
#define SESSIOND_STOP_TIMEOUT_MS	10000

static const char *sessiond_binary(void)
{
	const char *env = getenv("GILTRACE_SESSIOND");

	return env && *env ? env : LTTNG_SESSIOND_PATH;
}

/*
 * Back to the caller's mount namespace, root and working directory.
 * setns() alone would leave the caller at the namespace's root, outside
 * the chroot giltrace may run in, and at that root's top.
 */
static int return_home(const struct sessiond *sd)
{
	if (setns(sd->orig_mntns, CLONE_NEWNS) != 0 || fchdir(sd->orig_root) != 0 ||
	    chroot(".") != 0 || fchdir(sd->orig_cwd) != 0) {
		return -1;
	}
	return 0;
}

static void close_fd(int fd)
{
	if (fd >= 0) {
		close(fd);
	}
}

static void close_home(struct sessiond *sd)
{
	close_fd(sd->orig_mntns);
	close_fd(sd->orig_root);
	close_fd(sd->orig_cwd);
	sd->orig_mntns = sd->orig_root = sd->orig_cwd = -1;
}

/*
 * As root: move giltrace into a mount namespace of its own whose
 * /run/lttng is empty, so that the daemon started there neither sees
 * nor is seen by the system's root daemon paths.  COMMAND goes back to
 * the original namespace (sessiond_child_setup).
 */
static int enter_private_namespace(struct sessiond *sd)
{
	int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int saved;

	if (ns < 0 || root < 0 || cwd < 0 || unshare(CLONE_NEWNS) != 0) {
		goto fail;
	}
	sd->orig_mntns = ns;
	sd->orig_root = root;
	sd->orig_cwd = cwd;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    (mkdir("/run/lttng", 0755) != 0 && errno != EEXIST) ||
	    mount("tmpfs", "/run/lttng", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") != 0) {
		saved = errno;
		return_home(sd);
		close_home(sd);
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	close_fd(ns);
	close_fd(root);
	close_fd(cwd);
	errno = saved;
	return -1;
}

/*
 * The name of LTTng-UST's application socket, "lttng-ust-sock-N" with N
 * the oldest ABI the library speaks (8 for LTTng 2.13, 11 for 2.16):
 * not in any public header, so read from the library the programs load
 * (GILTRACE_UST_LIB overrides its path).  -1 if it is not there.
 */
static int ust_sock_name(char *name, size_t len)
{
	static const char prefix[] = "lttng-ust-sock-";
	const char *path = getenv("GILTRACE_UST_LIB");
	char buf[65536 + sizeof(prefix) + 8];
	size_t have = 0, i;
	ssize_t n;
	int fd, found = -1;

	if (!path || !*path) {
		path = GILTRACE_UST_LIB_PATH;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	/* Windows of the file, each keeping the previous one's tail so that
	 * a name across two reads is seen whole. */
	while (found < 0 && (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t) n;
		for (i = 0; i + sizeof(prefix) + 1 < have; i++) {
			size_t d = i + sizeof(prefix) - 1, e = d;

			if (memcmp(buf + i, prefix, sizeof(prefix) - 1) != 0) {
				continue;
			}
			while (e < have && buf[e] >= '0' && buf[e] <= '9') {
				e++;
			}
			if (e > d && e < have && buf[e] == '\0' && e - i < len) {
				memcpy(name, buf + i, e - i + 1);
				found = 0;
				break;
			}
		}
		if (have > sizeof(prefix) + 8) {
			memmove(buf, buf + have - (sizeof(prefix) + 8), sizeof(prefix) + 8);
			have = sizeof(prefix) + 8;
		}
	}
	close(fd);
	return found;
}

static void exec_sessiond(const struct sessiond *sd, pid_t parent)
{
	char log[PATH_MAX], apps_sock[PATH_MAX + 32], sock_name[64];
	const char *argv[8];
	int argc = 0;

	snprintf(log, sizeof(log), "%s/sessiond.log", sd->home);
	daemon_child_setup(log, parent);

	argv[argc++] = "lttng-sessiond";
	argv[argc++] = "--sig-parent";
	argv[argc++] = "--no-kernel";
	if (geteuid() == 0) {
		/*
		 * A root daemon listens under /run/lttng; root programs also
		 * try $LTTNG_HOME/.lttng, where only COMMAND looks.
		 */
		if (ust_sock_name(sock_name, sizeof(sock_name)) != 0) {
			fprintf(stderr, "cannot find the name of LTTng-UST's application socket in its library (GILTRACE_UST_LIB)\n");
			_exit(127);
		}
		snprintf(apps_sock, sizeof(apps_sock), "--apps-sock=%s/.lttng/%s", sd->home, sock_name);
		argv[argc++] = apps_sock;
	}
	argv[argc] = NULL;
	execv(sessiond_binary(), (char *const *) argv);
	fprintf(stderr, "cannot run %s: %s\n", sessiond_binary(), strerror(errno));
	_exit(127);
}

/* Wait for the daemon's readiness signal; -1 if it died or hung. */
static int wait_ready(struct sessiond *sd)
{
	struct timespec deadline, now, left;
	sigset_t set;
	siginfo_t info;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += SESSIOND_START_TIMEOUT_S;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (sigtimedwait(&set, &info, &left) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (info.si_signo == SIGUSR1 && info.si_pid == sd->pid) {
			return 0;
		}
		if (info.si_signo == SIGCHLD && waitpid(sd->pid, &status, WNOHANG) == sd->pid) {
			sd->pid = 0;
			errno = ECHILD;
			return -1;
		}
	}
}

static int start_private(struct sessiond *sd, bool force_private)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], log[PATH_MAX + 16], tail[512];
	pid_t parent = getpid();

	snprintf(dir, sizeof(dir), "%s/giltrace-sessiond.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		gt_err("Cannot create a directory for a private session daemon: %s: %s", dir, strerror(errno));
		return -1;
	}
	sd->home = strdup(dir);
	snprintf(log, sizeof(log), "%s/.lttng", dir);
	if (!sd->home || mkdir(log, 0700) != 0 || setenv("LTTNG_HOME", dir, 1) != 0) {
		gt_err("Cannot prepare a private session daemon in %s: %s", dir, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && enter_private_namespace(sd) != 0) {
		if (force_private) {
			gt_err("Cannot isolate a private root session daemon (mount namespace: %s)", strerror(errno));
			return -1;
		}
		/*
		 * No root daemon runs (checked), so one under /run/lttng
		 * disturbs nobody; it is merely visible while we record.
		 */
	}
	if (geteuid() != 0) {
		/*
		 * liblttng-ctl prefers the root daemon for members of the
		 * tracing group; a group nobody is in keeps it on ours.
		 */
		lttng_set_tracing_group("giltrace-private-sessiond");
	}
	sd->pid = fork();
	if (sd->pid < 0) {
		sd->pid = 0;
		gt_err("Cannot start lttng-sessiond: %s", strerror(errno));
		return -1;
	}
	if (sd->pid == 0) {
		exec_sessiond(sd, parent);
	}
	if (wait_ready(sd) != 0) {
		snprintf(log, sizeof(log), "%s/sessiond.log", dir);
		daemon_log_tail(log, tail, sizeof(tail));
		gt_err("The private session daemon did not start (%s): %s",
			errno == ETIMEDOUT ? "no answer" : "it exited", tail);
		return -1;
	}
	if (lttng_session_daemon_alive() != 1) {
		gt_err("The private session daemon started but does not answer");
		return -1;
	}
	return 0;
}

void sessiond_init(struct sessiond *sd)
{
	sd->pid = 0;
	sd->home = NULL;
	sd->orig_mntns = sd->orig_root = sd->orig_cwd = -1;
}

int sessiond_acquire(struct sessiond *sd, bool force_private)
{
	sessiond_init(sd);
	if (!force_private && lttng_session_daemon_alive() == 1) {
		return 0;
	}
	if (start_private(sd, force_private) != 0) {
		sessiond_release(sd);
		return -1;
	}
	return 0;
}

bool sessiond_reap(struct sessiond *sd)
{
	return daemon_reap(&sd->pid);
}

void sessiond_release(struct sessiond *sd)
{
	if (sd->pid > 0) {
		daemon_stop(sd->pid, SESSIOND_STOP_TIMEOUT_MS, "session daemon");
		sd->pid = 0;
	}
	if (sd->orig_mntns >= 0) {
		if (return_home(sd) != 0) {
			gt_err("Cannot return to the original mount namespace and directory: %s", strerror(errno));
		}
		close_home(sd);
	}
	if (sd->home) {
		gt_rm_rf(sd->home);
		free(sd->home);
		sd->home = NULL;
	}
}

int sessiond_child_setup(const struct sessiond *sd)
{
	if (sd->orig_mntns < 0) {
		return 0;
	}
	return return_home(sd);
}

bool sessiond_is_private(const struct sessiond *sd)
{
	return sd->home != NULL;
}
