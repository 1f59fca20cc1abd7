// SPDX-License-Identifier: GPL-2.0
/*
 * The call rewrites kbuild asks objtool for, applied to the model while call
 * destinations are resolved, as the reference does before it validates:
 *  --hacks=noinstr  calls to profiling hooks (KCOV, TSAN) that compilers
 *                   leave in noinstr text become NOPs, tail calls RET;
 *  --mcount         calls to __fentry__ become NOPs (6.1 always, 6.12 with
 *                   --mnop).
 * Each rewritten instruction is marked site_patched; the bytes are
 * written later with the other sections (objtool/sites/rewrite.c).
 */
#include <string.h>

#include "arch.h"
#include "cfg_priv.h"

static bool is_profiling_func(const struct objsym *s)
{
	return s->bind == STB_GLOBAL &&
	       (!strncmp(s->name, "__sanitizer_cov_", 16) || !strncmp(s->name, "__tsan_func_", 12) ||
		!strcmp(s->name, "__tsan_atomic_signal_fence"));
}

bool cfg_apply_call_hacks(struct cfg *cfg, struct instr *insn, bool sibling)
{
	const struct objsym *dest = cfg_call_dest(insn);

	if (!dest || !strcmp(insn->sec->name, ".altinstr_replacement"))
		return false;
	/* Static calls and retpolines are filed before these checks in the reference. */
	if (arch_is_static_call_tramp(dest) || arch_is_retpoline_thunk(dest))
		return false;
	/* the callee's name first: a few compares, where the section takes a search */
	if (cfg->opts.hack_noinstr && is_profiling_func(dest) &&
	    kernel_noinstr_section(cfg->opts.kernel, insn->sec->name)) {
		insn->kind = sibling ? INSN_RETURN : INSN_NOP;
		/* The RET gets its INT3 in the same bytes: no SLS complaint. */
		if (sibling)
			insn->retpoline_safe = true;
		insn->site_patched = true;
		insn->nr_ops = 0;
		return true;
	}
	if (cfg->opts.mcount && arch_is_fentry(dest)) {
		if (!cfg->opts.kernel->mcount_nop_needs_mnop || cfg->opts.mnop) {
			insn->kind = INSN_NOP;
			insn->site_patched = true;
			insn->nr_ops = 0;
		}
		return true;
	}
	return false;
}
