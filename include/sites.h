/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The annotation sections and code rewrites kbuild's objtool makes besides
 * ORC: .static_call_sites, .retpoline_sites, .return_sites, .call_sites,
 * .cfi_sites, __mcount_loc, .ibt_endbr_seal, the __pfx_<func> symbols of
 * --prefix, and the NOP/RET rewrites of --hacks=jump_label|noinstr and
 * --mcount.  Everything is read off the finished CFG (after validation)
 * and handed to the ELF writer as one set of edits (objf_stage()), so it
 * lands in the same atomic rewrite as the ORC.
 *
 * Entry order follows the reference: it files a site when it resolves the
 * instruction's destination, jumps first (every section, by offset), then
 * calls; see sites_lists.c.
 */
#ifndef ALTORC_SITES_H
#define ALTORC_SITES_H

#include <stdbool.h>

#include "cfg.h"

struct sites_options {
	bool static_call;     /* --static-call */
	bool retpoline;       /* --retpoline */
	bool rethunk;         /* --rethunk */
	bool skylake;         /* --hacks=skylake (with --rethunk): .call_sites */
	bool cfi;             /* --cfi (6.12) */
	bool ibt;             /* --ibt: .ibt_endbr_seal */
	bool module;          /* --module */
	bool orc;             /* ORC will be written too (for the already-processed check) */
	/* --mcount, --hacks=*, --prefix and the kernel rules come from cfg->opts. */
};

/* One entry of an annotation section: an address, plus the static-call key. */
struct site {
	struct objsec *sec;
	uint64_t offset;
	struct objsym *key;   /* .static_call_sites only: second relocation at +4 */
	int64_t key_addend;
};

struct site_list {
	struct site *v;
	size_t nr, cap;
};

/* Everything to write; owns its arrays (sites_free()). */
struct sites_out {
	struct objf_new_sec secs[8];
	size_t nr_secs;
	struct objf_patch *patches;
	size_t nr_patches, cap_patches;
	struct objf_rel_type *rel_types;
	size_t nr_rel_types, cap_rel_types;
	struct objf_new_sym *syms;
	size_t nr_syms, cap_syms;
	struct objf_sym_rel *sym_rels;    /* static-call keys */
	size_t nr_sym_rels, cap_sym_rels;
	struct objf_edits edits;      /* views of the above, for objf_stage() */
};

/*
 * Refuse an object this tool (or objtool) has already processed: any
 * section we would add exists, or __pfx_ symbols under --prefix.  Returns
 * -1 with err naming what was found.  Cheap: run it before the analysis.
 */
int sites_check_fresh(struct objfile *f, const struct sites_options *o, unsigned prefix,
		      struct ao_error *err);

/* Collect every section, symbol and rewrite; -1 with err set on bad input. */
int sites_build(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
		struct ao_error *err);
void sites_free(struct sites_out *out);

/*
 * CFG hook (cfg_branches.c), called when a call or sibling call gets its
 * destination: applies --hacks=noinstr and --mcount's NOP rewrites to the
 * model (kind NOP, or RETURN for a sibling call; IF_SITE_PATCHED) the way
 * the reference does before validation.  Returns true when rewritten.
 */
bool sites_rewrite_call(struct cfg *cfg, struct instr *insn, bool sibling);

/* ---- internal to the sites_*.c files --------------------------------------- */

int site_add(struct site_list *l, struct objsec *sec, uint64_t offset, struct objsym *key,
	     int64_t key_addend, struct ao_error *err);
void site_list_free(struct site_list *l);
bool sites_is_static_call_tramp(const struct objsym *s);
bool sites_is_retpoline_thunk(const struct objsym *s);
bool sites_is_return_thunk(const struct objsym *s);
bool sites_is_fentry(const struct objsym *s);
const uint8_t *sites_nop_bytes(unsigned len);

/* Sections from the call-site lists (sites_lists.c). */
int sites_call_sections(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
			struct ao_error *err);
/* .ibt_endbr_seal (sites_ibt.c). */
int sites_ibt_section(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/*
 * Is name a data section whose references to code are bookkeeping (ORC,
 * alternatives, exception tables, DWARF...), not indirect-branch targets?
 */
bool sites_ibt_metadata_section(const char *name);
/* __pfx_ symbols (sites_prefix.c). */
int sites_prefix_symbols(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/* Byte and relocation rewrites (sites_hacks.c). */
int sites_rewrites(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/* Turn a site list into one new section (+ relocations) in out (sites_build.c). */
int sites_emit(struct sites_out *out, const char *name, uint64_t flags, uint64_t align,
	       uint64_t entsize, uint32_t rel_type, const struct site_list *l, struct ao_error *err);

#endif
