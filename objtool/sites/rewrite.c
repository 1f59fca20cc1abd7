// SPDX-License-Identifier: GPL-2.0
/*
 * Code rewrites kbuild asks objtool for:
 *  --hacks=jump_label  a static branch whose key says "initially off"
 *                      (key addend bit 1) gets its jump replaced by a NOP of
 *                      the same length, so the kernel need not patch it at boot;
 *  --hacks=noinstr     calls to profiling hooks (KCOV, TSAN) that compilers
 *                      leave in noinstr text become NOPs, tail calls RET;
 *  --mcount            calls to __fentry__ become NOPs (6.1 always, 6.12 with
 *                      --mnop) and are listed in __mcount_loc.
 * A rewritten instruction's relocation becomes a NONE relocation so the
 * linker leaves the new bytes alone.  The model was changed at CFG time
 * (objtool/cfg/hacks.c, jump labels in objtool/cfg/alternatives.c) as the
 * reference does before validating, and each rewritten instruction carries
 * site_patched; here the bytes follow.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "arch.h"
#include "arch/elf.h"
#include "sites_priv.h"

/* Rewrite one instruction's bytes and neutralise its relocation. */
static int add_rewrite(struct sites_out *out, struct instr *insn, struct ao_error *err)
{
	const uint8_t *bytes = insn->kind == INSN_RETURN ? arch_ret_bytes(insn->len)
						     : arch_nop_bytes(insn->len);
	const struct objrel *rel;

	if (!bytes)
		return objf_fail(insn->sec->file, err, insn->sec, insn->offset,
				 "can't rewrite a %u-byte instruction (at most 5)", insn->len);
	if (AO_GROW(err, out->patches, out->cap_patches, out->nr_patches + 1, 64))
		return -1;
	out->patches[out->nr_patches++] = (struct objf_patch){ insn->sec, insn->offset, bytes,
								insn->len };
	rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	if (!rel)
		return 0;
	if (AO_GROW(err, out->rel_types, out->cap_rel_types, out->nr_rel_types + 1, 64))
		return -1;
	out->rel_types[out->nr_rel_types++] = (struct objf_rel_type){ insn->sec, rel->offset,
								      ARCH_RELOC_NONE };
	return 0;
}

int sites_rewrites(struct cfg *cfg, struct sites_out *out, struct ao_error *err)
{
	struct objfile *f = cfg->file;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++)
			if (cs->insns[i].site_patched && add_rewrite(out, &cs->insns[i], err))
				return -1;
	}
	return 0;
}
