/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/* The subcommands of giltrace(1). */
#ifndef GILTRACE_FRONTEND_FRONTEND_H
#define GILTRACE_FRONTEND_FRONTEND_H

/* Each returns giltrace's exit status (record may also die of COMMAND's signal). */
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif
