/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture-neutral view of one machine instruction: what the CFG
 * and the stack model need, and nothing about encodings.  Produced by the
 * arch decoder (arch/x86/decode/), consumed by every later pass.
 */
#ifndef ALTORC_INSN_H
#define ALTORC_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* What an instruction does to control flow. */
enum insn_kind {
	INSN_OTHER = 0,
	INSN_NOP,
	INSN_JUMP,            /* unconditional direct jump */
	INSN_JUMP_COND,       /* conditional direct jump (jcc, jrcxz, loop) */
	INSN_JUMP_INDIRECT,   /* jmp *reg / *mem */
	INSN_CALL,            /* direct call */
	INSN_CALL_INDIRECT,   /* call *reg / *mem */
	INSN_RETURN,          /* ret, ret $imm */
	INSN_CONTEXT_SWITCH,  /* sysret, sysexit, iret, ... : leaves the function's world */
	INSN_BUG,             /* ud2, ud1: a dead end unless annotated reachable */
	INSN_TRAP,            /* int3 */
	INSN_HALT,            /* hlt (treated as other by objtool) */
	INSN_STAC,
	INSN_CLAC,
	INSN_STD,
	INSN_CLD,
	INSN_ENDBR,
	INSN_SYSCALL,         /* syscall, sysenter: do not leave the function */
	INSN_JUMP_INDIRECT_COND, /* conditional jump to a retpoline thunk (set by the CFG) */
	INSN_KIND_MAX
};

/*
 * Registers as the stack model sees them.  The numbering is the x86-64
 * DWARF one for the first 16 so that CFI cross-checks need no table.
 */
enum cfi_reg {
	REG_AX = 0, REG_DX = 1, REG_CX = 2, REG_BX = 3,
	REG_SI = 4, REG_DI = 5, REG_BP = 6, REG_SP = 7,
	REG_R8 = 8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_RA = 16,          /* the return address slot */
	NR_CFI_REGS = 17,
	/* Bases that are not registers: */
	REG_UNDEFINED = 32,
	REG_CFA,              /* "saved at CFA + offset" */
	REG_SP_INDIRECT,      /* CFA = *(sp + offset) */
	REG_BP_INDIRECT,      /* CFA = *(bp + offset) */
};

/*
 * One effect on the stack or on the registers the stack model tracks.
 * An instruction carries up to INSN_MAX_OPS of them, applied in order.
 */
enum op_src {
	OP_SRC_REG,           /* src.reg */
	OP_SRC_REG_INDIRECT,  /* memory at src.reg + src.offset */
	OP_SRC_CONST,         /* an immediate, or a value not derived from a register */
	OP_SRC_POP,           /* pop from the stack */
	OP_SRC_POPF,          /* popf */
	OP_SRC_ADD,           /* src.reg + src.offset (add, sub, lea) */
	OP_SRC_AND,           /* and $imm (stack realignment) */
};

enum op_dest {
	OP_DEST_REG,          /* dest.reg */
	OP_DEST_REG_INDIRECT, /* memory at dest.reg + dest.offset */
	OP_DEST_PUSH,         /* push */
	OP_DEST_PUSHF,        /* pushf */
	OP_DEST_LEAVE,        /* leave: mov %bp,%sp; pop %bp */
	OP_DEST_MEM,          /* memory not addressed off a tracked register */
};

struct op_operand {
	uint8_t type;         /* enum op_src or enum op_dest */
	uint8_t reg;          /* enum cfi_reg */
	int32_t offset;
};

struct stack_op {
	struct op_operand dest;
	struct op_operand src;
};

#define INSN_MAX_OPS 3

/*
 * insn_decoded.flags: what objtool's decoder does with context the decoder
 * does not have (symbols, relocations, section names), left to the caller.
 */
#define INSN_F_IRET       0x01  /* iret: inside an STT_FUNC, see arch_decode_iret_in_func() */
#define INSN_F_NOTRACK    0x02  /* indirect call/jmp with a notrack (3e) prefix: objtool warns */
#define INSN_F_MOV_IMM    0x04  /* opcode C7 (mov $imm32, r/m): objtool's pv_ops scan under --noinstr */

/* The decoder's output for one instruction. */
struct insn_decoded {
	uint8_t len;
	uint8_t kind;             /* enum insn_kind */
	uint8_t nr_ops;
	bool has_target;          /* direct branch: target = insn offset + len + disp */
	uint8_t flags;            /* INSN_F_*: decoder facts the kind does not carry */
	int64_t disp;             /* branch displacement (relative to the next insn) */
	int64_t immediate;        /* the immediate operand, when the insn has one */
	struct stack_op ops[INSN_MAX_OPS];
};

#endif
