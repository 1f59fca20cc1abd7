// SPDX-License-Identifier: GPL-2.0
/*
 * altorc's CFA against the compiler's DWARF CFI; see include/cfi_check.h.
 *
 * The FDEs are walked row by row (libdwarf hands back the row covering a pc
 * and where the next one starts), so each FDE's CFA program runs once per
 * row rather than once per instruction.  DWARF and altorc number the x86-64
 * registers alike (rax 0, rdx 1, ..., rbp 6, rsp 7, r8-r15 8-15), so bases
 * compare directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfi_check.h"
#include "arch_decode.h"
#include "dwarf_lines.h"

const char *cfi_class_name(enum cfi_class c)
{
	static const char *const names[CFI_NR_CLASSES] = {
		[CFI_AGREE] = "agree", [CFI_EQUIVALENT] = "agree-via-register",
		[CFI_CFA_OFFSET] = "cfa-offset",
		[CFI_CFA_REGISTER] = "cfa-register", [CFI_ALTORC_UNDEFINED] = "altorc-undefined",
		[CFI_DWARF_UNDEFINED] = "dwarf-undefined",
		[CFI_DWARF_EXPRESSION] = "dwarf-expression",
	};

	return c < CFI_NR_CLASSES ? names[c] : "?";
}

void cfi_summary_add(struct cfi_summary *sum, const struct cfi_summary *o)
{
	if (!sum->frame_section)
		sum->frame_section = o->frame_section;
	sum->fdes += o->fdes;
	sum->compared += o->compared;
	sum->unreached += o->unreached;
	sum->uncovered += o->uncovered;
	for (int k = 0; k < CFI_NR_CLASSES; k++)
		sum->by_class[k] += o->by_class[k];
}

/* One DWARF CFA rule. */
struct cfa_rule {
	Dwarf_Small value_type;
	Dwarf_Signed reg;
	Dwarf_Signed offset;
	const uint8_t *expr;         /* for expression rules */
	Dwarf_Signed expr_len;
};

#define OP_BREG0  0x70
#define OP_BREG15 0x7f
#define OP_DEREF  0x06

/*
 * gcc's DRAP frames give the CFA as "DW_OP_breg<N> <off>; DW_OP_deref",
 * i.e. *(reg + off): altorc's (and ORC's) indirect CFA.  Decode that one
 * form; anything else stays an opaque expression.
 */
