// SPDX-License-Identifier: GPL-2.0
/*
 * The CFG as a data structure: lookups by address and by function, the
 * per-function table, error recording and freeing.  Every pass and every
 * later stage uses these; the passes themselves are run by build.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch_decode.h"
#include "cfg_priv.h"

/* From index i on, the first instruction at or after off (cs->nr: none). */
static size_t scan_to(const struct code_section *cs, size_t i, uint64_t off)
{
	while (i < cs->nr && cs->insns[i].offset < off)
		i++;
	return i;
}

size_t cfg_lower_bound(const struct code_section *cs, uint64_t off)
{
	size_t lo = 0, hi = cs->nr;

	if ((off >> CFG_BLOCK_SHIFT) < cs->nr_blocks)
		return scan_to(cs, cs->block_first[off >> CFG_BLOCK_SHIFT], off);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->insns[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct instr *cfg_find(const struct cfg *cfg, const struct objsec *sec, uint64_t off)
{
	const struct code_section *cs;
	size_t i;

	if (!sec || sec->index >= cfg->file->nr_secs)
		return NULL;
	cs = &cfg->csecs[sec->index];
	i = cfg_lower_bound(cs, off);
	return i < cs->nr && cs->insns[i].offset == off ? &cs->insns[i] : NULL;
}

const struct objsym *cfg_symbol_starting_at(const struct objsec *sec, uint64_t off)
{
	for (size_t i = 0; i < sec->nr_syms; i++)
		/* both references keep symbols of no size out of the tree they search */
		if (sec->syms[i]->type != STT_SECTION && sec->syms[i]->size &&
		    sec->syms[i]->offset == off)
			return sec->syms[i];
	return NULL;
}

struct instr *cfg_first_in_func(const struct cfg *cfg, const struct objsym *func)
{
	return func->sec ? cfg_find(cfg, func->sec, func->offset) : NULL;
}

/* The next instruction of func, continuing into its .cold part. */
struct instr *cfg_next_same_func(const struct cfg *cfg, const struct instr *insn)
{
	const struct objsym *func = insn->func;
	const struct func_info *fi;

	if (!func)
		return NULL;
	if (insn->has_next && insn[1].func == func)
		return (struct instr *)insn + 1;
	fi = &cfg->finfo[func->index];
	if (fi->cfunc == func || !fi->cfunc)
		return NULL;
	return cfg_first_in_func(cfg, fi->cfunc);
}

struct instr *cfg_group_next(const struct alt_group *g, const struct instr *i)
{
	if (i == g->nop)
		return NULL;
	if (i == g->last)
		return g->nop;
	return cfg_insn_next(i);
}

bool cfg_ends_flow(const struct instr *i)
{
	switch (i->kind) {
	case INSN_JUMP:
	case INSN_JUMP_INDIRECT:
	case INSN_RETURN:
	case INSN_CONTEXT_SWITCH:
	case INSN_TRAP:
		return true;
	default:
		return (i->flags & IF_DEAD_END) != 0;
	}
}

bool cfg_insn_takes_no_address(const struct instr *i)
{
	switch (i->kind) {
	case INSN_CALL:
	case INSN_CALL_INDIRECT:
	case INSN_JUMP:
	case INSN_JUMP_COND:
	case INSN_JUMP_INDIRECT:
	case INSN_JUMP_INDIRECT_COND:
	case INSN_RETURN:
	case INSN_NOP:
		return true;
	default:
		return false;
	}
}

/*
 * The index of the first instruction after offset off, for offsets that
 * never decrease (the relocations are sorted): a walk from where the last
 * call stopped or the start of off's block, whichever is later.  it->i
 * keeps the position.
 */
static size_t insn_after(struct cfg_insn_rels *it, uint64_t off)
{
	const struct code_section *cs = it->cs;
	uint64_t next = off + 1;
	size_t b = next >> CFG_BLOCK_SHIFT;

	if (b >= cs->nr_blocks)
		return it->i = cfg_lower_bound(cs, next);
	return it->i = scan_to(cs, cs->block_first[b] > it->i ? cs->block_first[b] : it->i, next);
}

const struct objrel *cfg_next_insn_rel(struct cfg_insn_rels *it, const struct instr **insn)
{
	const struct objsec *sec = it->cs->sec;

	/* relocation by relocation: code has far fewer of them than instructions */
	for (; it->r < sec->nr_rels; it->r++) {
		const struct objrel *rel = &sec->rels[it->r];
		size_t i = insn_after(it, rel->offset);
		const struct instr *in = i ? &it->cs->insns[i - 1] : NULL;

		if (in && rel->offset < in->offset + in->len) {
			*insn = in;
			it->r++;
			return rel;
		}
	}
	return NULL;
}

struct func_info *cfg_finfo(const struct cfg *cfg, const struct objsym *sym)
{
	return &cfg->finfo[sym->index];
}

int cfg_fail(struct cfg *cfg, const struct objsec *sec, uint64_t off, const char *fmt, ...)
{
	char loc[256], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	objf_format_loc(loc, sizeof(loc), (struct objsec *)sec, off);
	return ao_fail(cfg->err, AO_ERR_ANALYSIS, "%s: %s: %s", cfg->file->path, loc, msg);
}

int cfg_stop(struct cfg *cfg, const char *kind, struct objsec *sec, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cfg->stop.text, sizeof(cfg->stop.text), fmt, ap);
	va_end(ap);
	cfg_fail(cfg, sec, off, "%s", cfg->stop.text);
	cfg->err->status = AO_ERR_STOPPED;
	cfg->stop.kind = kind;
	cfg->stop.sec = sec;
	cfg->stop.offset = off;
	cfg->stop.message = cfg->stop.text;
	return -1;
}

/*
 * struct instr_extra comes from chunks: one allocation per EXTRA_CHUNK
 * instructions that need one, and their addresses stay put.
 */
#define EXTRA_CHUNK 4096

struct extra_chunk {
	struct extra_chunk *next;
	size_t nr;
	struct instr_extra e[EXTRA_CHUNK];
};

struct instr_extra *cfg_extra(struct cfg *cfg, struct instr *insn)
{
	struct extra_chunk *c = cfg->extras;

	if (insn->x)
		return insn->x;
	if (!c || c->nr == EXTRA_CHUNK) {
		c = ao_calloc(cfg->err, 1, sizeof(*c));
		if (!c)
			return NULL;
		c->next = cfg->extras;
		cfg->extras = c;
	}
	insn->x = &c->e[c->nr++];
	return insn->x;
}

/* Every instruction's alternative branches, and the extras that held them. */
static void free_extras(struct cfg *cfg)
{
	while (cfg->extras) {
		struct extra_chunk *c = cfg->extras;

		for (size_t i = 0; i < c->nr; i++) {
			struct alt_branch *b = c->e[i].alts;

			while (b) {
				struct alt_branch *next = b->next;
				free(b);
				b = next;
			}
		}
		cfg->extras = c->next;
		free(c);
	}
}

/*
 * Every group is in cfg->groups (cfg/alternatives.c).  A replacement side
 * owns its padding NOP; the original side owns the state array that its
 * replacement sides share.
 */
static void free_groups(struct cfg *cfg)
{
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		struct alt_group *g = cfg->groups[k];

		if (g->orig_group)
			free(g->nop);
		else
			free((void *)g->states);
		free(g);
	}
	free(cfg->groups);
	cfg->groups = NULL;
	cfg->nr_groups = cfg->cap_groups = 0;
}

void cfg_free(struct cfg *cfg)
{
	if (!cfg->file)
		return;
	free_groups(cfg);
	if (cfg->csecs) {
		for (size_t s = 0; s < cfg->file->nr_secs; s++) {
			free(cfg->csecs[s].insns);
			free(cfg->csecs[s].block_first);
		}
	}
	free(cfg->csecs);
	free_extras(cfg);
	free(cfg->jtabs);
	free(cfg->ops);
	free(cfg->finfo);
	stack_pool_free(cfg->states);
	arch_decoder_free(cfg->decoder);
	special_free_alternatives(&cfg->alts);
	special_free_paravirt(&cfg->pv);   /* read by --paravirt-native */
	cfg->file = NULL;
}
