// SPDX-License-Identifier: GPL-2.0
/*
 * Stack validation: walk every path of every function from its entry, with
 * the stack state flowing through each instruction's stack ops, and record
 * the state at each instruction.  Where paths meet, their states must agree;
 * at returns and tail calls the frame must be back to its entry shape.
 * Alternative branches are walked as paths too (cfg/alternatives.c), and
 * their states are reconciled by byte offset inside each patch site.
 *
 * As in the reference, the first warning in a function ends that function's
 * walk: what follows a broken state cannot be trusted.
 *
 * With --noinstr the same walks check that paths starting in noinstr text
 * call out only where instrumentation_begin() allows it (the callee rules
 * are in noinstr.c); --noinstr alone walks only those sections.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_phases.h"
#include "cfg.h"
#include "findings.h"
#include "arch.h"
#include "reconcile.h"
#include "validate.h"
#include "validate_priv.h"
#include "walk_priv.h"

struct walk_state {
	struct stack_state st;
	/*
	 * The pooled copy of st, or NULL once st may have changed: most
	 * instructions change nothing, and interning (hash, then compare) was
	 * the walk's biggest cost.  The pool gives the same pointer either way.
	 */
	const struct stack_state *pooled;
	bool uaccess;
	bool df;
	uint32_t uaccess_stack;
	bool noinstr;       /* --noinstr: the path started in code that must not be instrumented */
	int instr;          /* instrumentation_begin() minus _end() marks passed on this path */
};

/*
 * What a step of the walk, or the walk of a path, tells its caller.  A
 * warning ends the walk of its function (the reference reports one
 * problem per path and moves on); an error ends the whole analysis.
 */
enum walk_result {
	WALK_ERROR = -1,    /* out of memory */
	WALK_GO_ON = 0,     /* a step: continue with the next instruction; a path: done, clean */
	WALK_WARNED = 1,    /* a warning was added */
	WALK_PATH_END = 2,  /* a step: this path ends here, quietly */
};

/* A warning located at an instruction; always WALK_WARNED (the path stops). */
static enum walk_result __attribute__((format(printf, 4, 5)))
warn_insn(struct walker *w, const struct instr *insn, const char *kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->k->warn_once_per_function && validate_function_warned(w->fs, objf_func_at(insn->sec, insn->offset)))
		return WALK_WARNED;
	findings_add(w->fs, kind, insn->sec, insn->offset, "%s", msg);
	return WALK_WARNED;
}

static enum walk_result warn(struct walker *w, const struct instr *insn, const char *kind, const char *msg)
{
	return warn_insn(w, insn, kind, "%s", msg);
}

/* The reference's unwind type numbers (renumbered with unwind ABI 2, in 6.3). */
static int ref_type(const struct walker *w, int type)
{
	static const int abi2[] = {
		[UNWIND_CALL] = 2, [UNWIND_REGS] = 3, [UNWIND_REGS_PARTIAL] = 4,
		[UNWIND_UNDEFINED] = 0, [UNWIND_END_OF_STACK] = 1,
	};

	if (w->k->unwind_abi >= 2 && type >= 0 && type <= UNWIND_END_OF_STACK)
		return abi2[type];
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
	const struct stack_state *p = stack_pool_intern(w->pool, s);

	if (!p)
		w->oom = 1;
	return p;
}

/*
 * A parallel walk's thread takes insn; false (and every thread told to
 * stop) when another thread has it: the threads' walks were not
 * independent, and only the sequential walk gives the reference's answer.
 */
