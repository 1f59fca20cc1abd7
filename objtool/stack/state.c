// SPDX-License-Identifier: GPL-2.0
/*
 * The stack model's transfer function: how one stack_op changes where the
 * CFA is and where registers were saved.  The rules follow the patterns
 * gcc (and clang) emit for x86-64 kernel code, as the reference objtool
 * understands them, so that the states, and hence the ORC entries, agree:
 *
 *  - frame pointer:  push %rbp; mov %rsp,%rbp ... leave / pop %rbp
 *  - plain frames:   push/pop of callee-saved registers, sub/add on %rsp
 *  - DRAP realignment (gcc): lea N(%rsp),%r10; and $-A,%rsp; push -8(%r10);
 *    push %rbp; mov %rsp,%rbp; push %r10 ... lea -8(%r10),%rsp
 *  - copies of %rsp kept in another register and moved back
 *  - stack swizzles: mov %rsp,(%reg); mov %reg,%rsp ... pop %rsp
 *
 * Offsets: cfa.offset is how far above the base register the CFA is;
 * stack_size is the number of bytes pushed since the CFA (8 at entry, for
 * the return address); a register saved "at CFA-16" has base REG_CFA and
 * offset -16.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "stack_priv.h"
#include "stack_state.h"

void stack_state_init(struct stack_state *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NR_CFI_REGS; i++) {
		s->regs[i].base = REG_UNDEFINED;
		s->vals[i].base = REG_UNDEFINED;
	}
	s->cfa.base = REG_UNDEFINED;
	s->drap_reg = REG_UNDEFINED;
	s->drap_offset = -1;
	s->type = UNWIND_CALL;
}

void stack_state_func_entry(struct stack_state *s)
{
	stack_state_init(s);
	s->cfa.base = REG_SP;
	s->cfa.offset = 8;
	s->regs[REG_RA].base = REG_CFA;
	s->regs[REG_RA].offset = -8;
	s->stack_size = 8;
}

static bool reg_loc_equal(const struct reg_loc *a, const struct reg_loc *b)
{
	return a->base == b->base && a->offset == b->offset;
}

/*
 * The register tables are compared as stack_priv.h's run of masked words,
 * two a step: the pool (pool.c) compares states on every lookup, and this
 * halves the cost of a field-by-field loop.
 */
static bool reg_locs_equal(const struct stack_state *a, const struct stack_state *b)
{
	uint64_t d0 = 0, d1 = 0;

	for (unsigned i = 0; i < NR_REG_LOC_WORDS; i += 2) {
		uint64_t x[2], y[2];

		reg_loc_words(a, i, x);
		reg_loc_words(b, i, y);
		d0 |= x[0] ^ y[0];
		d1 |= x[1] ^ y[1];
	}
	return !((d0 | d1) & REG_LOC_MASK);
}

bool stack_state_equal(const struct stack_state *a, const struct stack_state *b)
{
	if (!reg_loc_equal(&a->cfa, &b->cfa) || a->stack_size != b->stack_size ||
	    a->drap_reg != b->drap_reg || a->drap_offset != b->drap_offset ||
	    a->type != b->type || a->bp_scratch != b->bp_scratch ||
	    a->drap != b->drap || a->end != b->end || a->signal != b->signal)
		return false;
	return reg_locs_equal(a, b);
}

/* Registers whose saved location the unwinder cares about (callee-saved). */
static bool callee_saved(unsigned reg)
{
	switch (reg) {
	case REG_BX: case REG_BP: case REG_R12: case REG_R13: case REG_R14: case REG_R15:
		return true;
	default:
		return false;
	}
}

/* Only the first save of a register counts: later stores are spills. */
static void save_reg(struct stack_state *s, unsigned reg, int base, int offset)
{
	if (reg < NR_CFI_REGS && callee_saved(reg) && s->regs[reg].base == REG_UNDEFINED) {
		s->regs[reg].base = base;
		s->regs[reg].offset = offset;
	}
}

