// SPDX-License-Identifier: GPL-2.0
/*
 * --noinstr: code in the sections that must not be instrumented (entry
 * code, .noinstr.text ...) may only call code in those sections, unless an
 * instrumentation_begin() mark allows it (the walk keeps that count,
 * validate/walk.c).  This file answers "may it call this callee?", with
 * the reference's exceptions, and learns what a paravirt slot can call:
 * the functions the pv_ops tables (and the Xen ones laid over them) hold,
 * and those .init.text stores into a slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "arch.h"
#include "validate_priv.h"

/* The last symbol of that name in the table, which the reference's name hash finds first. */
static struct objsym *last_named(struct objfile *f, const char *name)
{
	struct objsym *s = objf_sym_by_name(f, name), *last = NULL;

	for (; s; s = objf_sym_next_same_name(f, s))
		last = s;
	return last;
}

/* Functions the kernel patches into native code: never called through the slot. */
static bool patched_away(const struct objsym *s)
{
	return !strcmp(s->name, "_paravirt_nop") || !strcmp(s->name, "_paravirt_ident_64");
}

static int add_target(struct cfg *cfg, struct noinstr_pv *pv, size_t idx, const struct objsym *func)
{
	struct noinstr_slot *slot;

	if (!func || patched_away(func) || pv->seen[func->index])
		return 0;
	if (idx >= pv->nr)
		return 0;   /* past pv_ops: the reference would write out of bounds */
	slot = &pv->slots[idx];
	if (AO_GROW(cfg->err, slot->targets, slot->cap, slot->nr + 1, 4))
		return -1;
	slot->targets[slot->nr++] = func;
	slot->clean = false;
	pv->seen[func->index] = true;
	return 0;
}

/* What a relocation points at, by function: a section symbol is resolved to its symbol. */
static const struct objsym *rel_func(const struct objrel *rel)
{
	if (rel->sym->type != STT_SECTION)
		return rel->sym;
	if (!rel->sym->sec || rel->addend < 0)
		return NULL;
	return cfg_symbol_starting_at(rel->sym->sec, (uint64_t)rel->addend);
}

/* Every function pointer of the table named name, filed by its slot. */
static int read_table(struct cfg *cfg, struct noinstr_pv *pv, const char *name)
{
	struct objsym *t = last_named(cfg->file, name);
	struct objsec *sec = t ? t->sec : NULL;

	if (!sec || !sec->rela)
		return 0;
	if (objf_sec_rels(sec, cfg->err))
		return -1;
	for (const struct objrel *rel = objf_rel_in(sec, t->offset, t->offset + t->size);
	     rel && rel < sec->rels + sec->nr_rels && rel->offset < t->offset + t->size; rel++)
		if (add_target(cfg, pv, (rel->offset - t->offset) / 8, rel_func(rel)))
			return -1;
	return 0;
}

/* 'movq $func, pv_ops+N(%rip)' in .init.text files func under slot N. */
static int read_init_store(struct cfg *cfg, struct noinstr_pv *pv, const struct instr *insn)
{
	const struct objrel *slot, *func;
	unsigned disp, imm;
	const struct objsym *f;

	if (!arch_is_store_imm32(insn->sec->data + insn->offset, insn->len, &disp, &imm))
		return 0;
	slot = objf_rel_at(insn->sec, insn->offset + disp);
	if (!slot || !slot->sym->name || strcmp(slot->sym->name, "pv_ops"))
		return 0;
	func = objf_rel_at(insn->sec, insn->offset + imm);
	f = func ? rel_func(func) : NULL;
	if (!f)
		return cfg_stop(cfg, "internal", NULL, 0, "no func for pv_ops[]");
	return add_target(cfg, pv, (size_t)(slot->addend + 8) / 8, f);
}

static int read_init_stores(struct cfg *cfg, struct noinstr_pv *pv)
{
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		const struct code_section *cs = &cfg->csecs[s];

		if (!cs->nr || strncmp(cs->sec->name, ".init.text", 10) || !cs->sec->data)
			continue;
		for (size_t i = 0; i < cs->nr; i++)
			if (read_init_store(cfg, pv, &cs->insns[i]))
				return -1;
	}
	return 0;
}

