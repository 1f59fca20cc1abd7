// SPDX-License-Identifier: GPL-2.0
/* x86-64 relocation types by name, for messages about the special sections. */
#include "arch.h"
#include "arch/elf.h"

const char *arch_reloc_name(uint32_t type)
{
	switch (type) {
	case ARCH_RELOC_ABS64:  return "R_X86_64_64";
	case ARCH_RELOC_PC32:   return "R_X86_64_PC32";
	case ARCH_RELOC_PLT32:  return "R_X86_64_PLT32";
	case ARCH_RELOC_ABS32:  return "R_X86_64_32";
	case ARCH_RELOC_ABS32S: return "R_X86_64_32S";
	case ARCH_RELOC_PC64:   return "R_X86_64_PC64";
	}
	return NULL;
}