/* Back to the value at function entry (only RA is defined there). */
static void restore_reg(struct stack_state *s, unsigned reg)
{
	if (reg >= NR_CFI_REGS)
		return;
	if (reg == REG_RA) {
		s->regs[reg].base = REG_CFA;
		s->regs[reg].offset = -8;
	} else {
		s->regs[reg].base = REG_UNDEFINED;
		s->regs[reg].offset = 0;
	}
}

/* The saved location of reg as "frame position" relative to the CFA. */
static bool saved_at_cfa(const struct reg_loc *r, int offset)
{
	return r->base == REG_CFA && r->offset == offset;
}

/* Inside an interrupt/exception frame only plain sp arithmetic is tracked. */
static enum stack_result apply_regs_frame(struct stack_state *s, const struct stack_op *op)
{
	if (s->cfa.base != REG_SP && s->cfa.base != REG_SP_INDIRECT)
		return STACK_OK;
	if (op->dest.type == OP_DEST_PUSH || op->dest.type == OP_DEST_PUSHF)
		s->cfa.offset += 8;
	if (op->src.type == OP_SRC_POP || op->src.type == OP_SRC_POPF)
		s->cfa.offset -= 8;
	if (op->dest.type == OP_DEST_REG && op->src.type == OP_SRC_ADD &&
	    op->dest.reg == REG_SP && op->src.reg == REG_SP)
		s->cfa.offset -= op->src.offset;
	return STACK_OK;
}

/* mov %reg, %rsp when the CFA is tracked through rsp (or the frame base). */
static void move_into_cfa_base(struct stack_state *s, const struct stack_op *op)
{
	const struct reg_loc *val = &s->vals[op->src.reg];

	if (s->cfa.base == REG_SP && val->base == REG_CFA) {
		/* rsp comes back from a register that held a copy of it */
		s->cfa.offset = -val->offset;
		s->stack_size = s->cfa.offset;
	} else if (s->cfa.base == REG_SP && val->base == REG_SP_INDIRECT &&
		   val->offset == s->cfa.offset) {
		/* switching to a swizzled stack whose top holds the old rsp */
		s->cfa.base = REG_SP_INDIRECT;
	} else {
		s->cfa.base = REG_UNDEFINED;
		s->cfa.offset = 0;
	}
}

static enum stack_result apply_reg_from_reg(struct stack_state *s, const struct stack_op *op)
{
	unsigned src = op->src.reg, dst = op->dest.reg;

	if (src == REG_SP && dst == REG_BP && s->cfa.base == REG_SP &&
	    saved_at_cfa(&s->regs[REG_BP], -s->cfa.offset)) {
		/* mov %rsp,%rbp right after push %rbp: rbp becomes the frame base */
		s->cfa.base = REG_BP;
		s->bp_scratch = false;
	} else if (src == REG_SP && dst == REG_BP && s->drap) {
		/* frame pointer set up inside a DRAP-realigned frame */
		s->regs[REG_BP].base = REG_BP;
		s->regs[REG_BP].offset = -s->stack_size;
		s->bp_scratch = false;
	} else if (src == REG_SP && s->cfa.base == REG_SP) {
		/* remember that dst holds a copy of rsp, in case it is moved back */
		s->vals[dst].base = REG_CFA;
		s->vals[dst].offset = -s->stack_size;
	} else if (src == REG_BP && dst == REG_SP &&
		   (s->cfa.base == REG_BP || s->cfa.base == s->drap_reg)) {
		/* mov %rbp,%rsp: rsp back at the saved-rbp slot (clang epilogue) */
		s->stack_size = -s->regs[REG_BP].offset;
	} else if (dst == (unsigned)s->cfa.base) {
		move_into_cfa_base(s, op);
	} else if (dst == REG_SP && s->vals[src].base == REG_SP_INDIRECT &&
		   s->vals[src].offset == s->cfa.offset) {
		/*
		 * Swizzle with the CFA kept on another base: the later
		 * pop %rsp looks like an ordinary pop, so count a push here.
		 */
		s->stack_size += 8;
	}
	return STACK_OK;
}

