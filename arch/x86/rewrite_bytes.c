// SPDX-License-Identifier: GPL-2.0
/* The x86-64 byte sequences objtool writes over an instruction it rewrites. */
#include "arch.h"

/* NOPs of 1..5 bytes, the forms the kernel's objtool writes. */
static const uint8_t nops[5][5] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
};

/* A tail call turned into a return: RET, INT3 (against straight-line speculation), NOP. */
static const uint8_t rets[5][5] = {
	{ 0xc3 },
	{ 0xc3, 0xcc },
	{ 0xc3, 0xcc, 0x90 },
	{ 0xc3, 0xcc, 0x66, 0x90 },
	{ 0xc3, 0xcc, 0x0f, 0x1f, 0x00 },
};

const uint8_t *arch_nop_bytes(unsigned len)
{
	return len >= 1 && len <= 5 ? nops[len - 1] : NULL;
}

const uint8_t *arch_ret_bytes(unsigned len)
{
	return len >= 1 && len <= 5 ? rets[len - 1] : NULL;
}

/* call rel32: e8 and a 4-byte displacement. */
unsigned arch_direct_call_len(void)
{
	return 5;
}

bool arch_is_direct_call(const uint8_t *p, size_t avail)
{
	return avail >= 1 && p[0] == 0xe8;
}
