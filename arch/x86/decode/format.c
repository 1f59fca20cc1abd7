// SPDX-License-Identifier: GPL-2.0
/*
 * Printing instructions the way `objdump -d` does (AT&T syntax), so that
 * altorc's listings can be compared with objdump's by eye: "call   *0x0(%rip)",
 * "pushf", "nopl   0x0(%rax)".
 *
 * Zydis' AT&T formatter differs from objdump in details (zero displacements
 * dropped, no '*' on indirect branches, "pushfq", ", " between operands,
 * 0x-prefixed branch targets), so a private copy of the decoder's formatter
 * gets hooks for operands and mnemonics; the few remaining differences are
 * fixed on the finished text.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch_decode.h"
#include "decoder_internal.h"

/* The formatter's own callbacks that our hooks fall back to. */
struct fmt_hooks {
	ZydisFormatterFunc orig_reg;
	ZydisFormatterFunc orig_imm;
	ZydisFormatterFunc orig_mem;
};

/* Objdump's mnemonics where Zydis uses Intel's. */
static const struct {
	ZydisMnemonic mnemonic;
	const char *name;
} fmt_renames[] = {
	{ ZYDIS_MNEMONIC_PUSHFQ, "pushf" },
	{ ZYDIS_MNEMONIC_POPFQ, "popf" },
	{ ZYDIS_MNEMONIC_CDQE, "cltq" },
	{ ZYDIS_MNEMONIC_CDQ, "cltd" },
	{ ZYDIS_MNEMONIC_CQO, "cqto" },
	{ ZYDIS_MNEMONIC_CWDE, "cwtl" },
	{ ZYDIS_MNEMONIC_CBW, "cbtw" },
	{ ZYDIS_MNEMONIC_CWD, "cwtd" },
	{ ZYDIS_MNEMONIC_MOVSXD, "movslq" },
	{ ZYDIS_MNEMONIC_PUSHAD, "pusha" },
	{ ZYDIS_MNEMONIC_POPAD, "popa" },
};

/* A far call or jump to a pointer operand (32-bit code): objdump's lcall/ljmp. */
static bool fmt_is_far_direct(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	for (unsigned i = 0; i < in->operand_count_visible; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_POINTER)
			return true;
	return false;
}

/*
 * Append printf-style text to the buffer as one token.  The formatter's
 * string lives in the caller's fixed buffer (its size counts the NUL), so
 * this writes it directly rather than pulling in libZycore's string API.
 */
static ZyanStatus fmt_append(ZydisFormatterBuffer *buf, ZydisTokenType token,
			     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static ZyanStatus fmt_append(ZydisFormatterBuffer *buf, ZydisTokenType token,
			     const char *fmt, ...)
{
	char text[96];
	va_list ap;
	ZyanString *s;
	ZyanStatus st;
	size_t len, used;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	st = ZydisFormatterBufferAppend(buf, token);
	if (ZYAN_FAILED(st))
		return st;
	st = ZydisFormatterBufferGetString(buf, &s);
	if (ZYAN_FAILED(st))
		return st;
	len = strlen(text);
	used = s->vector.size;   /* includes the terminating NUL */
	if (!used || used + len > s->vector.capacity)
		return ZYAN_STATUS_INSUFFICIENT_BUFFER_SIZE;
	memcpy((char *)s->vector.data + used - 1, text, len + 1);
	s->vector.size = used + len;
	return ZYAN_STATUS_SUCCESS;
}

static bool fmt_is_branch(const ZydisDecodedInstruction *in)
{
	return in->meta.category == ZYDIS_CATEGORY_CALL ||
	       in->meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
	       in->meta.category == ZYDIS_CATEGORY_COND_BR;
}

static char fmt_size_letter(unsigned bits)
{
	switch (bits) {
	case 8:  return 'b';
	case 16: return 'w';
	case 32: return 'l';
	case 64: return 'q';
	}
	return 0;
}

/*
 * objdump adds a size suffix when no register operand tells the size:
 * "movl $0x1,(%rax)", "nopl 0x0(%rax)", but "call *(%rax)", "push (%rax)".
 */
static char fmt_suffix(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
		       unsigned nr_ops)
{
	bool has_mem = false;

	switch (in->meta.category) {
	case ZYDIS_CATEGORY_CALL:
	case ZYDIS_CATEGORY_UNCOND_BR:
	case ZYDIS_CATEGORY_COND_BR:
	case ZYDIS_CATEGORY_PUSH:
	case ZYDIS_CATEGORY_POP:
	case ZYDIS_CATEGORY_SETCC:
		return 0;
	default:
		break;
	}
	if (in->meta.isa_ext != ZYDIS_ISA_EXT_BASE && in->meta.isa_ext != ZYDIS_ISA_EXT_LONGMODE)
		return 0;
	for (unsigned i = 0; i < nr_ops; i++) {
		/* objdump hides the register operand of the long NOP (0f 1f /r). */
		if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && in->mnemonic != ZYDIS_MNEMONIC_NOP)
			return 0;
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[i].mem.type == ZYDIS_MEMOP_TYPE_MEM)
			has_mem = true;
	}
	return has_mem ? fmt_size_letter(in->operand_width) : 0;
}