static enum stack_result apply_reg_from_add(struct stack_state *s, const struct stack_op *op,
					    const struct stack_op_ctx *ctx)
{
	unsigned src = op->src.reg, dst = op->dest.reg;

	if (dst == REG_SP && src == REG_SP) {
		/* add/sub $imm,%rsp or lea imm(%rsp),%rsp */
		s->stack_size -= op->src.offset;
		if (s->cfa.base == REG_SP)
			s->cfa.offset -= op->src.offset;
		return STACK_OK;
	}
	if (dst == REG_SP && src == REG_BP) {
		/* lea disp(%rbp),%rsp */
		s->stack_size = -(op->src.offset + s->regs[REG_BP].offset);
		return STACK_OK;
	}
	if (src == REG_SP && s->cfa.base == REG_SP) {
		/* lea disp(%rsp),%reg: a DRAP candidate, and a copy of rsp */
		s->drap_reg = dst;
		s->vals[dst].base = REG_CFA;
		s->vals[dst].offset = -s->stack_size + op->src.offset;
		return STACK_OK;
	}
	if (s->drap && dst == REG_SP && src == (unsigned)s->drap_reg) {
		/* lea disp(%drap),%rsp: leaving the realigned frame */
		s->cfa.base = REG_SP;
		s->cfa.offset = -op->src.offset;
		s->stack_size = -op->src.offset;
		s->drap_reg = REG_UNDEFINED;
		s->drap = false;
		return STACK_OK;
	}
	if (dst == (unsigned)s->cfa.base && !ctx->next_is_hint)
		return STACK_UNSUPPORTED_MOD;
	return STACK_OK;
}

static enum stack_result apply_reg_from_and(struct stack_state *s, const struct stack_op *op)
{
	if (op->dest.reg != REG_SP ||
	    (s->drap_reg != REG_UNDEFINED && s->cfa.base != REG_SP) ||
	    (s->drap_reg == REG_UNDEFINED && s->cfa.base != REG_BP))
		return STACK_UNSUPPORTED_REALIGN;
	if (s->drap_reg != REG_UNDEFINED) {
		/* and $-A,%rsp after lea N(%rsp),%drap: CFA is now drap-based */
		s->cfa.base = s->drap_reg;
		s->cfa.offset = 0;
		s->stack_size = 0;
		s->drap = true;
	}
	/* Realignment under a frame pointer needs nothing: CFA is rbp-based. */
	return STACK_OK;
}

static enum stack_result apply_reg_from_pop(struct stack_state *s, const struct stack_op *op)
{
	unsigned dst = op->dest.reg;

	if (dst == REG_SP && s->cfa.base == REG_SP_INDIRECT) {
		/* pop %rsp ending a stack swizzle */
		s->cfa.base = REG_SP;
		return STACK_OK;
	}
	if (!s->drap && dst == (unsigned)s->cfa.base)
		s->cfa.base = REG_SP;   /* pop %rbp: back to rsp-based */

	if (s->drap && s->cfa.base == REG_BP_INDIRECT && dst == (unsigned)s->drap_reg &&
	    s->drap_offset == -s->stack_size) {
		/* pop %drap: the CFA is in the DRAP register again */
		s->cfa.base = s->drap_reg;
		s->cfa.offset = 0;
		s->drap_offset = -1;
	} else if (dst < NR_CFI_REGS && s->stack_size == -s->regs[dst].offset) {
		restore_reg(s, dst);
	}
	s->stack_size -= 8;
	if (s->cfa.base == REG_SP)
		s->cfa.offset -= 8;
	return STACK_OK;
}

static enum stack_result apply_reg_from_mem(struct stack_state *s, const struct stack_op *op)
{
	unsigned src = op->src.reg, dst = op->dest.reg;
	int off = op->src.offset;

