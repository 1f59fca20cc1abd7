// SPDX-License-Identifier: GPL-2.0
/*
 * Unreachable code: after validation every instruction a path reached has a
 * visited mark.  What is left is either expected (alignment NOPs and int3
 * padding, code after a noreturn call that the compiler ends with ud2,
 * sanitizer stubs, replacement code) or dead code worth a warning.
 */
#include <string.h>

#include "cfg.h"
#include "findings.h"
#include "validate.h"

static bool calls(const struct instr *insn, const char *name)
{
	return insn->kind == INSN_CALL && insn->call_dest && !strcmp(insn->call_dest->name, name);
}

/* Up to five instructions ahead: a sanitizer report call explains the code. */
static bool leads_to_sanitizer(const struct cfg *cfg, const struct instr *insn)
{
	for (int i = 0; i < 5 && insn; i++) {
		if (calls(insn, "__asan_handle_no_return") ||
		    calls(insn, "__ubsan_handle_builtin_unreachable"))
			return true;
		if (insn->kind == INSN_JUMP) {
			if (insn->jump_dest && insn->jump_dest->func == insn->func) {
				insn = insn->jump_dest;
				continue;
			}
			break;
		}
		if (insn->offset + insn->len >= insn->func->offset + insn->func->size)
			break;
		insn = insn->next;
	}
	return false;
}

static bool expected_unreachable(struct cfg *cfg, const struct instr *insn, const struct instr *prev)
{
	if ((insn->flags & IF_IGNORE) || insn->kind == INSN_NOP || insn->kind == INSN_TRAP)
		return true;
	if (!strcmp(insn->sec->name, ".altinstr_replacement") || !strcmp(insn->sec->name, ".altinstr_aux"))
		return true;
	if (!insn->func)
		return cfg->opts.link;   /* holes between symbols of a prelinked object */
	/* ud2 (or a jump to one) after a call that does not return */
	if (prev && ((prev->flags & IF_DEAD_END) || (prev->call_dest && cfg_func_noreturn(cfg, prev->call_dest))) &&
	    (insn->kind == INSN_BUG ||
	     (insn->kind == INSN_JUMP && insn->jump_dest && insn->jump_dest->kind == INSN_BUG)))
		return true;
	return leads_to_sanitizer(cfg, insn);
}

int validate_reachable(struct cfg *cfg, struct findings *fs)
{
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];

			if (insn->flags & (IF_VISITED | IF_VISITED_UA))
				continue;
			if (expected_unreachable(cfg, insn, i ? &cs->insns[i - 1] : NULL))
				continue;
			findings_add(fs, "unreachable", insn->sec, insn->offset, "unreachable instruction");
			return 1;
		}
	}
	return 0;
}