/* Condition codes as objdump names them (Zydis: jz, jnbe, setnz...). */
static const struct {
	const char *zydis, *objdump;
} fmt_conds[] = {
	{ "z", "e" }, { "nz", "ne" }, { "nb", "ae" }, { "nbe", "a" },
	{ "nl", "ge" }, { "nle", "g" },
};

/* Rewrite the condition of jcc/setcc/cmovcc in place. */
static void fmt_rename_cond(const ZydisDecodedInstruction *in, char *name, size_t size)
{
	size_t stem;

	switch (in->meta.category) {
	case ZYDIS_CATEGORY_COND_BR: stem = 1; break;
	case ZYDIS_CATEGORY_SETCC:   stem = 3; break;
	case ZYDIS_CATEGORY_CMOV:    stem = 4; break;
	default:                     return;
	}
	if (strlen(name) <= stem)
		return;
	for (size_t i = 0; i < sizeof(fmt_conds) / sizeof(fmt_conds[0]); i++)
		if (!strcmp(name + stem, fmt_conds[i].zydis)) {
			snprintf(name + stem, size - stem, "%s", fmt_conds[i].objdump);
			return;
		}
}

/*
 * The padding NOPs (66 66 2e 0f 1f 84 ...) carry prefixes that 64-bit mode
 * ignores; objdump names them before the mnemonic: "data16 cs nopw".
 */
static const char *fmt_nop_prefixes(const ZydisDecodedInstruction *in, char *buf, size_t size)
{
	bool seen_66 = false;
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < in->raw.prefix_count && n + 8 < size; i++) {
		uint8_t v = in->raw.prefixes[i].value;

		/* The last 0x66 is the operand size (the 'w' of nopw). */
		if (v == 0x66 && !seen_66) {
			seen_66 = true;
			continue;
		}
		if (v == 0x66)
			n += (size_t)snprintf(buf + n, size - n, "data16 ");
		else if (v == 0x2e)
			n += (size_t)snprintf(buf + n, size - n, "cs ");
	}
	return buf;
}

