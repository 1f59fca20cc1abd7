// SPDX-License-Identifier: GPL-2.0
/* Per-offset reconciliation of alternative sites: see include/reconcile.h. */
#include "reconcile.h"

int reconcile_on_visit(struct cfg *cfg, struct findings *fs, struct instr *insn)
{
	struct alt_group *g = insn->alt_group;
	uint64_t off;

	if (!g)
		return 0;
	if (!insn->state) {
		findings_add(fs, "cfi-missing", insn->sec, insn->offset, "CFI missing");
		return 1;
	}
	off = insn->offset - g->first->offset;
	if (off >= g->len)
		return 0;   /* replacement longer than the site: nothing to share */
	if (!g->states[off]) {
		g->states[off] = insn->state;
	} else if (!stack_state_equal(g->states[off], insn->state)) {
		findings_add(fs, "alternative-stack-conflict", insn->sec, insn->offset,
			     "stack layout conflict in alternatives");
		return 1;
	}
	return 0;
}
