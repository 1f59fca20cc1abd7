// SPDX-License-Identifier: GPL-2.0
/*
 * Stack validation: walk every path of every function from its entry, with
 * the stack state flowing through each instruction's stack ops, and record
 * the state at each instruction.  Where paths meet, their states must agree;
 * at returns and tail calls the frame must be back to its entry shape.
 * Alternative branches are walked as paths too (cfg_alternatives.c), and
 * their states are reconciled by byte offset inside each patch site.
 *
 * As in the reference, the first warning in a function ends that function's
 * walk: what follows a broken state cannot be trusted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "findings.h"
#include "reconcile.h"
#include "uaccess_safe.h"
#include "validate.h"

struct walk_state {
	struct stack_state st;
	bool uaccess;
	bool df;
	uint32_t uaccess_stack;
};

struct walker {
	struct cfg *cfg;
	struct findings *fs;
	const struct validate_options *opts;
	bool k612;                  /* 6.12 rules and message shapes */
	int oom;
};

/* A warning located at an instruction; always returns 1 (the path stops). */
static int __attribute__((format(printf, 4, 5)))
warn_insn(struct walker *w, const struct instr *insn, const char *kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->k612 && validate_function_warned(w->fs, insn->sec, objf_func_at(insn->sec, insn->offset)))
		return 1;
	findings_add(w->fs, kind, insn->sec, insn->offset, "%s", msg);
	return 1;
}

static int warn(struct walker *w, const struct instr *insn, const char *kind, const char *msg)
{
	return warn_insn(w, insn, kind, "%s", msg);
}

/* The reference's unwind type numbers (they were renumbered in 6.3). */
static int ref_type(const struct walker *w, int type)
{
	static const int v612[] = {
		[UNWIND_CALL] = 2, [UNWIND_REGS] = 3, [UNWIND_REGS_PARTIAL] = 4,
		[UNWIND_UNDEFINED] = 0, [UNWIND_END_OF_STACK] = 1,
	};

	if (w->k612 && type >= 0 && type <= UNWIND_END_OF_STACK)
		return v612[type];
	return type;
}

/*
 * The reference prints registers with its own numbering (hardware order:
 * ax cx dx bx sp bp si di r8..r15 ra), ours is DWARF's: translate.
 */
static int ref_reg(int reg)
{
	static const int to_ref[NR_CFI_REGS] = {
		[REG_AX] = 0, [REG_CX] = 1, [REG_DX] = 2, [REG_BX] = 3, [REG_SP] = 4,
		[REG_BP] = 5, [REG_SI] = 6, [REG_DI] = 7, [REG_R8] = 8, [REG_R9] = 9,
		[REG_R10] = 10, [REG_R11] = 11, [REG_R12] = 12, [REG_R13] = 13,
		[REG_R14] = 14, [REG_R15] = 15, [REG_RA] = 16,
	};

	if (reg >= 0 && reg < NR_CFI_REGS)
		return to_ref[reg];
	switch (reg) {
	case REG_UNDEFINED:   return -1;
	case REG_CFA:         return -2;
	case REG_SP_INDIRECT: return -3;
	case REG_BP_INDIRECT: return -4;
	default:              return reg;
	}
}

/* Our register for each of the reference's register numbers, in its order. */
static const int from_ref_order[NR_CFI_REGS] = {
	REG_AX, REG_CX, REG_DX, REG_BX, REG_SP, REG_BP, REG_SI, REG_DI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RA,
};

static bool states_match(struct walker *w, const struct instr *insn, const struct stack_state *a,
			 const struct stack_state *b)
{
	const char *k = "stack-state-mismatch";

	if (!a) {
		findings_add(w->fs, "cfi-missing", NULL, 0, "CFI missing");
		return false;
	}

	if (a->cfa.base != b->cfa.base || a->cfa.offset != b->cfa.offset) {
		warn_insn(w, insn, k, "stack state mismatch: cfa1=%d%+d cfa2=%d%+d",
			     ref_reg(a->cfa.base), a->cfa.offset, ref_reg(b->cfa.base), b->cfa.offset);
		return false;
	}
	for (int r = 0; r < NR_CFI_REGS; r++) {
		int i = from_ref_order[r];

		if (a->regs[i].base == b->regs[i].base && a->regs[i].offset == b->regs[i].offset)
			continue;
		warn_insn(w, insn, k,
			     "stack state mismatch: reg1[%d]=%d%+d reg2[%d]=%d%+d",
			     r, ref_reg(a->regs[i].base), a->regs[i].offset,
			     r, ref_reg(b->regs[i].base), b->regs[i].offset);
		return false;
	}
	if (a->type != b->type) {
		warn_insn(w, insn, k, "stack state mismatch: type1=%d type2=%d",
			     ref_type(w, a->type), ref_type(w, b->type));
		return false;
	}
	if (a->drap != b->drap || (a->drap && (a->drap_reg != b->drap_reg ||
					       a->drap_offset != b->drap_offset))) {
		warn_insn(w, insn, k,
			     "stack state mismatch: drap1=%d(%d,%d) drap2=%d(%d,%d)",
			     a->drap, ref_reg(a->drap_reg), a->drap_offset,
			     b->drap, ref_reg(b->drap_reg), b->drap_offset);
		return false;
	}
	return true;
}