/* The mnemonic objdump prints, size suffix included. */
static void fmt_name(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
		     char *text, size_t size)
{
	const char *name = ZydisMnemonicGetString(in->mnemonic);
	char suffix[2] = { 0, 0 };
	char prefixes[40];

	for (size_t i = 0; i < sizeof(fmt_renames) / sizeof(fmt_renames[0]); i++)
		if (fmt_renames[i].mnemonic == in->mnemonic)
			name = fmt_renames[i].name;
	if (in->mnemonic == ZYDIS_MNEMONIC_MOVZX || in->mnemonic == ZYDIS_MNEMONIC_MOVSX) {
		/* objdump spells out both sizes: movzbl, movswq... */
		char from = fmt_size_letter(ops[1].size), to = fmt_size_letter(ops[0].size);

		snprintf(text, size, "mov%c%c%c", in->mnemonic == ZYDIS_MNEMONIC_MOVZX ? 'z' : 's',
			 from ? from : 'x', to ? to : 'x');
		return;
	}
	suffix[0] = fmt_suffix(in, ops, in->operand_count_visible);
	if (fmt_is_far_direct(in, ops)) {
		snprintf(text, size, "l%s%s", name ? name : "(bad)", in->operand_width == 16 ? "w" : "");
		return;
	}
	snprintf(text, size, "%s%s%s", in->mnemonic == ZYDIS_MNEMONIC_NOP ?
		 fmt_nop_prefixes(in, prefixes, sizeof(prefixes)) : "",
		 name ? name : "(bad)", suffix);
	fmt_rename_cond(in, text, size);
}

/* Length of the prefixes Zydis prints before the mnemonic ("lock "). */
static size_t fmt_prefix_len(const ZydisDecodedInstruction *in)
{
	if (in->attributes & ZYDIS_ATTRIB_HAS_LOCK)
		return 5;
	if (in->attributes & ZYDIS_ATTRIB_HAS_REPNE)
		return 6;
	if (in->attributes & ZYDIS_ATTRIB_HAS_REPE)
		return 5;
	if (in->attributes & ZYDIS_ATTRIB_HAS_REP)
		return 4;
	return 0;
}

static ZyanStatus fmt_mnemonic(const ZydisFormatter *fm, ZydisFormatterBuffer *buf,
			       ZydisFormatterContext *ctx)
{
	const ZydisDecodedInstruction *in = ctx->instruction;
	char text[40];
	size_t n;

	fmt_name(in, ctx->operands, text, sizeof(text));
	n = strlen(text) + fmt_prefix_len(in);
	/* objdump pads prefixes and name to six columns before the operands' space. */
	if (in->operand_count_visible && n < 6)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%*s", (int)(6 - n), "");
	return fmt_append(buf, ZYDIS_TOKEN_MNEMONIC, "%s", text);
}

static ZyanStatus fmt_reg(const ZydisFormatter *fm, ZydisFormatterBuffer *buf,
			  ZydisFormatterContext *ctx)
{
	if (fmt_is_branch(ctx->instruction)) {
		ZyanStatus st = fmt_append(buf, ZYDIS_TOKEN_DELIMITER, "*");

		if (ZYAN_FAILED(st))
			return st;
	}
	return ((struct fmt_hooks *)ctx->user_data)->orig_reg(fm, buf, ctx);
}

static const char *fmt_seg(const ZydisDecodedInstruction *in)
{
	if (in->mnemonic == ZYDIS_MNEMONIC_NOP)
		return NULL;   /* printed before the mnemonic instead */
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_FS) return "fs";
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_GS) return "gs";
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_ES) return "es";
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_CS) return "cs";
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_SS) return "ss";
	if (in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_DS) return "ds";
	return NULL;
}

