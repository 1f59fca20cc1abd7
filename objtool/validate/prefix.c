// SPDX-License-Identifier: GPL-2.0
/*
 * Function padding (kbuild's --prefix=N, 6.2+): the N bytes of NOPs the
 * compiler puts before each function can be patched into a call-depth
 * accounting thunk, so the unwinder must see the function's entry state
 * there too.  After validation, copy each function's entry state onto the
 * NOPs of its prefix (the reference also names them __pfx_<function>).
 */
#include "cfg.h"
#include "prefix.h"

static void propagate_entry_state(struct cfg *cfg, const struct objsym *func, unsigned prefix)
{
	struct instr *insn = cfg_find(cfg, func->sec, func->offset);
	struct code_section *cs;
	struct instr *start = NULL;

	if (!insn)
		return;
	cs = &cfg->csecs[func->sec->index];
	/* Walk back over NOPs until exactly `prefix` bytes precede the function. */
	for (struct instr *prev = insn; prev > cs->insns;) {
		uint64_t dist;

		prev--;
		if (prev->kind != INSN_NOP)
			return;
		dist = func->offset - prev->offset;
		if (dist > prefix)
			return;
		if (dist == prefix) {
			start = prev;
			break;
		}
	}
	if (!start || !insn->state)
		return;
	for (struct instr *i = start; i != insn; i = cfg_insn_next(i))
		i->state = insn->state;
}

void prefix_propagate(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	if (!cfg->opts.prefix)
		return;
	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (!sec->is_exec || !cfg->csecs[s].nr)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++)
			if (sec->syms[i]->type == STT_FUNC)
				propagate_entry_state(cfg, sec->syms[i], cfg->opts.prefix);
	}
}
