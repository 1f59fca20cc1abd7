// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-object checks (--sls, --retpoline) report through here so that
 * they follow the same 6.12 rule as stack validation: only the first
 * warning of each function is printed.  The caller still counts every one,
 * as the reference's totals (which gate the reachability check) do.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

bool validate_function_warned(const struct findings *fs, const struct objsym *fn)
{
	return findings_count_in_func(fs, fn) > 0;
}

void validate_warn_at(const struct cfg *cfg, struct findings *fs, const struct instr *insn,
		      const char *kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (cfg->opts.kernel->warn_once_per_function &&
	    validate_function_warned(fs, objf_func_at(insn->sec, insn->offset)))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	findings_add(fs, kind, insn->sec, insn->offset, "%s", msg);
}
