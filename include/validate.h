/* SPDX-License-Identifier: GPL-2.0 */
/* Stack validation over a built CFG (validate.c, validate_reachable.c). */
#ifndef ALTORC_VALIDATE_H
#define ALTORC_VALIDATE_H

#include <stdbool.h>

#include "cfg.h"
#include "findings.h"

struct validate_options {
	bool stackval;   /* frame-pointer rules (--stackval) */
	bool uaccess;    /* STAC/CLAC tracking (--uaccess) */
	bool sls;        /* int3 after ret / indirect jump (--sls) */
	bool retpoline;  /* no bare indirect call/jump (--retpoline) */
	bool rethunk;    /* with retpoline: no bare ret either (--rethunk) */
	bool module;     /* a module: its .init.text is checked too (--module) */
	bool ibt;        /* address-taken code starts with ENDBR (--ibt) */
};

/*
 * Walk every function and hint; record each instruction's state.  Returns
 * the number of warnings (each added to fs), or -1 with cfg->err set.
 */
int validate_run(struct cfg *cfg, struct findings *fs, const struct validate_options *opts);

/* Report the first instruction no path reached (unless it is expected padding). */
int validate_reachable(struct cfg *cfg, struct findings *fs);

/*
 * Add a warning at insn, except under 6.12 rules when its function was
 * already warned about (validate_warn.c).
 */
/* Has a finding already named function fn of section sec? (6.12 names each function once.) */
bool validate_function_warned(const struct findings *fs, const struct objsec *sec,
			      const struct objsym *fn);

void validate_warn_at(const struct cfg *cfg, struct findings *fs, const struct instr *insn,
		      const char *kind, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* --ibt: relocations to code that is not an ENDBR (validate_ibt.c); -1 with cfg->err set. */
int validate_ibt(struct cfg *cfg, struct findings *fs);

/* --ibt: global symbols that start with UNWIND_HINT_IRET_REGS but no ENDBR (validate_ibt.c). */
int validate_ibt_hints(struct cfg *cfg, struct findings *fs);

/* --sls: every ret / indirect jump followed by int3 (validate_sls.c). */
int validate_sls(struct cfg *cfg, struct findings *fs);

/* --retpoline: no indirect branch left outside the thunks (validate_retpoline.c). */
int validate_retpoline(struct cfg *cfg, struct findings *fs, const struct validate_options *opts);

/*
 * Mark the instructions .discard.retpoline_safe names IF_RETPOLINE_SAFE
 * (cfg_annotations.c).  -1 with cfg->err set on a bad entry, as the
 * reference refuses the object then.
 */
int cfg_read_retpoline_safe(struct cfg *cfg);

#endif