static bool claim(struct walker *w, struct instr *insn)
{
	uint8_t cur;

	if (!w->id)
		return true;
	cur = __atomic_load_n(&insn->walker, __ATOMIC_RELAXED);
	if (cur == w->id)
		return true;
	if (!cur && __atomic_compare_exchange_n(&insn->walker, &cur, w->id, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return true;
	w->conflict = true;
	__atomic_store_n(w->stop, 1, __ATOMIC_RELAXED);
	return false;
}

/*
 * The flags of an instruction another thread may be marking visited (a
 * neighbour: the next instruction, a save before a restore).  Only their
 * fixed bits are asked, but the word is shared, so it is read atomically;
 * marking is atomic too in a parallel walk (set_visited()).
 */
static uint16_t flags_of(const struct instr *i)
{
	return __atomic_load_n(&i->flags, __ATOMIC_RELAXED);
}

static void set_visited(const struct walker *w, struct instr *insn, uint16_t visited)
{
	if (w->id)
		__atomic_fetch_or(&insn->flags, visited, __ATOMIC_RELAXED);
	else
		insn->flags |= visited;
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
		if (flags_of(i) & IF_SAVE)
			return i;
	}
	return NULL;
}

/*
 * WALK_GO_ON, WALK_WARNED, or WALK_PATH_END for a restore left to the
 * straight-line path.  first:
 * insn starts this path (a branch target).
 */
static enum walk_result apply_hint(struct walker *w, struct instr *insn, struct walk_state *ws, bool first)
{
	if (insn->flags & IF_RESTORE) {
		struct instr *save = find_save(w, insn);

		if (!save)
			return warn(w, insn, "unwind-hint", "no corresponding CFI save for CFI restore");
		if (!claim(w, save))
			return WALK_ERROR;
		/*
		 * 6.12 leaves a restore reached by a jump before its save for
		 * the straight-line path to handle.
		 */
		if (!(save->flags & (IF_VISITED | IF_VISITED_UA)) && w->k->restore_waits_for_save &&
		    first)
			return WALK_PATH_END;
		if (!(save->flags & (IF_VISITED | IF_VISITED_UA)))
			return warn(w, insn, "unwind-hint",
				    "objtool isn't smart enough to handle this CFI save/restore combo");
		insn->x->hint_state = save->state;   /* IF_HINT: it has its extra */
	}
	if (cfg_hint_state(insn))
		ws->st = *cfg_hint_state(insn);
	ws->pooled = NULL;
	insn->state = cfg_hint_state(insn);
	return WALK_GO_ON;
}

/* Tracks the AC flag pushf/popf save inside alternatives (--uaccess). */
static enum walk_result track_pushf(struct walker *w, const struct instr *insn, const struct stack_op *op,
		       struct walk_state *ws)
{
	if (!w->opts->uaccess || !cfg_alt_group(insn))
		return WALK_GO_ON;
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
	return WALK_GO_ON;
}

static enum walk_result apply_ops(struct walker *w, struct instr *insn, const struct instr *next,
		     struct walk_state *ws)
{
	const struct stack_op *ops = cfg_ops(w->cfg, insn);
	struct stack_op_ctx ctx = {
		.in_func = insn->func != NULL,
		.next_is_hint = next && (flags_of(next) & IF_HINT),
		.track_bp_scratch = w->opts->stackval,
	};

	if (insn->nr_ops)
		ws->pooled = NULL;
	for (unsigned i = 0; i < insn->nr_ops; i++) {
		enum stack_result r = stack_apply_op(&ws->st, &ops[i], &ctx);

		if (r != STACK_OK)
			return warn(w, insn, "stack-op", stack_result_message(r));
		if (track_pushf(w, insn, &ops[i], ws))
			return WALK_WARNED;
	}
	return WALK_GO_ON;
}

/* Marked by validate_run from the reference's list (only with --uaccess). */
static bool uaccess_safe(const struct walker *w, const struct objsym *func)
{
	return func && cfg_finfo(w->cfg, func)->uaccess_safe;
}

static enum walk_result check_return(struct walker *w, const struct objsym *func, const struct instr *insn,
			const struct walk_state *ws)
{
	if (ws->noinstr && ws->instr > 0)
		return warn(w, insn, "noinstr", "return with instrumentation enabled");
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
	return WALK_GO_ON;
}

static enum walk_result check_call(struct walker *w, struct instr *insn, const struct walk_state *ws)
{
	char buf[32];

	if (ws->noinstr && ws->instr <= 0 && !noinstr_callee_ok(w->cfg, &w->pv, w->fs, insn))
		return warn_insn(w, insn, "noinstr", "call to %s() leaves .noinstr.text section",
				 validate_call_dest_name(w->cfg, insn, buf, sizeof(buf)));
	if (ws->uaccess && !uaccess_safe(w, cfg_call_dest(insn)))
		return warn_insn(w, insn, "uaccess", "call to %s() with UACCESS enabled",
				 validate_call_dest_name(w->cfg, insn, buf, sizeof(buf)));
	if (ws->df)
		return warn_insn(w, insn, "direction-flag", "call to %s() with DF set",
				 validate_call_dest_name(w->cfg, insn, buf, sizeof(buf)));
	return WALK_GO_ON;
}

static enum walk_result check_sibling_call(struct walker *w, struct instr *insn, const struct walk_state *ws)
{
	/* 6.12 checks the frame only for jumps inside a function */
	if ((!w->k->sibling_frame_check_in_func || insn->func) &&
	    stack_has_modified_frame(&ws->st))
		return warn(w, insn, "sibling-call-modified-frame",
			    "sibling call from callable instruction with modified stack frame");
	return check_call(w, insn, ws);
}

static bool is_special_call(const struct instr *insn)
{
	return insn->kind == INSN_CALL && cfg_call_dest(insn) &&
	       arch_call_needs_no_frame(cfg_call_dest(insn)->name);
}

static enum walk_result walk(struct walker *w, struct objsym *func, struct instr *insn, struct walk_state ws);

/* Flow-control part of one instruction: go on, end the path, or a warning. */
static enum walk_result step_kind(struct walker *w, struct objsym *func, struct instr *insn,
		     const struct instr *next, struct walk_state *ws)
{
	enum walk_result ret;

	switch (insn->kind) {
	case INSN_RETURN:
		return check_return(w, func, insn, ws) ? WALK_WARNED : WALK_PATH_END;
	case INSN_CALL:
	case INSN_CALL_INDIRECT:
		if (check_call(w, insn, ws))
			return WALK_WARNED;
		if (w->opts->stackval && func && !is_special_call(insn) &&
		    !stack_has_valid_frame(&ws->st))
			return warn(w, insn, "call-without-frame", "call without frame pointer save/setup");
		return (insn->flags & IF_DEAD_END) ? 2 : 0;
	case INSN_JUMP:
	case INSN_JUMP_COND:
		if (cfg_is_sibling_call(w->cfg, insn)) {
			if (check_sibling_call(w, insn, ws))
				return WALK_WARNED;
		} else if (cfg_jump_dest(insn)) {
			ret = walk(w, func, cfg_jump_dest(insn), *ws);
			if (ret != WALK_GO_ON)
				return ret;
		}
		return insn->kind == INSN_JUMP ? 2 : 0;
	case INSN_JUMP_INDIRECT:
	case INSN_JUMP_INDIRECT_COND:
		if (cfg_is_sibling_call(w->cfg, insn) && check_sibling_call(w, insn, ws))
			return WALK_WARNED;
		return insn->kind == INSN_JUMP_INDIRECT ? 2 : 0;
	case INSN_CONTEXT_SWITCH:
		if (!func)
			return WALK_PATH_END;
		if (!next || !(flags_of(next) & IF_HINT))
			return warn(w, insn, "context-switch", "unsupported instruction in callable function");
		return WALK_GO_ON;
	case INSN_STAC:
		if (!w->opts->uaccess)
			return WALK_GO_ON;
		if (ws->uaccess)
			return warn(w, insn, "uaccess", "recursive UACCESS enable");
		ws->uaccess = true;
		return WALK_GO_ON;
	case INSN_CLAC:
		if (!w->opts->uaccess)
			return WALK_GO_ON;
		if (!ws->uaccess && func)
			return warn(w, insn, "uaccess", "redundant UACCESS disable");
		if (uaccess_safe(w, func) && !ws->uaccess_stack)
			return warn(w, insn, "uaccess", "UACCESS-safe disables UACCESS");
		ws->uaccess = false;
		return WALK_GO_ON;
	case INSN_STD:
		if (ws->df)
			return warn(w, insn, "direction-flag", "recursive STD");
		ws->df = true;
		return WALK_GO_ON;
	case INSN_CLD:
		if (!ws->df && func)
			return warn(w, insn, "direction-flag", "redundant CLD");
		ws->df = false;
		return WALK_GO_ON;
	default:
		return WALK_GO_ON;
	}
}

static enum walk_result walk_alternatives(struct walker *w, struct objsym *func, struct instr *insn,
			     const struct walk_state *ws, bool *skip_orig)
{
	if (insn->flags & IF_IGNORE_ALTS)
		return WALK_GO_ON;
	for (struct alt_branch *b = cfg_alts(insn); b; b = b->next) {
		enum walk_result ret;

		if (b->skip_orig)
			*skip_orig = true;
		if (!b->first)
			continue;
		ret = walk(w, func, b->first, *ws);
		if (ret != WALK_GO_ON)
			return ret;
	}
	return WALK_GO_ON;
}

static bool leaves_function(struct walker *w, struct objsym *func, struct instr *insn,
			    enum walk_result *ret)
{
	const struct objsym *parent;

	if (!func || !insn->func)
		return false;
	parent = cfg_finfo(w->cfg, insn->func)->pfunc;
	if (func == parent)
		return false;
	if (!strncmp(func->name, "__cfi_", 6) ||
	    (w->k->pfx_is_padding && !strncmp(func->name, "__pfx_", 6))) {
		*ret = WALK_GO_ON;
		return true;
	}
	*ret = WALK_GO_ON;
	if (w->cfg->ignore_unreachables)
		return true;   /* the reference's quiet stop after a PC-relative table */
	findings_add(w->fs, "fallthrough", NULL, 0, "%s() falls through to next function %s()",
		     func->name, insn->func->name);
	*ret = WALK_WARNED;
	return true;
}

/*
 * Alternative-site reconciliation (validate/reconcile.c) with the reference's message
 * shape: 6.12 reports a conflict at the site's original instruction and
 * names the conflicting one after a colon.  The finding is rendered here,
 * so echoing is held while validate/reconcile.c adds it.
 */
static enum walk_result reconcile(struct walker *w, struct instr *insn)
{
	const struct alt_group *group = cfg_alt_group(insn);
	struct findings *fs = w->fs;
	size_t before = fs->nr;
	int echo = fs->echo;
	enum walk_result ret;
	struct finding *f;

	/* only instructions of an alternative site have sides to reconcile */
	if (!group)
		return WALK_GO_ON;
	/* the sides of a site share its state array: one thread per site */
	if (reconcile_site_of(group)->first && !claim(w, reconcile_site_of(group)->first))
		return WALK_ERROR;
	fs->echo = 0;
	ret = reconcile_on_visit(w->cfg, fs, insn) ? WALK_WARNED : WALK_GO_ON;
	fs->echo = echo;
	if (fs->nr == before)
		return ret;
	f = &fs->items[fs->nr - 1];
	if (w->k->conflict_at_site && f->location &&
	    !strcmp(f->kind, "alternative-stack-conflict")) {
		const struct alt_group *g = group->orig_group ? group->orig_group : group;
		const struct instr *orig = g->first ? g->first : insn;
		const char *detail = strchr(f->message, '\n');
		char where[512], more[1024];

		/* keep validate/reconcile.c's detail lines after the reference's line */
		snprintf(where, sizeof(where), "%s", f->location);
		snprintf(more, sizeof(more), "%s", detail ? detail : "");
		findings_drop_last(fs);
		return warn_insn(w, orig, "alternative-stack-conflict",
				 "stack layout conflict in alternatives: %s%s", where, more);
	}
	if (echo)
		findings_print_text(fs, f, findings_echo_stream(fs));
	return ret;
}

static enum walk_result walk(struct walker *w, struct objsym *func, struct instr *insn,
			     struct walk_state ws)
{
	struct instr *next;
	bool first = true;

	for (;;) {
		uint16_t visited = ws.uaccess ? IF_VISITED_UA : IF_VISITED;
		bool skip_orig = false;
		enum walk_result ret;

		next = cfg_validate_next(insn);
		if (leaves_function(w, func, insn, &ret))
			return ret;
		if (!claim(w, insn))
			return WALK_ERROR;
		if (func && (insn->flags & IF_IGNORE))
			return warn(w, insn, "internal", "BUG: why am I validating an ignored function?");

		if (insn->flags & (IF_VISITED | IF_VISITED_UA)) {
			if (!(insn->flags & IF_HINT) && !states_match(w, insn, insn->state, &ws.st))
				return WALK_WARNED;
			if (insn->flags & visited)
				return WALK_GO_ON;
		}
		if (ws.noinstr)
			ws.instr += insn->instrumentation;
		if (insn->flags & IF_HINT) {
			ret = apply_hint(w, insn, &ws, first);
			if (ret == WALK_PATH_END)
				return WALK_GO_ON;
			if (ret != WALK_GO_ON)
				return ret;
		} else {
			if (!ws.pooled)
				ws.pooled = intern(w, &ws.st);
			insn->state = ws.pooled;
		}
		if (w->oom)
			return WALK_ERROR;
		set_visited(w, insn, visited);

		ret = reconcile(w, insn);
		if (ret != WALK_GO_ON)
			return ret;
		ret = walk_alternatives(w, func, insn, &ws, &skip_orig);
		if (ret != WALK_GO_ON || skip_orig)
			return ret;
		if (apply_ops(w, insn, next, &ws) != WALK_GO_ON)
			return WALK_WARNED;

		ret = step_kind(w, func, insn, next, &ws);
		if (ret == WALK_WARNED || ret == WALK_ERROR)
			return ret;
		if (ret == WALK_PATH_END || (insn->flags & IF_DEAD_END))
			return WALK_GO_ON;
		if (!next) {
			if (ws.st.cfa.base == REG_UNDEFINED || w->cfg->ignore_unreachables)
				return WALK_GO_ON;
			findings_add(w->fs, "end-of-section", NULL, 0, "%s: unexpected end of section",
				     insn->sec->name);
			return WALK_WARNED;
		}
		insn = next;
		first = false;
	}
}

/* Does a walk that starts in sec check the noinstr rules? Only with --noinstr and --link. */
static bool noinstr_start(const struct walker *w, const struct objsec *sec)
{
	return w->opts->noinstr && sec && kernel_noinstr_section(w->k, sec->name);
}

static void start_state(struct walk_state *ws, bool func_entry)
{
	memset(ws, 0, sizeof(*ws));
	if (func_entry)
		stack_state_func_entry(&ws->st);
	else
		stack_state_init(&ws->st);
}

static enum walk_result validate_function(struct walker *w, struct objsym *sym)
{
	struct func_info *fi = cfg_finfo(w->cfg, sym);
	struct walk_state ws;
	struct instr *insn;

	if (!sym->size) {
		findings_add(w->fs, "missing-size", NULL, 0, "%s() is missing an ELF size annotation",
			     sym->name);
		return WALK_WARNED;
	}
	if (fi->pfunc != sym || fi->alias != sym)
		return WALK_GO_ON;
	insn = cfg_find(w->cfg, sym->sec, sym->offset);
	if (insn && !claim(w, insn))
		return WALK_ERROR;
	if (!insn || (insn->flags & (IF_IGNORE | IF_VISITED | IF_VISITED_UA)))
		return WALK_GO_ON;
	start_state(&ws, true);
	ws.uaccess = w->opts->uaccess && fi->uaccess_safe;
	ws.noinstr = noinstr_start(w, sym->sec);
	return walk(w, insn->func, insn, ws);
}

/* Walk one function and count it when it warned; -1 on an error. */
static int validate_counted(struct walker *w, struct objsym *sym, int *warnings)
{
	enum walk_result r = validate_function(w, sym);

	if (r == WALK_ERROR)
		return -1;
	*warnings += r == WALK_WARNED;
	return 0;
}

/* The functions of one code section, in symbol order. */
static int validate_section(struct walker *w, struct objsec *sec)
{
	int warnings = 0;

	for (size_t i = 0; i < sec->nr_syms; i++)
		if (sec->syms[i]->type == STT_FUNC && validate_counted(w, sec->syms[i], &warnings))
			return -1;
	return warnings;
}

/* funcs[from..to): every function of the object, or one thread's share of them. */
static int walk_functions(struct walker *w, struct objsym *const *funcs, size_t from, size_t to)
{
	int warnings = 0;

	for (size_t i = from; i < to; i++) {
		if (w->stop && __atomic_load_n(w->stop, __ATOMIC_RELAXED))
			return -1;
		if (validate_counted(w, funcs[i], &warnings))
			return -1;
	}
	return warnings;
}

/*
 * Hints no function walk reached, from each one on: in every section
 * (sec NULL: these paths are not checked for --noinstr, as the reference
 * starts them without a section), or in sec alone from its first byte.
 */
static int validate_hints(struct walker *w, struct objsec *sec)
{
	int warnings = 0;

	for (size_t s = sec ? sec->index : 1; s < w->cfg->file->nr_secs; s++) {
		struct code_section *cs = &w->cfg->csecs[s];

		/* the reference looks for sec's instructions from offset 0 on, or not at all */
		if (sec && (s != sec->index || !cs->nr || cs->insns[0].offset))
			break;
		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];
			struct walk_state ws;
			enum walk_result r;

			if (!(insn->flags & IF_HINT) || (insn->flags & (IF_IGNORE | IF_VISITED | IF_VISITED_UA)))
				continue;
			start_state(&ws, false);
			ws.noinstr = sec && noinstr_start(w, sec);
			r = walk(w, insn->func, insn, ws);
			if (r == WALK_ERROR)
				return -1;
			warnings += r == WALK_WARNED;
		}
	}
	return warnings;
}

