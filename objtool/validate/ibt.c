// SPDX-License-Identifier: GPL-2.0
/*
 * --ibt: with indirect branch tracking an indirect call or jump must land
 * on an ENDBR.  So every place that takes a code address (a relocation in a
 * non-branch instruction, or in a data section that is not one of the
 * metadata tables) should point at an ENDBR.  Accepted without one: the
 * static-call trampolines, addresses inside the referring function itself
 * (_THIS_IP_, IRET to self), instructions .discard.noendbr names and, under
 * 6.12 rules, the end of a symbol that starts with ENDBR or is annotated
 * (a code range's end).  Run after stack validation, before --sls.
 *
 * Also, before anything else is validated: an exception entry point, a
 * global symbol that starts with UNWIND_HINT_IRET_REGS (a REGS_PARTIAL
 * hint), is reached through the IDT and so needs an ENDBR too
 * (validate_ibt_hints()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/elf.h"
#include "arch.h"
#include "kernel.h"
#include "validate.h"


/* The instructions .discard.noendbr names (few: a plain array is enough). */
struct noendbr_set {
	const struct instr **insns;
	size_t nr;
};

static int noendbr_read(struct cfg *cfg, struct noendbr_set *set)
{
	struct objsec *sec = objf_sec_by_name(cfg->file, ".discard.noendbr");

	if (!sec || !sec->rela)
		return 0;
	if (objf_sec_rels(sec, cfg->err)) {
		return -1;
	}
	set->insns = ao_calloc(cfg->err, sec->nr_rels + 1, sizeof(*set->insns));
	if (!set->insns)
		return -1;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		const struct objrel *rel = &sec->rels[i];
		int64_t off = (int64_t)rel->sym->offset + rel->addend;
		const struct instr *insn = rel->sym->sec && off >= 0 ?
			cfg_find(cfg, rel->sym->sec, (uint64_t)off) : NULL;

		if (!insn)
			return objf_fail(cfg->file, cfg->err, sec, rel->offset, "bad .discard.noendbr entry");
		set->insns[set->nr++] = insn;
	}
	return 0;
}

static bool noendbr_has(const struct noendbr_set *set, const struct instr *insn)
{
	for (size_t i = 0; i < set->nr; i++)
		if (set->insns[i] == insn)
			return true;
	return false;
}

/* 6.12: dest is where a symbol that begins with ENDBR (or is annotated) ends. */
static bool ends_marked_range(const struct cfg *cfg, const struct noendbr_set *set,
			      const struct instr *dest)
{
	struct objsec *sec = dest->sec;

	if (!dest->offset)
		return false;
	for (size_t i = 0; i < sec->nr_syms; i++) {
		const struct objsym *s = sec->syms[i];
		const struct instr *first;

		if (s->type == STT_SECTION || !s->size || dest->offset - 1 < s->offset ||
		    dest->offset - 1 >= s->offset + s->size)
			continue;
		first = cfg_find(cfg, sec, s->offset);
		if (first && (first->kind == INSN_ENDBR || noendbr_has(set, first)) &&
		    dest->offset == s->offset + s->size)
			return true;
	}
	return false;
}

static struct objsym *parent(const struct cfg *cfg, struct objsym *f)
{
	return cfg->finfo[f->index].pfunc;
}

/* Is the code relocation rel (in insn) an accepted target?  Else dest is set. */
static bool code_target_ok(const struct cfg *cfg, const struct noendbr_set *set,
			   const struct instr *insn, const struct objrel *rel, const struct instr **dest)
{
	int64_t off = (int64_t)rel->sym->offset + rel->addend;

	if (arch_is_static_call_tramp(rel->sym))
		return true;
	if (arch_reloc_is_pc32(rel->type))
		off = arch_dest_reloc_offset(off);
	*dest = rel->sym->sec && off >= 0 ? cfg_find(cfg, rel->sym->sec, (uint64_t)off) : NULL;
	if (!*dest || (*dest)->kind == INSN_ENDBR)
		return true;
	if (cfg->opts.kernel->ibt_same_parent) {
		if ((*dest)->func && insn->func &&
		    parent(cfg, (*dest)->func) == parent(cfg, insn->func))
			return true;
	} else if ((*dest)->func && (*dest)->func == insn->func) {
		return true;
	}
	if (noendbr_has(set, *dest))
		return true;
	return cfg->opts.kernel->ibt_range_end && ends_marked_range(cfg, set, *dest);
}

