/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's unwind ABI as numbers: the two ORC encodings, ORC register
 * numbers (which unwind hints use too) and the entry types.  Kept apart
 * from the ORC stage (orc.h) because the CFG reads hints in these terms.
 */
#ifndef ALTORC_ORC_TYPES_H
#define ALTORC_ORC_TYPES_H

enum orc_format {
	ORC_FORMAT_AUTO = 0,
	ORC_FORMAT_V1,   /* type:2 end:1 (6.1) */
	ORC_FORMAT_V2,   /* type:3 signal:1 (6.3+, e.g. 6.12) */
};

/* ORC register numbers, as stored in the entries. */
enum orc_reg {
	ORC_REG_UNDEFINED = 0,
	ORC_REG_PREV_SP = 1,
	ORC_REG_DX = 2,
	ORC_REG_DI = 3,
	ORC_REG_BP = 4,
	ORC_REG_SP = 5,
	ORC_REG_R10 = 6,
	ORC_REG_R13 = 7,
	ORC_REG_BP_INDIRECT = 8,
	ORC_REG_SP_INDIRECT = 9,
};

/* Format-independent entry types (mapped to each format's numbers on encode). */
enum orc_type {
	ORC_T_UNDEFINED,     /* v2 only; v1 encodes "undefined" through sp_reg */
	ORC_T_END_OF_STACK,  /* v2 only; v1 uses the end bit */
	ORC_T_CALL,
	ORC_T_REGS,
	ORC_T_REGS_PARTIAL,
};

/*
 * A decoded type number the format leaves undefined (v1 raw 3, v2 raw 5-7)
 * is kept as ORC_T_UNKNOWN_BASE + raw, so that it prints as the reference
 * prints it ("?") and encodes back to the same bits.
 */
#define ORC_T_UNKNOWN_BASE 8

#endif
