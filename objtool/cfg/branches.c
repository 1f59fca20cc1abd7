// SPDX-License-Identifier: GPL-2.0
/*
 * Second CFG pass: where jumps and calls go.  Targets come from the
 * instruction's immediate or, in a relocatable object, from the relocation
 * inside it.  A jump that leaves its function for another function's first
 * instruction is a sibling (tail) call; jumps to retpoline thunks are
 * indirect branches in disguise; a jump to the return thunk is a return.
 * Calls to functions that never return end their path.
 */
#include <string.h>

#include "arch.h"
#include "cfg_priv.h"

static bool is_static_jump(const struct instr *insn)
{
	return insn->kind == INSN_JUMP || insn->kind == INSN_JUMP_COND;
}

static struct objsym *parent_of(const struct cfg *cfg, const struct objsym *func)
{
	return func ? cfg->finfo[func->index].pfunc : NULL;
}

static const struct objrel *insn_rel(struct instr *insn)
{
	return objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
}

/* A call's stack effect is undone by the callee's return: forget it. */
static int set_call_dest(struct cfg *cfg, struct instr *insn, struct objsym *dest)
{
	if (dest) {
		struct instr_extra *x = cfg_extra(cfg, insn);

		if (!x)
			return -1;
		x->call_dest = dest;
		insn->nr_ops = 0;
	} else if (insn->x) {
		insn->x->call_dest = NULL;
	}
	return 0;
}

static void make_indirect(struct instr *insn)
{
	switch (insn->kind) {
	case INSN_CALL:      insn->kind = INSN_CALL_INDIRECT; break;
	case INSN_JUMP:      insn->kind = INSN_JUMP_INDIRECT; break;
	case INSN_JUMP_COND: insn->kind = INSN_JUMP_INDIRECT_COND; break;
	default:             return;
	}
	insn->retpoline_safe = true;
	insn->nr_ops = 0;
}

static void make_return(struct instr *insn)
{
	insn->kind = INSN_RETURN;
	insn->retpoline_safe = true;
}

static bool is_first_func_insn(const struct cfg *cfg, const struct instr *insn)
{
	if (insn->offset == insn->func->offset)
		return true;
	if (cfg->opts.ibt) {
		const struct instr *prev = cfg_find(cfg, insn->sec, insn->func->offset);

		if (prev && prev->kind == INSN_ENDBR && cfg_insn_next(prev) == insn)
			return true;
	}
	return false;
}

/* Returns 1 when the jump was reclassified and needs no destination. */
static int jump_target(struct cfg *cfg, struct instr *insn, struct objsec **dsec, int64_t *doff)
{
	const struct objrel *rel = insn_rel(insn);

	if (!rel) {
		*dsec = insn->sec;
		*doff = (int64_t)(insn->offset + insn->len) + cfg_disp(insn);
		return 0;
	}
	if (rel->sym->type == STT_SECTION) {
		/* A section symbol of no section (undefined, absolute): nowhere to go (fuzzing). */
		if (!rel->sym->sec)
			return cfg_fail(cfg, insn->sec, insn->offset,
					"jump relocation to section symbol %zu, which has no section",
					rel->sym->index);
		*dsec = rel->sym->sec;
		*doff = rel->addend + 4;
		return 0;
	}
	if (arch_is_retpoline_thunk(rel->sym)) {
		make_indirect(insn);
		return 1;
	}
	if (arch_is_return_thunk(rel->sym)) {
		make_return(insn);
		return 1;
	}
	if (insn->func) {
		if (set_call_dest(cfg, insn, rel->sym))   /* sibling call by symbol */
			return -1;
		cfg_apply_call_hacks(cfg, insn, true);
		return 1;
	}
	if (!rel->sym->sec)
		return 1;                         /* asm jumping to another object */
	*dsec = rel->sym->sec;
	*doff = (int64_t)rel->sym->offset + rel->addend + 4;
	return 0;
}

