/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the architecture-neutral stages ask of the architecture besides
 * decoding (arch_decode.h): the names of the symbols that are special to
 * the kernel's build on it, and the bytes objtool writes when it rewrites
 * an instruction.  x86-64's answers are in arch/x86/.
 */
#ifndef ALTORC_ARCH_H
#define ALTORC_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "objfile.h"

/* Retpoline thunks (__x86_indirect_thunk_*, __x86_indirect_call_thunk_* ...). */
bool arch_is_retpoline_thunk(const struct objsym *s);
/* The return thunk (__x86_return_thunk). */
bool arch_is_return_thunk(const struct objsym *s);
/* A static-call trampoline (__SCT__name). */
bool arch_is_static_call_tramp(const struct objsym *s);
/* The compiler's function-entry hook (__fentry__). */
bool arch_is_fentry(const struct objsym *s);
/* A name of a static call trampoline, from its symbol name alone. */
bool arch_is_static_call_tramp_name(const char *name);

/* The NOP of len bytes objtool writes (1..5), or NULL. */
const uint8_t *arch_nop_bytes(unsigned len);
/* A tail call rewritten to a return: RET, INT3, then NOP up to len (1..5), or NULL. */
const uint8_t *arch_ret_bytes(unsigned len);
/* Length of a direct call, which the kernel writes over a paravirt site. */
unsigned arch_direct_call_len(void);

#endif
