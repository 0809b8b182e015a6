/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * pyversion_fake: preloaded before libpython, an interpreter that says
 * it is a CPython no layout is known for (tests/e2e_pyframes_off.sh):
 * Py_GetVersion() says 3.99.0, and with -DFAKE_NUMBER the Py_Version
 * of 3.11 on says so too.  Where the interpreter calls its own
 * Py_GetVersion, it keeps its own.
 */
const char *Py_GetVersion(void);

const char *Py_GetVersion(void)
{
	return "3.99.0 (giltrace test, not a real version) [GCC]";
}

#ifdef FAKE_NUMBER
const unsigned long Py_Version = 0x036300f0;	/* 3.99.0 final */
#endif