static const struct stack_state *intern(struct walker *w, const struct stack_state *s)
{
	const struct stack_state *p = stack_pool_intern(w->cfg->states, s);

	if (!p)
		w->oom = 1;
	return p;
}

static struct instr *find_save(struct walker *w, struct instr *insn)
{
	const struct code_section *cs = &w->cfg->csecs[insn->sec->index];

	if (insn->flags & IF_FAKE_NOP)
		return NULL;
	for (struct instr *i = insn; i > cs->insns;) {
		i--;
		if (i->func != insn->func)
			break;
		if (i->flags & IF_SAVE)
			return i;
	}
	return NULL;
}

/*
 * Returns 0 to go on, 1 after a warning, 2 to end this path quietly.  first:
 * insn starts this path (a branch target).
 */
static int apply_hint(struct walker *w, struct instr *insn, struct walk_state *ws, bool first)
{
	if (insn->flags & IF_RESTORE) {
		struct instr *save = find_save(w, insn);

		if (!save)
			return warn(w, insn, "unwind-hint", "no corresponding CFI save for CFI restore");
		/*
		 * 6.12 leaves a restore reached by a jump before its save for
		 * the straight-line path to handle.
		 */
		if (!(save->flags & (IF_VISITED | IF_VISITED_UA)) && w->k612 && first)
			return 2;
		if (!(save->flags & (IF_VISITED | IF_VISITED_UA)))
			return warn(w, insn, "unwind-hint",
				    "objtool isn't smart enough to handle this CFI save/restore combo");
		insn->hint_state = save->state;
	}
	if (insn->hint_state)
		ws->st = *insn->hint_state;
	insn->state = insn->hint_state;
	return 0;
}

/* Returns 1 after a warning. */
static int track_pushf(struct walker *w, const struct instr *insn, const struct stack_op *op,
		       struct walk_state *ws)
{
	if (!w->opts->uaccess || !insn->alt_group)
		return 0;
	/*
	 * pushf/popf inside alternatives save and restore the AC flag: a bit
	 * stack in a word, with a sentinel 1 below the saved bits.
	 */
	if (op->dest.type == OP_DEST_PUSHF) {
		if (!ws->uaccess_stack)
			ws->uaccess_stack = 1;
		else if (ws->uaccess_stack >> 31)
			return warn(w, insn, "uaccess", "PUSHF stack exhausted");
		ws->uaccess_stack = ws->uaccess_stack << 1 | ws->uaccess;
	}
	if (op->src.type == OP_SRC_POPF && ws->uaccess_stack) {
		ws->uaccess = ws->uaccess_stack & 1;
		ws->uaccess_stack >>= 1;
		if (ws->uaccess_stack == 1)
			ws->uaccess_stack = 0;
	}
	return 0;
}

static int apply_ops(struct walker *w, struct instr *insn, const struct instr *next,
		     struct walk_state *ws)
{
	const struct stack_op *ops = cfg_ops(w->cfg, insn);
	struct stack_op_ctx ctx = {
		.in_func = insn->func != NULL,
		.next_is_hint = next && (next->flags & IF_HINT),
		.track_bp_scratch = w->opts->stackval,
	};

	for (unsigned i = 0; i < insn->nr_ops; i++) {
		enum stack_result r = stack_apply_op(&ws->st, &ops[i], &ctx);

		if (r != STACK_OK)
			return warn(w, insn, "stack-op", stack_result_message(r));
		if (track_pushf(w, insn, &ops[i], ws))
			return 1;
	}
	return 0;
}

/* Marked by validate_run from the reference's list (only with --uaccess). */
static bool uaccess_safe(const struct walker *w, const struct objsym *func)
{
	return func && cfg_finfo(w->cfg, func)->uaccess_safe;
}

