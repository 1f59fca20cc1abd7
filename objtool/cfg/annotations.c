// SPDX-License-Identifier: GPL-2.0
/*
 * Annotation sections the kernel's macros leave in compiler output:
 *   .discard.func_stack_frame_non_standard  functions not to validate
 *   .discard.unreachable / .discard.reachable  dead ends after a call/ud2
 *   .discard.unwind_hints                    explicit stack states (asm)
 *   .discard.intra_function_calls            calls that are really jumps
 *   .discard.retpoline_safe                  indirect branches known to be safe
 *   .discard.instr_begin / .discard.instr_end  where noinstr code may call out
 *   .discard.validate_unret                  where --unret walks start (6.12)
 *   .discard.ignore_alts                     alternatives whose replacement is not walked
 * Each is a list of relocations (plus, for hints, a 12-byte record).
 */
#include <string.h>

#include "cfg_priv.h"

struct annot_target {
	struct objsec *sec;
	uint64_t off;
};

static int annot_rels(struct cfg *cfg, const char *name, struct objsec **out)
{
	*out = objf_sec_by_name(cfg->file, name);
	if (!*out || !(*out)->rela)
		return 0;
	if (objf_sec_rels(*out, cfg->err)) {
		return -1;
	}
	return 1;
}

/* The instruction before off, or the last one when off is the section end. */
static struct instr *insn_before(struct cfg *cfg, struct objsec *sec, uint64_t off)
{
	struct code_section *cs = &cfg->csecs[sec->index];
	struct instr *insn = cfg_find(cfg, sec, off);

	if (insn)
		return insn == cs->insns ? NULL : insn - 1;
	if (cs->nr && off == sec->size)
		return &cs->insns[cs->nr - 1];
	return NULL;
}

static int mark_dead_ends(struct cfg *cfg, const char *name, bool dead)
{
	struct objsec *sec;
	int r = annot_rels(cfg, name, &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		const struct objrel *rel = &sec->rels[i];
		struct instr *insn;

		if (rel->sym->type != STT_SECTION || !rel->sym->sec)
			return objf_fail(cfg->file, cfg->err, sec, rel->offset,
					 "unexpected relocation symbol type");
		insn = rel->addend >= 0 ? insn_before(cfg, rel->sym->sec, (uint64_t)rel->addend) : NULL;
		if (!insn)
			return objf_fail(cfg->file, cfg->err, sec, rel->offset,
					 "can't find %s insn at %s+0x%llx", dead ? "unreachable" : "reachable",
					 rel->sym->sec->name, (unsigned long long)rel->addend);
		if (dead)
			insn->flags |= IF_DEAD_END;
		else
			insn->flags &= (uint16_t)~IF_DEAD_END;
	}
	return 0;
}

int cfg_read_dead_ends(struct cfg *cfg)
{
	if (cfg->opts.kernel->reads_unreachable_annotations &&
	    mark_dead_ends(cfg, ".discard.unreachable", true))
		return -1;
	return mark_dead_ends(cfg, ".discard.reachable", false);
}

static void ignore_function(struct cfg *cfg, struct objsym *func)
{
	cfg->finfo[func->index].ignore = true;
	for (struct instr *i = cfg_first_in_func(cfg, func); i; i = cfg_next_same_func(cfg, i))
		i->flags |= IF_IGNORE;
}

int cfg_read_ignores(struct cfg *cfg)
{
	struct objsec *sec;
	int r = annot_rels(cfg, ".discard.func_stack_frame_non_standard", &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		const struct objrel *rel = &sec->rels[i];
		struct objsym *func = NULL;

		if (rel->sym->type == STT_FUNC)
			func = rel->sym;
		else if (rel->sym->type == STT_SECTION && rel->sym->sec && rel->addend >= 0) {
			func = objf_func_at(rel->sym->sec, (uint64_t)rel->addend);
			if (func && func->offset != (uint64_t)rel->addend)
				func = NULL;
		}
		if (func)
			ignore_function(cfg, func);
	}
	return 0;
}

