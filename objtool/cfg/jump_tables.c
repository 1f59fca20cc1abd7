// SPDX-License-Identifier: GPL-2.0
/*
 * Switch jump tables: an indirect jump inside a function that goes through
 * a table of code addresses in read-only data is a multi-way branch of that
 * function, not a tail call.  Each table entry becomes an extra branch of the
 * jump (an alt_branch with jtab set), so validation follows every case.
 *
 * Discovery follows what the reference objtools do, quirks included, since
 * which cases get a stack state decides the ORC:
 *  - A table is named by a relocation to an anonymous offset of a .rodata*
 *    section (not .str1.; 6.12 also .data.rel.ro*) that has a relocation of
 *    its own there.  Named data only counts in the C jump-table section
 *    (computed gotos annotated by the kernel, e.g. the BPF interpreter).
 *  - The relocation is looked for on the jump itself (gcc: jmp *T(,%r,8)),
 *    else on the instructions before it (clang, and gcc's mov $T,%r), walking
 *    back through the function; a forward jump's target steps back to the
 *    jump's source, skipping the code between.  The walk stops at another
 *    indirect jump or an unconditional jump that leaves the range.  The first
 *    entry must point into the same function.
 *  - Entries are 8 bytes apart (one relocation each, the addend being the
 *    target's section offset).  A table ends at the next table (6.1: any table
 *    found so far; 6.12: the next one of this function), at a gap, at an entry
 *    that points to the function's start or outside the function.  6.12 skips
 *    entries that point just past the function's end (clang leaves them).
 *  - A table reached PC-relatively (a rare gcc quirk that leaves dead code)
 *    turns off unreachable-code reports for the whole object.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "arch/elf.h"
#include "cfg_priv.h"

/*
 * The first forward jump to an instruction, for the backward search.  Only
 * instructions a search can visit are kept: those of a function whose
 * parent (pfunc) holds an indirect jump.  A whole kernel has one or two
 * tables in four million instructions; an array per code section was
 * 34 MB of zeroed memory (16,000 page faults) for them.
 */
struct fjs_map {
	const struct instr **key;
	struct instr **val;
	size_t cap, nr;             /* cap: a power of two, or 0 */
};

struct jt_ctx {
	struct cfg *cfg;
	bool *searched;             /* per symbol index: a pfunc with an indirect jump */
	struct fjs_map fjs;
	bool **starts;              /* 6.1, per section: relocations that start a table */
};

/* Sections that may hold tables, as the reference marks them. */
static bool sec_is_rodata(const struct cfg *cfg, const struct objsec *sec)
{
	if (!strncmp(sec->name, ".rodata", 7) && !strstr(sec->name, ".str1."))
		return true;
	return cfg->opts.kernel->jump_tables_in_data_rel_ro && !strncmp(sec->name, ".data.rel.ro", 12);
}

/*
 * A symbol other than a section symbol whose [start, start + size - 1]
 * holds off.  The end is computed as the reference's interval tree does,
 * so a size-0 symbol at offset 0 covers the whole section.
 */
static bool named_data_at(const struct objsec *sec, uint64_t off)
{
	for (size_t i = 0; i < sec->nr_syms; i++) {
		const struct objsym *s = sec->syms[i];

		if (s->offset > off)
			break;
		if (s->type != STT_SECTION && s->offset + s->size - 1 >= off)
			return true;
	}
	return false;
}

static struct objsym *pfunc_of(const struct cfg *cfg, const struct objsym *func)
{
	return func ? cfg->finfo[func->index].pfunc : NULL;
}

static size_t fjs_hash(const struct fjs_map *m, const struct instr *insn)
{
	return (size_t)(((uintptr_t)insn / sizeof(*insn)) * 0x9e3779b97f4a7c15ull) & (m->cap - 1);
}

/* The first forward jump recorded to insn, or NULL. */
static struct instr *fjs_get(const struct jt_ctx *c, const struct instr *insn)
{
	const struct fjs_map *m = &c->fjs;

	if (!m->cap)
		return NULL;
	for (size_t h = fjs_hash(m, insn);; h = (h + 1) & (m->cap - 1)) {
		if (m->key[h] == insn)
			return m->val[h];
		if (!m->key[h])
			return NULL;
	}
}

