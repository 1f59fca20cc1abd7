/* SPDX-License-Identifier: GPL-2.0 */
/* Between the files of the validation stage (not for other stages). */
#ifndef ALTORC_VALIDATE_PRIV_H
#define ALTORC_VALIDATE_PRIV_H

#include <stdbool.h>

#include "cfg.h"
#include "findings.h"

/*
 * --noinstr (noinstr.c): what each paravirt slot can call, as the reference
 * learns it from the pv_ops tables and the .init.text code that fills them.
 */
struct noinstr_slot {
	const struct objsym **targets;  /* in the order they were found */
	size_t nr, cap;
	bool clean;                     /* checked, and every target is noinstr */
};

struct noinstr_pv {
	bool present;                   /* the object has pv_ops: indirect calls can be checked */
	struct noinstr_slot *slots;     /* one per pv_ops entry */
	size_t nr;
	bool *seen;                     /* by symbol index: a target is filed once */
};

/*
 * Fill pv from cfg (an empty table when there is no pv_ops).  -1 with
 * cfg->err set: out of memory, or an .init.text store the reference gives
 * up on (AO_ERR_STOPPED).
 */
int noinstr_pv_read(struct cfg *cfg, struct noinstr_pv *pv);
void noinstr_pv_free(struct noinstr_pv *pv);

/*
 * May code that must not be instrumented call insn's callee?  A call
 * through a paravirt slot is allowed when every target of the slot is; the
 * targets that are not are named in fs (each time the slot is asked while
 * it is not clean), as the reference does.
 */
bool noinstr_callee_ok(struct cfg *cfg, struct noinstr_pv *pv, struct findings *fs,
		       struct instr *insn);

/*
 * The callee as the messages name it: the symbol, else the paravirt slot
 * ("pv_ops[N]") where the kernel's objtool has read the call's relocation
 * by then, else "{dynamic}".
 */
const char *validate_call_dest_name(const struct cfg *cfg, const struct instr *insn, char *buf,
				    size_t size);

/* --unret (unret.c): every path from an entry untrains before it returns. */
int validate_unret(struct cfg *cfg, struct findings *fs);

#endif
