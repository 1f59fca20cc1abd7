// SPDX-License-Identifier: GPL-2.0
/*
 * First CFG pass: decode every executable section into per-section
 * instruction arrays and tie each instruction to its function symbol.
 * Also derives the per-function facts the later passes need: .cold
 * parent/child links and aliases (several symbols over one range).
 */
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "cfg_priv.h"

static bool sec_is_text(const char *name)
{
	return strcmp(name, ".altinstr_replacement") && strcmp(name, ".altinstr_aux") &&
	       strncmp(name, ".discard.", 9);
}

/* Keep stack ops in one pool: most instructions have none. */
int cfg_store_ops(struct cfg *cfg, struct instr *insn, const struct insn_decoded *d)
{
	if (!d->nr_ops)
		return 0;
	if (cfg->nr_ops + d->nr_ops > cfg->cap_ops) {
		size_t cap = cfg->cap_ops ? cfg->cap_ops * 2 : 4096;
		struct stack_op *ops = ao_reallocarray(cfg->err, cfg->ops, cap, sizeof(*ops));

		if (!ops)
			return -1;
		cfg->ops = ops;
		cfg->cap_ops = cap;
	}
	insn->ops_index = (uint32_t)cfg->nr_ops;
	insn->nr_ops = d->nr_ops;
	memcpy(&cfg->ops[cfg->nr_ops], d->ops, d->nr_ops * sizeof(*d->ops));
	cfg->nr_ops += d->nr_ops;
	return 0;
}

static int decode_section(struct cfg *cfg, struct objsec *sec)
{
	struct code_section *cs = &cfg->csecs[sec->index];
	/* Kernel code averages about 3.3 bytes an instruction: one allocation, rarely two. */
	size_t cap = sec->size / 3 + 16;
	struct insn_decoded d;
	uint64_t off;

	/*
	 * Relocations are loaded here, not on first lookup: objf_rel_at() cannot
	 * report a bad table and would read it as "no relocation" (found by
	 * tests/scripts/malformed.sh).  Lazy loads leave their error in the
	 * file's own holder, so hand it to the caller's.
	 */
	if (objf_sec_data(sec, cfg->err) || objf_sec_rels(sec, cfg->err)) {
		return -1;
	}
	cs->sec = sec;
	cs->is_text = sec_is_text(sec->name);
	if (!sec->data || !sec->size)
		return 0;
	cs->insns = ao_reallocarray(cfg->err, NULL, cap, sizeof(*cs->insns));
	if (!cs->insns)
		return -1;

	for (off = 0; off < sec->size; off += d.len) {
		struct instr *insn;

		if (arch_decode(cfg->decoder, sec->data + off, sec->size - off, &d))
			return objf_fail(cfg->file, cfg->err, sec, off, "can't decode instruction");
		if (cs->nr == cap) {
			struct instr *grown = ao_reallocarray(cfg->err, cs->insns, cap + cap / 2, sizeof(*grown));

			if (!grown)
				return -1;
			cs->insns = grown;
			cap += cap / 2;
		}
		/* iret inside a function (sync_core) is a plain stack adjustment */
		if ((d.flags & INSN_F_IRET) && objf_func_at(sec, off))
			arch_decode_iret_in_func(&d);
		/* Zero entries as they are used: untouched capacity never becomes resident. */
		insn = &cs->insns[cs->nr++];
		memset(insn, 0, sizeof(*insn));
		insn->sec = sec;
		insn->offset = off;
		insn->len = d.len;
		insn->kind = d.kind;
		insn->disp = d.disp;
		insn->has_target = d.has_target;
		if (d.kind == INSN_BUG)
			insn->flags |= IF_DEAD_END;   /* ud2 is a dead end unless annotated */
		if (cfg_store_ops(cfg, insn, &d))
			return -1;
	}
	/* Give back the unused capacity before anything points into the array. */
	if (cs->nr < cap) {
		struct instr *fit = realloc(cs->insns, cs->nr * sizeof(*fit));

		if (fit)
			cs->insns = fit;
	}
	for (size_t i = 0; i + 1 < cs->nr; i++)
		cs->insns[i].next = &cs->insns[i + 1];
	cfg->nr_insns += cs->nr;
	return 0;
}

/* Symbols over the same range: the last one in the table stands for all. */
static void link_aliases(struct cfg *cfg, struct objsec *sec)
{
	for (size_t i = 0; i < sec->nr_syms; i++) {
		struct objsym *s = sec->syms[i];
		struct func_info *fi = &cfg->finfo[s->index];

		if (!fi->alias)
			fi->alias = s;
		for (size_t j = i + 1; j < sec->nr_syms && sec->syms[j]->offset == s->offset; j++) {
			struct objsym *t = sec->syms[j];

			if (t->type == s->type && t->size == s->size) {
				struct objsym *later = t->index > s->index ? t : s;
				struct objsym *earlier = later == t ? s : t;

				cfg->finfo[earlier->index].alias = later;
			}
		}
	}
}

/* The first function symbol called name[0..len) (names of .cold parts' parents). */
static struct objsym *find_func_by_name(struct objfile *f, const char *name, size_t len)
{
	char buf[512];
	struct objsym *s;

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (s = objf_sym_by_name(f, buf); s; s = objf_sym_next_same_name(f, s))
		if (s->type == STT_FUNC)
			return s;
	return NULL;
}

/* foo.cold is the out-of-line part of foo: validated as part of it. */
static void link_cold_parts(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	for (size_t i = 1; i < f->nr_syms; i++) {
		struct objsym *s = &f->syms[i];
		struct func_info *fi = &cfg->finfo[i];
		const char *cold;
		struct objsym *parent;

		if (s->type != STT_FUNC)
			continue;
		if (!fi->pfunc)
			fi->pfunc = s;
		if (!fi->cfunc)
			fi->cfunc = s;
		cold = strstr(s->name, ".cold");
		if (!cold)
			continue;
		parent = find_func_by_name(f, s->name, (size_t)(cold - s->name));
		if (!parent)
			continue;
		fi->pfunc = parent;
		cfg->finfo[parent->index].cfunc = s;
		if (!cfg->finfo[parent->index].pfunc)
			cfg->finfo[parent->index].pfunc = parent;
	}
}

static int assign_functions(struct cfg *cfg, struct code_section *cs)
{
	struct objsec *sec = cs->sec;

	for (size_t i = 0; i < sec->nr_syms; i++) {
		struct objsym *func = sec->syms[i];
		struct instr *insn;

		if (func->type != STT_FUNC || cfg->finfo[func->index].alias != func)
			continue;
		insn = cfg_find(cfg, sec, func->offset);
		if (!insn)
			return objf_fail(cfg->file, cfg->err, sec, func->offset,
					 "%s(): can't find starting instruction", func->name);
		for (; insn && insn->offset < func->offset + func->size; insn = insn->next)
			insn->func = func;
	}
	return 0;
}

int cfg_decode_sections(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	for (size_t i = 1; i < f->nr_secs; i++)
		if (f->secs[i].is_exec && f->secs[i].shdr.sh_type != SHT_NOBITS &&
		    decode_section(cfg, &f->secs[i]))
			return -1;

	for (size_t i = 1; i < f->nr_secs; i++)
		link_aliases(cfg, &f->secs[i]);
	link_cold_parts(cfg);

	for (size_t i = 1; i < f->nr_secs; i++)
		if (cfg->csecs[i].sec && assign_functions(cfg, &cfg->csecs[i]))
			return -1;
	return 0;
}
