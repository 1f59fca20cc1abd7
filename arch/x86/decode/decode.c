// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 instruction classification.
 *
 * Zydis decodes; this file reproduces what the reference objtool's x86
 * decoder makes of each instruction: its kind, its branch displacement and
 * its effect on the stack (struct stack_op).  objtool's decoder is driven by
 * encodings, not by meaning: it looks at opcode bytes, the REX.W bit and the
 * shape of the ModRM/SIB addressing, so the same is done here with Zydis'
 * opcode, raw fields and operands.  That is why, for instance, `mov %rax,%rbx`
 * counts when encoded as 89 /r and not as 8B /r, `pause` is a NOP (opcode
 * 90), and a 32-bit `sub $8,%esp` changes nothing.
 *
 * Where objtool 6.1 and 6.12 disagree, 6.12 is the default and
 * arch_decoder_set_version() selects 6.1:
 *  - 89 /r register to register: 6.12 records every 64-bit move; 6.1 only
 *    moves from or to %rsp;
 *  - a SIB byte with no base and no index (absolute disp32, e.g. 6.1's
 *    %gs:PER_CPU_VAR accesses): 6.1 took it for disp(%rbp) in mov loads and
 *    stores, 6.12 does not;
 *  - F2/F3 0F 01 CA (FRED's ERETS/ERETU): 6.12 calls it a context switch,
 *    6.1 a CLAC.
 *
 * Where Zydis fails, unknown_insns.c is asked for the encodings the
 * kernel's decoder reads and Zydis does not; the emulate prefixes (Xen's
 * `ud2; .ascii "xen"`) are taken off first, as the kernel's decoder does.
 */
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "decoder_internal.h"

/*
 * struct arch_decoder is shared with format.c; what only the classifier
 * needs lives around it.  The public handle points at the first member, so
 * format.c keeps working on it unchanged.
 */
struct x86_decoder {
	struct arch_decoder pub;
	/*
	 * The classifier's own decoder, in Zydis' minimal mode: length, opcode
	 * and raw fields only, no semantic pass, which is most of what decoding
	 * costs.  The few operands a stack effect needs are read from the raw
	 * ModRM/SIB/REX fields (raw_operands()), as the kernel's decoder does.
	 */
	ZydisDecoder minimal;
	enum arch_objtool_version version;
};

/* One instruction being classified: lives on arch_decode()'s stack. */
struct x86_insn {
	const struct x86_decoder *xd;
	ZydisDecoderContext ctx;
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[2];
	bool rex_w;
	struct insn_decoded *out;
};

static const struct x86_decoder *to_x86(const struct arch_decoder *d)
{
	return (const struct x86_decoder *)d;
}

struct arch_decoder *arch_decoder_new(void)
{
	struct x86_decoder *xd = calloc(1, sizeof(*xd));

	if (!xd)
		return NULL;
	if (ZYAN_FAILED(ZydisDecoderInit(&xd->pub.decoder, ZYDIS_MACHINE_MODE_LONG_64,
					 ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&xd->minimal, ZYDIS_MACHINE_MODE_LONG_64,
					 ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisDecoderEnableMode(&xd->minimal, ZYDIS_DECODER_MODE_MINIMAL, ZYAN_TRUE)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&xd->pub.decoder32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32,
					 ZYDIS_STACK_WIDTH_32)) ||
	    ZYAN_FAILED(ZydisFormatterInit(&xd->pub.formatter, ZYDIS_FORMATTER_STYLE_ATT))) {
		free(xd);
		return NULL;
	}
	xd->version = ARCH_OBJTOOL_6_12;
	return &xd->pub;
}

void arch_decoder_free(struct arch_decoder *d)
{
	free(d);   /* d is the first member of a struct x86_decoder */
}

void arch_decoder_set_version(struct arch_decoder *d, enum arch_objtool_version v)
{
	((struct x86_decoder *)d)->version = v;
}

/* ---- small helpers ---------------------------------------------------- */

#define REG_NONE (-1)
#define REG_IP   (-2)

