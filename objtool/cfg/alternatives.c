// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime patching and other metadata as extra CFG branches:
 *  - .altinstructions: each replacement is a path that runs in place of the
 *    original range, continuing after it (through NOP padding when the
 *    replacement is shorter).  The sides of one site share a per-byte state
 *    array so that reconciliation and ORC can work by offset.
 *  - __jump_table: a static branch's NOP may become a jump and back.
 *  - __ex_table: a faulting instruction may continue at its fixup.
 * Branches are attached to the original instruction in the reference's
 * order: alternatives, then jump labels, then exception fixups.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "cfg_priv.h"

#define FEATURE_POPCNT (4 * 32 + 23)
#define FEATURE_SMAP   (9 * 32 + 20)

static int add_branch(struct cfg *cfg, struct instr *orig, struct instr *first,
		      bool skip_orig, const struct alt_entry *entry)
{
	struct instr_extra *x = cfg_extra(cfg, orig);
	struct alt_branch *b = x ? ao_calloc(cfg->err, 1, sizeof(*b)) : NULL, **tail;

	if (!b)
		return -1;
	b->first = first;
	b->skip_orig = skip_orig;
	b->entry = entry;
	tail = &x->alts;
	/* the order the walks take them in, which decides what they report first */
	if (!cfg->opts.kernel->alternatives_last_first)
		while (*tail)
			tail = &(*tail)->next;
	b->next = *tail;
	*tail = b;
	return 0;
}

struct instr *cfg_validate_next(const struct instr *insn)
{
	const struct alt_group *g = cfg_alt_group(insn);

	if (g && g->orig_group) {
		if (g->nop && insn == g->last)
			return g->nop;
		if (insn == g->nop || (!g->nop && insn == g->last))
			return cfg_insn_next(g->orig_group->last);
	}
	return cfg_insn_next(insn);
}

/*
 * Groups are referenced from many instructions and, for original sides,
 * from several replacement groups: cfg->groups owns them all so that
 * cfg_free() frees each once (see free_groups() in cfg.c).
 */
static struct alt_group *new_group(struct cfg *cfg)
{
	struct alt_group *g;

	if (AO_GROW(cfg->err, cfg->groups, cfg->cap_groups, cfg->nr_groups + 1, 64))
		return NULL;
	g = ao_calloc(cfg->err, 1, sizeof(*g));
	if (g)
		cfg->groups[cfg->nr_groups++] = g;
	return g;
}

static struct alt_group *new_orig_group(struct cfg *cfg, struct instr *orig, uint32_t len)
{
	struct alt_group *g = new_group(cfg);

	if (!g)
		return NULL;
	g->states = ao_calloc(cfg->err, len, sizeof(*g->states));
	if (!g->states)
		return NULL;   /* g is freed with the others by cfg_free() */
	g->len = len;
	g->first = orig;
	for (struct instr *i = orig; i && i->offset < orig->offset + len; i = cfg_insn_next(i)) {
		if (!cfg_extra(cfg, i))
			return NULL;
		i->x->alt_group = g;
		g->last = i;
	}
	return g;
}

static struct instr *make_padding(struct cfg *cfg, const struct alt_entry *e, struct instr *orig,
				  struct alt_group *g)
{
	struct instr *nop = ao_calloc(cfg->err, 1, sizeof(*nop));

	if (!nop)
		return NULL;
	nop->sec = e->repl_sec ? e->repl_sec : orig->sec;
	nop->offset = e->repl_off + e->repl_len;
	nop->len = (uint8_t)(e->orig_len - e->repl_len);
	nop->kind = INSN_NOP;
	nop->func = orig->func;
	if (!cfg_extra(cfg, nop)) {
		free(nop);
		return NULL;
	}
	nop->x->alt_group = g;
	nop->flags = IF_FAKE_NOP | ((orig->flags & IF_IGNORE_ALTS) ? IF_IGNORE : 0);
	return nop;
}

