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
#include <stddef.h>
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
/*
 * Return thunks that are one instruction inside another function
 * (retbleed_return_thunk, srso_safe_ret): a jump to them is no sibling call.
 */
bool arch_is_embedded_thunk(const struct objsym *s);
/* Callees that need no frame set up before the call (__fentry__, the embedded thunks). */
bool arch_call_needs_no_frame(const char *name);
/* A name of a static call trampoline, from its symbol name alone. */
bool arch_is_static_call_tramp_name(const char *name);

/* The NOP of len bytes objtool writes (1..5), or NULL. */
const uint8_t *arch_nop_bytes(unsigned len);
/* A tail call rewritten to a return: RET, INT3, then NOP up to len (1..5), or NULL. */
const uint8_t *arch_ret_bytes(unsigned len);
/* Length of a direct call, which the kernel writes over a paravirt site. */
unsigned arch_direct_call_len(void);
/* Do the bytes at p (avail readable) start a direct call? */
bool arch_is_direct_call(const uint8_t *p, size_t avail);

/*
 * Is the decoded instruction at p (len bytes) a store of a 32-bit immediate
 * to memory the way paravirt setup code fills a pv_ops slot, 'movq $func,
 * slot(%rip)'?  *disp and *imm get the offsets of its displacement and its
 * immediate, where the two relocations are.
 */
bool arch_is_store_imm32(const uint8_t *p, unsigned len, unsigned *disp, unsigned *imm);

/* The relocation type's name ("R_X86_64_PC32"), or NULL for a type the stages never use. */
const char *arch_reloc_name(uint32_t type);

/*
 * What kernels before 5.13 could patch over a paravirt call site instead of
 * a call (native_patch()): one row per op, by its member in struct
 * paravirt_patch_template.
 */
struct arch_pv_template {
	const char *member;     /* "irq.save_fl" */
	uint8_t len;
	uint8_t bytes[4];
	const char *text;       /* "pushf; pop %rax" */
};
#define ARCH_PV_TEMPLATES_MAX 16
/* The templates; *nr gets their count (at most ARCH_PV_TEMPLATES_MAX). */
const struct arch_pv_template *arch_pv_templates(size_t *nr);

#endif
