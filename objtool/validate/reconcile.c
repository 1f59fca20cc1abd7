// SPDX-License-Identifier: GPL-2.0
/*
 * Per-offset reconciliation of alternative sites: see include/reconcile.h.
 *
 * Two checks, both made as validation visits the sides of a site:
 *  - conflict: two sides have an instruction boundary at the same offset
 *    with different states.  The first line of the warning is the
 *    reference's ("stack layout conflict in alternatives", at the
 *    instruction that found it, and it ends the function's walk as there);
 *    a second line names the site, the offset and both sides with states.
 *  - exit: a replacement leaves the site in another state than the
 *    original does.  The reference only notices this later, as a "stack
 *    state mismatch" where the two paths meet (or a frame warning further
 *    on); we say it at the site, naming the branch, and do not stop the
 *    walk, so that the reference's own warning still follows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "paravirt_native.h"
#include "reconcile.h"

/* The group of the original side of g's site. */
const struct alt_group *reconcile_site_of(const struct alt_group *g)
{
	return g->orig_group ? g->orig_group : g;
}

struct instr *reconcile_side_at(const struct alt_group *g, uint64_t off)
{
	for (struct instr *i = g->first; i; i = cfg_group_next(g, i))
		if (i->offset - g->first->offset == off)
			return i;
	return NULL;
}

/* "replacement 2 (feature 9*32+20, not; .altinstructions entry 7)" and the like. */
void reconcile_describe_side(const struct cfg *cfg, const struct alt_group *g, char *buf, size_t size)
{
	const struct alt_entry *e = g->entry;
	unsigned n = 0;

	if (!g->orig_group) {
		snprintf(buf, size, "original");
		return;
	}
	if (!e) {
		pv_native_describe(cfg, reconcile_site_of(g)->first, buf, size);
		return;
	}
	/* Number the replacements of one site in table order, from 1. */
	for (size_t k = 0; k <= e->index && k < cfg->alts.nr; k++) {
		const struct alt_entry *o = &cfg->alts.entries[k];

		if (o->orig_sec == e->orig_sec && o->orig_off == e->orig_off)
			n++;
	}
	snprintf(buf, size, "replacement %u (feature %u*32+%u%s; .altinstructions entry %zu)", n,
		 e->feature / 32u, e->feature % 32u, (e->flags & ALT_FLAG_NOT) ? ", not" : "",
		 e->index);
}

/* Another side of insn's site whose boundary at off recorded st. */
static const struct alt_group *recorder(const struct cfg *cfg, const struct alt_group *g,
					uint64_t off, const struct stack_state *st)
{
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		const struct alt_group *h = cfg->groups[k];
		struct instr *i;

		if (h == g || h->states != g->states || !h->first)
			continue;
		i = reconcile_side_at(h, off);
		if (i && i->state == st)
			return h;
	}
	return NULL;
}

static void site_loc(const struct alt_group *g, char *buf, size_t size)
{
	const struct instr *first = reconcile_site_of(g)->first;

	objf_format_loc(buf, size, first->sec, first->offset);
}

static int report_conflict(struct cfg *cfg, struct findings *fs, struct instr *insn, uint64_t off)
{
	const struct alt_group *g = cfg_alt_group(insn), *other;
	char loc[256], mine[160], theirs[160], s1[400], s2[400];

	other = recorder(cfg, g, off, g->states[off]);
	site_loc(g, loc, sizeof(loc));
	reconcile_describe_side(cfg, g, mine, sizeof(mine));
	if (other)
		reconcile_describe_side(cfg, other, theirs, sizeof(theirs));
	else
		snprintf(theirs, sizeof(theirs), "another side");
	stack_state_format(g->states[off], s1, sizeof(s1));
	stack_state_format(insn->state, s2, sizeof(s2));
	findings_add(fs, "alternative-stack-conflict", insn->sec, insn->offset,
		     "stack layout conflict in alternatives\n"
		     "  site %s, offset +%" PRIu64 ": %s has %s; %s has %s",
		     loc, off, theirs, s1, mine, s2);
	return 1;
}

/* The fields the reference compares where two paths meet. */
static bool same_frame(const struct stack_state *a, const struct stack_state *b)
{
	return a->cfa.base == b->cfa.base && a->cfa.offset == b->cfa.offset &&
	       !memcmp(a->regs, b->regs, sizeof(a->regs)) && a->type == b->type &&
	       a->drap == b->drap;
}