	if (dst >= NR_CFI_REGS)
		return STACK_OK;
	if (!s->drap && dst == (unsigned)s->cfa.base && dst == REG_BP) {
		/* mov disp(%rsp),%rbp restoring the frame pointer */
		s->cfa.base = REG_SP;
		s->cfa.offset = s->stack_size;
	}
	if (s->drap && src == REG_BP && off == s->drap_offset) {
		/* mov disp(%rbp),%drap */
		s->cfa.base = s->drap_reg;
		s->cfa.offset = 0;
		s->drap_offset = -1;
	}
	if (s->drap && src == REG_BP && off == s->regs[dst].offset)
		restore_reg(s, dst);
	else if (src == (unsigned)s->cfa.base && off == s->regs[dst].offset + s->cfa.offset)
		restore_reg(s, dst);
	else if (src == REG_SP && off == s->regs[dst].offset + s->stack_size)
		restore_reg(s, dst);
	return STACK_OK;
}

static void apply_push(struct stack_state *s, const struct stack_op *op,
		       const struct stack_op_ctx *ctx)
{
	unsigned src = op->src.reg;

	s->stack_size += 8;
	if (s->cfa.base == REG_SP)
		s->cfa.offset += 8;
	if (op->src.type != OP_SRC_REG)
		return;

	if (s->drap) {
		if (src == (unsigned)s->cfa.base && src == (unsigned)s->drap_reg) {
			/* push %drap: the CFA is found through the saved copy */
			s->cfa.base = REG_BP_INDIRECT;
			s->cfa.offset = -s->stack_size;
			s->drap_offset = -s->stack_size;
		} else if (src == REG_BP && s->cfa.base == s->drap_reg) {
			/* push %rbp in a realigned frame starts the new frame */
			s->stack_size = 0;
		} else {
			save_reg(s, src, REG_BP, -s->stack_size);
		}
	} else {
		save_reg(s, src, REG_CFA, -s->stack_size);
	}

	/* rbp pushed while it is not the frame base: asm using it as scratch */
	if (ctx->track_bp_scratch && ctx->in_func && src == REG_BP && s->cfa.base != REG_BP)
		s->bp_scratch = true;
}

static void apply_store(struct stack_state *s, const struct stack_op *op)
{
	unsigned src = op->src.reg, dst = op->dest.reg;

	if (s->drap) {
		if (src == (unsigned)s->cfa.base && src == (unsigned)s->drap_reg) {
			/* mov %drap,disp(%rbp) */
			s->cfa.base = REG_BP_INDIRECT;
			s->cfa.offset = op->dest.offset;
			s->drap_offset = op->dest.offset;
		} else {
			save_reg(s, src, REG_BP, op->dest.offset);
		}
	} else if (dst == (unsigned)s->cfa.base) {
		/* mov reg,disp(%rbp) or disp(%rsp) with the CFA on that base */
		save_reg(s, src, REG_CFA, op->dest.offset - s->cfa.offset);
	} else if (dst == REG_SP) {
		save_reg(s, src, REG_CFA, op->dest.offset - s->stack_size);
	} else if (src == REG_SP && op->dest.offset == 0 && dst < NR_CFI_REGS) {
		/* mov %rsp,(%reg): preparing a stack swizzle */
		s->vals[dst].base = REG_SP_INDIRECT;
		s->vals[dst].offset = s->cfa.offset;
	}
}

