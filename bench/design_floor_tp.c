/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* The probes of bench/design_floor_tp.h. */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TP_IP_PARAM ip

#include "design_floor_tp.h"