static int check_code(struct cfg *cfg, struct findings *fs, const struct noendbr_set *set,
		      const struct code_section *cs)
{
	struct cfg_insn_rels it = { .cs = cs };
	const struct instr *insn;
	const struct objrel *rel;
	int warnings = 0;
	char where[256];

	if (objf_sec_rels(cs->sec, cfg->err))
		return -1;
	while ((rel = cfg_next_insn_rel(&it, &insn))) {
		const struct instr *dest = NULL;

		if (cfg_insn_takes_no_address(insn) || code_target_ok(cfg, set, insn, rel, &dest))
			continue;
		objf_format_warn_loc(where, sizeof(where), dest->sec, dest->offset);
		validate_warn_at(cfg, fs, insn, "ibt", "relocation to !ENDBR: %s", where);
		warnings++;
	}
	return warnings;
}

static int check_data(struct cfg *cfg, struct findings *fs, const struct noendbr_set *set,
		      struct objsec *sec)
{
	int warnings = 0;
	char where[256];

	if (objf_sec_rels(sec, cfg->err)) {
		return -1;
	}
	for (size_t r = 0; r < sec->nr_rels; r++) {
		const struct objrel *rel = &sec->rels[r];
		int64_t off = (int64_t)rel->sym->offset + rel->addend;
		const struct instr *dest = rel->sym->sec && off >= 0 ?
			cfg_find(cfg, rel->sym->sec, (uint64_t)off) : NULL;

		if (!dest || dest->kind == INSN_ENDBR || noendbr_has(set, dest))
			continue;
		objf_format_warn_loc(where, sizeof(where), dest->sec, dest->offset);
		findings_add(fs, "ibt", sec, rel->offset, "data relocation to !ENDBR: %s", where);
		warnings++;
	}
	return warnings;
}

/*
 * Both references check this while reading the hints, so its warnings come
 * first; they are not counted among those that turn the unreachable-code
 * check off.  Returns how many there were, or -1 with cfg->err set.
 */
int validate_ibt_hints(struct cfg *cfg, struct findings *fs)
{
	struct noendbr_set set = { 0 };
	int warnings = 0;

	if (noendbr_read(cfg, &set)) {
		free(set.insns);
		return -1;
	}
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		const struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			const struct instr *insn = &cs->insns[i];
			const struct objsym *sym;

			if (!(insn->flags & IF_HINT_IRET) || insn->kind == INSN_ENDBR ||
			    noendbr_has(&set, insn))
				continue;
			sym = cfg_symbol_starting_at(insn->sec, insn->offset);
			if (!sym || sym->bind != STB_GLOBAL)
				continue;
			validate_warn_at(cfg, fs, insn, "ibt", "UNWIND_HINT_IRET_REGS without ENDBR");
			warnings++;
		}
	}
	free(set.insns);
	return warnings;
}

int validate_ibt(struct cfg *cfg, struct findings *fs)
{
	struct noendbr_set set = { 0 };
	int warnings = 0;

	if (noendbr_read(cfg, &set)) {
		free(set.insns);
		return -1;
	}
	for (size_t s = 1; s < cfg->file->nr_secs && warnings >= 0; s++) {
		int r = cfg->csecs[s].nr ? check_code(cfg, fs, &set, &cfg->csecs[s]) : 0;

		warnings = r < 0 ? -1 : warnings + r;
	}
	for (size_t s = 1; s < cfg->file->nr_secs && warnings >= 0; s++) {
		struct objsec *sec = &cfg->file->secs[s];
		int r = 0;

		if (!sec->is_exec && sec->rela && !kernel_ibt_metadata_section(sec->name))
			r = check_data(cfg, fs, &set, sec);
		warnings = r < 0 ? -1 : warnings + r;
	}
	free(set.insns);
	return warnings;
}