static bool deref_expr(const struct cfa_rule *r, int *reg, int64_t *off)
{
	const uint8_t *p = r->expr, *end = r->expr + r->expr_len;
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0x80;

	if (!p || r->expr_len < 3 || *p < OP_BREG0 || *p > OP_BREG15)
		return false;
	*reg = *p++ - OP_BREG0;
	while (p < end && (b & 0x80) && shift < 64) {
		b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (b & 0x80 || p + 1 != end || *p != OP_DEREF)
		return false;
	if (shift < 64 && (b & 0x40))
		v |= ~0ull << shift;   /* sign-extend the SLEB128 */
	*off = (int64_t)v;
	return true;
}

static enum cfi_class classify_expr(const struct stack_state *st, const struct cfa_rule *r)
{
	int reg;
	int64_t off;

	if (!deref_expr(r, &reg, &off))
		return CFI_DWARF_EXPRESSION;
	if ((st->cfa.base == REG_BP_INDIRECT && reg == REG_BP) ||
	    (st->cfa.base == REG_SP_INDIRECT && reg == REG_SP))
		return st->cfa.offset == off ? CFI_AGREE : CFI_CFA_OFFSET;
	return CFI_CFA_REGISTER;
}

struct cfi_walk {
	struct cfg *cfg;
	struct findings *fs;
	struct cfi_summary *sum;
	bool **covered;              /* per section index, per instruction index */
	const struct objsym *func;   /* function of the last finding... */
	unsigned reported;           /* ...and the classes already reported for it */
	int findings;
};

static enum cfi_class classify(const struct stack_state *st, const struct cfa_rule *r)
{
	if (r->value_type == DW_EXPR_EXPRESSION || r->value_type == DW_EXPR_VAL_EXPRESSION)
		return classify_expr(st, r);
	if (r->reg == DW_FRAME_UNDEFINED_VAL || r->reg == DW_FRAME_SAME_VAL || r->reg < 0 ||
	    r->reg >= NR_CFI_REGS)
		return st->cfa.base == REG_UNDEFINED ? CFI_AGREE : CFI_DWARF_UNDEFINED;
	if (st->cfa.base == REG_UNDEFINED)
		return CFI_ALTORC_UNDEFINED;
	if (st->cfa.base != r->reg) {
		/* DWARF names a register that altorc knows holds CFA - offset. */
		const struct reg_loc *v = &st->vals[r->reg];

		if (v->base == REG_CFA && v->offset == -r->offset)
			return CFI_EQUIVALENT;
		return CFI_CFA_REGISTER;
	}
	return st->cfa.offset == r->offset ? CFI_AGREE : CFI_CFA_OFFSET;
}

static void describe_rule(const struct cfa_rule *r, char *buf, size_t size)
{
	int reg;
	int64_t off;

	if (deref_expr(r, &reg, &off))
		snprintf(buf, size, "*(%s%+lld)", arch_reg_name((unsigned)reg), (long long)off);
	else if (r->value_type == DW_EXPR_EXPRESSION || r->value_type == DW_EXPR_VAL_EXPRESSION)
		snprintf(buf, size, "an expression");
	else if (r->reg >= 0 && r->reg < NR_CFI_REGS)
		snprintf(buf, size, "%s%+lld", arch_reg_name((unsigned)r->reg), (long long)r->offset);
	else
		snprintf(buf, size, "undefined");
}

static void report(struct cfi_walk *w, const struct instr *insn, enum cfi_class c,
		   const struct cfa_rule *r)
{
	char ours[512], theirs[64];

	if (insn->func != w->func) {
		w->func = insn->func;
		w->reported = 0;
	}
	if (w->reported & (1u << c))
		return;   /* one finding per function and class: the first place it shows */
	w->reported |= 1u << c;
	stack_state_format(insn->state, ours, sizeof(ours));
	describe_rule(r, theirs, sizeof(theirs));
	findings_add(w->fs, "cfi-mismatch", insn->sec, insn->offset,
		     "%s: altorc has %s, the compiler's CFI has cfa=%s", cfi_class_name(c), ours,
		     theirs);
	w->findings++;
}

static void compare_insn(struct cfi_walk *w, struct code_section *cs, size_t idx,
			 const struct cfa_rule *r)
{
	struct instr *insn = &cs->insns[idx];
	enum cfi_class c;

	w->covered[cs->sec->index][idx] = true;
	if (!insn->state) {
		w->sum->unreached++;
		return;
	}
	c = classify(insn->state, r);
	w->sum->compared++;
	w->sum->by_class[c]++;
	if (c != CFI_AGREE && c != CFI_EQUIVALENT)
		report(w, insn, c, r);
}

static void compare_range(struct cfi_walk *w, struct objsec *sec, uint64_t lo, uint64_t hi,
			  const struct cfa_rule *r)
{
	struct code_section *cs = &w->cfg->csecs[sec->index];

	if (!cs->sec)
		return;
	for (size_t i = cfg_lower_bound(cs, lo); i < cs->nr && cs->insns[i].offset < hi; i++)
		compare_insn(w, cs, i, r);
}

static int walk_fde(struct cfi_walk *w, const struct dwarf_obj *d, Dwarf_Fde fde,
		    struct ao_error *err)
{
	Dwarf_Addr low, pc;
	Dwarf_Unsigned len, fde_len;
	Dwarf_Ptr bytes;
	Dwarf_Off cie_off, fde_off;
	Dwarf_Signed cie_idx;
	Dwarf_Error e = NULL;
	struct objsec *sec;
	uint64_t base_off;

	if (dwarf_get_fde_range(fde, &low, &len, &bytes, &fde_len, &cie_off, &cie_idx, &fde_off,
				&e) != DW_DLV_OK)
		return dwarf_obj_fail(d, e, err, "FDE range");
	if (!dwarf_obj_locate(d, low, &sec, &base_off) || !w->cfg->csecs[sec->index].sec)
		return 0;   /* an FDE for code altorc does not model */
	w->sum->fdes++;
	for (pc = low; pc < low + len;) {
		struct cfa_rule r = { 0 };
		Dwarf_Signed offset_relevant;
		Dwarf_Ptr block;
		Dwarf_Addr row_pc, next;
		Dwarf_Bool more;
		int ret = dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &r.value_type, &offset_relevant,
							    &r.reg, &r.offset, &block, &row_pc,
							    &more, &next, &e);

		if (ret == DW_DLV_NO_ENTRY)
			break;
		if (ret != DW_DLV_OK)
			return dwarf_obj_fail(d, e, err, "FDE row");
		if (r.value_type == DW_EXPR_EXPRESSION || r.value_type == DW_EXPR_VAL_EXPRESSION) {
			r.expr = block;
			r.expr_len = r.offset;   /* libdwarf returns the block length there */
		}
		if (!more || next > low + len || next <= pc)
			next = low + len;
		compare_range(w, sec, base_off + (pc - low), base_off + (next - low), &r);
		pc = next;
	}
	return 0;
}

