// SPDX-License-Identifier: GPL-2.0
/*
 * --retpoline (and --rethunk): in a kernel built with retpolines every
 * indirect call and jump goes through a __x86_indirect_* thunk, and with
 * return thunks every return through __x86_return_thunk.  Report the
 * indirect branches (and, under --rethunk, the plain returns) that remain.
 * Exempt: retpoline_safe instructions (the thunk branches themselves,
 * .discard.retpoline_safe annotations) and .init.text of the kernel proper,
 * which runs before user space exists; a module's .init.text runs late and
 * is checked.  6.12 renamed the config options, and its texts follow.
 */
#include <string.h>

#include "validate.h"

/* What is wrong with insn ("indirect call"), and the option it breaks; NULL when nothing. */
static const char *retpoline_problem(const struct instr *insn, const struct validate_options *o,
				     const struct kernel_rules *k, const char **option)
{
	*option = k->retpoline_option;
	switch (insn->kind) {
	case INSN_JUMP_INDIRECT:
		return "indirect jump";
	case INSN_CALL_INDIRECT:
		return "indirect call";
	case INSN_RETURN:
		*option = k->rethunk_option;
		return o->rethunk ? "'naked' return" : NULL;
	default:
		return NULL;
	}
}

int validate_retpoline(struct cfg *cfg, struct findings *fs, const struct validate_options *opts)
{
	int warnings = 0;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		const struct code_section *cs = &cfg->csecs[s];

		if (!cs->nr || (!opts->module && !strcmp(cs->sec->name, ".init.text")))
			continue;
		for (size_t i = 0; i < cs->nr; i++) {
			const struct instr *insn = &cs->insns[i];
			const char *msg, *option;

			if (insn->retpoline_safe)
				continue;
			msg = retpoline_problem(insn, opts, cfg->opts.kernel, &option);
			if (!msg)
				continue;
			validate_warn_at(cfg, fs, insn, "retpoline", "%s found in %s build", msg, option);
			warnings++;
		}
	}
	return warnings;
}