/*
 * Whether insn lies in a sized STT_NOTYPE symbol: asm code between SYM_CODE_START and
 * SYM_CODE_END, which 6.12's objtool tracks as the instruction's symbol although it is no
 * function (error_entry's `jmp sync_regs` in vmlinux.o).
 */
static bool in_code_symbol(const struct instr *insn)
{
	const struct objsec *sec = insn->sec;

	for (size_t i = 0; i < sec->nr_syms && sec->syms[i]->offset <= insn->offset; i++) {
		const struct objsym *s = sec->syms[i];

		if (s->type == STT_NOTYPE && s->size && insn->offset < s->offset + s->size)
			return true;
	}
	return false;
}

/* 6.12: a jump from asm code to the first instruction of a function is a sibling call. */
static bool code_sibling_call(const struct cfg *cfg, const struct instr *insn,
			      const struct instr *dest)
{
	return cfg->opts.kernel->sibling_from_code_symbol && !insn->func && dest->func &&
	       is_first_func_insn(cfg, dest) && in_code_symbol(insn);
}

static int resolve_jump(struct cfg *cfg, struct instr *insn)
{
	struct objsec *dsec = NULL;
	int64_t doff = 0;
	struct instr *dest;
	int r = jump_target(cfg, insn, &dsec, &doff);

	if (r)
		return r < 0 ? -1 : 0;
	dest = doff >= 0 ? cfg_find(cfg, dsec, (uint64_t)doff) : NULL;
	if (!dest) {
		struct objsym *sym = doff >= 0 ? objf_sym_at(dsec, (uint64_t)doff) : NULL;

		if (sym && arch_is_embedded_thunk(sym)) {
			make_return(insn);
			return 0;
		}
		return cfg_stop(cfg, "branch-target", insn->sec, insn->offset,
				"can't find jump dest instruction at %s+0x%llx",
				dsec->name, (unsigned long long)doff);
	}
	if (insn->func && dest->func && insn->func != dest->func) {
		if (!strstr(insn->func->name, ".cold") && strstr(dest->func->name, ".cold")) {
			cfg->finfo[insn->func->index].cfunc = dest->func;
			cfg->finfo[dest->func->index].pfunc = insn->func;
		} else if (parent_of(cfg, insn->func) != parent_of(cfg, dest->func) &&
			   is_first_func_insn(cfg, dest)) {
			if (set_call_dest(cfg, insn, dest->func))
				return -1;
			cfg_apply_call_hacks(cfg, insn, true);
			return 0;
		}
	}
	if (code_sibling_call(cfg, insn, dest)) {
		if (set_call_dest(cfg, insn, dest->func))
			return -1;
		cfg_apply_call_hacks(cfg, insn, true);
		return 0;
	}
	if (!cfg_extra(cfg, insn))
		return -1;
	insn->x->jump_dest = dest;
	return 0;
}

static struct code_section *csec_of(const struct cfg *cfg, const struct objsec *sec)
{
	return &cfg->csecs[sec->index];
}

int cfg_resolve_jumps(struct cfg *cfg)
{
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];

			if (cfg_jump_dest(insn) || !is_static_jump(insn))
				continue;
			if (resolve_jump(cfg, insn))
				return -1;
		}
	}
	return 0;
}

/* A table's jump, or the replacement of one (a retpoline alternative). */
static bool is_table_jump(const struct instr *insn)
{
	const struct alt_group *g = cfg_alt_group(insn);

	if (insn->flags & IF_JUMP_TABLE)
		return true;
	return g && g->orig_group && g->orig_group->first &&
	       (g->orig_group->first->flags & IF_JUMP_TABLE);
}

bool cfg_is_sibling_call(const struct cfg *cfg, const struct instr *insn)
{
	if (insn->func && insn->kind == INSN_JUMP_INDIRECT)
		return !is_table_jump(insn);
	return is_static_jump(insn) && cfg_call_dest(insn);
}