/* Instructions of functions that no FDE covered (and validation did reach). */
static void count_uncovered(struct cfi_walk *w)
{
	for (size_t s = 1; s < w->cfg->file->nr_secs; s++) {
		struct code_section *cs = &w->cfg->csecs[s];

		if (!cs->sec || !cs->is_text)
			continue;
		for (size_t i = 0; i < cs->nr; i++)
			if (!w->covered[s][i] && cs->insns[i].func && cs->insns[i].state)
				w->sum->uncovered++;
	}
}

static int alloc_covered(struct cfi_walk *w, struct ao_error *err)
{
	struct cfg *cfg = w->cfg;

	w->covered = calloc(cfg->file->nr_secs, sizeof(*w->covered));
	if (!w->covered)
		return objf_fail(cfg->file, err, NULL, 0, "out of memory");
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		if (!cfg->csecs[s].sec || !cfg->csecs[s].nr)
			continue;
		w->covered[s] = calloc(cfg->csecs[s].nr, sizeof(bool));
		if (!w->covered[s])
			return objf_fail(cfg->file, err, NULL, 0, "out of memory");
	}
	return 0;
}

static void free_covered(struct cfi_walk *w)
{
	if (w->covered)
		for (size_t s = 0; s < w->cfg->file->nr_secs; s++)
			free(w->covered[s]);
	free(w->covered);
}

/* .debug_frame first (what -g gives the kernel), else .eh_frame. */
static int fde_list(struct cfi_summary *sum, const struct dwarf_obj *d, Dwarf_Cie **cies,
		    Dwarf_Signed *nc, Dwarf_Fde **fdes, Dwarf_Signed *nf, struct ao_error *err)
{
	Dwarf_Debug dbg = dwarf_obj_debug(d);
	Dwarf_Error e = NULL;
	int ret = dwarf_get_fde_list(dbg, cies, nc, fdes, nf, &e);

	if (ret == DW_DLV_OK) {
		sum->frame_section = ".debug_frame";
		return 0;
	}
	if (ret == DW_DLV_ERROR)
		return dwarf_obj_fail(d, e, err, ".debug_frame");
	ret = dwarf_get_fde_list_eh(dbg, cies, nc, fdes, nf, &e);
	if (ret == DW_DLV_OK) {
		sum->frame_section = ".eh_frame";
		return 0;
	}
	if (ret == DW_DLV_ERROR)
		return dwarf_obj_fail(d, e, err, ".eh_frame");
	return 1;
}

int cfi_check(struct cfg *cfg, struct findings *fs, struct cfi_summary *sum,
	      struct ao_error *err)
{
	struct cfi_walk w = { .cfg = cfg, .fs = fs, .sum = sum };
	struct dwarf_obj *d;
	Dwarf_Cie *cies = NULL;
	Dwarf_Fde *fdes = NULL;
	Dwarf_Signed nc = 0, nf = 0;
	int ret;

	memset(sum, 0, sizeof(*sum));
	ret = dwarf_obj_open(cfg->file, &d, err);
	if (ret)
		return ret < 0 ? -1 : 0;   /* no DWARF: nothing to compare */
	ret = fde_list(sum, d, &cies, &nc, &fdes, &nf, err);
	if (ret) {
		dwarf_obj_close(d);
		return ret < 0 ? -1 : 0;
	}
	ret = alloc_covered(&w, err);
	for (Dwarf_Signed i = 0; !ret && i < nf; i++)
		ret = walk_fde(&w, d, fdes[i], err);
	if (!ret)
		count_uncovered(&w);
	free_covered(&w);
	dwarf_fde_cie_list_dealloc(dwarf_obj_debug(d), cies, nc, fdes, nf);
	dwarf_obj_close(d);
	return ret ? -1 : w.findings;
}