/* "%gs:-0x8(%rbp,%rax,8)": objdump keeps an encoded zero displacement. */
static ZyanStatus fmt_mem(const ZydisFormatter *fm, ZydisFormatterBuffer *buf,
			  ZydisFormatterContext *ctx)
{
	const ZydisDecodedOperand *op = ctx->operand;
	const char *seg = fmt_seg(ctx->instruction);
	const char *base = op->mem.base != ZYDIS_REGISTER_NONE ?
			   ZydisRegisterGetString(op->mem.base) : NULL;
	const char *index = op->mem.index != ZYDIS_REGISTER_NONE ?
			    ZydisRegisterGetString(op->mem.index) : NULL;
	int64_t disp = op->mem.disp.value;
	char text[96];
	int n = 0;

	if (op->mem.type != ZYDIS_MEMOP_TYPE_MEM && op->mem.type != ZYDIS_MEMOP_TYPE_AGEN)
		return ((struct fmt_hooks *)ctx->user_data)->orig_mem(fm, buf, ctx);

	if (fmt_is_branch(ctx->instruction))
		n += snprintf(text + n, sizeof(text) - n, "*");
	if (seg)
		n += snprintf(text + n, sizeof(text) - n, "%%%s:", seg);
	if (!base && !index)
		n += snprintf(text + n, sizeof(text) - n, "0x%" PRIx64, (uint64_t)disp);
	else if (op->mem.disp.has_displacement)
		n += snprintf(text + n, sizeof(text) - n, "%s0x%" PRIx64, disp < 0 ? "-" : "",
			      disp < 0 ? (uint64_t)0 - (uint64_t)disp : (uint64_t)disp);
	if (base || index) {
		n += snprintf(text + n, sizeof(text) - n, "(");
		if (base)
			n += snprintf(text + n, sizeof(text) - n, "%%%s", base);
		if (index)
			n += snprintf(text + n, sizeof(text) - n, ",%%%s,%u", index,
				      op->mem.scale ? op->mem.scale : 1);
		snprintf(text + n, sizeof(text) - n, ")");
	}
	return fmt_append(buf, ZYDIS_TOKEN_DISPLACEMENT, "%s", text);
}

/* Immediates as objdump shows them: at the operation's width; branch targets absolute. */
static ZyanStatus fmt_imm(const ZydisFormatter *fm, ZydisFormatterBuffer *buf,
			  ZydisFormatterContext *ctx)
{
	const ZydisDecodedInstruction *in = ctx->instruction;
	const ZydisDecodedOperand *op = ctx->operand;
	uint64_t v = op->imm.value.u;
	unsigned width = in->operand_width;

	if (op->imm.is_relative) {
		uint64_t target = ctx->runtime_address + in->length + (uint64_t)op->imm.value.s;

		return fmt_append(buf, ZYDIS_TOKEN_ADDRESS_ABS, "0x%" PRIx64, target);
	}
	if (op->imm.is_signed && width && width < 64)
		v &= (UINT64_C(1) << width) - 1;
	else if (!op->imm.is_signed && op->size && op->size < 64)
		v &= (UINT64_C(1) << op->size) - 1;
	return fmt_append(buf, ZYDIS_TOKEN_IMMEDIATE, "$0x%" PRIx64, v);
}

/* Far pointers (ljmp/lcall ptr16:32, 32-bit code only) as objdump: "$0x10,$0x1000". */
static ZyanStatus fmt_ptr(const ZydisFormatter *fm, ZydisFormatterBuffer *buf,
			  ZydisFormatterContext *ctx)
{
	const ZydisDecodedOperand *op = ctx->operand;

	return fmt_append(buf, ZYDIS_TOKEN_IMMEDIATE, "$0x%x,$0x%x", (unsigned)op->ptr.segment,
			  (unsigned)op->ptr.offset);
}

/* Set up a private formatter copy with our hooks. */
static bool fmt_prepare(const struct arch_decoder *d, ZydisFormatter *fm, struct fmt_hooks *h)
{
	const void *fn;

	*fm = d->formatter;
	if (ZYAN_FAILED(ZydisFormatterSetProperty(fm, ZYDIS_FORMATTER_PROP_UPPERCASE_MNEMONIC, 0)) ||
	    ZYAN_FAILED(ZydisFormatterSetProperty(fm, ZYDIS_FORMATTER_PROP_UPPERCASE_REGISTERS, 0)))
		return false;
	fn = (const void *)&fmt_mnemonic;
	ZydisFormatterSetHook(fm, ZYDIS_FORMATTER_FUNC_PRINT_MNEMONIC, &fn);
	fn = (const void *)&fmt_reg;
	ZydisFormatterSetHook(fm, ZYDIS_FORMATTER_FUNC_FORMAT_OPERAND_REG, &fn);
	h->orig_reg = (ZydisFormatterFunc)fn;
	fn = (const void *)&fmt_mem;
	ZydisFormatterSetHook(fm, ZYDIS_FORMATTER_FUNC_FORMAT_OPERAND_MEM, &fn);
	h->orig_mem = (ZydisFormatterFunc)fn;
	fn = (const void *)&fmt_imm;
	ZydisFormatterSetHook(fm, ZYDIS_FORMATTER_FUNC_FORMAT_OPERAND_IMM, &fn);
	h->orig_imm = (ZydisFormatterFunc)fn;
	fn = (const void *)&fmt_ptr;
	ZydisFormatterSetHook(fm, ZYDIS_FORMATTER_FUNC_FORMAT_OPERAND_PTR, &fn);
	return true;
}

