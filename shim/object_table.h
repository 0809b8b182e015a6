/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * The loaded objects (program, libraries) and their symbols, read in a
 * way that is safe wherever an intercepted call is made: in a signal
 * handler, while the dynamic loader's lock is held by another thread
 * (a library constructor under dlopen), on an 8 KiB alternate signal
 * stack.  No dlsym, dladdr or libunwind (they take the loader's lock,
 * allocate, or need kilobytes of stack), no malloc, no lock: an address
 * is matched to its object with glibc's _dl_find_object (lock-free and
 * async-signal-safe by its contract), an object's symbols are read from
 * its dynamic symbol table in memory and from the symbol table of its
 * file, mapped read-only with plain system calls the first time the
 * object is seen, and function starts come from its .eh_frame_hdr.
 * Everything is saved and restored around errno.
 */
#ifndef GILTRACE_SHIM_OBJECT_TABLE_H
#define GILTRACE_SHIM_OBJECT_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct object;

/* The loaded object whose mapping contains addr, or NULL (no object,
 * or the table is full). */
const struct object *object_at(uintptr_t addr);

/* The object's file (the main program's is /proc/self/exe's target
 * when it could be read, else "/proc/self/exe") and its load bias. */
const char *object_path(const struct object *o);
uintptr_t object_bias(const struct object *o);

/*
 * The symbol of o whose extent covers addr (the dynamic symbols first,
 * then the file's symbol table): its name and start, or NULL.  Symbols
 * without a size never cover anything (stripped binaries).
 */
const char *object_symbol_covering(const struct object *o, uintptr_t addr, uintptr_t *start);

/* The start of the function containing addr by o's unwind tables
 * (.eh_frame_hdr), 0 if they do not cover it. */
uintptr_t object_function_start(const struct object *o, uintptr_t addr);

/* The exported (dynamic) symbol name defined by o: its address and,
 * unless size is NULL, its size; NULL if none. */
void *object_symbol(const struct object *o, const char *name, size_t *size);

/*
 * The exported symbol name in the objects known, in load order: the
 * objects loaded with the program (never unloaded), then those found
 * since that are still loaded.  Like dlsym(RTLD_DEFAULT) but without
 * the loader's lock.
 */
void *objects_lookup(const char *name, size_t *size);

/* Constructor: enter the objects loaded with the program. */
void objects_init(void);

#endif
