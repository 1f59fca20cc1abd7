/*
 * Private definition of struct arch_decoder, shared by the two halves of
 * the x86 back end: decode.c (arch_decoder_new/free, arch_decode) and
 * format.c (arch_format, arch_reg_name).  Kept out of include/ so that no
 * other module depends on Zydis types.
 */
#ifndef AO_ARCH_X86_DECODER_INTERNAL_H
#define AO_ARCH_X86_DECODER_INTERNAL_H

#include <Zydis/Zydis.h>

struct arch_decoder {
	ZydisDecoder decoder;     /* 64-bit long mode, stack width 64 */
	ZydisFormatter formatter; /* AT&T syntax, objdump-like output */
};

#endif