/*
 * --noinstr without --orc, --stackval or --uaccess: only the noinstr
 * sections are walked, each's functions and then its hints, in the
 * reference's order of sections (kernel_noinstr_walked_section()).
 */
static int validate_noinstr_sections(struct walker *w)
{
	const char *name;
	int warnings = 0;

	for (size_t i = 0; (name = kernel_noinstr_walked_section(w->k, i)); i++) {
		struct objsec *sec = objf_sec_by_name(w->cfg->file, name);
		int r;

		if (!sec)
			continue;
		r = validate_section(w, sec);
		if (r < 0)
			return -1;
		warnings += r;
		r = validate_hints(w, sec);
		if (r < 0)
			return -1;
		warnings += r;
	}
	return warnings;
}

/*
 * As the reference, by name, only with --uaccess; undefined callees
 * included, and every symbol of a listed name.  Each listed name is looked
 * up: a whole kernel has some 136,000 symbols and the list a few hundred
 * names, so searching the list for every symbol cost more.
 */
static void mark_uaccess_safe(struct walker *w)
{
	struct objfile *f = w->cfg->file;
	const struct kernel_name_list *list = w->k->uaccess_safe;

	if (!w->opts->uaccess || !list)
		return;
	for (size_t n = 0; n < list->nr; n++)
		for (struct objsym *s = objf_sym_by_name(f, list->names[n]); s;
		     s = objf_sym_next_same_name(f, s))
			cfg_finfo(w->cfg, s)->uaccess_safe = true;
}

