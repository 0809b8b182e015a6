/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * gilhold: a CPython extension (2.7 and 3.x) whose one function holds
 * the GIL for a long time, the way a slow C extension does, and times
 * every hold itself, for tests/e2e_callsites.sh and tests/e2e_pyfunctions.sh.
 *
 *   gilhold.hold_gil(count, ms) -> [(t0, t1, t2, t3), ...]
 *   gilhold.now() -> CLOCK_MONOTONIC in nanoseconds, the traces' clock
 *   gilhold.gettid() -> the calling thread's kernel id, the traces' vtid
 *
 * With the GIL released (Py_BEGIN_ALLOW_THREADS), it takes the GIL back
 * count times (Py_BLOCK_THREADS: what Py_END_ALLOW_THREADS does),
 * busy-holds it for ms milliseconds, and releases it (Py_UNBLOCK_THREADS:
 * what Py_BEGIN_ALLOW_THREADS does).  Each hold's four CLOCK_MONOTONIC
 * readings, in nanoseconds, bracket the two GIL events:
 *   t0 before taking the GIL back, t1 once it is held,
 *   t2 before releasing it,        t3 once released.
 * The GIL is held from a moment in [t0, t1] to a moment in [t2, t3]:
 * its own hold is t2 - t1, and the traced one lies in [t2 - t1, t3 - t0].
 * LTTng-UST stamps its events with the same clock.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keep the CPU (and the GIL) for ns nanoseconds from start. */
static void busy_until(int64_t start, int64_t ns)
{
	while (now_ns() - start < ns) {
		/* spin: a C function computing while it holds the GIL */
	}
}

static PyObject *holds_to_list(const int64_t *t, int count)
{
	PyObject *list = PyList_New(count);

	if (!list) {
		return NULL;
	}
	for (int i = 0; i < count; i++) {
		PyObject *item = Py_BuildValue("(LLLL)", (long long) t[4 * i], (long long) t[4 * i + 1],
			(long long) t[4 * i + 2], (long long) t[4 * i + 3]);

		if (!item) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, item);
	}
	return list;
}

static PyObject *hold_gil(PyObject *self, PyObject *args)
{
	int count, ms;
	int64_t *t;
	PyObject *result;

	(void) self;
	if (!PyArg_ParseTuple(args, "ii", &count, &ms)) {
		return NULL;
	}
	if (count < 0 || ms < 0) {
		PyErr_SetString(PyExc_ValueError, "count and ms must not be negative");
		return NULL;
	}
	t = calloc((size_t) count * 4 + 1, sizeof(*t));
	if (!t) {
		return PyErr_NoMemory();
	}
	Py_BEGIN_ALLOW_THREADS
	for (int i = 0; i < count; i++) {
		t[4 * i] = now_ns();
		Py_BLOCK_THREADS
		t[4 * i + 1] = now_ns();
		busy_until(t[4 * i + 1], (int64_t) ms * 1000000);
		t[4 * i + 2] = now_ns();
		Py_UNBLOCK_THREADS
		t[4 * i + 3] = now_ns();
	}
	Py_END_ALLOW_THREADS
	result = holds_to_list(t, count);
	free(t);
	return result;
}

static PyObject *gilhold_now(PyObject *self, PyObject *unused)
{
	(void) self;
	(void) unused;
	return PyLong_FromLongLong((long long) now_ns());
}

/* Python before 3.8 has no threading.get_native_id(). */
static PyObject *gilhold_gettid(PyObject *self, PyObject *unused)
{
	(void) self;
	(void) unused;
	return PyLong_FromLong((long) syscall(SYS_gettid));
}

static PyMethodDef gilhold_methods[] = {
	{ "hold_gil", hold_gil, METH_VARARGS, "Hold the GIL count times for ms milliseconds each." },
	{ "now", gilhold_now, METH_NOARGS, "CLOCK_MONOTONIC in nanoseconds." },
	{ "gettid", gilhold_gettid, METH_NOARGS, "The calling thread's kernel thread id." },
	{ NULL, NULL, 0, NULL },
};

#if PY_MAJOR_VERSION >= 3
static struct PyModuleDef gilhold_module = {
	PyModuleDef_HEAD_INIT, "gilhold", NULL, -1, gilhold_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_gilhold(void)
{
	return PyModule_Create(&gilhold_module);
}
#else
PyMODINIT_FUNC initgilhold(void)
{
	Py_InitModule("gilhold", gilhold_methods);
}
#endif
