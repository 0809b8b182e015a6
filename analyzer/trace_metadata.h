/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Inside libtracereader: the check of a trace's metadata file that must
 * come before libbabeltrace2 2.0 reads it, which hangs on some damaged
 * packetized metadata.
 */
#ifndef GILTRACE_ANALYZER_TRACE_METADATA_H
#define GILTRACE_ANALYZER_TRACE_METADATA_H

#include "trace_reader.h"

/* TRACE_READ_BAD_TRACE, with a cause, if the metadata of the trace in
 * dir cannot be read or would hang libbabeltrace2. */
enum trace_read_status trace_metadata_check(const char *dir);

#endif
