/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "relayd.h"
#include "util.h"

/* How long a private daemon may take to listen, and to stop. */
#define RELAYD_START_TIMEOUT_MS	30000
#define RELAYD_STOP_TIMEOUT_MS	10000
/* Another program may take a free port before the daemon binds it. */
#define RELAYD_START_ATTEMPTS	5

/* lttng-relayd beside the lttng-sessiond found at configure time. */
static const char *relayd_binary(void)
{
	static char path[PATH_MAX];	/* returned: computed once */
	const char *env = getenv("GILTRACE_RELAYD");
	char dir[PATH_MAX];

	if (env && *env) {
		return env;
	}
	snprintf(dir, sizeof(dir), "%s", LTTNG_SESSIOND_PATH);
	snprintf(path, sizeof(path), "%s/lttng-relayd", dirname(dir));
	return path;
}

static int parse_port(const char *text, unsigned int *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v == 0 || v > 65535) {
		return -1;
	}
	*port = (unsigned int) v;
	return 0;
}

int relayd_parse(struct relayd *r, const char *spec)
{
	char buf[512], *ports, *fields[3] = { NULL, NULL, NULL };
	unsigned int *dst[3] = { &r->control, &r->data, &r->live };
	int n = 0;

	memset(r, 0, sizeof(*r));
	r->control = RELAYD_DEFAULT_CONTROL;
	r->data = RELAYD_DEFAULT_DATA;
	r->live = RELAYD_DEFAULT_LIVE;
	snprintf(buf, sizeof(buf), "%s", spec);
	/* "[v6]:ports" or "host:ports" */
	if (buf[0] == '[') {
		ports = strchr(buf, ']');
		if (!ports) {
			goto bad;
		}
		ports++;
	} else {
		ports = strchr(buf, ':');
		if (!ports) {
			ports = buf + strlen(buf);
		}
	}
	if (*ports == ':') {
		*ports++ = '\0';
		for (char *f = strtok(ports, ":"); f; f = strtok(NULL, ":")) {
			if (n == 3) {
				goto bad;
			}
			fields[n++] = f;
		}
		/* CONTROL alone would leave DATA ambiguous. */
		if (n == 1) {
			goto bad;
		}
	} else if (*ports) {
		goto bad;
	}
	for (int i = 0; i < n; i++) {
		if (parse_port(fields[i], dst[i]) != 0) {
			goto bad;
		}
	}
	if (!buf[0] || strlen(buf) >= sizeof(r->host)) {
		goto bad;
	}
	snprintf(r->host, sizeof(r->host), "%s", buf);
	return 0;
bad:
	gt_err("Invalid --relayd '%s' (HOST, or HOST:CONTROL_PORT:DATA_PORT[:LIVE_PORT])", spec);
	return -1;
}

void relayd_url(const struct relayd *r, char *buf, size_t size, const char *scheme, unsigned int port)
{
	snprintf(buf, size, "%s://%s:%u", scheme, r->host, port);
}

/* A loopback port free right now (the daemon binds it a moment later). */
static int free_port(unsigned int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ret = -1;

	if (fd < 0) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *) &sa, &len) == 0) {
		*port = ntohs(sa.sin_port);
		ret = 0;
	}
	close(fd);
	return ret;
}

/* Three distinct free ports (the kernel may hand out one twice). */
static int free_ports(struct relayd *r)
{
	if (free_port(&r->control) != 0 || free_port(&r->data) != 0 || free_port(&r->live) != 0) {
		return -1;
	}
	return r->control != r->data && r->data != r->live && r->control != r->live ? 0 : 1;
}

static bool port_listens(unsigned int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0) {
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t) port);
	ok = connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void exec_relayd(const struct relayd *r, const char *output, pid_t parent)
{
	char control[300], data[300], live[300], log[PATH_MAX];
	const char *argv[12];
	int argc = 0;

	snprintf(log, sizeof(log), "%s/relayd.log", r->logdir);
	daemon_child_setup(log, parent);
	relayd_url(r, control, sizeof(control), "tcp", r->control);
	relayd_url(r, data, sizeof(data), "tcp", r->data);
	relayd_url(r, live, sizeof(live), "tcp", r->live);
	argv[argc++] = "lttng-relayd";
	argv[argc++] = "--output";
	argv[argc++] = output;
	argv[argc++] = "--control-port";
	argv[argc++] = control;
	argv[argc++] = "--data-port";
	argv[argc++] = data;
	argv[argc++] = "--live-port";
	argv[argc++] = live;
	argv[argc] = NULL;
	execv(relayd_binary(), (char *const *) argv);
	fprintf(stderr, "cannot run %s: %s\n", relayd_binary(), strerror(errno));
	_exit(127);
}

/* 0 once all three ports accept; 1 if the daemon exited; -1 on timeout. */
static int wait_listening(struct relayd *r)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status, waited;

	for (waited = 0; waited < RELAYD_START_TIMEOUT_MS; waited += 10) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			r->pid = 0;
			return 1;
		}
		if (port_listens(r->live) && port_listens(r->control) && port_listens(r->data)) {
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	return -1;
}

int relayd_start(struct relayd *r, const char *output)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], tail[512];
	pid_t parent = getpid();
	int attempt, ret = 1;

	memset(r, 0, sizeof(*r));
	snprintf(r->host, sizeof(r->host), "127.0.0.1");
	snprintf(dir, sizeof(dir), "%s/giltrace-relayd.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || !(r->logdir = strdup(dir))) {
		gt_err("Cannot create a directory for a private relay daemon: %s: %s", dir, strerror(errno));
		return -1;
	}
	for (attempt = 0; attempt < RELAYD_START_ATTEMPTS && ret == 1; attempt++) {
		ret = free_ports(r);
		if (ret < 0) {
			gt_err("Cannot find free loopback ports for a private relay daemon: %s", strerror(errno));
			return -1;
		}
		if (ret > 0) {
			/* A port handed out twice: ret stays 1, so try again. */
			continue;
		}
		r->pid = fork();
		if (r->pid < 0) {
			r->pid = 0;
			gt_err("Cannot start lttng-relayd: %s", strerror(errno));
			return -1;
		}
		if (r->pid == 0) {
			exec_relayd(r, output, parent);
		}
		ret = wait_listening(r);
	}
	if (ret != 0) {
		char log[PATH_MAX];

		snprintf(log, sizeof(log), "%s/relayd.log", r->logdir);
		daemon_log_tail(log, tail, sizeof(tail));
		gt_err("The private relay daemon did not start (%s): %s",
			ret < 0 ? "no answer" : "it exited", tail);
		relayd_stop(r);
		return -1;
	}
	return 0;
}

bool relayd_reap(struct relayd *r)
{
	return daemon_reap(&r->pid);
}

void relayd_stop(struct relayd *r)
{
	if (r->pid > 0) {
		daemon_stop(r->pid, RELAYD_STOP_TIMEOUT_MS, "relay daemon");
		r->pid = 0;
	}
	if (r->logdir) {
		gt_rm_rf(r->logdir);
		free(r->logdir);
		r->logdir = NULL;
	}
}