static int check_return(struct walker *w, const struct objsym *func, const struct instr *insn,
			const struct walk_state *ws)
{
	if (ws->uaccess && !uaccess_safe(w, func))
		return warn(w, insn, "uaccess", "return with UACCESS enabled");
	if (!ws->uaccess && uaccess_safe(w, func))
		return warn(w, insn, "uaccess",
			    "return with UACCESS disabled from a UACCESS-safe function");
	if (ws->df)
		return warn(w, insn, "direction-flag", "return with DF set");
	if (func && stack_has_modified_frame(&ws->st))
		return warn(w, insn, "return-modified-frame", "return with modified stack frame");
	if (ws->st.bp_scratch)
		return warn(w, insn, "bp-scratch", "BP used as a scratch register");
	return 0;
}

/*
 * The callee as the reference names it: the symbol, else a paravirt slot
 * ("pv_ops[N]", N from the raw addend as the reference computes it), else
 * "{dynamic}".
 */
static const char *call_dest_name(const struct instr *insn, char *buf, size_t size)
{
	const struct objrel *rel;

	if (insn->call_dest)
		return insn->call_dest->name;
	rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);
	if (rel && rel->sym && !strcmp(rel->sym->name, "pv_ops")) {
		snprintf(buf, size, "pv_ops[%d]", (int)((uint64_t)rel->addend / sizeof(void *)));
		return buf;
	}
	return "{dynamic}";
}

static int check_call(struct walker *w, const struct instr *insn, const struct walk_state *ws)
{
	char buf[32];

	if (ws->uaccess && !uaccess_safe(w, insn->call_dest))
		return warn_insn(w, insn, "uaccess", "call to %s() with UACCESS enabled",
				 call_dest_name(insn, buf, sizeof(buf)));
	if (ws->df)
		return warn_insn(w, insn, "direction-flag", "call to %s() with DF set",
				 call_dest_name(insn, buf, sizeof(buf)));
	return 0;
}

static int check_sibling_call(struct walker *w, const struct instr *insn, const struct walk_state *ws)
{
	/* 6.12 checks the frame only for jumps inside a function */
	if ((!w->k612 || insn->func) && stack_has_modified_frame(&ws->st))
		return warn(w, insn, "sibling-call-modified-frame",
			    "sibling call from callable instruction with modified stack frame");
	return check_call(w, insn, ws);
}

static bool is_special_call(const struct instr *insn)
{
	return insn->kind == INSN_CALL && insn->call_dest &&
	       (!strcmp(insn->call_dest->name, "__fentry__") ||
		!strcmp(insn->call_dest->name, "retbleed_return_thunk") ||
		!strcmp(insn->call_dest->name, "srso_safe_ret"));
}

static int walk(struct walker *w, struct objsym *func, struct instr *insn, struct walk_state ws);

/* Flow-control part of one instruction.  Returns 0 to go on, 2 to stop, 1 on a warning. */
static int step_kind(struct walker *w, struct objsym *func, struct instr *insn,
		     const struct instr *next, struct walk_state *ws)
{
	int ret;

	switch (insn->kind) {
	case INSN_RETURN:
		return check_return(w, func, insn, ws) ? 1 : 2;
	case INSN_CALL:
	case INSN_CALL_INDIRECT:
		if (check_call(w, insn, ws))
			return 1;
		if (w->opts->stackval && func && !is_special_call(insn) &&
		    !stack_has_valid_frame(&ws->st))
			return warn(w, insn, "call-without-frame", "call without frame pointer save/setup");
		return (insn->flags & IF_DEAD_END) ? 2 : 0;
	case INSN_JUMP:
	case INSN_JUMP_COND:
		if (cfg_is_sibling_call(w->cfg, insn)) {
			if (check_sibling_call(w, insn, ws))
				return 1;
		} else if (insn->jump_dest) {
			ret = walk(w, func, insn->jump_dest, *ws);
			if (ret)
				return ret;
		}
		return insn->kind == INSN_JUMP ? 2 : 0;
	case INSN_JUMP_INDIRECT:
	case INSN_JUMP_INDIRECT_COND:
		if (cfg_is_sibling_call(w->cfg, insn) && check_sibling_call(w, insn, ws))
			return 1;
		return insn->kind == INSN_JUMP_INDIRECT ? 2 : 0;
	case INSN_CONTEXT_SWITCH:
		if (!func)
			return 2;
		if (!next || !(next->flags & IF_HINT))
			return warn(w, insn, "context-switch", "unsupported instruction in callable function");
		return 0;
	case INSN_STAC:
		if (!w->opts->uaccess)
			return 0;
		if (ws->uaccess)
			return warn(w, insn, "uaccess", "recursive UACCESS enable");
		ws->uaccess = true;
		return 0;
	case INSN_CLAC:
		if (!w->opts->uaccess)
			return 0;
		if (!ws->uaccess && func)
			return warn(w, insn, "uaccess", "redundant UACCESS disable");
		if (uaccess_safe(w, func) && !ws->uaccess_stack)
			return warn(w, insn, "uaccess", "UACCESS-safe disables UACCESS");
		ws->uaccess = false;
		return 0;
	case INSN_STD:
		if (ws->df)
			return warn(w, insn, "direction-flag", "recursive STD");
		ws->df = true;
		return 0;
	case INSN_CLD:
		if (!ws->df && func)
			return warn(w, insn, "direction-flag", "redundant CLD");
		ws->df = false;
		return 0;
	default:
		return 0;
	}
}

