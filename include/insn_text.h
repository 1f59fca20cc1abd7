/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An instruction as people read it: AT&T text like objdump's, with what its
 * relocation refers to (a direct call or jump shows its target in place of
 * the zero displacement; any other relocated operand gets "  # target").
 * One implementation for every command that prints code.
 */
#ifndef ALTORC_INSN_TEXT_H
#define ALTORC_INSN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "arch_decode.h"
#include "objfile.h"

/*
 * Format the instruction at sec+off (bytes up to end are readable).
 * Returns its length, or -1 when the bytes do not decode (buf untouched).
 */
int insn_text(const struct arch_decoder *dec, struct objsec *sec, uint64_t off, uint64_t end,
	      char *buf, size_t size);

/* What rel refers to, for an instruction ending at insn_end: "pv_ops+0xf0", ".text+0x12". */
void insn_text_rel_target(const struct objrel *rel, uint64_t insn_end, char *buf, size_t size);

#endif