/* Mark the replacement's instructions; a jump to its end goes after the original. */
static int claim_replacement(struct cfg *cfg, const struct alt_entry *e, struct instr *orig,
			     struct alt_group *g)
{
	struct instr *i = cfg_find(cfg, e->repl_sec, e->repl_off);

	if (!i)
		return objf_fail(cfg->file, cfg->err, e->repl_sec, e->repl_off,
				 "special: can't find new instruction");
	g->first = i;
	for (; i && i->offset < e->repl_off + e->repl_len; i = cfg_insn_next(i)) {
		g->last = i;
		i->func = orig->func;
		if (!cfg_extra(cfg, i))
			return -1;
		i->x->alt_group = g;
		if (orig->flags & IF_IGNORE_ALTS)
			i->flags |= IF_IGNORE;
		if ((i->kind == INSN_JUMP || i->kind == INSN_JUMP_COND) && cfg_disp(i) &&
		    i->offset + i->len + (uint64_t)cfg_disp(i) == e->repl_off + e->repl_len) {
			struct instr *to = cfg_insn_next(g->orig_group->last);

			if (!to)
				return cfg_fail(cfg, i->sec, i->offset, "can't find alternative jump destination");
			if (!cfg_extra(cfg, i))
				return -1;
			i->x->jump_dest = to;
		}
	}
	return 0;
}

static int add_group_alt(struct cfg *cfg, const struct alt_entry *e, struct instr *orig,
			 uint32_t orig_len)
{
	struct alt_group *og = cfg_alt_group(orig), *ng;
	bool skip_orig = false;

	if (!og || !cfg->opts.kernel->nested_alternatives || og->first != orig)
		og = new_orig_group(cfg, orig, orig_len);
	if (!og)
		return -1;
	ng = new_group(cfg);
	if (!ng)
		return -1;
	ng->orig_group = og;
	ng->states = og->states;
	ng->len = og->len;
	ng->entry = e;
	if (e->repl_len < orig_len) {
		ng->nop = make_padding(cfg, e, orig, ng);
		if (!ng->nop)
			return -1;
	}
	if (e->repl_len && claim_replacement(cfg, e, orig, ng))
		return -1;
	if (!e->repl_len)
		ng->first = ng->nop;

	if (e->feature == FEATURE_SMAP) {
		if (cfg->opts.uaccess)
			skip_orig = true;
		else
			orig->flags |= IF_IGNORE_ALTS;
	} else if (e->feature == FEATURE_POPCNT) {
		skip_orig = true;
	}
	return add_branch(cfg, orig, ng->first, skip_orig, e);
}

/* 6.10+ nesting: entries over one site take the longest original length. */
static uint32_t site_len(const struct cfg *cfg, size_t idx)
{
	const struct alt_table *t = &cfg->alts;
	const struct alt_entry *e = &t->entries[idx];
	uint32_t len = e->orig_len;

	if (!cfg->opts.kernel->nested_alternatives)
		return len;
	for (size_t j = idx; j-- > 0 && t->entries[j].orig_sec == e->orig_sec &&
			     t->entries[j].orig_off == e->orig_off;)
		len = len > t->entries[j].orig_len ? len : t->entries[j].orig_len;
	for (size_t j = idx + 1; j < t->nr && t->entries[j].orig_sec == e->orig_sec &&
				 t->entries[j].orig_off == e->orig_off; j++)
		len = len > t->entries[j].orig_len ? len : t->entries[j].orig_len;
	return len;
}

static int add_alternatives(struct cfg *cfg)
{
	for (size_t k = 0; k < cfg->alts.nr; k++) {
		const struct alt_entry *e = &cfg->alts.entries[k];
		struct instr *orig = cfg_find(cfg, e->orig_sec, e->orig_off);
		uint32_t len = site_len(cfg, k);

		if (!orig)
			return objf_fail(cfg->file, cfg->err, e->orig_sec, e->orig_off,
					 "special: can't find orig instruction");
		if (!len)
			continue;   /* the reference warns "empty alternative entry" and skips it */
		if (e->repl_len && !e->repl_sec)
			return objf_fail(cfg->file, cfg->err, e->orig_sec, e->orig_off,
					 "alternative without replacement section");
		if (add_group_alt(cfg, e, orig, len))
			return -1;
	}
	return 0;
}