/*
 * The instruction an annotation entry names: these macros always refer to
 * a section symbol plus the offset.  NULL with cfg->err set otherwise.
 */
static struct instr *annot_insn(struct cfg *cfg, struct objsec *sec, const struct objrel *rel)
{
	struct instr *insn;

	if (rel->sym->type != STT_SECTION || !rel->sym->sec) {
		objf_fail(cfg->file, cfg->err, sec, rel->offset, "unexpected relocation symbol type");
		return NULL;
	}
	insn = rel->addend >= 0 ? cfg_find(cfg, rel->sym->sec, (uint64_t)rel->addend) : NULL;
	if (!insn)
		objf_fail(cfg->file, cfg->err, sec, rel->offset, "bad %s entry", sec->name);
	return insn;
}

/*
 * ANNOTATE_IGNORE_ALTERNATIVE: only the original code of the site is walked.  Xen's
 * privcmd_call() wraps its hypercall in STAC/CLAC alternatives marked so; following their
 * replacements would see a call with UACCESS enabled that the reference never sees.
 */
int cfg_read_ignore_alts(struct cfg *cfg)
{
	struct objsec *sec;
	int r = annot_rels(cfg, ".discard.ignore_alts", &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		struct instr *insn = annot_insn(cfg, sec, &sec->rels[i]);

		if (!insn)
			return -1;
		insn->flags |= IF_IGNORE_ALTS;
	}
	return 0;
}

int cfg_read_intra_function_calls(struct cfg *cfg)
{
	struct objsec *sec;
	int r = annot_rels(cfg, ".discard.intra_function_calls", &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		const struct objrel *rel = &sec->rels[i];
		struct objsec *tsec;
		int64_t toff;
		struct instr *insn, *dest;

		if (!objf_rel_target(rel, &tsec, &toff) || toff < 0 ||
		    !(insn = cfg_find(cfg, tsec, (uint64_t)toff)))
			return objf_fail(cfg->file, cfg->err, sec, rel->offset,
					 "bad .discard.intra_function_calls entry");
		if (insn->kind != INSN_CALL)
			return cfg_stop(cfg, "branch-target", tsec, insn->offset,
					"intra_function_call not a direct call");
		/* A jump that keeps the call's push of the return address. */
		insn->kind = INSN_JUMP;
		dest = cfg_find(cfg, tsec, insn->offset + insn->len + (uint64_t)cfg_disp(insn));
		if (!dest)
			return cfg_stop(cfg, "branch-target", tsec, insn->offset, "can't find call dest");
		if (!cfg_extra(cfg, insn))
			return -1;
		insn->x->jump_dest = dest;
	}
	return 0;
}

static bool retpoline_hintable(const struct instr *insn)
{
	return insn->kind == INSN_JUMP_INDIRECT || insn->kind == INSN_CALL_INDIRECT ||
	       insn->kind == INSN_RETURN || insn->kind == INSN_NOP;
}

int cfg_read_retpoline_safe(struct cfg *cfg)
{
	struct objsec *sec;
	int r = annot_rels(cfg, ".discard.retpoline_safe", &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		struct instr *insn = annot_insn(cfg, sec, &sec->rels[i]);

		if (!insn)
			return -1;
		if (!retpoline_hintable(insn))
			return cfg_fail(cfg, insn->sec, insn->offset,
					"retpoline_safe hint not an indirect jump/call/ret/nop");
		insn->retpoline_safe = true;
	}
	return 0;
}

/* Hint types as numbered by each kernel's unwind_hints.h. */
enum hint_kind { HINT_CALL, HINT_REGS, HINT_REGS_PARTIAL, HINT_FUNC, HINT_ENTRY,
		 HINT_SAVE, HINT_RESTORE, HINT_UNDEFINED, HINT_END_OF_STACK, HINT_BAD };