enum stack_result stack_apply_op(struct stack_state *s, const struct stack_op *op,
				 const struct stack_op_ctx *ctx)
{
	if (s->cfa.base == REG_UNDEFINED)
		return ctx->in_func ? STACK_UNDEFINED_STATE : STACK_OK;

	if (s->type == UNWIND_REGS || s->type == UNWIND_REGS_PARTIAL)
		return apply_regs_frame(s, op);

	switch (op->dest.type) {
	case OP_DEST_REG:
		if (op->dest.reg >= NR_CFI_REGS)
			return STACK_OK;
		switch (op->src.type) {
		case OP_SRC_REG:
			if (op->src.reg >= NR_CFI_REGS)
				return STACK_OK;
			return apply_reg_from_reg(s, op);
		case OP_SRC_ADD:
			return apply_reg_from_add(s, op, ctx);
		case OP_SRC_AND:
			return apply_reg_from_and(s, op);
		case OP_SRC_POP:
		case OP_SRC_POPF:
			return apply_reg_from_pop(s, op);
		case OP_SRC_REG_INDIRECT:
			return apply_reg_from_mem(s, op);
		default:
			return STACK_UNKNOWN_OP;
		}
	case OP_DEST_PUSH:
	case OP_DEST_PUSHF:
		apply_push(s, op, ctx);
		return STACK_OK;
	case OP_DEST_REG_INDIRECT:
		apply_store(s, op);
		return STACK_OK;
	case OP_DEST_MEM:
		if (op->src.type != OP_SRC_POP && op->src.type != OP_SRC_POPF)
			return STACK_UNKNOWN_MEM_OP;
		s->stack_size -= 8;
		if (s->cfa.base == REG_SP)
			s->cfa.offset -= 8;
		return STACK_OK;
	default:
		return STACK_UNKNOWN_OP;
	}
}

const char *stack_result_message(enum stack_result r)
{
	switch (r) {
	case STACK_OK:                  return "ok";
	case STACK_UNDEFINED_STATE:     return "undefined stack state";
	case STACK_UNSUPPORTED_MOD:     return "unsupported stack register modification";
	case STACK_UNSUPPORTED_REALIGN: return "unsupported stack pointer realignment";
	case STACK_UNKNOWN_MEM_OP:      return "unknown stack-related memory operation";
	case STACK_UNKNOWN_OP:          return "unknown stack-related instruction";
	}
	return "unknown stack result";
}

bool stack_has_modified_frame(const struct stack_state *s)
{
	struct stack_state entry;

	stack_state_func_entry(&entry);
	if (s->cfa.base != entry.cfa.base || s->drap || s->cfa.offset != entry.cfa.offset ||
	    s->stack_size != entry.cfa.offset)
		return true;
	for (int i = 0; i < NR_CFI_REGS; i++)
		if (!reg_loc_equal(&s->regs[i], &entry.regs[i]))
			return true;
	return false;
}

bool stack_has_valid_frame(const struct stack_state *s)
{
	if (s->cfa.base == REG_BP && saved_at_cfa(&s->regs[REG_BP], -s->cfa.offset) &&
	    saved_at_cfa(&s->regs[REG_RA], -s->cfa.offset + 8))
		return true;
	return s->drap && s->regs[REG_BP].base == REG_BP;
}

static const char *base_name(int base)
{
	static const char *const names[NR_CFI_REGS] = {
		"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra",
	};

	if (base >= 0 && base < NR_CFI_REGS)
		return names[base];
	switch (base) {
	case REG_CFA:         return "cfa";
	case REG_SP_INDIRECT: return "*rsp";
	case REG_BP_INDIRECT: return "*rbp";
	default:              return "undef";
	}
}

void stack_state_format(const struct stack_state *s, char *buf, size_t size)
{
	size_t n;

	if (s->cfa.base == REG_UNDEFINED)
		n = (size_t)snprintf(buf, size, "cfa=undef");
	else
		n = (size_t)snprintf(buf, size, "cfa=%s%+d", base_name(s->cfa.base), s->cfa.offset);
	for (int i = 0; i < REG_RA && n < size; i++) {
		if (s->regs[i].base == REG_UNDEFINED)
			continue;
		n += (size_t)snprintf(buf + n, size - n, " %s=%s%+d", base_name(i),
				      base_name(s->regs[i].base), s->regs[i].offset);
	}
	if (s->drap && n < size)
		snprintf(buf + n, size - n, " drap=%s", base_name(s->drap_reg));
}