static bool dead_end_scan(struct cfg *cfg, struct objsym *func, int depth)
{
	struct func_info *fi;
	struct instr *insn;
	bool named;

	if (!func)
		return false;
	/* asked once per call: the answer of an earlier call to func first */
	fi = &cfg->finfo[func->index];
	if (fi->noreturn)
		return fi->noreturn == 2;
	named = func->bind == STB_GLOBAL || (cfg->opts.kernel->noreturn_weak && func->bind == STB_WEAK);
	if (named && kernel_name_listed(cfg->opts.kernel->noreturn, func->name)) {
		fi->noreturn = 2;
		return true;
	}
	if (func->bind == STB_WEAK || !func->size || !func->sec) {
		fi->noreturn = 1;
		return false;
	}
	insn = cfg_first_in_func(cfg, func);
	if (!insn || !insn->func) {
		fi->noreturn = 1;
		return false;
	}

	for (struct instr *i = insn; i; i = cfg_next_same_func(cfg, i))
		if (i->kind == INSN_RETURN) {
			fi->noreturn = 1;
			return false;
		}
	for (struct instr *i = insn; i; i = cfg_next_same_func(cfg, i)) {
		if (!cfg_is_sibling_call(cfg, i))
			continue;
		/* A tail call returns whenever its target does. */
		if (!cfg_jump_dest(i) || depth == 5)
			return false;
		return dead_end_scan(cfg, cfg_jump_dest(i)->func, depth + 1);
	}
	fi->noreturn = 2;
	return true;
}

bool cfg_func_noreturn(struct cfg *cfg, struct objsym *func)
{
	return dead_end_scan(cfg, func, 0);
}

static struct objsym *call_dest_at(struct objsec *sec, uint64_t off)
{
	struct objsym *s = objf_func_at(sec, off);

	if (s && s->offset == off)
		return s;
	return objf_sym_at(sec, off);
}

static int resolve_call(struct cfg *cfg, struct instr *insn)
{
	const struct objrel *rel = insn_rel(insn);
	struct objsym *dest;

	if (!rel) {
		int64_t off = (int64_t)(insn->offset + insn->len) + cfg_disp(insn);

		dest = off >= 0 ? call_dest_at(insn->sec, (uint64_t)off) : NULL;
		if (set_call_dest(cfg, insn, dest))
			return -1;
		if (insn->flags & IF_IGNORE)
			return 0;
		if (!dest)
			return cfg_stop(cfg, "branch-target", insn->sec, insn->offset,
					"unannotated intra-function call");
		if (insn->func && dest->type != STT_FUNC)
			return cfg_stop(cfg, "branch-target", insn->sec, insn->offset,
					"unsupported call to non-function");
	} else if (rel->sym->type == STT_SECTION) {
		int64_t off = rel->addend + 4;

		/* A section symbol of no section (undefined, absolute): nothing to name (fuzzing). */
		if (!rel->sym->sec)
			return cfg_fail(cfg, insn->sec, insn->offset,
					"call relocation to section symbol %zu, which has no section",
					rel->sym->index);
		dest = off >= 0 ? call_dest_at(rel->sym->sec, (uint64_t)off) : NULL;
		if (!dest)
			return cfg_stop(cfg, "branch-target", insn->sec, insn->offset,
					"can't find call dest symbol at %s+0x%llx",
					rel->sym->sec->name, (unsigned long long)off);
		if (set_call_dest(cfg, insn, dest))
			return -1;
	} else if (arch_is_retpoline_thunk(rel->sym)) {
		make_indirect(insn);
		return 0;
	} else {
		dest = rel->sym;
		if (set_call_dest(cfg, insn, dest))
			return -1;
	}
	if (cfg_apply_call_hacks(cfg, insn, false))
		return 0;   /* a kbuild hack made it a NOP: no longer a call */
	if (strcmp(insn->sec->name, ".altinstr_replacement") && cfg_func_noreturn(cfg, dest))
		insn->flags |= IF_DEAD_END;
	return 0;
}

int cfg_resolve_calls(struct cfg *cfg)
{
	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = csec_of(cfg, &cfg->file->secs[s]);

		for (size_t i = 0; i < cs->nr; i++)
			if (cs->insns[i].kind == INSN_CALL && resolve_call(cfg, &cs->insns[i]))
				return -1;
	}
	return 0;
}
