// SPDX-License-Identifier: GPL-2.0
/*
 * From validated stack states to ORC entries.  Entries are emitted in
 * address order per code section, only where the encoded entry changes;
 * inside an alternative site the shared per-byte-offset states are used, so
 * a boundary that exists only in a replacement (RIP+1 of a patched-in
 * "pushf; pop %rax") gets its own entry.  Each non-empty section ends with
 * an "undefined" terminator at its size.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "orc_gen.h"

static int orc_sp_reg(int base)
{
	switch (base) {
	case REG_SP:          return ORC_REG_SP;
	case REG_SP_INDIRECT: return ORC_REG_SP_INDIRECT;
	case REG_BP:          return ORC_REG_BP;
	case REG_BP_INDIRECT: return ORC_REG_BP_INDIRECT;
	case REG_R10:         return ORC_REG_R10;
	case REG_R13:         return ORC_REG_R13;
	case REG_DI:          return ORC_REG_DI;
	case REG_DX:          return ORC_REG_DX;
	default:              return -1;
	}
}

static int orc_bp_reg(int base)
{
	switch (base) {
	case REG_UNDEFINED: return ORC_REG_UNDEFINED;
	case REG_CFA:       return ORC_REG_PREV_SP;
	case REG_BP:        return ORC_REG_BP;
	default:            return -1;
	}
}

static uint8_t orc_type_of(uint8_t unwind_type)
{
	switch (unwind_type) {
	case UNWIND_REGS:         return ORC_T_REGS;
	case UNWIND_REGS_PARTIAL: return ORC_T_REGS_PARTIAL;
	case UNWIND_UNDEFINED:    return ORC_T_UNDEFINED;
	case UNWIND_END_OF_STACK: return ORC_T_END_OF_STACK;
	default:                  return ORC_T_CALL;
	}
}

int orc_entry_from_state(enum orc_format fmt, const struct stack_state *st, struct orc_entry *out)
{
	int sp, bp;

	memset(out, 0, sizeof(*out));
	/* No state: v1 says "sp undefined, type call"; v2 has a type for it. */
	out->type = fmt == ORC_FORMAT_V2 ? ORC_T_UNDEFINED : ORC_T_CALL;
	out->sp_reg = ORC_REG_UNDEFINED;
	if (!st)
		return 0;
	if (fmt == ORC_FORMAT_V2) {
		if (st->type == UNWIND_UNDEFINED || st->type == UNWIND_END_OF_STACK) {
			out->type = orc_type_of(st->type);
			return 0;
		}
		out->signal = st->signal;
	} else {
		out->end = st->end;
	}
	if (st->cfa.base == REG_UNDEFINED)
		return 0;
	sp = orc_sp_reg(st->cfa.base);
	bp = orc_bp_reg(st->regs[REG_BP].base);
	if (sp < 0 || bp < 0)
		return -1;
	out->sp_reg = (uint8_t)sp;
	out->bp_reg = (uint8_t)bp;
	out->sp_offset = (int16_t)st->cfa.offset;
	out->bp_offset = (int16_t)st->regs[REG_BP].offset;
	out->type = orc_type_of(st->type);
	return 0;
}

static int push_entry(struct cfg *cfg, struct orc_gen_table *t, struct objsec *sec,
		      uint64_t off, const uint8_t raw[6])
{
	if (AO_GROW(cfg->err, t->entries, t->cap, t->nr + 1, 1024))
		return -1;
	t->entries[t->nr].sec = sec;
	t->entries[t->nr].offset = off;
	memcpy(t->entries[t->nr].raw, raw, 6);
	t->nr++;
	return 0;
}

struct section_emitter {
	struct cfg *cfg;
	struct orc_gen_table *t;
	uint8_t prev[6];
	/*
	 * The state prev was encoded from: states are interned, so the same
	 * pointer again (most instructions) encodes to prev again.
	 */
	const struct stack_state *prev_st;
	bool have_prev_st;
	bool empty;
};

static int emit(struct section_emitter *em, const struct instr *at, uint64_t off,
		const struct stack_state *st)
{
	struct orc_entry e;
	uint8_t raw[6];

	if (em->have_prev_st && st == em->prev_st)
		return 0;
	if (orc_entry_from_state(em->t->format, st, &e))
		return cfg_fail(em->cfg, at->sec, at->offset, "unknown CFA or BP base register for ORC");
	orc_encode(em->t->format, &e, raw);
	em->prev_st = st;
	em->have_prev_st = true;
	if (!memcmp(raw, em->prev, 6))
		return 0;
	memcpy(em->prev, raw, 6);
	em->empty = false;
	return push_entry(em->cfg, em->t, at->sec, off, raw);
}

static int emit_section(struct cfg *cfg, struct code_section *cs, struct orc_gen_table *t)
{
	struct section_emitter em = { .cfg = cfg, .t = t, .empty = true };
	static const uint8_t terminator[6];

	for (struct instr *insn = cs->nr ? cs->insns : NULL; insn; insn = cfg_insn_next(insn)) {
		struct alt_group *g = cfg_alt_group(insn);

		if (!g) {
			/* most instructions share the state before them: no call for those */
			if (em.have_prev_st && insn->state == em.prev_st)
				continue;
			if (emit(&em, insn, insn->offset, insn->state))
				return -1;
			continue;
		}
		for (uint32_t i = 0; i < g->len; i++)
			if (g->states[i] && emit(&em, insn, insn->offset + i, g->states[i]))
				return -1;
		insn = g->last;   /* the rest of the site is covered by the array */
	}
	if (!em.empty && push_entry(cfg, t, cs->sec, cs->sec->size, terminator))
		return -1;
	return 0;
}

int orc_generate(struct cfg *cfg, enum orc_format fmt, struct orc_gen_table *out)
{
	memset(out, 0, sizeof(*out));
	out->format = fmt;
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		if (cs->sec && cs->is_text && emit_section(cfg, cs, out))
			return -1;
	}
	return 0;
}

void orc_gen_free(struct orc_gen_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->nr = t->cap = 0;
}