static enum hint_kind hint_kind(uint8_t type, unsigned unwind_abi)
{
	static const enum hint_kind old[] = { HINT_CALL, HINT_REGS, HINT_REGS_PARTIAL, HINT_FUNC,
					      HINT_ENTRY, HINT_SAVE, HINT_RESTORE };
	static const enum hint_kind new[] = { HINT_UNDEFINED, HINT_END_OF_STACK, HINT_CALL, HINT_REGS,
					      HINT_REGS_PARTIAL, HINT_FUNC, HINT_SAVE, HINT_RESTORE };

	if (unwind_abi >= 2)
		return type < sizeof(new) / sizeof(*new) ? new[type] : HINT_BAD;
	return type < sizeof(old) / sizeof(*old) ? old[type] : HINT_BAD;
}

/* ORC register number in a hint to a stack-model base. */
static int hint_base(uint8_t reg)
{
	switch (reg) {
	case ORC_REG_UNDEFINED:   return REG_UNDEFINED;
	case ORC_REG_SP:          return REG_SP;
	case ORC_REG_BP:          return REG_BP;
	case ORC_REG_SP_INDIRECT: return REG_SP_INDIRECT;
	case ORC_REG_R10:         return REG_R10;
	case ORC_REG_R13:         return REG_R13;
	case ORC_REG_DI:          return REG_DI;
	case ORC_REG_DX:          return REG_DX;
	default:                  return -1;
	}
}

static uint8_t unwind_type_of(enum hint_kind k)
{
	switch (k) {
	case HINT_REGS:         return UNWIND_REGS;
	case HINT_REGS_PARTIAL: return UNWIND_REGS_PARTIAL;
	case HINT_UNDEFINED:    return UNWIND_UNDEFINED;
	case HINT_END_OF_STACK: return UNWIND_END_OF_STACK;
	default:                return UNWIND_CALL;
	}
}

/*
 * Kernels without VALIDATE_UNRET_BEGIN start the --unret walks at entry
 * hints, and at IRET-frame hints that open a global symbol (the asm entry
 * points).
 */
static bool unret_starts_at_hint(const struct instr *insn, enum hint_kind k)
{
	const struct objsym *sym;

	if (k == HINT_ENTRY)
		return true;
	if (k != HINT_REGS_PARTIAL)
		return false;
	sym = cfg_symbol_starting_at(insn->sec, insn->offset);
	return sym && sym->bind == STB_GLOBAL;
}

