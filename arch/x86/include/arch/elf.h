/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 relocations by what the stages use them for, so that no file
 * outside arch/x86 names an R_X86_64_* type or knows how a PC-relative
 * field relates to the end of its instruction.
 */
#ifndef ALTORC_ARCH_X86_ELF_H
#define ALTORC_ARCH_X86_ELF_H

#include <elf.h>
#include <stdint.h>

/* Older <elf.h> copies lack some of these; the numbers are the psABI's. */
#ifndef R_X86_64_NONE
#define R_X86_64_NONE 0
#endif
#ifndef R_X86_64_64
#define R_X86_64_64 1
#endif
#ifndef R_X86_64_PC32
#define R_X86_64_PC32 2
#endif
#ifndef R_X86_64_PLT32
#define R_X86_64_PLT32 4
#endif
#ifndef R_X86_64_32
#define R_X86_64_32 10
#endif
#ifndef R_X86_64_32S
#define R_X86_64_32S 11
#endif
#ifndef R_X86_64_PC64
#define R_X86_64_PC64 24
#endif

#define ARCH_RELOC_NONE   R_X86_64_NONE   /* a rewritten instruction's old relocation */
#define ARCH_RELOC_ABS64  R_X86_64_64     /* 8-byte address (__mcount_loc, pv site tables) */
#define ARCH_RELOC_ABS32  R_X86_64_32
#define ARCH_RELOC_ABS32S R_X86_64_32S    /* sign-extended 4-byte address (jump tables) */
#define ARCH_RELOC_PC32   R_X86_64_PC32   /* 4-byte self-relative (site lists, ORC ip) */
#define ARCH_RELOC_PLT32  R_X86_64_PLT32  /* a call or jump through the PLT: PC32 in the kernel */
#define ARCH_RELOC_PC64   R_X86_64_PC64

/* Is type a 4-byte PC-relative relocation, as branch and RIP-relative operands use? */
static inline int arch_reloc_is_pc32(uint32_t type)
{
	return type == ARCH_RELOC_PC32 || type == ARCH_RELOC_PLT32;
}

/*
 * Where a PC-relative relocation at the end of an instruction points, as
 * an offset from its symbol: the CPU adds the displacement to the address
 * of the next instruction, 4 bytes past the field, so the addend the
 * assembler wrote is 4 short of the destination.
 */
static inline int64_t arch_dest_reloc_offset(int64_t addend)
{
	return addend + 4;
}

#endif
