// SPDX-License-Identifier: GPL-2.0
/*
 * --sls: straight-line speculation hardening.  A CPU may speculate past a
 * return or an indirect jump into whatever bytes follow it, so a kernel
 * built with -mharden-sls puts an int3 right after each one.  Report every
 * return and indirect jump whose next instruction in the same section is
 * not that trap.  Instructions marked retpoline_safe are left alone: the
 * thunk jumps the CFG turned into returns or indirect jumps, kbuild-hack
 * rewrites, and .discard.retpoline_safe annotations.
 */
#include "validate.h"

static bool sls_needs_trap(const struct instr *insn)
{
	if (insn->retpoline_safe)
		return false;
	return insn->kind == INSN_RETURN || insn->kind == INSN_JUMP_INDIRECT;
}

int validate_sls(struct cfg *cfg, struct findings *fs)
{
	int warnings = 0;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		const struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			const struct instr *insn = &cs->insns[i];
			const struct instr *next = i + 1 < cs->nr ? &cs->insns[i + 1] : NULL;

			if (!sls_needs_trap(insn) || (next && next->kind == INSN_TRAP))
				continue;
			validate_warn_at(cfg, fs, insn, "sls", "missing int3 after %s",
					 insn->kind == INSN_RETURN ? "ret" : "indirect jump");
			warnings++;
		}
	}
	return warnings;
}