int alt_site_group(struct cfg *cfg, struct instr *orig, uint32_t len, struct alt_group **out)
{
	struct alt_group *g = cfg_alt_group(orig);

	*out = NULL;
	if (g && (g->orig_group || g->first != orig))
		return 0;   /* inside another site or a replacement */
	if (!g)
		g = new_orig_group(cfg, orig, len);
	if (!g)
		return -1;
	*out = g;
	return 0;
}

struct alt_group *alt_new_side(struct cfg *cfg, struct alt_group *og)
{
	struct alt_group *ng = new_group(cfg);

	if (!ng)
		return NULL;
	ng->orig_group = og;
	ng->states = og->states;
	ng->len = og->len;
	return ng;
}

int alt_add_branch(struct cfg *cfg, struct instr *orig, struct instr *first)
{
	return add_branch(cfg, orig, first, false, NULL);
}

static int add_jump_labels(struct cfg *cfg, struct jump_label_table *jl)
{
	for (size_t k = 0; k < jl->nr; k++) {
		const struct jump_label *j = &jl->entries[k];
		struct instr *orig = cfg_find(cfg, j->code_sec, j->code_off);
		struct instr *target = cfg_find(cfg, j->target_sec, j->target_off);

		if (!orig)
			return objf_fail(cfg->file, cfg->err, j->code_sec, j->code_off,
					 "special: can't find orig instruction");
		if (!target)
			return objf_fail(cfg->file, cfg->err, j->target_sec, j->target_off,
					 "special: can't find new instruction");
		if (orig->kind != INSN_JUMP && orig->kind != INSN_NOP)
			return cfg_fail(cfg, orig->sec, orig->offset, "unsupported instruction at jump label");
		if (cfg->opts.hack_jump_label && (j->key_addend & 2)) {
			/*
			 * Statically-false branch: the build turns its jump into a NOP,
			 * in the model now and in the bytes when sites are written.
			 */
			orig->kind = INSN_NOP;
			if (orig->x)
				orig->x->jump_dest = NULL;
			orig->site_patched = true;
		}
		if (add_branch(cfg, orig, orig->kind == INSN_NOP ? target : cfg_insn_next(orig), false, NULL))
			return -1;
	}
	return 0;
}

static int add_ex_fixups(struct cfg *cfg, struct ex_table *ex)
{
	for (size_t k = 0; k < ex->nr; k++) {
		const struct ex_entry *x = &ex->entries[k];
		struct instr *orig = cfg_find(cfg, x->insn_sec, x->insn_off);
		struct instr *fixup = cfg_find(cfg, x->fixup_sec, x->fixup_off);

		if (!orig)
			return objf_fail(cfg->file, cfg->err, x->insn_sec, x->insn_off,
					 "special: can't find orig instruction");
		if (!fixup)
			return objf_fail(cfg->file, cfg->err, x->fixup_sec, x->fixup_off,
					 "special: can't find new instruction");
		if (add_branch(cfg, orig, fixup, false, NULL))
			return -1;
	}
	return 0;
}

int cfg_add_alternatives(struct cfg *cfg)
{
	if (special_read_alternatives(cfg->file, cfg->opts.alt_layout, &cfg->alts, cfg->err))
		return -1;
	return add_alternatives(cfg);
}

int cfg_add_patch_branches(struct cfg *cfg)
{
	struct jump_label_table jl = { 0 };
	struct ex_table ex = { 0 };
	int ret = -1;

	if (special_read_jump_labels(cfg->file, &jl, cfg->err))
		return -1;
	if (add_jump_labels(cfg, &jl) || special_read_ex_table(cfg->file, &ex, cfg->err))
		goto out;
	ret = add_ex_fixups(cfg, &ex);
out:
	special_free_jump_labels(&jl);
	special_free_ex_table(&ex);
	return ret;
}
