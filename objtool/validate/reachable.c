// SPDX-License-Identifier: GPL-2.0
/*
 * Unreachable code: after validation every instruction a path reached has a
 * visited mark.  What is left is either expected (alignment NOPs and int3
 * padding, code after a noreturn call that the compiler ends with ud2,
 * sanitizer stubs, replacement code) or dead code worth a warning.
 */
#include <string.h>

#include "arch.h"
#include "cfg.h"
#include "findings.h"
#include "validate.h"

static bool calls(const struct instr *insn, const char *name)
{
	return insn->kind == INSN_CALL && cfg_call_dest(insn) && !strcmp(cfg_call_dest(insn)->name, name);
}

/* Up to five instructions ahead: a sanitizer report call explains the code. */
static bool leads_to_sanitizer(const struct cfg *cfg, const struct instr *insn)
{
	for (int i = 0; i < 5 && insn; i++) {
		if (calls(insn, "__asan_handle_no_return") ||
		    calls(insn, "__ubsan_handle_builtin_unreachable"))
			return true;
		if (insn->kind == INSN_JUMP) {
			if (cfg_jump_dest(insn) && cfg_jump_dest(insn)->func == insn->func) {
				insn = cfg_jump_dest(insn);
				continue;
			}
			break;
		}
		if (insn->offset + insn->len >= insn->func->offset + insn->func->size)
			break;
		insn = cfg_insn_next(insn);
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
	/* static call trampolines are patched at run time, their tails never run */
	if (arch_is_static_call_tramp(insn->func))
		return true;
	/* ud2 (or a jump to one) after a call that does not return */
	if (prev && ((prev->flags & IF_DEAD_END) || (cfg_call_dest(prev) && cfg_func_noreturn(cfg, cfg_call_dest(prev)))) &&
	    (insn->kind == INSN_BUG ||
	     (insn->kind == INSN_JUMP && cfg_jump_dest(insn) && cfg_jump_dest(insn)->kind == INSN_BUG)))
		return true;
	return leads_to_sanitizer(cfg, insn);
}

/*
 * 6.12 goes on after the first unreachable instruction, and explains code
 * after a call that ended a path as a missing __noreturn on the callee.
 */
static int report_612(struct findings *fs, const struct instr *insn, const struct instr *prev)
{
	if (validate_function_warned(fs, insn->func))
		return 1;
	if (prev && (prev->flags & IF_DEAD_END) && cfg_call_dest(prev))
		findings_add(fs, "missing-noreturn", insn->sec, insn->offset,
			     "%s() is missing a __noreturn annotation", cfg_call_dest(prev)->name);
	else
		findings_add(fs, "unreachable", insn->sec, insn->offset, "unreachable instruction");
	return 1;
}

int validate_reachable(struct cfg *cfg, struct findings *fs)
{
	int warnings = 0;

	if (cfg->ignore_unreachables)
		return 0;
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];
			const struct instr *prev = i ? &cs->insns[i - 1] : NULL;

			if (insn->flags & (IF_VISITED | IF_VISITED_UA))
				continue;
			if (expected_unreachable(cfg, insn, prev))
				continue;
			if (cfg->opts.kernel->unreachable_per_function) {
				warnings += report_612(fs, insn, prev);
				continue;
			}
			/* 6.1 stops at the first one */
			findings_add(fs, "unreachable", insn->sec, insn->offset, "unreachable instruction");
			return 1;
		}
	}
	return warnings;
}
