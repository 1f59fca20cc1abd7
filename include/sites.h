/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The annotation sections and code rewrites kbuild's objtool makes besides
 * ORC: .static_call_sites, .retpoline_sites, .return_sites, .call_sites,
 * .cfi_sites, __mcount_loc, .ibt_endbr_seal, the __pfx_<func> symbols of
 * --prefix, and the NOP/RET rewrites of --hacks=jump_label|noinstr and
 * --mcount.  Everything is read off the CFG as cfg_build() leaves it
 * (validation changes nothing the sites read, so they may be collected
 * while it runs) and handed to the ELF writer as one set of edits
 * (objf_stage()), so it lands in the same atomic rewrite as the ORC.
 *
 * Entry order follows the reference: it files a site when it resolves the
 * instruction's destination, jumps first (every section, by offset), then
 * calls; see sites/lists.c.
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
 * sites_build() on a thread of its own while validation runs, for objects
 * validated on threads (a vmlinux.o): the sites read only what cfg_build()
 * leaves and validation never changes (see struct instr), so the thread
 * may start as soon as the CFG is built.  sites_job_start() first loads
 * everything the sites read from the object (objfile loads lazily and is
 * not for threads), and returns NULL when the sites are to be built later
 * with sites_build() after all: a load failed (sites_build() then meets the
 * error where it always did), the sites would print (under --mcount, a
 * message that must follow validation's), or no thread.  The thread fills
 * out in place; sites_job_finish() waits for it and returns what
 * sites_build() returned, with err as it left it.  The CFG and out must
 * stay until then.
 */
struct sites_job;
struct sites_job *sites_job_start(struct cfg *cfg, const struct sites_options *o,
				  struct sites_out *out);
int sites_job_finish(struct sites_job *job, struct ao_error *err);

#endif