static int fjs_grow(struct jt_ctx *c)
{
	struct fjs_map old = c->fjs, *m = &c->fjs;

	m->cap = old.cap ? 2 * old.cap : 1024;
	m->key = ao_calloc(c->cfg->err, m->cap, sizeof(*m->key));
	m->val = ao_calloc(c->cfg->err, m->cap, sizeof(*m->val));
	if (!m->key || !m->val) {
		free(m->key);
		free(m->val);
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.key[i]) {
			size_t h = fjs_hash(m, old.key[i]);

			while (m->key[h])
				h = (h + 1) & (m->cap - 1);
			m->key[h] = old.key[i];
			m->val[h] = old.val[i];
		}
	free(old.key);
	free(old.val);
	return 0;
}

/* Record jump as the first forward jump to dest, unless one is, or no search visits dest. */
static int fjs_note(struct jt_ctx *c, const struct instr *dest, struct instr *jump)
{
	struct fjs_map *m = &c->fjs;
	const struct objsym *pf = pfunc_of(c->cfg, dest->func);
	size_t h;

	if (!pf || !c->searched[pf->index])
		return 0;
	if (2 * (m->nr + 1) > m->cap && fjs_grow(c))
		return -1;
	for (h = fjs_hash(m, dest); m->key[h]; h = (h + 1) & (m->cap - 1))
		if (m->key[h] == dest)
			return 0;
	m->key[h] = dest;
	m->val[h] = jump;
	m->nr++;
	return 0;
}

/* The previous instruction of the same section and symbol, or NULL. */
static struct instr *prev_same_sym(const struct cfg *cfg, struct instr *insn)
{
	const struct code_section *cs = &cfg->csecs[insn->sec->index];

	if (insn == cs->insns || insn[-1].func != insn->func)
		return NULL;
	return insn - 1;
}

/* A table: its section and the relocation of its first entry. */
struct jt_ref {
	struct objsec *sec;
	const struct objrel *rel;
};

/*
 * The table an instruction refers to, if it looks like a table reference
 * (see the header).  Returns 1 with *t set, 0 when none, -1 on a bad input.
 */
static int table_ref(struct jt_ctx *c, const struct instr *insn, struct jt_ref *t)
{
	const struct objrel *rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	struct objsec *tsec;
	uint64_t off;

	if (!rel || rel->sym->type != STT_SECTION || !rel->sym->sec ||
	    !sec_is_rodata(c->cfg, rel->sym->sec))
		return 0;
	tsec = rel->sym->sec;
	off = (uint64_t)rel->addend + (rel->type == ARCH_RELOC_PC32 ? 4 : 0);
	if (named_data_at(tsec, off) && strcmp(tsec->name, c->cfg->opts.kernel->c_jump_table_section))
		return 0;
	if (objf_sec_rels(tsec, c->cfg->err))
		return -1;
	t->sec = tsec;
	t->rel = objf_rel_at(tsec, off);
	if (!t->rel)
		return 0;
	if (rel->type == ARCH_RELOC_PC32)
		c->cfg->ignore_unreachables = true;
	return 1;
}

/* The instruction a table entry names: its symbol's section at the addend. */
static struct instr *entry_dest(const struct cfg *cfg, const struct objrel *r)
{
	return r->addend >= 0 ? cfg_find(cfg, r->sym->sec, (uint64_t)r->addend) : NULL;
}

/* The table of the indirect jump orig in func, found backwards from it: 1, 0 or -1. */
static int find_table(struct jt_ctx *c, struct objsym *func, struct instr *orig, struct jt_ref *t)
{
	struct cfg *cfg = c->cfg;

	for (struct instr *i = orig; i && i->func && pfunc_of(cfg, i->func) == func;) {
		struct instr *dest, *back;
		int r;

		if (i != orig && i->kind == INSN_JUMP_INDIRECT)
			break;
		if (i->kind == INSN_JUMP && cfg_jump_dest(i) &&
		    (cfg_jump_dest(i)->offset <= i->offset || cfg_jump_dest(i)->offset > orig->offset))
			break;
		r = table_ref(c, i, t);
		if (r < 0)
			return -1;
		dest = r ? entry_dest(cfg, t->rel) : NULL;
		if (dest && dest->func && pfunc_of(cfg, dest->func) == func)
			return 1;
		back = fjs_get(c, i);
		i = back ? back : prev_same_sym(cfg, i);
	}
	return 0;
}

/* The jumps of one function that found a table, in the function's order. */
struct jt_jump {
	struct instr *insn;
	struct jt_ref t;
};

struct jt_list {
	struct jt_jump *v;
	size_t nr, cap;
};

