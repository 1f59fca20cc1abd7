// SPDX-License-Identifier: GPL-2.0
/*
 * --unret: with return-predictor mitigations (retbleed, SRSO), every path
 * from a kernel entry point must reach UNTRAIN_RET, marked by a
 * retpoline-safe NOP (VALIDATE_UNRET_END / ANNOTATE_UNRET_END), before any
 * RET or indirect branch.  Where the walks start differs by kernel
 * (IF_ENTRY, set in cfg/annotations.c).  A walk follows alternatives,
 * jumps and calls (a callee that comes back without complaint has
 * untrained); each instruction is walked once, whichever entry reaches it
 * first, so the entries are taken in address order as the reference does.
 */
#include "validate.h"
#include "validate_priv.h"

enum unret_result { UNRET_CLEAN = 0, UNRET_WARNED = 1, UNRET_FAILED = -1 };

struct unret_walk {
	struct cfg *cfg;
	struct findings *fs;
};

static enum unret_result walk(struct unret_walk *u, struct instr *insn);

static enum unret_result warned(struct unret_walk *u, const struct instr *insn, const char *msg)
{
	validate_warn_at(u->cfg, u->fs, insn, "unret", "%s", msg);
	return UNRET_WARNED;
}

/* Where the model lost track of a branch the linked kernel should resolve. */
static enum unret_result failed(struct unret_walk *u, const struct instr *insn, const char *msg)
{
	warned(u, insn, msg);
	return UNRET_FAILED;
}

/* Each replacement of a site first; *skip_orig when one replaces the original for good. */
static enum unret_result walk_alternatives(struct unret_walk *u, const struct instr *insn,
					   bool *skip_orig)
{
	if (insn->flags & IF_IGNORE_ALTS)
		return UNRET_CLEAN;
	for (const struct alt_branch *b = cfg_alts(insn); b; b = b->next) {
		enum unret_result r;

		if (b->skip_orig)
			*skip_orig = true;
		if (!b->first)
			continue;
		r = walk(u, b->first);
		if (r != UNRET_CLEAN)
			return r;
	}
	return UNRET_CLEAN;
}

/* Into the callee (or a sibling call's target): its verdict is the path's. */
static enum unret_result walk_callee(struct unret_walk *u, const struct instr *insn)
{
	const struct objsym *dest = cfg_call_dest(insn);
	struct instr *first = dest && dest->sec ? cfg_find(u->cfg, dest->sec, dest->offset) : NULL;

	if (!first) {
		findings_add(u->fs, "unret", NULL, 0, "Unresolved function after linking!?: %s",
			     dest ? dest->name : "?");
		return UNRET_FAILED;
	}
	return walk(u, first);
}

/*
 * What insn does to the walk: UNRET_CLEAN with *stop clear goes on to the
 * next instruction; with *stop set the path ends cleanly.
 */
static enum unret_result step(struct unret_walk *u, struct instr *insn, bool *stop)
{
	enum unret_result r;

	switch (insn->kind) {
	case INSN_CALL_INDIRECT:
	case INSN_JUMP_INDIRECT:
	case INSN_JUMP_INDIRECT_COND:
		return warned(u, insn, "early indirect call");
	case INSN_JUMP:
	case INSN_JUMP_COND:
		if (!cfg_is_sibling_call(u->cfg, insn)) {
			if (!cfg_jump_dest(insn))
				return failed(u, insn, "unresolved jump target after linking?!?");
			r = walk(u, cfg_jump_dest(insn));
			*stop = r == UNRET_CLEAN && insn->kind == INSN_JUMP;
			return r;
		}
		/* a sibling call: as a call */
		*stop = true;
		return walk_callee(u, insn);
	case INSN_CALL:
		/* a callee that returns without complaint has untrained */
		*stop = true;
		return walk_callee(u, insn);
	case INSN_RETURN:
		return warned(u, insn, "RET before UNTRAIN");
	case INSN_CONTEXT_SWITCH:
		*stop = u->cfg->opts.kernel->unret_context_switch_ends && !insn->func;
		return UNRET_CLEAN;
	case INSN_NOP:
		/* the untrain mark */
		*stop = insn->retpoline_safe;
		return UNRET_CLEAN;
	default:
		return UNRET_CLEAN;
	}
}

static enum unret_result walk(struct unret_walk *u, struct instr *insn)
{
	for (;;) {
		struct instr *next = cfg_validate_next(insn);
		bool skip_orig = false, stop = false;
		enum unret_result r;

		if (insn->flags & IF_VISITED_UNRET)
			return UNRET_CLEAN;
		insn->flags |= IF_VISITED_UNRET;
		r = walk_alternatives(u, insn, &skip_orig);
		if (r != UNRET_CLEAN || skip_orig)
			return r;
		r = step(u, insn, &stop);
		if (r != UNRET_CLEAN || stop || (insn->flags & IF_DEAD_END))
			return r;
		if (!next)
			return failed(u, insn, "teh end!");
		insn = next;
	}
}

/* A walk the model could not finish: the reference gives up (6.1 failing the run). */
static int give_up(struct cfg *cfg, struct findings *fs, const struct instr *entry)
{
	validate_warn_at(cfg, fs, entry, "unret", "Failed UNRET validation");
	cfg->stop.message = NULL;   /* said already */
	return ao_fail(cfg->err, cfg->opts.kernel->unret_failure_fails_run ? AO_ERR_GAVE_UP
									 : AO_ERR_STOPPED,
		       "%s: UNRET validation failed", cfg->file->path);
}

int validate_unret(struct cfg *cfg, struct findings *fs)
{
	struct unret_walk u = { .cfg = cfg, .fs = fs };
	int warnings = 0;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			enum unret_result r;

			if (!(cs->insns[i].flags & IF_ENTRY))
				continue;
			r = walk(&u, &cs->insns[i]);
			if (r == UNRET_FAILED)
				return give_up(cfg, fs, &cs->insns[i]);
			warnings += r;
		}
	}
	return warnings;
}
