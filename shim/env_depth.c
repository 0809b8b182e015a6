/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "env_depth.h"

unsigned int env_depth(const char *name, unsigned int max)
{
	const char *spec = getenv(name);
	char *end;
	long depth;

	if (!spec || !*spec) {
		return 0;
	}
	depth = strtol(spec, &end, 10);
	if (*end || depth < 0) {
		fprintf(stderr, "giltrace: ignoring %s=\"%s\": expected a number of frames, 0 to %u\n",
			name, spec, max);
		return 0;
	}
	return depth > (long) max ? max : (unsigned int) depth;
}