/*
 * The long NOP (0f 1f /r): Zydis shows its register operand, objdump only
 * the memory one, so print that operand alone.
 */
static int fmt_long_nop(const ZydisFormatter *fm, const ZydisDecodedInstruction *in,
			const ZydisDecodedOperand *ops, uint64_t addr, struct fmt_hooks *hooks,
			char *text, size_t size)
{
	char name[40], operand[96];

	for (unsigned i = 0; i < in->operand_count_visible; i++) {
		if (ops[i].type != ZYDIS_OPERAND_TYPE_MEMORY)
			continue;
		if (ZYAN_FAILED(ZydisFormatterFormatOperand(fm, in, &ops[i], operand,
							    sizeof(operand), addr, hooks)))
			return -1;
		fmt_name(in, ops, name, sizeof(name));
		snprintf(text, size, "%-6s %s", name, operand);
		return in->length;
	}
	fmt_name(in, ops, name, sizeof(name));
	snprintf(text, size, "%s", name);
	return in->length;
}

/* Zydis separates operands with ", ", objdump with ",": drop the spaces. */
static void fmt_tighten(char *text)
{
	char *w = text;

	for (const char *r = text; *r; r++) {
		*w++ = *r;
		if (r[0] == ',' && r[1] == ' ')
			r++;
	}
	*w = '\0';
}

/* "data16" NOP (66 90): objdump calls it what it is. */
bool x86_format_special(const uint8_t *buf, size_t avail, char *text, size_t size, int *len)
{
	if (avail >= 2 && buf[0] == 0x66 && buf[1] == 0x90) {
		snprintf(text, size, "xchg   %%ax,%%ax");
		*len = 2;
		return true;
	}
	return false;
}

int x86_format_with(const struct arch_decoder *d, const ZydisDecoder *dec, const uint8_t *buf,
		    size_t avail, uint64_t addr, char *text, size_t size)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisFormatter fm;
	struct fmt_hooks hooks;

	if (ZYAN_FAILED(ZydisDecoderDecodeFull(dec, buf, avail, &in, ops)))
		return -1;
	if (!fmt_prepare(d, &fm, &hooks))
		return -1;
	if (in.mnemonic == ZYDIS_MNEMONIC_NOP && in.operand_count_visible)
		return fmt_long_nop(&fm, &in, ops, addr, &hooks, text, size);
	if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&fm, &in, ops, in.operand_count_visible,
							 text, size, addr, &hooks)))
		return -1;
	fmt_tighten(text);
	return in.length;
}

const char *arch_reg_name(unsigned reg)
{
	static const char *const names[NR_CFI_REGS] = {
		[REG_AX] = "rax", [REG_DX] = "rdx", [REG_CX] = "rcx", [REG_BX] = "rbx",
		[REG_SI] = "rsi", [REG_DI] = "rdi", [REG_BP] = "rbp", [REG_SP] = "rsp",
		[REG_R8] = "r8", [REG_R9] = "r9", [REG_R10] = "r10", [REG_R11] = "r11",
		[REG_R12] = "r12", [REG_R13] = "r13", [REG_R14] = "r14", [REG_R15] = "r15",
		[REG_RA] = "ra",
	};

	if (reg < NR_CFI_REGS)
		return names[reg];
	switch (reg) {
	case REG_UNDEFINED:   return "undef";
	case REG_CFA:         return "cfa";
	case REG_SP_INDIRECT: return "sp_indirect";
	case REG_BP_INDIRECT: return "bp_indirect";
	}
	return "?";
}
