/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

/*
 * Naming code addresses without being fooled by stripped binaries, in
 * any context an intercepted call is made in (object_table.h): every
 * function here but symbol_backtrace is async-signal-safe, takes no
 * lock of the dynamic loader's, and needs little stack.
 *
 * A symbol counts only if the address lies within the function it
 * names: libunwind's symbol must start where the unwind tables say the
 * function starts, or the dynamic symbol table must give the symbol a
 * size that covers the address.  In a stripped binary the nearest
 * exported symbol comes back otherwise (Debian's python3.11 names a
 * take_gil call site PyThread_tss_set+0x24e), which names nothing.
 */
#ifndef GILTRACE_SHIM_SYMBOL_H
#define GILTRACE_SHIM_SYMBOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The name of the function containing ip into buf (truncated to len,
 * compiler clone suffixes such as ".lto_priv.0" kept) and its start
 * address into *start.  Returns 0, or -1 when no symbol covers ip.
 */
int symbol_at(uintptr_t ip, char *buf, size_t len, uintptr_t *start);

/*
 * The start of the function containing ip by the unwind tables (0 if
 * they do not cover ip), and into buf (len > 0) its name from the
 * symbol table, "" unless that symbol starts there too.
 */
uintptr_t symbol_function_at(uintptr_t ip, char *buf, size_t len);

/*
 * The file of the loaded object containing ip (the main program's from
 * /proc/self/exe) and its load bias, so that ip - *bias is the address
 * in the file's own ELF address space, as addr2line(1) takes it.
 * Returns 0, or -1 for code outside any loaded object.
 */
int symbol_object_at(uintptr_t ip, const char **path, uintptr_t *bias);

/*
 * Does ip lie in a loaded object the shim can read the symbols of?  0
 * for code outside any (JIT code) or beyond the object table's room:
 * what is said of such an address must not be remembered.
 */
int symbol_in_object(uintptr_t ip);

/*
 * The return addresses of this thread's stack, innermost first, as
 * unw_backtrace(3) called in the caller's place gives them: frames[0]
 * lies in the caller.  At most max (up to 64) are written; returns how
 * many.  One interface for every stack walk of the shim, so that tests
 * can give fake stacks.  libunwind: not for any context (see the
 * callers for where it is still used).
 */
int symbol_backtrace(void **frames, int max);

/*
 * The address of the exported symbol name in the loaded objects, in
 * load order (as dlsym(RTLD_DEFAULT) finds it), NULL if none, and unless size is NULL its size
 * from the dynamic symbol table into *size (0 if not known).
 */
void *symbol_lookup(const char *name, size_t *size);

#endif
