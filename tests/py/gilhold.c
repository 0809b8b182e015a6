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
 *   gilhold.block_for_gil(), gilhold.exit_holding(status): a thread
 *     blocked trying to take the GIL when the process exits
 *     (tests/e2e_py_exit.sh; below)
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * block_for_gil(), in a daemon thread, releases the GIL, waits (busy,
 * never asleep) until the main thread has taken it in exit_holding(),
 * then tries to take it back: it blocks there, for good.
 * exit_holding(status), in the main thread, lets the GIL go until that
 * thread has released it, takes it, waits until the thread sleeps (in
 * its attempt: it sleeps nowhere else), and calls exit(status) with the
 * GIL still held.  The two threads meet on these two words (file scope:
 * one such pair per process, and the process ends).
 */
static int blocked_tid;		/* the blocking thread's tid, once it let the GIL go */
static int main_holds;		/* the main thread has the GIL (for good) */

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Thread tid of this process is asleep ('S' in /proc: in a futex wait). */
static int thread_sleeps(int tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f) {
		return 0;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static PyObject *block_for_gil(PyObject *self, PyObject *unused)
{
	PyThreadState *ts;

	(void) self;
	(void) unused;
	ts = PyEval_SaveThread();
	__atomic_store_n(&blocked_tid, (int) syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&main_holds, __ATOMIC_ACQUIRE)) {
		/* spin: asleep, it would look blocked to exit_holding */
	}
	PyEval_RestoreThread(ts);
	Py_RETURN_NONE;
}

static PyObject *exit_holding(PyObject *self, PyObject *args)
{
	int status, tid;
	PyThreadState *ts;

	(void) self;
	if (!PyArg_ParseTuple(args, "i", &status)) {
		return NULL;
	}
	ts = PyEval_SaveThread();
	while (!(tid = __atomic_load_n(&blocked_tid, __ATOMIC_ACQUIRE))) {
		sleep_ms(1);
	}
	PyEval_RestoreThread(ts);
	__atomic_store_n(&main_holds, 1, __ATOMIC_RELEASE);
	while (!thread_sleeps(tid)) {
		sleep_ms(1);
	}
	fflush(NULL);
	exit(status);
}

static PyMethodDef gilhold_methods[] = {
	{ "hold_gil", hold_gil, METH_VARARGS, "Hold the GIL count times for ms milliseconds each." },
	{ "now", gilhold_now, METH_NOARGS, "CLOCK_MONOTONIC in nanoseconds." },
	{ "gettid", gilhold_gettid, METH_NOARGS, "The calling thread's kernel thread id." },
	{ "block_for_gil", block_for_gil, METH_NOARGS, "Let the GIL go to exit_holding, then block taking it back." },
	{ "exit_holding", exit_holding, METH_VARARGS, "exit(status) with the GIL held, block_for_gil's thread blocked." },
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