static int list_add(struct cfg *cfg, struct jt_list *l, struct instr *insn, const struct jt_ref *t)
{
	if (AO_GROW(cfg->err, l->v, l->cap, l->nr + 1, 8))
		return -1;
	l->v[l->nr++] = (struct jt_jump){ insn, *t };
	return 0;
}

static bool *start_flag(struct jt_ctx *c, const struct jt_ref *t)
{
	bool **slot = &c->starts[t->sec->index];

	if (!*slot)
		*slot = ao_calloc(c->cfg->err, t->sec->nr_rels, sizeof(bool));
	return *slot ? &(*slot)[t->rel - t->sec->rels] : NULL;
}

/*
 * First pass over a function: remember forward jumps for the backward
 * search, and find each indirect jump's table.
 */
static int mark_function(struct jt_ctx *c, struct objsym *func, struct jt_list *l)
{
	struct cfg *cfg = c->cfg;

	for (struct instr *i = cfg_first_in_func(cfg, func); i; i = cfg_next_same_func(cfg, i)) {
		struct jt_ref t;
		int r;

		if (cfg_jump_dest(i) && cfg_jump_dest(i)->offset > i->offset &&
		    fjs_note(c, cfg_jump_dest(i), i))
			return -1;
		if (i->kind != INSN_JUMP_INDIRECT)
			continue;
		r = find_table(c, func, i, &t);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (!cfg->opts.kernel->jump_table_ends_at_next_of_func) {
			bool *flag = start_flag(c, &t);

			if (!flag)
				return -1;
			*flag = true;
		}
		i->flags |= IF_JUMP_TABLE;
		if (list_add(cfg, l, i, &t))
			return -1;
	}
	return 0;
}

static int new_table(struct cfg *cfg, struct instr *jump, const struct jt_ref *t)
{
	if (AO_GROW(cfg->err, cfg->jtabs, cfg->cap_jtabs, cfg->nr_jtabs + 1, 16))
		return -1;
	cfg->jtabs[cfg->nr_jtabs++] = (struct jump_table){
		.jump = jump, .sec = t->sec, .offset = t->rel->offset,
	};
	return 0;
}

/* One entry's branch: appended, or prepended where the rules walk cases first. */
static int add_case(struct cfg *cfg, struct instr *jump, struct instr *dest, uint32_t entry)
{
	struct instr_extra *x = cfg_extra(cfg, jump);
	struct alt_branch *b, **at;

	if (!x || !(b = ao_calloc(cfg->err, 1, sizeof(*b))))
		return -1;
	at = &x->alts;
	b->first = dest;
	b->jtab = (uint32_t)cfg->nr_jtabs;     /* index + 1 of the table just added */
	b->jt_entry = entry;
	if (!cfg->opts.kernel->jump_table_cases_first)
		while (*at)
			at = &(*at)->next;
	b->next = *at;
	*at = b;
	return 0;
}

/* Does relocation r end the table that started at first?  (See the header.) */
static bool table_ends(struct jt_ctx *c, const struct jt_ref *t, const struct objrel *r,
		       const struct objrel *next)
{
	if (r == t->rel)
		return false;
	if (c->cfg->opts.kernel->jump_table_ends_at_next_of_func)
		return r == next;
	return c->starts[t->sec->index][r - t->sec->rels];
}

/*
 * Turn a table's entries into branches of its jump.  next: 6.12, the next
 * table of the function (NULL: none).  An empty table is the reference's
 * fatal "can't find switch jump table".
 */
static int add_table(struct jt_ctx *c, const struct jt_jump *j, const struct objrel *next)
{
	struct cfg *cfg = c->cfg;
	const struct objsym *pf = pfunc_of(cfg, j->insn->func);
	const struct objrel *end = j->t.sec->rels + j->t.sec->nr_rels;
	struct jump_table *jt;
	uint64_t prev = 0;     /* 0: none yet, as the reference counts (quirk at offset 0 kept) */

	if (new_table(cfg, j->insn, &j->t))
		return -1;
	jt = &cfg->jtabs[cfg->nr_jtabs - 1];
	for (const struct objrel *r = j->t.rel; r < end; r++) {
		struct instr *dest;

		if (table_ends(c, &j->t, r, next) || (prev && r->offset != prev + 8))
			break;
		if (r->sym->sec == pf->sec && r->addend == (int64_t)pf->offset)
			break;
		if (cfg->opts.kernel->jump_table_skips_func_end && r->sym->sec == pf->sec &&
		    r->addend == (int64_t)(pf->offset + pf->size)) {
			prev = r->offset;
			jt->nr_entries++;
			continue;
		}
		dest = r->sym->sec ? entry_dest(cfg, r) : NULL;
		if (!dest || !dest->func || pfunc_of(cfg, dest->func) != pf)
			break;
		if (add_case(cfg, j->insn, dest, jt->nr_entries))
			return -1;
		jt->nr_entries++;
		jt->nr_targets++;
		prev = r->offset;
	}
	if (!prev)
		return cfg_stop(cfg, "jump-table", j->insn->sec, j->insn->offset,
				"can't find switch jump table");
	return 0;
}