static int walk_alternatives(struct walker *w, struct objsym *func, struct instr *insn,
			     const struct walk_state *ws, bool *skip_orig)
{
	if (insn->flags & IF_IGNORE_ALTS)
		return 0;
	for (struct alt_branch *b = insn->alts; b; b = b->next) {
		int ret;

		if (b->skip_orig)
			*skip_orig = true;
		if (!b->first)
			continue;
		ret = walk(w, func, b->first, *ws);
		if (ret)
			return ret;
	}
	return 0;
}

static bool leaves_function(struct walker *w, struct objsym *func, struct instr *insn, int *ret)
{
	const struct objsym *parent;

	if (!func || !insn->func)
		return false;
	parent = cfg_finfo(w->cfg, insn->func)->pfunc;
	if (func == parent)
		return false;
	if (!strncmp(func->name, "__cfi_", 6) ||
	    (w->cfg->opts.kernel_6_12 && !strncmp(func->name, "__pfx_", 6))) {
		*ret = 0;
		return true;
	}
	findings_add(w->fs, "fallthrough", NULL, 0, "%s() falls through to next function %s()",
		     func->name, insn->func->name);
	*ret = 1;
	return true;
}

/*
 * Alternative-site reconciliation (reconcile.c) with the reference's message
 * shape: 6.12 reports a conflict at the site's original instruction and
 * names the conflicting one after a colon.  The finding is rendered here,
 * so echoing is held while reconcile.c adds it.
 */
static int reconcile(struct walker *w, struct instr *insn)
{
	struct findings *fs = w->fs;
	size_t before = fs->nr;
	int echo = fs->echo, ret;
	struct finding *f;

	fs->echo = 0;
	ret = reconcile_on_visit(w->cfg, fs, insn);
	fs->echo = echo;
	if (fs->nr == before)
		return ret;
	f = &fs->items[fs->nr - 1];
	if (w->k612 && f->location && insn->alt_group &&
	    !strcmp(f->kind, "alternative-stack-conflict")) {
		const struct alt_group *g = insn->alt_group->orig_group ? insn->alt_group->orig_group
									: insn->alt_group;
		const struct instr *orig = g->first ? g->first : insn;
		const char *detail = strchr(f->message, '\n');
		char where[512], more[1024];

		/* keep reconcile.c's detail lines after the reference's line */
		snprintf(where, sizeof(where), "%s", f->location);
		snprintf(more, sizeof(more), "%s", detail ? detail : "");
		free(f->section); free(f->location); free(f->function); free(f->message);
		fs->nr--;
		return warn_insn(w, orig, "alternative-stack-conflict",
				 "stack layout conflict in alternatives: %s%s", where, more);
	}
	if (echo)
		findings_print_text(fs, f, stderr);
	return ret;
}

static int walk(struct walker *w, struct objsym *func, struct instr *insn, struct walk_state ws)
{
	struct instr *next;
	bool first = true;

	for (;;) {
		uint16_t visited = ws.uaccess ? IF_VISITED_UA : IF_VISITED;
		bool skip_orig = false;
		int ret;

		next = cfg_validate_next(insn);
		if (leaves_function(w, func, insn, &ret))
			return ret;
		if (func && (insn->flags & IF_IGNORE))
			return warn(w, insn, "internal", "BUG: why am I validating an ignored function?");

		if (insn->flags & (IF_VISITED | IF_VISITED_UA)) {
			if (!(insn->flags & IF_HINT) && !states_match(w, insn, insn->state, &ws.st))
				return 1;
			if (insn->flags & visited)
				return 0;
		}
		if (insn->flags & IF_HINT) {
			ret = apply_hint(w, insn, &ws, first);
			if (ret)
				return ret == 1;
		} else {
			insn->state = intern(w, &ws.st);
		}
		if (w->oom)
			return -1;
		insn->flags |= visited;

		if (reconcile(w, insn))
			return 1;
		ret = walk_alternatives(w, func, insn, &ws, &skip_orig);
		if (ret || skip_orig)
			return ret;
		if (apply_ops(w, insn, next, &ws))
			return 1;

		ret = step_kind(w, func, insn, next, &ws);
		if (ret == 1 || ret < 0)
			return ret;
		if (ret == 2 || (insn->flags & IF_DEAD_END))
			return 0;
		if (!next) {
			if (ws.st.cfa.base == REG_UNDEFINED)
				return 0;
			findings_add(w->fs, "end-of-section", NULL, 0, "%s: unexpected end of section",
				     insn->sec->name);
			return 1;
		}
		insn = next;
		first = false;
	}
}

