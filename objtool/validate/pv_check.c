// SPDX-License-Identifier: GPL-2.0
/*
 * After validation, paravirt sites (.parainstructions): the kernel may patch
 * each to a direct call plus NOPs, or to NOPs, both stack-neutral, so the
 * original must leave the site with the state it entered with; see
 * include/paravirt_native.h.
 */
#include <string.h>

#include "arch.h"
#include "paravirt_native.h"
#include "validate.h"

/* The fields the reference compares where paths meet. */
static bool same_frame(const struct stack_state *a, const struct stack_state *b)
{
	return a->cfa.base == b->cfa.base && a->cfa.offset == b->cfa.offset &&
	       !memcmp(a->regs, b->regs, sizeof(a->regs)) && a->type == b->type &&
	       a->drap == b->drap;
}

/*
 * Walk the original bytes of a site from its entry state.  Returns false
 * when the model cannot follow them (a jump, a rejected op); *conflict gets
 * the first boundary where the patched call has one too but the original's
 * state differs from the entry state.
 */
static bool walk_orig(const struct cfg *cfg, const struct pv_site *s, struct instr *i,
		      struct stack_state *st, const struct instr **conflict)
{
	const struct stack_state *entry = i->state;

	*conflict = NULL;
	for (; i && i->offset < s->off + s->len; i = cfg_insn_next(i)) {
		const struct stack_op *ops = cfg_ops(cfg, i);
		struct stack_op_ctx ctx = { .in_func = i->func != NULL };

		/* the patched call has a boundary at +5, with the entry state */
		if (i->offset == s->off + arch_direct_call_len() && i->state && entry &&
		    !same_frame(entry, i->state))
			*conflict = i;
		if (i->kind == INSN_JUMP || i->kind == INSN_JUMP_COND || i->kind == INSN_RETURN ||
		    i->kind == INSN_JUMP_INDIRECT)
			return false;
		for (unsigned k = 0; k < i->nr_ops; k++)
			if (stack_apply_op(st, &ops[k], &ctx) != STACK_OK)
				return false;
	}
	return true;
}

static int check_site(struct cfg *cfg, const struct pv_site *s, struct findings *fs)
{
	struct instr *orig = cfg_find(cfg, s->sec, s->off);
	const struct instr *conflict;
	struct stack_state st;
	char a[400], b[400];

	if (!orig || !orig->state)
		return 0;   /* not validated (ignored or unreachable): nothing to compare */
	st = *orig->state;
	if (!walk_orig(cfg, s, orig, &st, &conflict))
		return 0;
	stack_state_format(orig->state, a, sizeof(a));
	if (conflict) {
		stack_state_format(conflict->state, b, sizeof(b));
		findings_add(fs, "paravirt-stack", conflict->sec, conflict->offset,
			     "paravirt site type %u: the patched direct call ends here with %s, "
			     "the original has %s", s->type, a, b);
		return 1;
	}
	if (same_frame(&st, orig->state))
		return 0;
	stack_state_format(&st, b, sizeof(b));
	findings_add(fs, "paravirt-stack", orig->sec, orig->offset,
		     "paravirt site type %u is not stack-neutral: the original leaves it with %s, "
		     "the patched call or NOPs with %s", s->type, b, a);
	return 1;
}

int pv_check_sites(struct cfg *cfg, struct findings *fs)
{
	struct pv_table local = { 0 };
	const struct pv_table *pv = &cfg->pv;
	struct ao_error err = { 0 };
	int warnings = 0;

	if (!cfg->pv.nr) {
		if (special_read_paravirt(cfg->file, &local, &err)) {
			/* The reference ignores this table: say it, but keep the analysis. */
			findings_add(fs, "paravirt-table", NULL, 0, "%s", err.message);
			return 1;
		}
		pv = &local;
	}
	for (size_t k = 0; k < pv->nr; k++)
		warnings += check_site(cfg, &pv->sites[k], fs);
	special_free_paravirt(&local);
	return warnings;
}