static int add_tables(struct jt_ctx *c, const struct jt_list *l)
{
	for (size_t k = 0; k < l->nr; k++) {
		const struct objrel *next = k + 1 < l->nr ? l->v[k + 1].t.rel : NULL;

		if (add_table(c, &l->v[k], next))
			return -1;
	}
	return 0;
}

static int do_function(struct jt_ctx *c, struct objsym *func)
{
	struct jt_list l = { 0 };
	int ret;

	if (func->type != STT_FUNC || !func->sec || !cfg_first_in_func(c->cfg, func))
		return 0;
	ret = mark_function(c, func, &l);
	if (!ret)
		ret = add_tables(c, &l);
	free(l.v);
	return ret;
}

/*
 * Functions in the reference's order (both kernels): by section, then by
 * address, as its per-section symbol lists are kept.  The order decides
 * which forward jump a backward search follows and, under 6.1, which table
 * start ends a table.
 */
static int each_function(struct jt_ctx *c)
{
	struct objfile *f = c->cfg->file;

	for (size_t s = 1; s < f->nr_secs; s++)
		for (size_t i = 0; i < f->secs[s].nr_syms; i++)
			if (do_function(c, f->secs[s].syms[i]))
				return -1;
	return 0;
}

/* Worth a look: some table section, and an indirect jump inside a function. */
static bool may_have_tables(const struct cfg *cfg)
{
	bool rodata = false;

	for (size_t s = 1; s < cfg->file->nr_secs && !rodata; s++)
		rodata = sec_is_rodata(cfg, &cfg->file->secs[s]);
	return rodata;
}

/* Mark the parents of functions with an indirect jump: where searches run.  Any? */
static bool mark_searched(struct jt_ctx *c)
{
	const struct cfg *cfg = c->cfg;
	bool any = false;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		const struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			const struct objsym *pf;

			if (cs->insns[i].kind != INSN_JUMP_INDIRECT || !cs->insns[i].func)
				continue;
			pf = pfunc_of(cfg, cs->insns[i].func);
			if (pf)
				c->searched[pf->index] = any = true;
		}
	}
	return any;
}

static int alloc_ctx(struct jt_ctx *c)
{
	struct cfg *cfg = c->cfg;
	size_t n = cfg->file->nr_secs;

	c->searched = ao_calloc(cfg->err, cfg->file->nr_syms, sizeof(*c->searched));
	c->starts = ao_calloc(cfg->err, n, sizeof(*c->starts));
	return c->searched && c->starts ? 0 : -1;
}

static void free_ctx(struct jt_ctx *c, size_t n)
{
	for (size_t s = 0; c->starts && s < n; s++)
		free(c->starts[s]);
	free(c->starts);
	free(c->searched);
	free(c->fjs.key);
	free(c->fjs.val);
}

int cfg_add_jump_tables(struct cfg *cfg)
{
	struct jt_ctx c = { .cfg = cfg };
	int ret;

	if (!may_have_tables(cfg))
		return 0;
	ret = alloc_ctx(&c);
	if (!ret && mark_searched(&c))
		ret = each_function(&c);
	free_ctx(&c, cfg->file->nr_secs);
	return ret;
}

const struct jump_table *cfg_jump_table(const struct cfg *cfg, const struct alt_branch *b)
{
	return b->jtab ? &cfg->jtabs[b->jtab - 1] : NULL;
}

void cfg_count_jump_tables(const struct cfg *cfg, struct jump_table_counts *c)
{
	*c = (struct jump_table_counts){ .tables = cfg->nr_jtabs };
	for (size_t t = 0; t < cfg->nr_jtabs; t++)
		for (const struct alt_branch *b = cfg_alts(cfg->jtabs[t].jump); b; b = b->next) {
			if (b->jtab != t + 1)
				continue;
			c->targets++;
			if (b->first->flags & (IF_VISITED | IF_VISITED_UA))
				c->validated++;
		}
}