static bool falls_out(const struct instr *i, const struct instr *site_end)
{
	if (i->flags & IF_DEAD_END)
		return false;
	switch (i->kind) {
	case INSN_JUMP:
		return cfg_jump_dest(i) && cfg_jump_dest(i) == site_end;
	case INSN_RETURN:
	case INSN_JUMP_INDIRECT:
	case INSN_CONTEXT_SWITCH:
	case INSN_BUG:
		return false;
	default:
		return true;
	}
}

/* Apply i's stack ops to *s; false when the model rejects one. */
static bool step(const struct cfg *cfg, const struct instr *i, struct stack_state *s)
{
	const struct stack_op *ops = cfg_ops(cfg, i);
	struct stack_op_ctx ctx = { .in_func = i->func != NULL };

	for (unsigned k = 0; k < i->nr_ops; k++)
		if (stack_apply_op(s, &ops[k], &ctx) != STACK_OK)
			return false;
	return true;
}

/* The state the original side leaves its site with, from its entry state. */
static bool orig_exit(const struct cfg *cfg, const struct alt_group *og, struct stack_state *s)
{
	const struct instr *end = og->last ? cfg_insn_next(og->last) : NULL;

	if (!og->first || !og->first->state)
		return false;
	*s = *og->first->state;
	for (struct instr *i = og->first; i; i = cfg_group_next(og, i)) {
		if (!falls_out(i, end))
			return false;
		if (!step(cfg, i, s))
			return false;
	}
	return true;
}

/* Called at a replacement's last instruction (or its padding). */
static void check_exit(struct cfg *cfg, struct findings *fs, struct instr *insn)
{
	const struct alt_group *g = cfg_alt_group(insn), *og = g->orig_group;
	struct stack_state out, want;
	char loc[256], side[160], s1[400], s2[400];

	if (!og->last || !falls_out(insn, cfg_insn_next(og->last)))
		return;
	out = *insn->state;
	if (!step(cfg, insn, &out) || !orig_exit(cfg, og, &want) || same_frame(&out, &want))
		return;
	site_loc(g, loc, sizeof(loc));
	reconcile_describe_side(cfg, g, side, sizeof(side));
	stack_state_format(&out, s1, sizeof(s1));
	stack_state_format(&want, s2, sizeof(s2));
	findings_add(fs, "alternative-exit-state", og->first->sec, og->first->offset,
		     "%s leaves the alternative site %s with %s, the original with %s",
		     side, loc, s1, s2);
}

int reconcile_on_visit(struct cfg *cfg, struct findings *fs, struct instr *insn)
{
	struct alt_group *g = cfg_alt_group(insn);
	uint64_t off;

	if (!g)
		return 0;
	if (!insn->state) {
		findings_add(fs, "cfi-missing", insn->sec, insn->offset, "CFI missing");
		return 1;
	}
	off = insn->offset - g->first->offset;
	if (off >= g->len)
		return 0;   /* replacement longer than the site: nothing to share */
	if (!g->states[off]) {
		g->states[off] = insn->state;
	} else if (!stack_state_equal(g->states[off], insn->state)) {
		return report_conflict(cfg, fs, insn, off);
	}
	/* Once per instruction: a second visit (other uaccess state) adds nothing. */
	if (g->orig_group && (insn == g->nop || (!g->nop && insn == g->last)) &&
	    (insn->flags & (IF_VISITED | IF_VISITED_UA)) != (IF_VISITED | IF_VISITED_UA))
		check_exit(cfg, fs, insn);
	return 0;
}

/* ---- views for reports ---- */

const struct alt_group *reconcile_entry_side(const struct cfg *cfg, size_t index)
{
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		const struct alt_group *g = cfg->groups[k];

		if (g->orig_group && g->entry && g->entry->index == index)
			return g;
	}
	return NULL;
}

size_t reconcile_side_steps(const struct cfg *cfg, const struct alt_group *g,
			    struct side_step *steps, size_t max)
{
	size_t n = 0;

	if (!g->first)
		return 0;
	for (struct instr *i = g->first; i && n < max; i = cfg_group_next(g, i)) {
		struct side_step *s = &steps[n++];

		memset(s, 0, sizeof(*s));
		s->insn = i;
		s->off = (uint32_t)(i->offset - g->first->offset);
		s->padding = i == g->nop;
		s->reached = i->state != NULL;
		if (s->reached) {
			s->before = *i->state;
			s->after = *i->state;
			if (!step(cfg, i, &s->after))
				s->after = s->before;
		}
	}
	return n;
}