/*
 * The walks over every function (on threads: walk_threads.c), then every
 * hint not reached: the warnings, or -1.
 */
static int validate_everything(struct walker *w)
{
	int warnings = walk_functions_threaded(w, walk_functions), r;

	if (warnings < 0)
		return -1;
	r = validate_hints(w, NULL);
	if (r < 0)
		return -1;
	return warnings + r;
}

/* As validate_run(), with the paravirt table in hand. */
static int run_checks(struct walker *w)
{
	struct cfg *cfg = w->cfg;
	struct findings *fs = w->fs;
	const struct validate_options *opts = w->opts;
	int warnings, r, hint_warnings = 0;

	/* The reference warns while reading the hints, and does not count these. */
	if (opts->ibt) {
		hint_warnings = validate_ibt_hints(cfg, fs);
		if (hint_warnings < 0)
			return -1;
	}

	/*
	 * The reference's order: retpoline first (its count also gates
	 * reachability), then the walks, --unret, --ibt, sls last.
	 */
	warnings = opts->retpoline ? validate_retpoline(cfg, fs, opts) : 0;
	ao_phase_end("val-before");
	r = opts->noinstr_only ? validate_noinstr_sections(w) : validate_everything(w);
	ao_phase_end("walk");
	if (r < 0)
		return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory while validating");
	warnings += r;
	if (!warnings && !opts->noinstr_only)
		warnings += validate_reachable(cfg, fs);
	ao_phase_end("reachable");
	if (opts->unret) {
		r = validate_unret(cfg, fs);
		if (r < 0)
			return -1;
		warnings += r;
	}
	if (opts->ibt) {
		r = validate_ibt(cfg, fs);
		if (r < 0)
			return -1;
		warnings += r;
	}
	if (opts->sls)
		warnings += validate_sls(cfg, fs);
	ao_phase_end("val-after");
	return warnings + hint_warnings;
}

int validate_run(struct cfg *cfg, struct findings *fs, const struct validate_options *opts)
{
	struct walker w = { .cfg = cfg, .fs = fs, .opts = opts, .k = cfg->opts.kernel,
			    .pool = cfg->states };
	int r;

	mark_uaccess_safe(&w);
	if (opts->noinstr && noinstr_pv_read(cfg, &w.pv)) {
		noinstr_pv_free(&w.pv);
		return -1;
	}
	r = run_checks(&w);
	noinstr_pv_free(&w.pv);
	return r;
}
