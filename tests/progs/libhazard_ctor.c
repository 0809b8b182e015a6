/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * A shared library whose constructor calls intercepted functions.  It
 * is a dependency of hazard_ctor, so its constructor runs before the
 * program's main and may run before the shim's own constructor (the
 * shim's real_* resolvers must cope).
 */
#define _GNU_SOURCE
#include <semaphore.h>

#include "hazard_ctor.h"

/* Filled by the constructor, read by the program: nothing else can
 * carry results out of a constructor. */
static struct ctor_results lib_results;
static pthread_mutex_t lib_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lib_cond = PTHREAD_COND_INITIALIZER;
static sem_t lib_sem;

__attribute__((constructor))
static void lib_init(void)
{
	ctor_exercise(&lib_results, &lib_mutex, &lib_cond, &lib_sem);
}

const struct ctor_results *hazard_lib_results(void)
{
	return &lib_results;
}