int cfg_read_hints(struct cfg *cfg)
{
	struct objsec *sec = objf_sec_by_name(cfg->file, ".discard.unwind_hints");
	struct stack_state st;

	if (!sec)
		return 0;
	if (!sec->rela)
		return objf_fail(cfg->file, cfg->err, sec, 0, "missing .rela.discard.unwind_hints section");
	if (sec->size % 12)
		return objf_fail(cfg->file, cfg->err, sec, 0, "struct unwind_hint size mismatch");
	if (objf_sec_data(sec, cfg->err) || objf_sec_rels(sec, cfg->err)) {
		return -1;
	}
	/* Like the reference, a hint starts from the previous hint's state. */
	stack_state_init(&st);
	for (uint64_t off = 0; off < sec->size; off += 12) {
		const uint8_t *h = sec->data + off;
		const struct objrel *rel = objf_rel_at(sec, off);
		struct instr *insn;
		enum hint_kind k = hint_kind(h[7], cfg->opts.kernel->unwind_abi);
		int base;

		if (!rel || !rel->sym->sec || rel->sym->offset + (uint64_t)rel->addend >= rel->sym->sec->size)
			return objf_fail(cfg->file, cfg->err, sec, off, "can't find reloc for unwind hint");
		insn = cfg_find(cfg, rel->sym->sec, rel->sym->offset + (uint64_t)rel->addend);
		if (!insn)
			return objf_fail(cfg->file, cfg->err, sec, off, "can't find insn for unwind hint");
		if (k == HINT_SAVE) {
			insn->flags |= IF_SAVE;
			continue;
		}
		insn->flags |= IF_HINT;
		/* validation sets a restore's hint_state: the extra must exist before it */
		if (!cfg_extra(cfg, insn))
			return -1;
		if (k == HINT_RESTORE) {
			insn->flags |= IF_RESTORE;
			continue;
		}
		if (k == HINT_REGS_PARTIAL)
			insn->flags |= IF_HINT_IRET;   /* --ibt wants an ENDBR at some (validate/ibt.c) */
		if (!cfg->opts.kernel->unret_begin_annotated && unret_starts_at_hint(insn, k))
			insn->flags |= IF_ENTRY;
		if (k == HINT_FUNC) {
			struct stack_state entry;

			stack_state_func_entry(&entry);
			insn->x->hint_state = stack_pool_intern(cfg->states, &entry);
			if (!cfg_hint_state(insn))
				return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
			continue;
		}
		if (cfg_hint_state(insn))
			st = *cfg_hint_state(insn);
		base = hint_base(h[6]);
		if (base < 0 || k == HINT_BAD)
			return cfg_fail(cfg, insn->sec, insn->offset, "unsupported unwind_hint sp base reg %d", h[6]);
		st.cfa.base = (int16_t)base;
		st.cfa.offset = (int16_t)(h[4] | h[5] << 8);
		st.type = unwind_type_of(k);
		st.end = h[8] & 1;
		/* ABI 2 turned the end flag into the signal flag */
		st.signal = cfg->opts.kernel->unwind_abi >= 2 && (h[8] & 1);
		if (cfg->opts.kernel->unwind_abi >= 2)
			st.end = false;
		insn->x->hint_state = stack_pool_intern(cfg->states, &st);
		if (!cfg_hint_state(insn))
			return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/*
 * The relocations of an annotation list that name instructions by section
 * symbol and offset (instrumentation marks, VALIDATE_UNRET_BEGIN), each
 * handed to mark().  The reference gives up on a bad entry with a warning
 * and writes nothing: the same here (cfg_stop).
 */
static int mark_listed(struct cfg *cfg, const char *name, const char *bad_sym, const char *bad_entry,
		       void (*mark)(struct instr *))
{
	struct objsec *sec;
	int r = annot_rels(cfg, name, &sec);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sec->nr_rels; i++) {
		const struct objrel *rel = &sec->rels[i];
		struct instr *insn;

		if (rel->sym->type != STT_SECTION)
			return cfg_stop(cfg, "internal", NULL, 0, "%s", bad_sym);
		insn = rel->sym->sec && rel->addend >= 0 ?
			cfg_find(cfg, rel->sym->sec, (uint64_t)rel->addend) : NULL;
		if (!insn)
			return cfg_stop(cfg, "internal", NULL, 0, "%s", bad_entry);
		mark(insn);
	}
	return 1;
}

static void instr_end(struct instr *insn)
{
	insn->instrumentation--;
}

static void instr_begin(struct instr *insn)
{
	insn->instrumentation++;
}

static void unret_begin(struct instr *insn)
{
	insn->flags |= IF_ENTRY;
}

int cfg_read_instrumentation(struct cfg *cfg)
{
	int r = mark_listed(cfg, ".discard.instr_end",
			    "unexpected relocation symbol type in .rela.discard.instr_end",
			    "bad .discard.instr_end entry", instr_end);

	/* Both references read the begin marks only when there are end marks. */
	if (r <= 0)
		return r;
	r = mark_listed(cfg, ".discard.instr_begin",
			"unexpected relocation symbol type in .rela.discard.instr_begin",
			"bad .discard.instr_begin entry", instr_begin);
	return r < 0 ? -1 : 0;
}

int cfg_read_unret_begins(struct cfg *cfg)
{
	/* (6.12's objtool names the instr_end list in its message for a bad entry here too) */
	if (!cfg->opts.kernel->unret_begin_annotated)
		return 0;
	return mark_listed(cfg, ".discard.validate_unret",
			   "unexpected relocation symbol type in .rela.discard.validate_unret",
			   "bad .discard.instr_end entry", unret_begin) < 0 ? -1 : 0;
}