/* Our register number for a Zydis general-purpose register of any width. */
static int cfi_reg_of(ZydisRegister r)
{
	/* hardware order, as Zydis lists the 64-bit registers (see gpr64()) */
	static const int gpr[16] = {
		REG_AX, REG_CX, REG_DX, REG_BX, REG_SP, REG_BP, REG_SI, REG_DI,
		REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	};

	/* the operands built from raw fields are 64-bit already: no library call */
	if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15)
		return gpr[r - ZYDIS_REGISTER_RAX];
	switch (ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r)) {
	case ZYDIS_REGISTER_RAX: return REG_AX;
	case ZYDIS_REGISTER_RCX: return REG_CX;
	case ZYDIS_REGISTER_RDX: return REG_DX;
	case ZYDIS_REGISTER_RBX: return REG_BX;
	case ZYDIS_REGISTER_RSP: return REG_SP;
	case ZYDIS_REGISTER_RBP: return REG_BP;
	case ZYDIS_REGISTER_RSI: return REG_SI;
	case ZYDIS_REGISTER_RDI: return REG_DI;
	case ZYDIS_REGISTER_R8:  return REG_R8;
	case ZYDIS_REGISTER_R9:  return REG_R9;
	case ZYDIS_REGISTER_R10: return REG_R10;
	case ZYDIS_REGISTER_R11: return REG_R11;
	case ZYDIS_REGISTER_R12: return REG_R12;
	case ZYDIS_REGISTER_R13: return REG_R13;
	case ZYDIS_REGISTER_R14: return REG_R14;
	case ZYDIS_REGISTER_R15: return REG_R15;
	case ZYDIS_REGISTER_RIP: return REG_IP;
	default:                 return REG_NONE;
	}
}

/* The first legacy prefix byte (objtool's `prefix`), 0 when there is none. */
static uint8_t first_prefix(const ZydisDecodedInstruction *zi)
{
	for (unsigned i = 0; i < zi->raw.prefix_count; i++)
		if (x86_is_legacy_prefix(zi->raw.prefixes[i].value))
			return zi->raw.prefixes[i].value;
	return 0;
}

static bool has_prefix(const ZydisDecodedInstruction *zi, uint8_t b)
{
	for (unsigned i = 0; i < zi->raw.prefix_count; i++)
		if (zi->raw.prefixes[i].value == b)
			return true;
	return false;
}

static uint8_t modrm_byte(const ZydisDecodedInstruction *zi)
{
	return (uint8_t)(zi->raw.modrm.mod << 6 | zi->raw.modrm.reg << 3 | zi->raw.modrm.rm);
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
	switch (bits) {
	case 8:  return (int8_t)v;
	case 16: return (int16_t)v;
	default: return (int32_t)(uint32_t)v;
	}
}

/*
 * The immediate as the kernel's instruction decoder holds it: the first
 * immediate (a branch displacement counts as one; so does a moffs address),
 * at most 32 bits of it, sign-extended.
 */
static int64_t objtool_immediate(const ZydisDecodedInstruction *zi)
{
	if (zi->raw.imm[0].size)
		return sign_extend(zi->raw.imm[0].value.u, zi->raw.imm[0].size);
	if (zi->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && zi->opcode >= 0xa0 && zi->opcode <= 0xa3)
		return sign_extend((uint64_t)zi->raw.disp.value, zi->raw.disp.size);
	return 0;
}

/* A 64-bit general-purpose register by its hardware number (0-15). */
static ZydisRegister gpr64(unsigned n)
{
	return (ZydisRegister)(ZYDIS_REGISTER_RAX + n);
}

/* The register named by ModRM.reg, extended by REX.R. */
static void raw_reg_operand(const ZydisDecodedInstruction *zi, ZydisDecodedOperand *op)
{
	op->type = ZYDIS_OPERAND_TYPE_REGISTER;
	op->reg.value = gpr64(zi->raw.modrm.reg | zi->raw.rex.R << 3);
}

/*
 * The operand ModRM.rm names: a register (mod 3, extended by REX.B), or a
 * memory operand with the base, index and displacement Zydis would give:
 * RIP-relative for mod 0 rm 5, no base for a SIB byte with base 5 and mod 0,
 * no index for SIB index 4 without REX.X.
 */
