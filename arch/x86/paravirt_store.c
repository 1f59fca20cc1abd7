// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction paravirt setup code (.init.text) fills a pv_ops slot
 * with: --noinstr learns the slot's possible callees from it.
 */
#include "arch.h"

/*
 * Only the 11-byte form counts, as both references check it: REX.W, opcode
 * C7 /0, ModRM for a RIP-relative operand, disp32, imm32.
 */
bool arch_is_store_imm32(const uint8_t *p, unsigned len, unsigned *disp, unsigned *imm)
{
	if (len != 11 || (p[0] & 0xf0) != 0x40 || p[1] != 0xc7)
		return false;
	*disp = 3;
	*imm = 7;
	return true;
}
