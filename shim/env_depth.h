/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* A number of frames the shim is asked for in its environment
 * (GILTRACE_CALLSITES, GILTRACE_PYFRAMES). */
#ifndef GILTRACE_SHIM_ENV_DEPTH_H
#define GILTRACE_SHIM_ENV_DEPTH_H

/*
 * The value of the environment variable name: 0 when unset or empty,
 * capped to max; a malformed value is ignored (0) with one line on
 * standard error.
 */
unsigned int env_depth(const char *name, unsigned int max);

#endif