static void raw_rm_operand(const ZydisDecodedInstruction *zi, ZydisDecodedOperand *op)
{
	unsigned mod = zi->raw.modrm.mod, rm = zi->raw.modrm.rm;

	if (mod == 3) {
		op->type = ZYDIS_OPERAND_TYPE_REGISTER;
		op->reg.value = gpr64(rm | zi->raw.rex.B << 3);
		return;
	}
	op->type = ZYDIS_OPERAND_TYPE_MEMORY;
	op->mem.disp.value = zi->raw.disp.value;
	op->mem.index = ZYDIS_REGISTER_NONE;
	if (rm == 4) {
		unsigned index = zi->raw.sib.index | zi->raw.rex.X << 3;

		if (index != 4)
			op->mem.index = gpr64(index);
		op->mem.base = mod == 0 && zi->raw.sib.base == 5 ? ZYDIS_REGISTER_NONE
				: gpr64(zi->raw.sib.base | zi->raw.rex.B << 3);
		return;
	}
	op->mem.base = mod == 0 && rm == 5 ? ZYDIS_REGISTER_RIP : gpr64(rm | zi->raw.rex.B << 3);
}

/*
 * The first two operands of the few opcodes whose stack effect needs them,
 * in Zydis' order, from the raw encoding: 01/29/88/89 are r/m, reg; 8B/8D
 * reg, r/m; 80-83 r/m; 50-5F the register in the opcode, extended by REX.B.
 * Register widths do not matter: only the enclosing 64-bit register is used.
 */