int noinstr_pv_read(struct cfg *cfg, struct noinstr_pv *pv)
{
	static const char *const tables[] = { "pv_ops", "xen_cpu_ops", "xen_irq_ops", "xen_mmu_ops" };
	struct objsym *ops = last_named(cfg->file, "pv_ops");

	memset(pv, 0, sizeof(*pv));
	if (!ops)
		return 0;
	pv->present = true;
	pv->nr = ops->size / 8;
	pv->slots = ao_calloc(cfg->err, pv->nr ? pv->nr : 1, sizeof(*pv->slots));
	pv->seen = ao_calloc(cfg->err, cfg->file->nr_syms ? cfg->file->nr_syms : 1, sizeof(*pv->seen));
	if (!pv->slots || !pv->seen)
		return -1;
	/* The tables first, then the stores, as the reference finds them (decoding comes later). */
	for (size_t i = 0; i < sizeof(tables) / sizeof(*tables); i++)
		if (read_table(cfg, pv, tables[i]))
			return -1;
	return read_init_stores(cfg, pv);
}

void noinstr_pv_free(struct noinstr_pv *pv)
{
	for (size_t i = 0; i < pv->nr && pv->slots; i++)
		free(pv->slots[i].targets);
	free(pv->slots);
	free(pv->seen);
	memset(pv, 0, sizeof(*pv));
}

/*
 * An indirect call through pv_ops: clean when every target of its slot is
 * noinstr.  A slot found clean stays so; one that is not is reported again,
 * target by target (the most recently found first), each time it is asked.
 */
static bool pv_slot_ok(struct cfg *cfg, struct noinstr_pv *pv, struct findings *fs, struct instr *insn)
{
	const struct objrel *rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	struct noinstr_slot *slot;
	size_t idx;

	insn->flags |= IF_RELOC_READ;
	if (!rel || !rel->sym->name || strcmp(rel->sym->name, "pv_ops"))
		return false;
	idx = (size_t)(rel->addend + 4) / 8;
	if (idx >= pv->nr)
		return false;
	slot = &pv->slots[idx];
	if (slot->clean)
		return true;
	slot->clean = true;
	for (size_t i = slot->nr; i-- > 0;) {
		const struct objsym *t = slot->targets[i];

		if (t->sec && kernel_noinstr_section(cfg->opts.kernel, t->sec->name))
			continue;
		findings_add(fs, "noinstr", NULL, 0, "pv_ops[%zu]: %s", idx, t->name);
		slot->clean = false;
	}
	return slot->clean;
}

bool noinstr_callee_ok(struct cfg *cfg, struct noinstr_pv *pv, struct findings *fs,
		       struct instr *insn)
{
	const struct objsym *dest = cfg_call_dest(insn);

	/* Other indirect calls cannot be followed: assume the worst. */
	if (!dest)
		return pv->present && pv_slot_ok(cfg, pv, fs, insn);
	if (dest->sec && kernel_noinstr_section(cfg->opts.kernel, dest->sec->name))
		return true;
	if (cfg->opts.kernel->noinstr_trusts_static_calls && arch_is_static_call_tramp(dest))
		return true;
	/* UBSAN reports, like WARN(), only run once something went wrong: let them out. */
	return !strncmp(dest->name, "__ubsan_handle_", 15);
}

const char *validate_call_dest_name(const struct cfg *cfg, const struct instr *insn, char *buf,
				    size_t size)
{
	const struct objrel *rel;

	if (cfg_call_dest(insn))
		return cfg_call_dest(insn)->name;
	/* 6.1 remembers relocations it has read: replacements' and those --noinstr looked at. */
	if (!cfg->opts.kernel->call_names_pv_slot ||
	    (!(insn->flags & IF_RELOC_READ) && strcmp(insn->sec->name, ".altinstr_replacement")))
		return "{dynamic}";
	rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	if (rel && rel->sym->name && !strcmp(rel->sym->name, "pv_ops")) {
		snprintf(buf, size, "pv_ops[%d]", (int)((uint64_t)rel->addend / sizeof(void *)));
		return buf;
	}
	return "{dynamic}";
}
