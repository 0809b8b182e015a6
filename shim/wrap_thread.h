/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* Threads of the tracer's own, out of glibc's count (wrap_thread.c). */
#ifndef GILTRACE_SHIM_WRAP_THREAD_H
#define GILTRACE_SHIM_WRAP_THREAD_H

#include <pthread.h>

/* As pthread_create, but the thread is out of glibc's count of running
 * threads while it runs, so that it never keeps the process alive
 * (counted as any other where that count cannot be found). */
int thread_create_uncounted(pthread_t *thread, const pthread_attr_t *attr,
		void *(*start)(void *), void *arg);

#endif
