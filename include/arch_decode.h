/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture decoder: machine bytes in, struct insn_decoded out.
 * The only interface through which the rest of altorc learns about x86;
 * the implementation (arch/x86/decode/) is the only code that uses Zydis.
 */
#ifndef ALTORC_ARCH_DECODE_H
#define ALTORC_ARCH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "insn.h"

struct arch_decoder;

/* Create a decoder for 64-bit code; NULL when out of memory. */
struct arch_decoder *arch_decoder_new(void);
void arch_decoder_free(struct arch_decoder *d);

/*
 * Which reference objtool's x86 decoder to reproduce where 6.1 and 6.12
 * differ (see arch/x86/decode/decode.c).  A new decoder follows 6.12.
 */
enum arch_objtool_version {
	ARCH_OBJTOOL_6_12 = 0,
	ARCH_OBJTOOL_6_1,
};
void arch_decoder_set_version(struct arch_decoder *d, enum arch_objtool_version v);

/*
 * objtool reads an IRET that lies inside an STT_FUNC symbol (sync_core()'s
 * IRET to self) not as a context switch but as an ordinary instruction that
 * drops the 5-word frame.  Callers apply this to an instruction decoded with
 * INSN_F_IRET when a function symbol holds it.
 */
void arch_decode_iret_in_func(struct insn_decoded *insn);

/*
 * Decode the instruction at buf (avail bytes readable).  Returns 0 and fills
 * *out, or -1 when the bytes are not a valid instruction.
 */
int arch_decode(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		struct insn_decoded *out);

/*
 * A memo of decoded instructions (arch/x86/decode/cache.c): repeated
 * encodings are not decoded again.  One per thread: it is not shared.
 * Sized for about code_bytes of code.  NULL when out of memory;
 * arch_decode_cached() then works without one.
 */
struct arch_decode_cache;
struct arch_decode_cache *arch_decode_cache_new(size_t code_bytes);
void arch_decode_cache_free(struct arch_decode_cache *c);

/* arch_decode() through cache c (NULL: no memo); the same results. */
int arch_decode_cached(const struct arch_decoder *d, struct arch_decode_cache *c,
		       const uint8_t *buf, size_t avail, struct insn_decoded *out);

/*
 * Print the instruction at buf in AT&T syntax as objdump does, with
 * branch targets computed from addr (the instruction's own address).
 * Returns the instruction length, or -1 when undecodable.
 */
int arch_format(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		uint64_t addr, char *text, size_t size);

/* Name of a stack-model register ("rbp", "r12", "ra"...). */
const char *arch_reg_name(unsigned reg);

#endif