static void start_state(struct walk_state *ws, bool func_entry)
{
	memset(ws, 0, sizeof(*ws));
	if (func_entry)
		stack_state_func_entry(&ws->st);
	else
		stack_state_init(&ws->st);
}

static int validate_function(struct walker *w, struct objsym *sym)
{
	struct func_info *fi = cfg_finfo(w->cfg, sym);
	struct walk_state ws;
	struct instr *insn;

	if (!sym->size) {
		findings_add(w->fs, "missing-size", NULL, 0, "%s() is missing an ELF size annotation",
			     sym->name);
		return 1;
	}
	if (fi->pfunc != sym || fi->alias != sym)
		return 0;
	insn = cfg_find(w->cfg, sym->sec, sym->offset);
	if (!insn || (insn->flags & (IF_IGNORE | IF_VISITED | IF_VISITED_UA)))
		return 0;
	start_state(&ws, true);
	ws.uaccess = w->opts->uaccess && fi->uaccess_safe;
	return walk(w, insn->func, insn, ws);
}

static int validate_functions(struct walker *w)
{
	struct objfile *f = w->cfg->file;
	int warnings = 0;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (!sec->is_exec)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++) {
			int r;

			if (sec->syms[i]->type != STT_FUNC)
				continue;
			r = validate_function(w, sec->syms[i]);
			if (r < 0)
				return r;
			warnings += r;
		}
	}
	return warnings;
}

static int validate_hints(struct walker *w)
{
	int warnings = 0;

	for (size_t s = 1; s < w->cfg->file->nr_secs; s++) {
		struct code_section *cs = &w->cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];
			struct walk_state ws;
			int r;

			if (!(insn->flags & IF_HINT) || (insn->flags & (IF_IGNORE | IF_VISITED | IF_VISITED_UA)))
				continue;
			start_state(&ws, false);
			r = walk(w, insn->func, insn, ws);
			if (r < 0)
				return r;
			warnings += r;
		}
	}
	return warnings;
}

/* As the reference, by name, only with --uaccess; undefined callees included. */
static void mark_uaccess_safe(struct walker *w)
{
	struct objfile *f = w->cfg->file;

	if (!w->opts->uaccess)
		return;
	for (size_t i = 1; i < f->nr_syms; i++)
		if (f->syms[i].name && uaccess_safe_listed(f->syms[i].name, w->k612))
			cfg_finfo(w->cfg, &f->syms[i])->uaccess_safe = true;
}

int validate_run(struct cfg *cfg, struct findings *fs, const struct validate_options *opts)
{
	struct walker w = { .cfg = cfg, .fs = fs, .opts = opts, .k612 = cfg->opts.kernel_6_12 };
	int warnings, r, hint_warnings = 0;

	mark_uaccess_safe(&w);
	if (cfg_read_retpoline_safe(cfg))
		return -1;
	/* The reference warns while reading the hints, and does not count these. */
	if (opts->ibt) {
		hint_warnings = validate_ibt_hints(cfg, fs);
		if (hint_warnings < 0)
			return -1;
	}

	/* The reference's order: retpoline first (its count also gates reachability), sls last. */
	warnings = opts->retpoline ? validate_retpoline(cfg, fs, opts) : 0;
	r = validate_functions(&w);
	if (r < 0)
		return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory while validating");
	warnings += r;
	r = validate_hints(&w);
	if (r < 0)
		return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory while validating");
	warnings += r;
	if (!warnings)
		warnings += validate_reachable(cfg, fs);
	if (opts->ibt) {
		r = validate_ibt(cfg, fs);
		if (r < 0)
			return -1;
		warnings += r;
	}
	if (opts->sls)
		warnings += validate_sls(cfg, fs);
	return warnings + hint_warnings;
}
