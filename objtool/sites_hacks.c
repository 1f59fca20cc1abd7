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
 * A rewritten instruction's relocation becomes R_X86_64_NONE so the linker
 * leaves the new bytes alone.  The model is changed at CFG time
 * (sites_rewrite_call, jump labels in cfg_alternatives.c) as the reference
 * does before validating; the bytes are written with the rest.
 */
#include <stdlib.h>
#include <string.h>

#include "sites.h"

#ifndef R_X86_64_NONE
#define R_X86_64_NONE 0
#endif

/* x86-64 NOPs of 1..5 bytes, the forms the kernel's objtool writes. */
static const uint8_t nops[5][5] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
};

/* A tail call turned into a return: RET, INT3 (against straight-line speculation), NOP. */
static const uint8_t rets[5][5] = {
	{ 0xc3 },
	{ 0xc3, 0xcc },
	{ 0xc3, 0xcc, 0x90 },
	{ 0xc3, 0xcc, 0x66, 0x90 },
	{ 0xc3, 0xcc, 0x0f, 0x1f, 0x00 },
};

const uint8_t *sites_nop_bytes(unsigned len)
{
	return len >= 1 && len <= 5 ? nops[len - 1] : NULL;
}

static bool sec_is_noinstr(const struct cfg *cfg, const char *name)
{
	return !strcmp(name, ".noinstr.text") || !strcmp(name, ".entry.text") ||
	       (cfg->opts.kernel_6_12 && !strcmp(name, ".cpuidle.text")) ||
	       !strncmp(name, ".text..__x86.", 13);
}

static bool is_profiling_func(const struct objsym *s)
{
	return s->bind == STB_GLOBAL &&
	       (!strncmp(s->name, "__sanitizer_cov_", 16) || !strncmp(s->name, "__tsan_func_", 12) ||
		!strcmp(s->name, "__tsan_atomic_signal_fence"));
}

bool sites_rewrite_call(struct cfg *cfg, struct instr *insn, bool sibling)
{
	const struct objsym *dest = insn->call_dest;

	if (!dest || !strcmp(insn->sec->name, ".altinstr_replacement"))
		return false;
	/* Static calls and retpolines are filed before these checks in the reference. */
	if (sites_is_static_call_tramp(dest) || sites_is_retpoline_thunk(dest))
		return false;
	if (cfg->opts.hack_noinstr && sec_is_noinstr(cfg, insn->sec->name) &&
	    is_profiling_func(dest)) {
		insn->kind = sibling ? INSN_RETURN : INSN_NOP;
		/* The RET gets its INT3 in the same bytes: no SLS complaint. */
		if (sibling)
			insn->flags |= IF_RETPOLINE_SAFE;
		insn->flags |= IF_SITE_PATCHED;
		insn->nr_ops = 0;
		return true;
	}
	if (cfg->opts.mcount && sites_is_fentry(dest)) {
		if (!cfg->opts.kernel_6_12 || cfg->opts.mnop) {
			insn->kind = INSN_NOP;
			insn->flags |= IF_SITE_PATCHED;
			insn->nr_ops = 0;
		}
		return true;
	}
	return false;
}

static int grow(void **v, size_t *cap, size_t need, size_t size, struct ao_error *err)
{
	void *p;
	size_t n;

	if (need <= *cap)
		return 0;
	n = *cap ? 2 * *cap : 64;
	p = ao_reallocarray(err, *v, n, size);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

/* Rewrite one instruction's bytes and neutralise its relocation. */
static int add_rewrite(struct sites_out *out, struct instr *insn, struct ao_error *err)
{
	const uint8_t *bytes = insn->kind == INSN_RETURN ? (insn->len <= 5 ? rets[insn->len - 1] : NULL)
						     : sites_nop_bytes(insn->len);
	const struct objrel *rel;

	if (!bytes)
		return objf_fail(insn->sec->file, err, insn->sec, insn->offset,
				 "can't rewrite a %u-byte instruction (at most 5)", insn->len);
	if (grow((void **)&out->patches, &out->cap_patches, out->nr_patches + 1,
		 sizeof(*out->patches), err))
		return -1;
	out->patches[out->nr_patches++] = (struct objf_patch){ insn->sec, insn->offset, bytes,
								insn->len };
	rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	if (!rel)
		return 0;
	if (grow((void **)&out->rel_types, &out->cap_rel_types, out->nr_rel_types + 1,
		 sizeof(*out->rel_types), err))
		return -1;
	out->rel_types[out->nr_rel_types++] = (struct objf_rel_type){ insn->sec, rel->offset,
								      R_X86_64_NONE };
	return 0;
}

/* Flag the static branches --hacks=jump_label turns into NOPs. */
static int mark_jump_labels(struct cfg *cfg, struct ao_error *err)
{
	struct jump_label_table jl = { 0 };

	if (!cfg->opts.hack_jump_label)
		return 0;
	if (special_read_jump_labels(cfg->file, &jl, err))
		return -1;
	for (size_t k = 0; k < jl.nr; k++) {
		struct instr *insn;

		if (!(jl.entries[k].key_addend & 2))
			continue;
		insn = cfg_find(cfg, jl.entries[k].code_sec, jl.entries[k].code_off);
		/* The CFG pass already rejected missing or odd instructions. */
		if (insn)
			insn->flags |= IF_SITE_PATCHED;
	}
	special_free_jump_labels(&jl);
	return 0;
}

int sites_rewrites(struct cfg *cfg, struct sites_out *out, struct ao_error *err)
{
	struct objfile *f = cfg->file;

	if (mark_jump_labels(cfg, err))
		return -1;
	for (size_t s = 1; s < f->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++)
			if ((cs->insns[i].flags & IF_SITE_PATCHED) && add_rewrite(out, &cs->insns[i], err))
				return -1;
	}
	return 0;
}
