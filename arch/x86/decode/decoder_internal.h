/*
 * Private definition of struct arch_decoder, shared by the parts of the
 * x86 back end: decode.c (arch_decoder_new/free, arch_decode), format.c
 * (arch_format, arch_reg_name) and unknown_insns.c (what Zydis rejects but
 * the kernel's own decoder reads).  Kept out of include/ so that no other
 * module depends on Zydis types.
 */
#ifndef AO_ARCH_X86_DECODER_INTERNAL_H
#define AO_ARCH_X86_DECODER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "arch_decode.h"

struct arch_decoder {
	ZydisDecoder decoder;     /* 64-bit long mode, stack width 64 */
	ZydisDecoder decoder32;   /* 32-bit mode: measures .code32 leftovers (unknown_insns.c) */
	ZydisFormatter formatter; /* AT&T syntax, objdump-like output */
};

/* ---- unknown_insns.c ---------------------------------------------------- */

/* F0, F2, F3, 66, 67 and the segment overrides. */
bool x86_is_legacy_prefix(uint8_t b);

/*
 * An instruction Zydis could not decode in 64-bit mode that the kernel's
 * instruction decoder (and so the reference objtool) still reads: its
 * length and the kind objtool gives it under each kernel's rules.  None of
 * them changes the stack.
 */
struct x86_unknown {
	uint8_t len;
	uint8_t kind;      /* enum insn_kind, objtool 6.12 */
	uint8_t kind_61;   /* enum insn_kind, objtool 6.1 */
};

/* 0 and *u filled when buf starts with such an instruction, else -1. */
int x86_unknown_decode(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		       struct x86_unknown *u);

/* Its objdump-style text; the length, or -1 as x86_unknown_decode(). */
int x86_unknown_format(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		       uint64_t addr, char *text, size_t size);

/*
 * Length of a paravirt "emulate prefix" at buf (Xen's or KVM's ud2 + three
 * letters), which the kernel's decoder reads as a prefix of the instruction
 * after it; 0 when there is none.  *name gets the letters ("xen").
 */
size_t x86_emulate_prefix(const uint8_t *buf, size_t avail, const char **name);

/* ---- cache.c ------------------------------------------------------------- */

/*
 * The memo of decoded instructions (struct arch_decode_cache): true and
 * *out filled when the instruction at buf was decoded before under the same
 * objtool version; x86_cache_store() records one.  A NULL cache never hits.
 */
bool x86_cache_lookup(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		      size_t avail, struct insn_decoded *out);
void x86_cache_store(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		     size_t avail, const struct insn_decoded *out);

/*
 * The shape memo: true and *zi filled, as Zydis would decode the bytes at
 * buf, when an instruction with the same bytes before its displacement and
 * immediates was stored; x86_shape_store() records one.  Independent of the
 * objtool version: it holds Zydis' decode, not the classification.
 */
bool x86_shape_lookup(struct arch_decode_cache *c, const uint8_t *buf, size_t avail,
		      ZydisDecodedInstruction *zi);
void x86_shape_store(struct arch_decode_cache *c, const uint8_t *buf, size_t avail,
		     const ZydisDecodedInstruction *zi);

/* ---- format.c ----------------------------------------------------------- */

/* arch_format() with the decoder of one's choice (64- or 32-bit mode). */
/* Encodings objdump spells its own way (66 90 as xchg %ax,%ax ...); true when buf is one. */
bool x86_format_special(const uint8_t *buf, size_t avail, char *text, size_t size, int *len);
int x86_format_with(const struct arch_decoder *d, const ZydisDecoder *dec, const uint8_t *buf,
		    size_t avail, uint64_t addr, char *text, size_t size);

#endif
