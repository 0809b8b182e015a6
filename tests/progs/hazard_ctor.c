/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * hazard_ctor: intercepted calls from a constructor of the program and
 * from a constructor of a shared library it is linked with, both before
 * main.  Prints what each call returned (deterministic) and exits 1 if
 * any differs from the documented result; stderr names the program
 * constructor's mutex, whose calls the trace must show.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>

#include "hazard_ctor.h"

/* Filled by the constructor before main: file scope by necessity. */
static struct ctor_results prog_results;
static pthread_mutex_t prog_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t prog_cond = PTHREAD_COND_INITIALIZER;
static sem_t prog_sem;

__attribute__((constructor))
static void prog_init(void)
{
	ctor_exercise(&prog_results, &prog_mutex, &prog_cond, &prog_sem);
}

static int report(const char *who, const struct ctor_results *r)
{
	int ok = r->lock == 0 && r->trylock == EBUSY && r->timedwait == ETIMEDOUT && r->unlock == 0
		&& r->sem_post == 0 && r->sem_wait == 0 && r->sem_trywait == -1;

	printf("%s lock=%d trylock=%d timedwait=%d unlock=%d sem_post=%d sem_wait=%d sem_trywait=%d %s\n",
		who, r->lock, r->trylock, r->timedwait, r->unlock, r->sem_post, r->sem_wait,
		r->sem_trywait, ok ? "ok" : "WRONG");
	return ok;
}

int main(void)
{
	int ok = report("library-constructor", hazard_lib_results());

	ok &= report("program-constructor", &prog_results);
	fprintf(stderr, "program-constructor mutex %p\n", (void *) prog_results.mutex);
	return ok ? 0 : 1;
}
