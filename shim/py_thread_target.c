/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#include "config.h"

#include <string.h>

#include "giltrace_tp.h"
#include "py_chain.h"
#include "py_code_names.h"
#include "py_text.h"
#include "py_thread_target.h"
#include "tp_recording.h"

__thread unsigned int py_target_said __attribute__((tls_model("initial-exec")));

/* Frames walked at most to find the bottom (the contract's limit). */
#define TARGET_WALK_MAX 256

/* The frames just above the bottom that matter: _bootstrap,
 * _bootstrap_inner, run, the target. */
#define BOTTOM_FRAMES 4

/* Is code's name base (after the last '.' of a qualified name) one of
 * names? */
static int named(const struct py_layout *l, uintptr_t code, const char *const *names)
{
	char buf[1024];
	const char *text, *base;

	if (py_text(l, py_word(code, l->co_name), buf, sizeof(buf), &text) != PY_TEXT_OK) {
		return 0;
	}
	base = strrchr(text, '.');
	base = base ? base + 1 : text;
	while (*names && strcmp(base, *names) != 0) {
		names++;
	}
	return *names != NULL;
}

/* Is code one of names, of threading.py? */
static int threading_function(const struct py_layout *l, uintptr_t code, const char *const *names)
{
	char buf[1024];
	const char *text, *slash;

	if (!named(l, code, names)
	    || py_text(l, py_word(code, l->co_filename), buf, sizeof(buf), &text) != PY_TEXT_OK) {
		return 0;
	}
	slash = strrchr(text, '/');
	return strcmp(slash ? slash + 1 : text, "threading.py") == 0;
}

/* 2.7 names them __bootstrap and __bootstrap_inner. */
static const char *const bootstrap_names[] = { "_bootstrap", "__bootstrap", NULL };
static const char *const inner_names[] = { "_bootstrap_inner", "__bootstrap_inner", NULL };
static const char *const run_names[] = { "run", NULL };

static void target_emit(const struct py_layout *l, uintptr_t target)
{
	if (target && py_code_name(l, target) != 0) {
		return;	/* not a code object after all: frames go off */
	}
	lttng_ust_tracepoint(giltrace, py_thread_target, (const void *) target, NULL);
	py_target_said = py_thread_target_epoch();
}

/*
 * The code objects of the bottom frames into bottom[0] (outermost) up:
 * how many function frames there are (at most BOTTOM_FRAMES kept), -1
 * if the bottom is out of reach or the chain is broken.
 */
static int bottom_frames(const struct py_layout *l, uintptr_t frame, uintptr_t *bottom)
{
	uintptr_t ring[BOTTOM_FRAMES];
	unsigned int seen = 0, walked = 0;

	while (frame) {
		uintptr_t code;
		uint32_t instr;
		enum py_step step;

		if (walked++ == TARGET_WALK_MAX) {
			return -1;
		}
		step = py_chain_step(l, frame, &code, &instr);
		if (step == PY_STEP_BROKEN) {
			return -1;
		}
		if (step == PY_STEP_FRAME) {
			ring[seen++ % BOTTOM_FRAMES] = code;
		}
		frame = py_chain_next(l, frame);
	}
	for (unsigned int i = 0; i < BOTTOM_FRAMES && i < seen; i++) {
		bottom[i] = ring[(seen - 1 - i) % BOTTOM_FRAMES];
	}
	return (int) (seen < BOTTOM_FRAMES ? seen : BOTTOM_FRAMES);
}

void py_thread_target_note(const struct py_layout *l, uintptr_t frame)
{
	uintptr_t bottom[BOTTOM_FRAMES];
	int n;

	if (py_thread_target_known() || !tp_recorded(TP_PY_THREAD_TARGET)) {
		return;
	}
	n = bottom_frames(l, frame, bottom);
	if (n < 0) {
		target_emit(l, 0);
		return;
	}
	if (n == 0) {
		return;
	}
	if (!threading_function(l, bottom[0], bootstrap_names)) {
		target_emit(l, 0);	/* the main thread, or C code calling Python */
		return;
	}
	if (n < 3) {
		return;			/* still starting: run not called yet */
	}
	if (!threading_function(l, bottom[1], inner_names)) {
		target_emit(l, 0);
		return;
	}
	/* _bootstrap_inner calls other functions before run (2.7's
	 * Event.set, say): until run is there, the thread is starting. */
	if (!named(l, bottom[2], run_names)) {
		return;
	}
	/* Thread.run calls the target; a subclass's own run is the function
	 * the thread was started to run. */
	if (!threading_function(l, bottom[2], run_names)) {
		target_emit(l, bottom[2]);
		return;
	}
	if (n == 4) {
		target_emit(l, bottom[3]);
	}
}

void py_thread_target_after_fork_child(void)
{
	py_target_said = 0;
}
