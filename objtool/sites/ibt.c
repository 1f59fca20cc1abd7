// SPDX-License-Identifier: GPL-2.0
/*
 * .ibt_endbr_seal (--ibt): the ENDBR at the start of a function whose
 * address is never taken can be turned into a NOP at boot ("sealed"), so
 * indirect branches cannot land there.  The reference lists every
 * function-start ENDBR, then strikes each one some relocation points at:
 * from code, any instruction except a branch, return or NOP (a direct call
 * does not take an address); from data, any section except the metadata
 * tables that name code without meaning to branch there.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "sites_priv.h"

/* Strike the ENDBR at sec+off, if one starts there. */
static void mark_used(struct cfg *cfg, struct objsec *sec, int64_t off, uint8_t *used,
		      size_t *base)
{
	struct instr *dest;

	if (!sec || off < 0)
		return;
	dest = cfg_find(cfg, sec, (uint64_t)off);
	if (dest && dest->kind == INSN_ENDBR)
		used[base[sec->index] + (size_t)(dest - cfg->csecs[sec->index].insns)] = 1;
}

/* Relocations inside non-branch instructions of one code section. */
static int scan_code(struct cfg *cfg, struct code_section *cs, uint8_t *used, size_t *base,
		     struct ao_error *err)
{
	struct cfg_insn_rels it = { .cs = cs };
	const struct instr *insn;
	const struct objrel *rel;

	if (objf_sec_rels(cs->sec, err))
		return -1;
	while ((rel = cfg_next_insn_rel(&it, &insn))) {
		int64_t off = (int64_t)rel->sym->offset + rel->addend;

		if (cfg_insn_takes_no_address(insn) || arch_is_static_call_tramp(rel->sym))
			continue;
		if (arch_reloc_is_pc32(rel->type))
			off = arch_dest_reloc_offset(off);
		mark_used(cfg, rel->sym->sec, off, used, base);
	}
	return 0;
}

static int scan_data(struct cfg *cfg, struct objsec *sec, uint8_t *used, size_t *base,
		     struct ao_error *err)
{
	if (objf_sec_rels(sec, err))
		return -1;
	for (size_t r = 0; r < sec->nr_rels; r++) {
		const struct objrel *rel = &sec->rels[r];

		mark_used(cfg, rel->sym->sec, (int64_t)rel->sym->offset + rel->addend, used, base);
	}
	return 0;
}

bool sites_ibt_scans(const struct objsec *sec)
{
	return !sec->is_exec && sec->rela && !kernel_ibt_metadata_section(sec->name);
}

static int strike_referenced(struct cfg *cfg, uint8_t *used, size_t *base, struct ao_error *err)
{
	struct objfile *f = cfg->file;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];
		int r = 0;

		if (cfg->csecs[s].nr)
			r = scan_code(cfg, &cfg->csecs[s], used, base, err);
		else if (sites_ibt_scans(sec))
			r = scan_data(cfg, sec, used, base, err);
		if (r)
			return -1;
	}
	return 0;
}

/* Function-start ENDBRs still unreferenced, by section then offset. */
static int seal_list(struct cfg *cfg, const uint8_t *used, const size_t *base,
		     struct site_list *l, struct ao_error *err)
{
	struct objfile *f = cfg->file;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];
		struct instr *last = NULL;

		if (!cfg->csecs[s].nr)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++) {
			struct objsym *func = sec->syms[i];
			struct instr *insn;

			/* A zero-sized function covers no instruction, not even its first. */
			if (func->type != STT_FUNC || !func->size)
				continue;
			insn = cfg_find(cfg, sec, func->offset);
			if (!insn || insn == last || insn->kind != INSN_ENDBR)
				continue;
			last = insn;
			if (!used[base[s] + (size_t)(insn - cfg->csecs[s].insns)] &&
			    site_add(l, sec, insn->offset, NULL, 0, err))
				return -1;
		}
	}
	return 0;
}

int sites_ibt_section(struct cfg *cfg, struct sites_out *out, struct ao_error *err)
{
	struct objfile *f = cfg->file;
	struct site_list l = { 0 };
	size_t *base = ao_calloc(err, f->nr_secs, sizeof(*base));
	uint8_t *used = NULL;
	size_t total = 0;
	int ret = -1;

	if (!base)
		return -1;
	for (size_t s = 1; s < f->nr_secs; s++) {
		base[s] = total;
		total += cfg->csecs[s].nr;
	}
	used = ao_calloc(err, total + 1, 1);
	if (used && !strike_referenced(cfg, used, base, err) && !seal_list(cfg, used, base, &l, err))
		ret = l.nr ? sites_emit(out, ".ibt_endbr_seal", 0, 1, 4, ARCH_RELOC_PC32, &l, err) : 0;
	site_list_free(&l);
	free(used);
	free(base);
	return ret;
}
