/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * libpython_main: python3.X's own main, linked against the release's
 * shared libpython3.X (tests/e2e_pyframes_off.sh).  Debian's python3.X
 * executables carry the interpreter inside them, where a preloaded
 * library cannot override Py_GetVersion or Py_Version (the executable
 * comes first in symbol lookup); with the interpreter in a library of
 * its own, tests/py/pyversion_fake.c preloaded comes before it, as with
 * pyenv's builds.
 */
#include <Python.h>

int main(int argc, char **argv)
{
	return Py_BytesMain(argc, argv);
}
