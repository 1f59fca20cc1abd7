/* SPDX-License-Identifier: GPL-2.0 */
/* Stack validation over a built CFG (validate/walk.c, validate/reachable.c). */
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
	/*
	 * Threads validating functions (0: automatic, by the object's size and
	 * the CPUs online).  The output does not depend on it.
	 */
	unsigned threads;
	bool verbose;    /* say on stderr how the functions were spread over threads */
	bool noinstr;    /* --noinstr --link: noinstr code calls no instrumentable code */
	bool noinstr_only; /* --noinstr without --orc, --stackval or --uaccess: only the
			      noinstr sections are walked, nothing is checked for reachability */
	bool unret;      /* --unret: entry paths untrain the return predictor before RET */
};

/*
 * Walk every function and hint; record each instruction's state.  Returns
 * the number of warnings as the reference counts them, or -1 with cfg->err
 * set.  Each is added to fs, except that under 6.12 rules a function's
 * later ones are only counted; altorc's own findings (alternative exit
 * states) are added to fs but not counted.
 */
int validate_run(struct cfg *cfg, struct findings *fs, const struct validate_options *opts);
/*
 * The threads opts allow on cfg: --threads, or by default one per CPU for
 * an object of a million instructions or more (a vmlinux.o), else one.
 */
unsigned validate_auto_threads(const struct cfg *cfg, const struct validate_options *opts);

/* Report the first instruction no path reached (unless it is expected padding). */
int validate_reachable(struct cfg *cfg, struct findings *fs);

/* Has a finding already named function fn?  (6.12 names each function once.) */
bool validate_function_warned(const struct findings *fs, const struct objsym *fn);

/*
 * Add a warning at insn, except under the one-warning-per-function rule
 * when its function was already warned about (warn.c).
 */
void validate_warn_at(const struct cfg *cfg, struct findings *fs, const struct instr *insn,
		      const char *kind, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* --ibt: relocations to code that is not an ENDBR (validate/ibt.c); -1 with cfg->err set. */
int validate_ibt(struct cfg *cfg, struct findings *fs);

/* --ibt: global symbols that start with UNWIND_HINT_IRET_REGS but no ENDBR (validate/ibt.c). */
int validate_ibt_hints(struct cfg *cfg, struct findings *fs);

/* --sls: every ret / indirect jump followed by int3 (validate/sls.c). */
int validate_sls(struct cfg *cfg, struct findings *fs);

/* --retpoline: no indirect branch left outside the thunks (validate/retpoline.c). */
int validate_retpoline(struct cfg *cfg, struct findings *fs, const struct validate_options *opts);

/*
 * After validation, paravirt sites (pv_check.c): each site's original must leave the site with the state
 * it entered with, as the patched call or NOPs do.  Returns the number of
 * warnings added to fs.
 */
int pv_check_sites(struct cfg *cfg, struct findings *fs);

#endif
