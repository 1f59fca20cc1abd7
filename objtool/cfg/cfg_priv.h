/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to objtool/cfg/: the passes that build the model, run in order
 * by build.c.  Everything outside this folder uses include/cfg.h only.
 */
#ifndef ALTORC_CFG_PRIV_H
#define ALTORC_CFG_PRIV_H

#include "cfg.h"

/* Decoding pass (decode.c). */
int cfg_decode_sections(struct cfg *cfg);
/* Give insn the decoded stack ops (kept in cfg's shared pool). */
int cfg_store_ops(struct cfg *cfg, struct instr *insn, const struct insn_decoded *d);

/* Branch resolution (branches.c). */
int cfg_resolve_jumps(struct cfg *cfg);
int cfg_resolve_calls(struct cfg *cfg);

/* Special sections as extra branches (alternatives.c). */
/* .altinstructions: every replacement a branch over its original range. */
int cfg_add_alternatives(struct cfg *cfg);
/* Jump labels (__jump_table) and exception fixups (__ex_table) as branches. */
int cfg_add_patch_branches(struct cfg *cfg);
/*
 * Helpers for other kinds of branches over a site (cfg/paravirt_native.c).
 * alt_site_group: the original-side group that starts at orig (created
 * over len bytes when there is none) in *out, NULL when orig lies inside
 * another site; -1 (cfg->err set) when out of memory.
 */
int alt_site_group(struct cfg *cfg, struct instr *orig, uint32_t len, struct alt_group **out);
/* A new replacement side of og; its instructions are the caller's. */
struct alt_group *alt_new_side(struct cfg *cfg, struct alt_group *og);
int alt_add_branch(struct cfg *cfg, struct instr *orig, struct instr *first);

/* Switch jump tables as branches of their jumps (jump_tables.c). */
int cfg_add_jump_tables(struct cfg *cfg);

/* Annotation sections (annotations.c). */
int cfg_read_ignores(struct cfg *cfg);
int cfg_read_dead_ends(struct cfg *cfg);
int cfg_read_hints(struct cfg *cfg);
/* .discard.retpoline_safe into instr->retpoline_safe; a bad entry refuses the object. */
int cfg_read_retpoline_safe(struct cfg *cfg);
/* instrumentation_begin()/_end() marks into instr->instrumentation (--noinstr). */
int cfg_read_instrumentation(struct cfg *cfg);
/* VALIDATE_UNRET_BEGIN marks into IF_ENTRY, where the kernel's rules read them (--unret). */
int cfg_read_unret_begins(struct cfg *cfg);
int cfg_read_intra_function_calls(struct cfg *cfg);
int cfg_read_ignore_alts(struct cfg *cfg);

/*
 * --hacks=noinstr and --mcount on a call (or sibling call) whose destination
 * was just resolved (hacks.c): kind NOP, or RETURN for a sibling call, and
 * site_patched.  Returns true when the call was taken by a hack.
 */
bool cfg_apply_call_hacks(struct cfg *cfg, struct instr *insn, bool sibling);

#endif
