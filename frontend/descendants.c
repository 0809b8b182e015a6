/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descendants.h"

int pidset_add(struct pidset *set, pid_t pid)
{
	size_t lo = 0, hi = set->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->pids[mid] == pid) {
			return 0;
		}
		if (set->pids[mid] < pid) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (set->len == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		pid_t *grown = realloc(set->pids, cap * sizeof(*grown));

		if (!grown) {
			return -1;
		}
		set->pids = grown;
		set->cap = cap;
	}
	memmove(&set->pids[lo + 1], &set->pids[lo], (set->len - lo) * sizeof(pid_t));
	set->pids[lo] = pid;
	set->len++;
	return 1;
}

void pidset_free(struct pidset *set)
{
	free(set->pids);
	memset(set, 0, sizeof(*set));
}

/* Append the children of every thread of pid to the stack. */
static int push_children(pid_t pid, pid_t **stack, size_t *len, size_t *cap)
{
	char path[320], line[4096];
	DIR *tasks;
	struct dirent *t;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long) pid);
	tasks = opendir(path);
	if (!tasks) {
		return 0; /* gone already */
	}
	while ((t = readdir(tasks))) {
		FILE *f;
		char *p, *end;

		if (t->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/children", (long) pid, t->d_name);
		f = fopen(path, "r");
		if (!f) {
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			for (p = line;; p = end) {
				long child = strtol(p, &end, 10);

				if (end == p) {
					break;
				}
				if (*len == *cap) {
					size_t ncap = *cap ? *cap * 2 : 32;
					pid_t *grown = realloc(*stack, ncap * sizeof(pid_t));

					if (!grown) {
						fclose(f);
						closedir(tasks);
						return -1;
					}
					*stack = grown;
					*cap = ncap;
				}
				(*stack)[(*len)++] = (pid_t) child;
			}
		}
		fclose(f);
	}
	closedir(tasks);
	return 0;
}

int descendants_scan(pid_t root, struct pidset *known,
	int (*on_new)(pid_t pid, void *arg), void *arg)
{
	pid_t *stack = NULL;
	size_t len = 0, cap = 0;
	int found = 0;

	if (push_children(root, &stack, &len, &cap) != 0) {
		return -1;
	}
	while (len > 0) {
		pid_t pid = stack[--len];
		int added = pidset_add(known, pid);

		if (added < 0) {
			found = -1;
			break;
		}
		if (added == 1) {
			if (on_new(pid, arg) != 0) {
				found = -1;
				break;
			}
			found++;
		}
		if (push_children(pid, &stack, &len, &cap) != 0) {
			found = -1;
			break;
		}
	}
	free(stack);
	return found;
}
