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

/* Has a finding already named function fn of section sec?  (6.12 names each function once.) */
bool validate_function_warned(const struct findings *fs, const struct objsec *sec,
			      const struct objsym *fn)
{
	if (!fn)
		return false;
	for (size_t i = fs->nr; i-- > 0;) {
		const struct finding *f = &fs->items[i];

		if (f->function && f->section && !strcmp(f->function, fn->name) &&
		    !strcmp(f->section, sec->name))
			return true;
	}
	return false;
}

void validate_warn_at(const struct cfg *cfg, struct findings *fs, const struct instr *insn,
		      const char *kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (cfg->opts.kernel->warn_once_per_function &&
	    validate_function_warned(fs, insn->sec, objf_func_at(insn->sec, insn->offset)))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	findings_add(fs, kind, insn->sec, insn->offset, "%s", msg);
}