static int load_operands(struct x86_insn *x)
{
	const ZydisDecodedInstruction *zi = &x->zi;

	memset(x->zo, 0, sizeof(x->zo));
	if (zi->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT)
		return -1;
	switch (zi->opcode) {
	case 0x01: case 0x29: case 0x88: case 0x89:
		raw_rm_operand(zi, &x->zo[0]);
		raw_reg_operand(zi, &x->zo[1]);
		return 0;
	case 0x8b: case 0x8d:
		raw_reg_operand(zi, &x->zo[0]);
		raw_rm_operand(zi, &x->zo[1]);
		return 0;
	case 0x80: case 0x81: case 0x82: case 0x83:
		raw_rm_operand(zi, &x->zo[0]);
		return 0;
	default:
		if (zi->opcode < 0x50 || zi->opcode > 0x5f)
			return -1;
		x->zo[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
		x->zo[0].reg.value = gpr64((zi->opcode & 7) | zi->raw.rex.B << 3);
		return 0;
	}
}

static int operand_reg(const struct x86_insn *x, int i)
{
	if (x->zo[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
		return REG_NONE;
	return cfi_reg_of(x->zo[i].reg.value);
}

/*
 * The base register of a memory operand as objtool's lea and
 * `mov %rsp,mem` paths take it: the raw base field, so that a SIB byte
 * without base (base field 5, mod 0) reads as %rbp, or %r13 under REX.B.
 * REG_NONE when there is an index register or the operand is RIP-relative.
 */
static int mem_raw_base(const struct x86_insn *x, const ZydisDecodedOperand *op)
{
	int r;

	if (op->mem.index != ZYDIS_REGISTER_NONE)
		return REG_NONE;
	if (op->mem.base == ZYDIS_REGISTER_NONE)   /* only SIB-without-base in 64-bit mode */
		return x->zi.raw.rex.B ? REG_R13 : REG_BP;
	r = cfi_reg_of(op->mem.base);
	return r == REG_IP ? REG_NONE : r;
}

/*
 * The register objtool's rm_is_mem() test matches for a memory operand: a
 * plain base, no index, not RIP-relative.  6.1's test also matched the
 * SIB-without-base form as %rbp.
 */
static int mem_plain_base(const struct x86_insn *x, const ZydisDecodedOperand *op)
{
	int r;

	if (op->mem.index != ZYDIS_REGISTER_NONE)
		return REG_NONE;
	if (op->mem.base == ZYDIS_REGISTER_NONE)
		return x->xd->version == ARCH_OBJTOOL_6_1 && !x->zi.raw.rex.B ? REG_BP : REG_NONE;
	r = cfi_reg_of(op->mem.base);
	return r == REG_IP ? REG_NONE : r;
}

static void add_op(struct insn_decoded *out, uint8_t src_type, int src_reg, int64_t src_off,
		   uint8_t dest_type, int dest_reg, int64_t dest_off)
{
	struct stack_op *op = &out->ops[out->nr_ops++];

	/* objtool's offsets are ints: keep the low 32 bits, as its assignment does */
	op->src.type = src_type;
	op->src.reg = (uint8_t)(src_reg < 0 ? 0 : src_reg);
	op->src.offset = (int32_t)(uint32_t)src_off;
	op->dest.type = dest_type;
	op->dest.reg = (uint8_t)(dest_reg < 0 ? 0 : dest_reg);
	op->dest.offset = (int32_t)(uint32_t)dest_off;
}

static void set_branch(struct x86_insn *x, uint8_t kind)
{
	x->out->kind = kind;
	x->out->has_target = true;
	x->out->disp = x->out->immediate;
}

/* ---- the stack-changing data moves ------------------------------------ */

/* 01 /r, 29 /r: add/sub %reg,%rsp (objtool records both as an add of reg). */
static int classify_add_sub_reg(struct x86_insn *x)
{
	if (!x->rex_w || x->zi.raw.modrm.mod != 3)
		return 0;
	if (load_operands(x))
		return -1;
	if (operand_reg(x, 0) == REG_SP)
		add_op(x->out, OP_SRC_ADD, operand_reg(x, 1), 0, OP_DEST_REG, REG_SP, 0);
	return 0;
}

/* 80-83 /0 /5 /4 with REX.W on %rsp: add, sub and and of an immediate. */
static int classify_group1_imm(struct x86_insn *x)
{
	int64_t imm = x->out->immediate;

	if (!x->rex_w || x->zi.raw.modrm.mod != 3)
		return 0;
	if (load_operands(x))
		return -1;
	if (operand_reg(x, 0) != REG_SP)
		return 0;
	switch (x->zi.raw.modrm.reg) {
	case 5:
		imm = (int64_t)(0 - (uint64_t)imm);
		/* fall through */
	case 0:
		add_op(x->out, OP_SRC_ADD, REG_SP, imm, OP_DEST_REG, REG_SP, 0);
		break;
	case 4:
		add_op(x->out, OP_SRC_AND, REG_SP, imm, OP_DEST_REG, REG_SP, 0);
		break;
	default:
		break;
	}
	return 0;
}

/* 88/89 to memory: a register saved at disp(%rbp) or disp(%rsp). */
static void classify_store(struct x86_insn *x)
{
	const ZydisDecodedOperand *mem = &x->zo[0];
	int base = mem_plain_base(x, mem);

	if (base == REG_BP || base == REG_SP)
		add_op(x->out, OP_SRC_REG, operand_reg(x, 1), 0,
		       OP_DEST_REG_INDIRECT, base, mem->mem.disp.value);
}

/* 89 /r with REX.W: moves between registers, %rsp stored anywhere, saves. */
static int classify_mov_from_reg(struct x86_insn *x)
{
	int src, dest;

	if (!x->rex_w)
		return 0;
	if (load_operands(x))
		return -1;
	src = operand_reg(x, 1);
	if (x->zi.raw.modrm.mod == 3) {
		dest = operand_reg(x, 0);
		if (x->xd->version == ARCH_OBJTOOL_6_1 && src != REG_SP && dest != REG_SP)
			return 0;
		add_op(x->out, OP_SRC_REG, src, 0, OP_DEST_REG, dest, 0);
		return 0;
	}
	if (src == REG_SP) {
		dest = mem_raw_base(x, &x->zo[0]);
		if (dest != REG_NONE)
			add_op(x->out, OP_SRC_REG, REG_SP, 0, OP_DEST_REG_INDIRECT, dest,
			       x->zo[0].mem.disp.value);
		return 0;
	}
	classify_store(x);
	return 0;
}

/* 88 /r with REX.W (a byte store all the same): objtool treats it as a save. */
static int classify_mov_byte(struct x86_insn *x)
{
	if (!x->rex_w || x->zi.raw.modrm.mod == 3)
		return 0;
	if (load_operands(x))
		return -1;
	classify_store(x);
	return 0;
}

/* 8B /r with REX.W: a register restored from disp(%rbp) or disp(%rsp). */
static int classify_load(struct x86_insn *x)
{
	int base;

	if (!x->rex_w || x->zi.raw.modrm.mod == 3)
		return 0;
	if (load_operands(x))
		return -1;
	base = mem_plain_base(x, &x->zo[1]);
	if (base == REG_BP || base == REG_SP)
		add_op(x->out, OP_SRC_REG_INDIRECT, base, x->zo[1].mem.disp.value,
		       OP_DEST_REG, operand_reg(x, 0), 0);
	return 0;
}

/* 8D /r with REX.W: lea disp(%base),%reg, any base; plain copy when disp is 0. */
static int classify_lea(struct x86_insn *x)
{
	int base;
	int64_t disp;

	if (!x->rex_w)
		return 0;
	if (load_operands(x))
		return -1;
	base = mem_raw_base(x, &x->zo[1]);
	if (base == REG_NONE)
		return 0;
	disp = (int32_t)(uint32_t)x->zo[1].mem.disp.value;
	add_op(x->out, disp ? OP_SRC_ADD : OP_SRC_REG, base, disp,
	       OP_DEST_REG, operand_reg(x, 0), 0);
	return 0;
}

/* 50-5F: push/pop of a register (any operand size: objtool counts 8 bytes). */
static int classify_push_pop_reg(struct x86_insn *x, bool push)
{
	int reg;

	if (load_operands(x))
		return -1;
	reg = operand_reg(x, 0);
	if (push)
		add_op(x->out, OP_SRC_REG, reg, 0, OP_DEST_PUSH, 0, 0);
	else
		add_op(x->out, OP_SRC_POP, 0, 0, OP_DEST_REG, reg, 0);
	return 0;
}

/* ---- the one-byte and 0F opcode maps ---------------------------------- */

/* 0F 01 with ModRM CA/CB: CLAC/STAC, or FRED's ERETS/ERETU under F2/F3. */
static void classify_0f01(struct x86_insn *x, uint8_t modrm, uint8_t last_prefix)
{
	bool rep = last_prefix == 0xf2 || last_prefix == 0xf3;

	if (rep && x->xd->version != ARCH_OBJTOOL_6_1) {
		if (modrm == 0xca)
			x->out->kind = INSN_CONTEXT_SWITCH;
		return;
	}
	if (modrm == 0xca)
		x->out->kind = INSN_CLAC;
	else if (modrm == 0xcb)
		x->out->kind = INSN_STAC;
}

static uint8_t last_prefix(const ZydisDecodedInstruction *zi)
{
	uint8_t last = 0;

	for (unsigned i = 0; i < zi->raw.prefix_count; i++)
		if (x86_is_legacy_prefix(zi->raw.prefixes[i].value))
			last = zi->raw.prefixes[i].value;
	return last;
}

static int classify_map_0f(struct x86_insn *x)
{
	struct insn_decoded *out = x->out;
	uint8_t op2 = x->zi.opcode;

	if (op2 >= 0x80 && op2 <= 0x8f) {
		set_branch(x, INSN_JUMP_COND);
		return 0;
	}
	switch (op2) {
	case 0x01:
		classify_0f01(x, modrm_byte(&x->zi), last_prefix(&x->zi));
		break;
	case 0x05: case 0x07: case 0x34: case 0x35:   /* syscall, sysret, sysenter, sysexit */
		out->kind = INSN_CONTEXT_SWITCH;
		break;
	case 0x0b: case 0xb9:                         /* ud2, ud1 */
		out->kind = INSN_BUG;
		break;
	case 0x0d: case 0x1f:                         /* nopl/nopw, and 0D's prefetches */
		out->kind = INSN_NOP;
		break;
	case 0x1e:
		if (first_prefix(&x->zi) == 0xf3 &&
		    (modrm_byte(&x->zi) == 0xfa || modrm_byte(&x->zi) == 0xfb))
			out->kind = INSN_ENDBR;
		break;
	case 0xa0: case 0xa8:                         /* push %fs, %gs */
		add_op(out, OP_SRC_CONST, 0, 0, OP_DEST_PUSH, 0, 0);
		break;
	case 0xa1: case 0xa9:                         /* pop %fs, %gs */
		add_op(out, OP_SRC_POP, 0, 0, OP_DEST_MEM, 0, 0);
		break;
	default:
		break;
	}
	return 0;
}

/* FF: indirect call/jmp, far forms, push from memory. */
static void classify_group5(struct x86_insn *x)
{
	struct insn_decoded *out = x->out;

	switch (x->zi.raw.modrm.reg) {
	case 2: case 3:                               /* call *, lcall * */
		out->kind = INSN_CALL_INDIRECT;
		if (has_prefix(&x->zi, 0x3e))
			out->flags |= INSN_F_NOTRACK;
		break;
	case 4:
		out->kind = INSN_JUMP_INDIRECT;
		if (has_prefix(&x->zi, 0x3e))
			out->flags |= INSN_F_NOTRACK;
		break;
	case 5:                                       /* ljmp * */
		out->kind = INSN_CONTEXT_SWITCH;
		break;
	case 6:                                       /* push r/m, even a register */
		add_op(out, OP_SRC_CONST, 0, 0, OP_DEST_PUSH, 0, 0);
		break;
	default:
		break;
	}
}

static int classify_map_default(struct x86_insn *x)
{
	struct insn_decoded *out = x->out;
	uint8_t op1 = x->zi.opcode;

	if (op1 >= 0x50 && op1 <= 0x5f)
		return classify_push_pop_reg(x, op1 <= 0x57);
	if (op1 >= 0x70 && op1 <= 0x7f) {
		set_branch(x, INSN_JUMP_COND);
		return 0;
	}
	if (op1 >= 0x80 && op1 <= 0x83)
		return classify_group1_imm(x);

	switch (op1) {
	case 0x01: case 0x29: return classify_add_sub_reg(x);
	case 0x88: return classify_mov_byte(x);
	case 0x89: return classify_mov_from_reg(x);
	case 0x8b: return classify_load(x);
	case 0x8d: return classify_lea(x);
	case 0x68: case 0x6a:                         /* push $imm */
	case 0x9c:                                    /* pushf */
		add_op(out, OP_SRC_CONST, 0, 0, op1 == 0x9c ? OP_DEST_PUSHF : OP_DEST_PUSH, 0, 0);
		break;
	case 0x8f:                                    /* pop to memory */
		add_op(out, OP_SRC_POP, 0, 0, OP_DEST_MEM, 0, 0);
		break;
	case 0x9d:                                    /* popf */
		add_op(out, OP_SRC_POPF, 0, 0, OP_DEST_MEM, 0, 0);
		break;
	case 0x90:                                    /* nop, xchg %ax,%ax, pause, xchg %r8,%rax... */
		out->kind = INSN_NOP;
		break;
	case 0xc2: case 0xc3:
		out->kind = INSN_RETURN;
		break;
	case 0xc7:
		out->flags |= INSN_F_MOV_IMM;
		break;
	case 0xc9:                                    /* leave: mov %rbp,%rsp; pop %rbp */
		add_op(out, OP_SRC_REG, REG_BP, 0, OP_DEST_REG, REG_SP, 0);
		add_op(out, OP_SRC_POP, 0, 0, OP_DEST_REG, REG_BP, 0);
		break;
	case 0xca: case 0xcb:                         /* lret */
		out->kind = INSN_CONTEXT_SWITCH;
		break;
	case 0xcc:
		out->kind = INSN_TRAP;
		break;
	case 0xcf:                                    /* iret: see arch_decode_iret_in_func() */
		out->kind = INSN_CONTEXT_SWITCH;
		out->flags |= INSN_F_IRET;
		break;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3:   /* loopne, loope, loop, jrcxz */
		set_branch(x, INSN_JUMP_COND);
		break;
	case 0xe8:                                    /* a call pushes its return address */
		set_branch(x, INSN_CALL);
		add_op(out, OP_SRC_CONST, 0, 0, OP_DEST_PUSH, 0, 0);
		break;
	case 0xe9: case 0xeb:
		set_branch(x, INSN_JUMP);
		break;
	case 0xfc:
		out->kind = INSN_CLD;
		break;
	case 0xfd:
		out->kind = INSN_STD;
		break;
	case 0xff:
		classify_group5(x);
		break;
	default:
		break;
	}
	return 0;
}

void arch_decode_iret_in_func(struct insn_decoded *insn)
{
	insn->kind = INSN_OTHER;
	insn->nr_ops = 0;
	add_op(insn, OP_SRC_ADD, REG_SP, 5 * 8, OP_DEST_REG, REG_SP, 0);
}

static void clear_out(struct insn_decoded *out)
{
	out->kind = INSN_OTHER;
	out->nr_ops = 0;
	out->has_target = false;
	out->flags = 0;
	out->disp = 0;
	out->immediate = 0;
}

/* What Zydis rejects: the kernel's decoder may still read it (unknown_insns.c). */
static int decode_unknown(struct x86_insn *x, const uint8_t *buf, size_t avail)
{
	struct x86_unknown u;

	if (x86_unknown_decode(&x->xd->pub, buf, avail, &u))
		return -1;
	x->out->len = u.len;
	x->out->kind = x->xd->version == ARCH_OBJTOOL_6_1 ? u.kind_61 : u.kind;
	return 0;
}

/*
 * nop (90) and int3 (CC) alone, without asking Zydis: at an instruction
 * boundary each is a whole one-byte instruction, and 6.12's function
 * padding (--prefix=16: sixteen 90s before every function) makes them a
 * fifth of all instructions.  What classify_map_default() makes of them
 * through Zydis, the same for both kernels.
 */
static bool one_byte_insn(const uint8_t *buf, size_t avail, struct insn_decoded *out)
{
	if (!avail || (buf[0] != 0x90 && buf[0] != 0xcc))
		return false;
	clear_out(out);
	out->len = 1;
	out->kind = buf[0] == 0x90 ? INSN_NOP : INSN_TRAP;
	return true;
}

/* Classify what Zydis decoded at x->zi (its length already in the output). */
static int classify(struct x86_insn *x)
{
	struct insn_decoded *out = x->out;

	/* objtool stops at VEX/EVEX-encoded instructions: kind other, nothing else */
	if (x->zi.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
	    x->zi.encoding != ZYDIS_INSTRUCTION_ENCODING_3DNOW)
		return 0;

	out->immediate = objtool_immediate(&x->zi);
	x->rex_w = (x->zi.attributes & ZYDIS_ATTRIB_HAS_REX) && x->zi.raw.rex.W;
	switch (x->zi.opcode_map) {
	case ZYDIS_OPCODE_MAP_DEFAULT:
		return classify_map_default(x);
	case ZYDIS_OPCODE_MAP_0F:
		return classify_map_0f(x);
	default:
		return 0;
	}
}

/*
 * What neither one_byte_insn() nor the byte memo answered: the shape memo
 * or Zydis, the classifier, then the byte memo.
 */
static int decode_one(const struct x86_decoder *xd, struct arch_decode_cache *cache,
		      const uint8_t *buf, size_t avail, struct insn_decoded *out)
{
	struct x86_insn x;

	clear_out(out);
	x.xd = xd;
	x.out = out;
	if (!x86_shape_lookup(cache, buf, avail, &x.zi)) {
		if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&xd->minimal, &x.ctx, buf, avail,
							      &x.zi)))
			return decode_unknown(&x, buf, avail);
		x86_shape_store(cache, buf, avail, &x.zi);
	}
	out->len = x.zi.length;
	if (classify(&x))
		return -1;
	x86_cache_store(cache, (uint8_t)xd->version, buf, avail, out);
	return 0;
}

int arch_decode(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		struct insn_decoded *out)
{
	return arch_decode_cached(d, NULL, buf, avail, out);
}

int arch_decode_cached(const struct arch_decoder *d, struct arch_decode_cache *cache,
		       const uint8_t *buf, size_t avail, struct insn_decoded *out)
{
	/*
	 * An emulate prefix belongs to the instruction after it: one instruction
	 * of 5 + its length, of that instruction's kind (not ud2's dead end).
	 */
	size_t pfx = x86_emulate_prefix(buf, avail, NULL);
	const struct x86_decoder *xd = to_x86(d);

	buf += pfx;
	avail -= pfx;
	/* the frequent answers first, without decode_one()'s large frame */
	if (!one_byte_insn(buf, avail, out) &&
	    !x86_cache_lookup(cache, (uint8_t)xd->version, buf, avail, out) &&
	    decode_one(xd, cache, buf, avail, out))
		return -1;
	out->len = (uint8_t)(out->len + pfx);
	return 0;
}
