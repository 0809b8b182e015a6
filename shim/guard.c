/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "guard.h"

__thread int shim_guard __attribute__((tls_model("initial-exec")));
