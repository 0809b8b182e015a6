/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The one translation unit that defines the giltrace tracepoints and
 * their probes.  Both definitions are hidden: every call site is inside
 * libgiltrace.so, and hidden symbols cannot clash with a provider of
 * the same name that the traced program might carry.
 */
#define LTTNG_UST_TRACEPOINT_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_PROVIDER_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
/* Record each call's return address, not the probe's, as the ip context. */
#define LTTNG_UST_TP_IP_PARAM ip

#include "giltrace_tp.h"
